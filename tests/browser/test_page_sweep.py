"""Every main page of each role, in Chromium, checked by axe-core (no serious or critical
violation) and fitting a 360 px screen without a sideways scroll of the page itself."""

import pytest

from .test_journeys import OVERFLOW_JS, check_accessibility, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _ids():
    from programmes.models import Call
    from proposals.models import Proposal

    call = Call.objects.get(year=2023)
    from projects.models import StageEvaluation

    funded = Proposal.objects.filter(call=call, state="funded", lead_region__code="gwangju").get()
    graded = StageEvaluation.objects.filter(round__call=call).exclude(grade="").first()  # the good-faith review
    return call.pk, funded.pk, graded.pk


STAFF_PAGES = [
    "/", "/calls/", "/calls/{call}/", "/proposals/", "/proposals/{proposal}/", "/proposals/{proposal}/compare/",
    "/evaluations/experts/", "/evaluations/experts/import/", "/evaluations/proposals/{proposal}/panel/",
    "/evaluations/proposals/{proposal}/consulting/", "/evaluations/proposals/{proposal}/feedback/",
    "/evaluations/calls/{call}/auto-assign/", "/evaluations/calls/{call}/ranking/",
    "/evaluations/calls/{call}/progress/", "/funding/calls/{call}/selection/", "/funding/calls/{call}/letters/",
    "/evaluations/calls/{call}/quality/", "/projects/evaluations/{evaluation}/good-faith/",
    "/funding/proposals/{proposal}/", "/accounts/notifications/", "/accounts/profile/", "/calls/institutions/",
]
OFFICIAL_PAGES = [
    "/", "/proposals/", "/proposals/{proposal}/", "/proposals/new/", "/evaluations/proposals/{proposal}/consulting/",
    "/evaluations/proposals/{proposal}/feedback/", "/funding/proposals/{proposal}/", "/accounts/notifications/",
    "/evaluations/proposals/{proposal}/reviewers/",
]
EXPERT_PAGES = ["/", "/evaluations/assignments/", "/evaluations/calls/{call}/pledge/"]
ADMIN_PAGES = ["/accounts/people/", "/accounts/people/?role=official&status=active", "/accounts/people/invite/"]


@pytest.mark.parametrize(("username", "pages"), [
    ("ministry", STAFF_PAGES), ("official-gwangju", OFFICIAL_PAGES), ("expert1", EXPERT_PAGES),
    ("admin", ADMIN_PAGES),
])
def test_each_page_of_the_role_is_accessible_and_fits_360px(portal, new_context, username, pages):
    call, proposal, evaluation = _ids()
    context = new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    log_in(page, portal, username)
    for template in pages:
        path = template.format(call=call, proposal=proposal, evaluation=evaluation)
        response = page.goto(f"{portal}{path}")
        assert response.status == 200, path
        name = f"sweep-{username}{path.replace('/', '-').rstrip('-')}"
        check_accessibility(page, name)
        overflow = page.evaluate(OVERFLOW_JS, 360)
        assert overflow == [], f"{path} is wider than 360 px: {overflow}"


PUBLIC_PAGES = [
    "/public/", "/public/calls/{call}/", "/public/calls/{call}/results/", "/public/calls/{call}/questions/",
    "/public/notices/", "/public/open-data/", "/public/privacy/", "/public/terms/", "/api/",
]


@pytest.mark.parametrize(("language", "width"), [("ko", 360), ("en", 1280)])
def test_each_public_page_is_accessible_and_fits_without_a_log_in(portal, new_context, language, width):
    """The pages anyone reads (the 2023 call, announced): axe-clean, no sideways scroll."""
    call, _proposal, _evaluation = _ids()
    context = new_context(viewport={"width": width, "height": 800})
    context.add_cookies([{"name": "django_language", "value": language, "url": portal}])
    page = context.new_page()
    for template in PUBLIC_PAGES:
        path = template.format(call=call)
        response = page.goto(f"{portal}{path}")
        assert response.status == 200, path
        assert page.evaluate("document.documentElement.lang").startswith(language), path
        check_accessibility(page, f"sweep-public-{language}-{width}{path.replace('/', '-').rstrip('-')}")
        overflow = page.evaluate(OVERFLOW_JS, width)
        assert overflow == [], f"{path} is wider than {width} px: {overflow}"
