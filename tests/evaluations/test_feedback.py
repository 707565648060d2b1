"""What the regions learn of their evaluation, and when.

Three experts scored the Gwangju + Jeonnam proposal: all criteria 10, 8 and 3
(totals 100, 80 and 30). Before the call's results are announced the regions
see nothing; afterwards they see the aggregate per criterion and the panel's
comment, the evaluators' comments without their names, never an individual score, and the panel's
names only if the call says so.
"""

import pytest
from django.urls import reverse

from evaluations.models import PanelResult
from evaluations.services import assignment_declare
from programmes.models import CallStatus
from tests.evaluations.conftest import assign, make_expert, scored
from tests.login import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluated(eligible_proposal, ministry):
    for n, score in enumerate([10, 8, 3]):
        scored(eligible_proposal, make_expert(f"judge-{n}", display_name=f"심사위원 {n}"), [score] * 5, by=ministry)
    PanelResult.objects.create(proposal=eligible_proposal, consensus_comment="지역 간 역할 분담이 명확함.",
                               decision_reason="상위 2개 과제 선정", updated_by=ministry)
    return eligible_proposal


def announce(proposal, *, reveal_panel_names=True):
    call = proposal.call
    call.status, call.reveal_panel_names = CallStatus.ANNOUNCED, reveal_panel_names
    call.save()


def feedback_url(proposal) -> str:
    return reverse("evaluations:feedback", args=[proposal.pk])


def test_before_the_announcement_a_participating_official_gets_403_and_the_proposal_page_shows_no_score(
    client, evaluated, official
):
    log_in(client, official)
    assert client.get(feedback_url(evaluated)).status_code == 403
    detail = client.get(reverse("proposals:detail", args=[evaluated.pk]))
    body = detail.content.decode()
    assert detail.status_code == 200
    assert (feedback_url(evaluated) in body, "Evaluation results" in body, "70.00" in body) == (False, False, False)


@pytest.mark.parametrize("who", ["official", "partner_official"])
def test_after_the_announcement_participating_officials_see_the_aggregate_per_criterion(
    client, request, evaluated, who
):
    announce(evaluated)
    log_in(client, request.getfixturevalue(who))
    response = client.get(feedback_url(evaluated))
    assert response.status_code == 200
    # Each criterion: mean score (10 + 8 + 3)/3 = 7 out of 10; points 7/10 × weight.
    assert [(c.weight, score, points) for c, score, points in response.context["criteria"]] == [
        (25, 7, pytest.approx(17.5)), (25, 7, pytest.approx(17.5)), (20, 7, pytest.approx(14)),
        (15, 7, pytest.approx(10.5)), (15, 7, pytest.approx(10.5))]
    body = response.content.decode()
    # Three evaluators: no trimming; the total is (100 + 80 + 30)/3 = 70.
    assert ["7.00 / 10" in body, "17.50 / 25" in body, "70.00 / 100" in body] == [True, True, True]
    assert ["지역 간 역할 분담이 명확함." in body, "상위 2개 과제 선정" in body] == [True, True]


def test_the_regions_never_see_an_individual_score(client, evaluated, official):
    """The evaluators' comments are shown, anonymised, for the region to rate (test_quality); their
    scores never."""
    announce(evaluated)
    log_in(client, official)
    body = client.get(feedback_url(evaluated)).content.decode()
    individual = ["100.00", "80.00", "30.00", "10.00 / 10", "8.00 / 10", "3.00 / 10"]
    assert [text in body for text in individual] == [False] * len(individual)


def test_the_panels_names_are_shown_only_when_the_call_reveals_them(client, evaluated, official):
    names = ["심사위원 0", "심사위원 1", "심사위원 2"]
    log_in(client, official)
    announce(evaluated, reveal_panel_names=False)
    hidden = client.get(feedback_url(evaluated))
    assert (hidden.context["panel_names"], [n in hidden.content.decode() for n in names]) == ([], [False] * 3)
    announce(evaluated, reveal_panel_names=True)
    shown = client.get(feedback_url(evaluated))
    assert shown.context["panel_names"] == names
    assert "Panel members" in shown.content.decode()


def test_a_withdrawn_expert_is_not_named_as_a_panel_member(client, evaluated, official, ministry):
    withdrawn = make_expert("withdrawn", display_name="철회한 위원")
    assignment_declare(actor=withdrawn, assignment=assign(evaluated, withdrawn, by=ministry), conflict=True,
                       note="이해관계")
    announce(evaluated)
    log_in(client, official)
    assert "철회한 위원" not in client.get(feedback_url(evaluated)).content.decode()


def test_after_the_announcement_the_proposal_page_links_to_the_results(client, evaluated, official):
    announce(evaluated)
    log_in(client, official)
    assert feedback_url(evaluated) in client.get(reverse("proposals:detail", args=[evaluated.pk])).content.decode()


def test_an_official_of_another_region_gets_404_before_and_after(client, evaluated, outsider_official):
    log_in(client, outsider_official)
    before = client.get(feedback_url(evaluated)).status_code
    announce(evaluated)
    assert (before, client.get(feedback_url(evaluated)).status_code) == (404, 404)


@pytest.mark.parametrize("who", ["ministry", "admin_user"])
def test_staff_see_the_results_at_any_time(client, request, evaluated, who):
    log_in(client, request.getfixturevalue(who))
    response = client.get(feedback_url(evaluated))
    assert (response.status_code, response.context["result"].evaluators) == (200, 3)
    assert response.context["result"].trimmed_mean == pytest.approx(70)
