"""The automatic plan's page with proposals to plan: staff choose the fairness mode, read each
chosen expert's affinity and reasons, are refused a load below the balanced one at the field,
in Korean and English, at 360 and 1280 px, checked by axe-core."""

import pytest

from .test_journeys import OVERFLOW_JS, check_accessibility, log_in, switch_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _eligible_call():
    """The demo's open 2027 call with its proposals made eligible (set here directly: the
    eligibility check has its own journeys)."""
    from programmes.models import Call
    from proposals.models import Proposal, ProposalState

    call = Call.objects.get(year=2027)
    Proposal.objects.filter(call=call).update(state=ProposalState.ELIGIBLE)
    Call.objects.filter(pk=call.pk).update(panel_size=3)  # the demo pool has four experts free for each
    return call.pk


@pytest.mark.parametrize(("language", "width"), [("ko", 360), ("en", 1280)])
def test_staff_review_the_fair_plan_with_affinities_and_are_refused_a_too_low_load(portal, new_context, language,
                                                                                      width):
    call = _eligible_call()
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    log_in(page, portal, "ministry")
    if language == "en":
        switch_language(page, "en")
    page.goto(f"{portal}/evaluations/calls/{call}/auto-assign/?mode=fair")
    assert page.locator("#confirm-assign").count() == 1  # a plan to confirm, each expert with their affinity:
    assert page.locator("td .badge", has_text="affinity" if language == "en" else "적합도").count() >= 3
    check_accessibility(page, f"auto-assign-{language}-{width}")
    assert page.evaluate(OVERFLOW_JS, width) == []
    page.fill("#id_max_load", "0")
    with page.expect_navigation():
        page.click("form[method=get] button[type=submit]")
    assert page.input_value("#id_max_load") == "0"
    assert page.locator(".invalid-feedback").count() == 1  # at the field, and nothing planned:
    assert page.locator("#confirm-assign").count() == 0
    check_accessibility(page, f"auto-assign-refused-{language}-{width}")
