"""Cut-line scenarios on the selection board (issue 16).

The call (tests/factories.CallFactory): envelope 220억, per-project cap 55억, local ≥ 20 % of national.
Five Gwangju + Jeonnam proposals, each asking 18억 national a year over the 2027–2029 pilot (54억)
with 2억 local per region and year (tests.proposals.conftest.fill), scored A 90 > B 80 > C 70 >
D 60 > E 50. Down the ranking the requests add up to 54, 108, 162, 216, 270억: E crosses the envelope.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from evaluations.models import Assignment, AssignmentKind, Score, Scoresheet, ScoresheetState, ShortlistEntry
from funding import selectors, services
from funding.models import DecisionState, FundingDecision, Scenario, ScenarioChoice
from proposals.models import Proposal, ProposalState
from tests.evaluations.conftest import COMMENT, make_expert, sheet_in_db
from tests.factories import EOK
from tests.funding.conftest import FOUR_EYES
from tests.login import log_in
from tests.proposals.conftest import fill, messages_of

pytestmark = pytest.mark.django_db

SCORES = {"A": 9, "B": 8, "C": 7, "D": 6, "E": 5}


@pytest.fixture
def five(call, make_proposal, ministry):
    """The five proposals, eligible and scored by one expert (each criterion at the same score)."""
    judge = make_expert("judge")
    made = {}
    for name, score in SCORES.items():
        p = fill(make_proposal(partners=["jeonnam"], title_ko=f"과제 {name}", title_en=f"Project {name}"))
        Proposal.objects.filter(pk=p.pk).update(state=ProposalState.ELIGIBLE,
                                                submitted_at=timezone.now() - datetime.timedelta(days=1))
        p.refresh_from_db()
        sheet_in_db(p, judge, [score] * call.criteria.count(), by=ministry)
        made[name] = p
    return made


def names(rows) -> list[str]:
    return [Proposal.objects.get(pk=r["proposal_id"]).title_en.removeprefix("Project ") for r in rows]


def ranking(call):
    return selectors.call_ranking(call)


# --- Running total and cut line -------------------------------------------------------------------


def test_the_running_total_adds_the_requests_down_the_ranking_and_the_cut_line_falls_where_it_passes(call, five):
    rows = ranking(call)
    assert names(rows) == ["A", "B", "C", "D", "E"]
    assert [r["cumulative"] for r in rows] == [54 * EOK, 108 * EOK, 162 * EOK, 216 * EOK, 270 * EOK]
    assert [r["cut"] for r in rows] == [False, False, False, False, True]
    assert [r["over"] for r in rows] == [False, False, False, False, True]


def test_the_selection_board_draws_the_cut_line_with_words_above_the_first_row_over_the_envelope(
        client, call, five, ministry):
    log_in(client, ministry)
    html = client.get(reverse("funding:selection", args=[call.pk])).content.decode()
    assert html.count('id="cut-line"') == 1
    assert html.index(five["D"].title) < html.index('id="cut-line"') < html.index(five["E"].title)
    assert "Envelope cut line" in html and "Over the envelope" in html


# --- Two rounds: the final score orders the board ----------------------------------------------------


def presentation_sheet(proposal, expert, score, *, by):
    assignment = Assignment.objects.create(kind=AssignmentKind.EVALUATION, expert=expert, proposal=proposal,
                                           assigned_by=by, declared_at=timezone.now(), round=2)
    sheet = Scoresheet.objects.create(assignment=assignment, state=ScoresheetState.SUBMITTED,
                                      submitted_at=timezone.now())
    Score.objects.bulk_create([Score(scoresheet=sheet, criterion=c, value=score, comment=COMMENT)
                               for c in proposal.call.criteria.all()])


def test_a_two_round_call_ranks_the_shortlist_by_the_final_score_and_the_rest_below(client, call, five, ministry):
    """Written A 90, B 80, C 70 (the shortlist: A, B, C); presentation A 50, B 90, C 70. Weights 40/60:
    A (40 × 90 + 60 × 50) ÷ 100 = 66; B (40 × 80 + 60 × 90) ÷ 100 = 86; C (40 × 70 + 60 × 70) ÷ 100 = 70.
    Final order B, C, A, then D and E (not shortlisted) in their written order."""
    type(call).objects.filter(pk=call.pk).update(evaluation_rounds=2, written_weight=40, presentation_weight=60,
                                                 shortlist_size=3)
    call.refresh_from_db()
    for place, name in enumerate("ABC", start=1):
        ShortlistEntry.objects.create(call=call, proposal=five[name], written_rank=place,
                                      written_score=SCORES[name] * 10, taken_by=ministry)
    panel = make_expert("presenter")
    for name, score in (("A", 5), ("B", 9), ("C", 7)):
        presentation_sheet(five[name], panel, score, by=ministry)
    rows = ranking(call)
    assert names(rows) == ["B", "C", "A", "D", "E"]
    log_in(client, ministry)
    html = client.get(reverse("funding:selection", args=[call.pk])).content.decode()
    assert html.index(five["B"].title) < html.index(five["C"].title) < html.index(five["A"].title) \
        < html.index(five["D"].title)
    assert "86.00" in html and "66.00" in html


# --- Building a scenario ----------------------------------------------------------------------------


def test_a_new_scenario_selects_the_best_proposals_while_the_envelope_holds_them(call, five, ministry):
    everything = services.scenario_create(actor=ministry, call=call, name="예산 내 최대", ranking=ranking(call))
    chosen = {line.proposal.title_en[-1] for line in everything.lines.filter(choice=ScenarioChoice.SELECT)}
    assert chosen == {"A", "B", "C", "D"}
    top2 = services.scenario_create(actor=ministry, call=call, name="상위 2개", top=2, ranking=ranking(call))
    assert {line.proposal.title_en[-1] for line in top2.lines.filter(choice=ScenarioChoice.SELECT)} == {"A", "B"}
    figures = services.scenario_figures(top2, ranking(call))
    assert (figures["total"], figures["remaining"], figures["over"]) == (108 * EOK, 112 * EOK, False)
    event = AuditEvent.objects.filter(action=AuditAction.FUNDING_SCENARIO).latest("pk")
    assert event.actor == ministry and event.after["name"] == "상위 2개"


def test_a_scenario_name_is_unique_in_its_call_and_the_top_n_within_the_ranking(call, five, ministry):
    services.scenario_create(actor=ministry, call=call, name="안", ranking=ranking(call))
    with pytest.raises(ValidationError) as refused:
        services.scenario_create(actor=ministry, call=call, name=" 안 ", ranking=ranking(call))
    assert refused.value.message_dict == {"name": ["This call already has a scenario named “안”."]}
    with pytest.raises(ValidationError) as refused:
        services.scenario_create(actor=ministry, call=call, name="너무 많이", top=6, ranking=ranking(call))
    assert refused.value.message_dict == {"top": ["Choose between 0 and 5 proposals."]}


def test_the_cap_and_matching_checks_are_the_funding_decision_s_own(call, five, ministry):
    scenario = services.scenario_create(actor=ministry, call=call, name="조정", top=1, ranking=ranking(call))
    a = five["A"]
    services.scenario_save(actor=ministry, scenario=scenario, name="조정", notes="",
                           lines={a.pk: ("select", 56 * EOK)}, ranking=ranking(call))
    row = services.scenario_figures(scenario, ranking(call))["rows"][0]
    years, obligations = services.line_plan(a, 56 * EOK)
    assert row["problems"] == list(dict.fromkeys(services.decision_problems(
        proposal=a, years=years, obligations=obligations).values()))
    assert any("exceeds the per-project cap" in p for p in row["problems"])
    # 25 % matching: 2 × 2억 local a year is short of 25 % of 18억 national.
    type(call).objects.filter(pk=call.pk).update(min_local_matching_pct=25)
    services.scenario_save(actor=ministry, scenario=scenario, name="조정", notes="", lines={a.pk: ("select", None)},
                           ranking=ranking(call))
    scenario.refresh_from_db()
    figures = services.scenario_figures(scenario, ranking(call))
    assert figures["rows"][0]["problems"] and figures["broken"] == 1 and not figures["can_decide"]


def test_an_amount_is_spread_over_the_pilot_years_as_the_plan_asks_exactly(five):
    """The plan asks 18억 in each of three years: 50억 + 2 won is a third each, the 2 won left in 2029."""
    years, obligations = services.line_plan(five["A"], 50 * EOK + 2)
    assert years == {2027: 1666666667, 2028: 1666666667, 2029: 1666666668}
    assert services.line_plan(five["A"], 54 * EOK)[0] == dict.fromkeys((2027, 2028, 2029), 18 * EOK)
    assert set(obligations.values()) == {2 * EOK} and len(obligations) == 6


def test_a_scenario_over_the_envelope_is_said_so_and_cannot_be_turned_into_decisions(client, call, five, ministry):
    scenario = services.scenario_create(actor=ministry, call=call, name="전부", top=4, ranking=ranking(call))
    services.scenario_save(actor=ministry, scenario=scenario, name="전부", notes="",
                           lines={p.pk: ("select", None) for p in five.values()}, ranking=ranking(call))
    figures = services.scenario_figures(scenario, ranking(call))
    assert (figures["total"], figures["remaining"], figures["over"], figures["can_decide"]) == (
        270 * EOK, -50 * EOK, True, False)
    with pytest.raises(ValidationError) as refused:
        services.scenario_decide(actor=ministry, scenario=scenario, ranking=ranking(call))
    assert refused.value.messages == ["This scenario is over the envelope by 5,000,000,000 won: it cannot be turned "
                                      "into decisions."]
    assert not FundingDecision.objects.exists()
    log_in(client, ministry)
    html = client.get(reverse("funding:scenario", args=[scenario.pk])).content.decode()
    assert "Over the envelope: this scenario cannot be turned into decisions." in html
    assert 'id="scenario-decide"' not in html


# --- Turning a scenario into decisions ----------------------------------------------------------------


def test_turning_a_scenario_into_decisions_prepares_them_and_another_person_approves(call, five, ministry, ministry2):
    scenario = services.scenario_create(actor=ministry, call=call, name="상위 2개", top=2, ranking=ranking(call))
    services.scenario_save(actor=ministry, scenario=scenario, name="상위 2개", notes="",
                           lines={five["B"].pk: ("select", 45 * EOK)}, ranking=ranking(call))
    decisions = services.scenario_decide(actor=ministry, scenario=scenario, ranking=ranking(call))
    assert sorted((d.proposal.title_en[-1], d.state, d.national_total_won, d.prepared_by) for d in decisions) == [
        ("A", DecisionState.PREPARED, 54 * EOK, ministry), ("B", DecisionState.PREPARED, 45 * EOK, ministry)]
    assert set(Proposal.objects.filter(pk__in=[five["A"].pk, five["B"].pk]).values_list("state", flat=True)) == {
        ProposalState.SELECTED}
    assert five["A"].selection_note.reason == "Selected in the funding scenario “상위 2개”."
    scenario.refresh_from_db()
    assert scenario.decided_by == ministry
    with pytest.raises(Exception, match=FOUR_EYES[:20]):
        services.funding_approve(actor=ministry, decision=decisions[0])
    approved = services.funding_approve(actor=ministry2, decision=FundingDecision.objects.get(pk=decisions[0].pk))
    assert approved.state == DecisionState.APPROVED
    assert AuditEvent.objects.filter(action=AuditAction.FUNDING_SCENARIO, summary__contains="2 prepared").exists()


def test_turning_into_decisions_is_all_or_nothing_with_every_reason(call, five, ministry):
    Proposal.objects.filter(pk=five["B"].pk).update(state=ProposalState.NOT_SELECTED)
    scenario = services.scenario_create(actor=ministry, call=call, name="둘", top=2, ranking=ranking(call))
    with pytest.raises(ValidationError) as refused:
        services.scenario_decide(actor=ministry, scenario=scenario, ranking=ranking(call))
    assert refused.value.messages[0] == "Nothing was turned into decisions."
    assert len(refused.value.messages) == 2 and five["B"].title in refused.value.messages[1]
    assert not FundingDecision.objects.exists()
    assert Proposal.objects.get(pk=five["A"].pk).state == ProposalState.ELIGIBLE  # its selection rolled back


def test_only_staff_build_or_turn_scenarios(call, five, ministry, official, expert):
    scenario = services.scenario_create(actor=ministry, call=call, name="안", top=1, ranking=ranking(call))
    for person in (official, expert):
        with pytest.raises(PermissionDenied):
            services.scenario_create(actor=person, call=call, name="몰래", ranking=ranking(call))
        with pytest.raises(PermissionDenied):
            services.scenario_decide(actor=person, scenario=scenario, ranking=ranking(call))
    assert Scenario.objects.count() == 1


# --- The pages ---------------------------------------------------------------------------------------


def test_staff_create_change_and_compare_scenarios_on_their_pages(client, call, five, ministry):
    log_in(client, ministry)
    url = reverse("funding:scenarios", args=[call.pk])
    response = client.post(url, {"name": "예산 내 상위 5개", "top": "5", "notes": ""})
    first = Scenario.objects.get(name="예산 내 상위 5개")
    assert response.status_code == 302 and response["Location"] == reverse("funding:scenario", args=[first.pk])
    client.post(url, {"name": "대안", "top": "3"})
    second = Scenario.objects.get(name="대안")
    page = reverse("funding:scenario", args=[second.pk])
    fields = {"name": "대안", "notes": "C 감액", f"choice-{five['C'].pk}": "select", f"amount-{five['C'].pk}": "40억"}
    fields.update({f"choice-{p.pk}": "none" for n, p in five.items() if n not in "ABC"})
    fields.update({f"choice-{five[n].pk}": "select" for n in "AB"})
    assert client.post(page, fields).status_code == 302
    assert second.lines.get(proposal=five["C"]).amount_won == 40 * EOK
    compare = client.get(reverse("funding:scenario_compare", args=[call.pk]), {"a": first.pk, "b": second.pk})
    html = compare.content.decode()
    assert compare.status_code == 200
    assert "2 proposals differ between the two scenarios" in html  # C's amount and D (selected in the first only)


@pytest.mark.parametrize("typed, message", [
    ("-5억", "Amounts cannot be negative."),
    ("열 억", "Type an amount in won, e.g. 1,000,000 or 1억 2천만."),
])
def test_a_refused_amount_stays_as_typed_with_its_message(client, call, five, ministry, typed, message):
    scenario = services.scenario_create(actor=ministry, call=call, name="안", top=1, ranking=ranking(call))
    log_in(client, ministry)
    a = five["A"].pk
    response = client.post(reverse("funding:scenario", args=[scenario.pk]),
                           {"name": "안", f"choice-{a}": "select", f"amount-{a}": typed})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and f'value="{typed}"' in html
    assert scenario.lines.get(proposal_id=a).amount_won is None


def test_an_unknown_choice_is_refused_at_its_field(client, call, five, ministry):
    scenario = services.scenario_create(actor=ministry, call=call, name="안", top=1, ranking=ranking(call))
    log_in(client, ministry)
    a = five["A"].pk
    response = client.post(reverse("funding:scenario", args=[scenario.pk]), {"name": "", f"choice-{a}": "fund"})
    assert response.status_code == 400
    assert scenario.lines.get(proposal_id=a).choice == ScenarioChoice.SELECT


def test_the_decide_button_asks_for_confirmation(client, call, five, ministry):
    scenario = services.scenario_create(actor=ministry, call=call, name="안", top=1, ranking=ranking(call))
    log_in(client, ministry)
    response = client.post(reverse("funding:scenario_decide", args=[scenario.pk]), follow=True)
    assert "Tick the confirmation box to turn the scenario into decisions." in messages_of(response)
    assert not FundingDecision.objects.exists()
    response = client.post(reverse("funding:scenario_decide", args=[scenario.pk]), {"confirm": "on"}, follow=True)
    assert FundingDecision.objects.get().state == DecisionState.PREPARED


def test_regions_and_experts_are_refused_the_scenario_pages(client, call, five, ministry, official, expert):
    scenario = services.scenario_create(actor=ministry, call=call, name="안", top=1, ranking=ranking(call))
    for person in (official, expert):
        log_in(client, person)
        for url in (reverse("funding:scenarios", args=[call.pk]), reverse("funding:scenario", args=[scenario.pk])):
            assert client.get(url).status_code == 403
        client.logout()


# --- At scale: a window of the ranking around the cut line (issue 16) ------------------------------


def test_at_hundreds_of_proposals_the_page_shows_a_window_around_the_cut_line():
    # 400 proposals asking 10 each against an envelope of 1,234: the 124th passes it.
    rows, cumulative = [], 0
    for place in range(1, 401):
        cumulative += 10
        rows.append({"proposal_id": 1000 + place, "rank": place, "requested": 10, "cumulative": cumulative,
                     "over": cumulative > 1234, "cut": cumulative > 1234 and cumulative - 10 <= 1234})
    assert [r["rank"] for r in rows if r["cut"]] == [124]
    w = services.WINDOW
    assert services.scenario_window(rows) == (123 - w, 123 + w)  # ranks 104–143
    assert services.scenario_window(rows, above=1000, below=5) == (0, 128)
    assert services.scenario_window(rows, above=0, below=1000) == (123, 400)
    # No cut line (every request fits): the top of the ranking; a small ranking whole unless asked.
    assert services.scenario_window(rows[:100], above=5, below=5) == (0, 10)
    assert services.scenario_window(rows[:100]) == (0, 100)


def test_the_scenario_page_shows_a_window_and_its_totals_and_saving_count_every_row(client, call, five, ministry):
    call.envelope_won = 100 * EOK  # A (54억) fits, B passes it: the cut line above B
    call.save(update_fields=["envelope_won"])
    scenario = services.scenario_create(actor=ministry, call=call, name="안", ranking=ranking(call))
    services.scenario_save(actor=ministry, scenario=scenario, name="안", notes="",
                           lines={five["D"].pk: (ScenarioChoice.SELECT, 30 * EOK)}, ranking=ranking(call))
    log_in(client, ministry)
    url = reverse("funding:scenario", args=[scenario.pk])
    page = client.get(url, {"above": "1", "below": "1"})
    html = page.content.decode()
    assert page.status_code == 200
    assert [row["proposal_id"] for row in page.context["rows"]] == [five["A"].pk, five["B"].pk]
    assert 'id="scenario-show-more"' in html and "?above=1&amp;below=51" in html
    assert 'id="scenario-show-above"' not in html  # the window starts at the top
    assert f'name="choice-{five["D"].pk}"' not in html and f'name="choice-{five["A"].pk}"' in html
    # The totals are over every row: A's 54억 and D's 30억, D outside the window.
    assert page.context["figures"]["total"] == 84 * EOK and page.context["figures"]["selected"] == 2
    assert f'data-hidden-total="{30 * EOK}" data-hidden-count="1"' in html
    assert "1 selected proposal outside them" in html
    # Saving the window changes its rows only: D keeps its choice and amount, C and E theirs.
    response = client.post(url, {"name": "안", "above": "1", "below": "1", f"choice-{five['A'].pk}": "select",
                                 f"choice-{five['B'].pk}": "reserve"})
    assert response.status_code == 302
    lines = {line.proposal_id: (line.choice, line.amount_won) for line in scenario.lines.all()}
    assert lines[five["B"].pk] == (ScenarioChoice.RESERVE, None)
    assert lines[five["D"].pk] == (ScenarioChoice.SELECT, 30 * EOK)
    assert lines[five["C"].pk] == lines[five["E"].pk] == (ScenarioChoice.NONE, None)
    # Show more: the whole ranking of five.
    assert len(client.get(url, {"above": "1", "below": "51"}).context["rows"]) == 5


def test_scenario_differences_count_choices_and_the_amounts_of_selected_proposals_only(call, five, ministry):
    rank = ranking(call)
    first = services.scenario_create(actor=ministry, call=call, name="가", top=2, ranking=rank)  # A, B
    second = services.scenario_create(actor=ministry, call=call, name="나", top=2, ranking=rank)
    assert services.scenario_differences(first, second, rank) == []
    # B's amount typed as its own request, C reserved, and D's amount changed while not selected: no difference.
    services.scenario_save(actor=ministry, scenario=second, name="나", notes="", ranking=rank, lines={
        five["B"].pk: (ScenarioChoice.SELECT, rank[1]["requested"]), five["C"].pk: (ScenarioChoice.RESERVE, None),
        five["D"].pk: (ScenarioChoice.NONE, 10 * EOK)})
    assert services.scenario_differences(first, second, rank) == [2]  # C only
    services.scenario_save(actor=ministry, scenario=second, name="나", notes="", ranking=rank,
                           lines={five["A"].pk: (ScenarioChoice.SELECT, 40 * EOK)})
    assert services.scenario_differences(first, second, rank) == [0, 2]


def test_the_compare_page_shows_the_window_or_only_the_differences_and_counts_every_row(client, call, five, ministry):
    call.envelope_won = 100 * EOK  # the cut line above B
    call.save(update_fields=["envelope_won"])
    rank = ranking(call)
    first = services.scenario_create(actor=ministry, call=call, name="가", ranking=rank)  # A
    second = services.scenario_create(actor=ministry, call=call, name="나", ranking=rank)
    services.scenario_save(actor=ministry, scenario=second, name="나", notes="", ranking=rank,
                           lines={five["E"].pk: (ScenarioChoice.SELECT, 20 * EOK)})  # far below the line
    log_in(client, ministry)
    url = reverse("funding:scenario_compare", args=[call.pk])
    pair = {"a": first.pk, "b": second.pk}
    page = client.get(url, {**pair, "above": "1", "below": "1"})
    html = page.content.decode()
    assert [r["a"]["proposal_id"] for r in page.context["rows"]] == [five["A"].pk, five["B"].pk]
    assert "1 proposal differs between the two scenarios" in html  # E, outside the window
    assert "1 difference lies outside them." in html and 'id="compare-show-more"' in html
    assert page.context["b"]["total"] == 54 * EOK + 20 * EOK  # every row counted
    only = client.get(url, {**pair, "only": "differences"})
    assert [(r["a"]["proposal_id"], r["differs"]) for r in only.context["rows"]] == [(five["E"].pk, True)]
    assert 'id="compare-only-differences"' in only.content.decode()
    # The same scenario twice: nothing differs, and the page says so instead of an empty table.
    same = client.get(url, {"a": first.pk, "b": first.pk, "only": "differences"})
    assert same.context["rows"] == [] and "The two scenarios choose alike." in same.content.decode()
