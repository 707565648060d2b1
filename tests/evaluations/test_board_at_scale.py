"""The ranking board at the scale of `make bench` (issue 8): one page at a time, ranked among all,
with the call's aggregated results reused until a scoresheet changes."""

import datetime

import pytest
from django.urls import reverse

from evaluations import selectors
from evaluations.models import Assignment, AssignmentKind
from evaluations.services import scoresheet_reopen
from evaluations.services.aggregation import aggregate
from proposals.models import ProposalState
from tests.login import log_in

from .conftest import make_expert, scored, sheet_in_db, submit_scores
from .test_progress_and_reminders import queries_of

T0 = datetime.datetime(2027, 1, 2, tzinfo=datetime.UTC)


@pytest.fixture
def five_ranked(call, ministry, eligible_factory):
    """Five proposals whose trimmed means are 90, 80, 70, 60, 50 (titles P90 … P50)."""
    judge = make_expert("judge")
    made = []
    for score in (9, 8, 7, 6, 5):
        p = eligible_factory(title_en=f"P{score}0", submitted_at=T0)
        sheet_in_db(p, judge, [score] * len(selectors.criteria_of(call)), by=ministry)
        made.append(p)
    return made


@pytest.mark.django_db
def test_the_ranking_board_shows_one_page_ranked_among_all_proposals(client, call, ministry, five_ranked,
                                                                    monkeypatch):
    monkeypatch.setattr(selectors, "BOARD_PAGE_SIZE", 2)
    log_in(client, ministry)
    response = client.get(reverse("evaluations:ranking", args=[call.pk]), {"page": 2})
    rows = [(row["rank"], row["proposal"].title_en) for row in response.context["board"]["rows"]]
    assert (rows, response.context["page"].paginator.count) == ([(3, "P70"), (4, "P60")], 5)


@pytest.mark.django_db
def test_the_selection_board_shows_one_page_ranked_among_all_proposals(client, call, ministry, five_ranked,
                                                                      monkeypatch):
    monkeypatch.setattr(selectors, "BOARD_PAGE_SIZE", 2)
    log_in(client, ministry)
    response = client.get(reverse("funding:selection", args=[call.pk]), {"page": 3})
    rows = [(row["rank"], row["proposal"].title_en) for row in response.context["board"]["rows"]]
    assert rows == [(5, "P50")]


@pytest.mark.django_db
def test_without_a_page_the_board_holds_every_proposal(call, five_ranked):
    board = selectors.ranking_board(call=call)
    assert ([row["rank"] for row in board["rows"]], board["page"]) == ([1, 2, 3, 4, 5], None)


@pytest.mark.django_db
def test_the_reused_results_follow_a_reopened_and_rescored_sheet(call, ministry, eligible_factory):
    p = eligible_factory(title_en="rescored")
    n = len(selectors.criteria_of(call))
    assignment = scored(p, make_expert("judge"), [8] * n, by=ministry)
    before = selectors.call_results(call=call)[p.pk].mean
    assert selectors.call_results(call=call)[p.pk].mean == before  # reused, the same figures
    scoresheet_reopen(actor=ministry, scoresheet=assignment.scoresheet, reason="점수 입력 오류 정정")
    submit_scores(assignment, [4] * n)
    after = selectors.call_results(call=call)
    assert (before, after[p.pk].mean) == (80, 40)
    assert after == aggregate(selectors.submitted_sheets(call=call), selectors.criteria_of(call))


@pytest.mark.django_db
def test_the_selection_board_needs_as_many_queries_for_8_proposals_as_for_2(client, call, ministry,
                                                                           eligible_factory):
    from funding.models import SelectionNote

    judges = [make_expert(f"judge-{n}") for n in range(3)]
    n_criteria = len(selectors.criteria_of(call))

    def add(n):
        p = eligible_factory(submitted_at=T0, state=ProposalState.NOT_SELECTED)  # the board shows the reason
        for judge in judges:
            sheet_in_db(p, judge, [n % 10] * n_criteria, by=ministry)
        SelectionNote.objects.create(proposal=p, reason=f"사유 {n}", decided_by=ministry)

    log_in(client, ministry)
    url = reverse("funding:selection", args=[call.pk])
    for n in range(2):
        add(n)
    queries_of(client, url)  # warm-up
    two = queries_of(client, url)
    for n in range(2, 8):
        add(n)
    response = client.get(url)
    assert [row["note"] for row in response.context["board"]["rows"]][:2] == ["사유 7", "사유 6"]
    assert "사유 2" in response.content.decode()
    assert queries_of(client, url) == two


@pytest.mark.django_db
def test_a_proposal_given_a_panel_after_the_ranking_was_reused_joins_the_board(call, ministry, eligible_factory,
                                                                               five_ranked):
    selectors.ranking_board(call=call)
    selectors.ranking_board(call=call)  # the second reuses the sorted ranking
    newcomer = eligible_factory(title_en="newcomer", submitted_at=T0)
    Assignment.objects.create(kind=AssignmentKind.EVALUATION, expert=make_expert("late"), proposal=newcomer,
                              assigned_by=ministry)  # no scoresheet yet: the results are unchanged
    rows = [(row["rank"], row["proposal"].title_en) for row in selectors.ranking_board(call=call)["rows"]]
    assert rows[-2:] == [(5, "P50"), (None, "newcomer")]
