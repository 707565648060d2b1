"""A stage round's automatic plan: staff open it from the round page, read each project's
chosen experts with their affinity and reasons, and confirm it; the panels fill. In Korean
and English, at 360 and 1280 px, checked by axe-core."""

import pytest

from .test_journeys import OVERFLOW_JS, check_accessibility, log_in, switch_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_round():
    """The demo's round with an undecided project (its panel can still grow), one seat more
    than its fullest panel (the demo pool is small)."""
    from projects.models import RoundState, StageRound

    rnd = StageRound.objects.exclude(state=RoundState.CLOSED).filter(evaluations__outcome="").order_by("pk").first()
    assert rnd is not None, "the demo keeps a stage evaluation undecided"
    fullest = max((rnd.assignments.filter(proposal=e.project.proposal, conflict_declared=False).count()
                   for e in rnd.evaluations.filter(outcome="").select_related("project")), default=0)
    StageRound.objects.filter(pk=rnd.pk).update(panel_size=fullest + 1)
    return rnd, fullest + 1


@pytest.mark.parametrize(("language", "width"), [("ko", 360), ("en", 1280)])
def test_staff_plan_a_round_s_panels_automatically_and_confirm(portal, new_context, language, width):
    from evaluations.models import Assignment, AssignmentKind

    rnd, size = _open_round()
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    log_in(page, portal, "ministry")
    if language == "en":
        switch_language(page, "en")
    page.goto(f"{portal}/projects/rounds/{rnd.pk}/")
    with page.expect_navigation():
        page.click("#auto-assign")
    assert page.locator("#confirm-assign").count() == 1
    assert page.locator("td .badge", has_text="affinity" if language == "en" else "적합도").count() >= 1
    check_accessibility(page, f"stage-auto-assign-{language}-{width}")
    assert page.evaluate(OVERFLOW_JS, width) == []
    page.screenshot(path=f"/tmp/stagepanels-{language}-{width}.png", full_page=True)
    page.check("#confirm-plan")
    with page.expect_navigation():
        page.click("#confirm-assign")
    assert page.url.rstrip("/").endswith(f"/projects/rounds/{rnd.pk}")
    for evaluation in rnd.evaluations.filter(outcome=""):
        active = Assignment.objects.filter(kind=AssignmentKind.STAGE, stage_number=rnd.stage_number,
                                           proposal=evaluation.project.proposal, conflict_declared=False)
        assert active.count() == size
