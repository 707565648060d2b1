"""Two evaluation rounds: written review, shortlist, presentation, combined score.

The call's rubric is one criterion (weight 100, scored 0–10): an evaluator's total is 10 × score.
Written 40 %, presentation 60 %, presentation round 2027-03-10 – 2027-03-20 (as written: tests/clock.py).
"""


import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from evaluations.models import Assignment, EvaluationRound, ShortlistEntry
from evaluations.selectors import progress, rounds_board
from evaluations.services import panel_assign, scoresheet_save, shortlist_take
from evaluations.services.aggregation import RoundsResult, combine_rounds, rank_rounds
from tests.clock import at, on
from tests.evaluations.conftest import COMMENT, clear, make_expert, pledge, sheet_in_db
from tests.factories import CallFactory
from tests.login import log_in
from tests.proposals.conftest import messages_of

pytestmark = pytest.mark.django_db

TWO_ROUNDS = {"evaluation_rounds": 2, "written_weight": 40, "presentation_weight": 60, "shortlist_size": 2,
              "presentation_start": on(2027, 3, 10), "presentation_end": on(2027, 3, 20)}


# --- The combined score (pure) -------------------------------------------------------------------


def test_the_final_score_weighs_the_two_rounds_by_the_calls_weights():
    # (40 × 80 + 60 × 70) ÷ 100 = (3200 + 4200) ÷ 100 = 74
    assert combine_rounds(80, 70, written_weight=40, presentation_weight=60) == pytest.approx(74)
    # 50/50: (85.5 + 60) ÷ 2 = 72.75
    assert combine_rounds(85.5, 60, written_weight=50, presentation_weight=50) == pytest.approx(72.75)
    assert combine_rounds(80, None, written_weight=40, presentation_weight=60) is None


def test_the_rounds_are_ranked_by_the_final_score_then_the_written_one():
    rows = [RoundsResult(1, 1, 90.0, 60.0, 72.0), RoundsResult(2, 2, 80.0, 68.0, 72.8),
            RoundsResult(3, 3, 70.0, None, None), RoundsResult(4, 4, 75.0, 70.0, 72.0)]
    # 72.8 first; 72.0 twice: the higher written score (90 before 75); not yet presented last
    assert [r.proposal_id for r in rank_rounds(rows)] == [2, 1, 4, 3]


# --- The call's settings ---------------------------------------------------------------------


def test_weights_not_adding_up_to_100_are_refused_at_the_field(ministry):
    call = CallFactory.build(programme=CallFactory(created_by=ministry).programme,
                             **{**TWO_ROUNDS, "written_weight": 50, "presentation_weight": 60})
    with pytest.raises(ValidationError) as refused:
        call.clean()
    assert refused.value.message_dict == {"presentation_weight": ["The two rounds' weights must add up to 100 (now 110)."]}


def test_the_presentation_round_comes_after_the_written_one_with_a_shortlist(ministry):
    call = CallFactory.build(**{**TWO_ROUNDS, "shortlist_size": None,
                                "presentation_start": on(2027, 3, 1)})
    with pytest.raises(ValidationError) as refused:
        call.clean()
    assert refused.value.message_dict == {
        "shortlist_size": ["Say how many proposals go on to the presentation round."],
        "presentation_start": ["The presentation round opens after the written review closes."]}
    CallFactory.build().clean()  # one round (the default): nothing asked


def test_the_call_form_keeps_what_was_typed_when_the_weights_are_refused(client, ministry, call):
    from programmes.forms import CallForm

    data = {f: getattr(call, f) for f in CallForm.Meta.fields if f not in ("eligible_regions", "strategic_industries")}
    data.update(programme=call.programme_id, eligible_regions=[r.pk for r in call.eligible_regions.all()],
                evaluation_rounds=2, written_weight=45, presentation_weight=45, shortlist_size=3,
                presentation_start=on(2027, 3, 10).isoformat(), presentation_end=on(2027, 3, 20).isoformat(),
                submission_deadline=f"{at(2027, 1, 29, 18):%Y-%m-%dT%H:%M}")
    data = {k: v for k, v in data.items() if v not in (None, False)}
    form = CallForm(data, instance=call)
    assert not form.is_valid()
    assert form.errors == {"presentation_weight": ["The two rounds' weights must add up to 100 (now 90)."]}
    assert (form["written_weight"].value(), form["shortlist_size"].value()) == (45, 3)


# --- The shortlist ---------------------------------------------------------------------------


@pytest.fixture
def two_round_call(ministry):
    return CallFactory(criteria=[100], created_by=ministry, **TWO_ROUNDS)


@pytest.fixture
def written(two_round_call, ministry, eligible_factory):
    """Three proposals scored in the written round by two experts: A 85, B 75, C 65."""
    judges = [make_expert("written-1"), make_expert("written-2")]
    made = {}
    for name, (x, y) in {"A": (9, 8), "B": (8, 7), "C": (7, 6)}.items():
        made[name] = eligible_factory(call=two_round_call, title_en=name)
        sheet_in_db(made[name], judges[0], [x], by=ministry)
        sheet_in_db(made[name], judges[1], [y], by=ministry)
    return made


def test_the_shortlist_takes_the_best_of_the_written_round(two_round_call, written, ministry):
    entries = shortlist_take(actor=ministry, call=two_round_call)
    assert [(e.proposal.title_en, e.written_rank, float(e.written_score)) for e in entries] == [
        ("A", 1, 85.0), ("B", 2, 75.0)]
    event = AuditEvent.objects.get(action=AuditAction.EVALUATION_ROUND)
    assert event.actor == ministry and event.after == {"shortlist": [written["A"].pk, written["B"].pk]}
    with pytest.raises(ValidationError, match="already taken"):
        shortlist_take(actor=ministry, call=two_round_call)


def test_the_shortlist_is_refused_while_written_scores_are_missing(two_round_call, written, ministry):
    Assignment.objects.create(kind="evaluation", expert=make_expert("late"), proposal=written["C"],
                              assigned_by=ministry)
    with pytest.raises(ValidationError) as refused:
        shortlist_take(actor=ministry, call=two_round_call)
    assert refused.value.messages == ["1 written-round scoresheets are not submitted yet."]
    assert not ShortlistEntry.objects.exists()


def test_a_shortlist_larger_than_the_eligible_proposals_is_refused(two_round_call, written, ministry):
    two_round_call.shortlist_size = 4
    two_round_call.save()
    with pytest.raises(ValidationError) as refused:
        shortlist_take(actor=ministry, call=two_round_call)
    assert refused.value.message_dict == {
        "shortlist_size": ["The shortlist of 4 is larger than the call's 3 eligible proposals."]}


def test_a_one_round_call_and_a_non_staff_member_take_no_shortlist(call, written, two_round_call, ministry, official):
    with pytest.raises(ValidationError, match="single evaluation round"):
        shortlist_take(actor=ministry, call=call)
    with pytest.raises(PermissionDenied):
        shortlist_take(actor=official, call=two_round_call)


# --- The presentation round ---------------------------------------------------------------


def test_only_shortlisted_proposals_get_a_presentation_panel(two_round_call, written, ministry):
    shortlist_take(actor=ministry, call=two_round_call)
    judge = make_expert("presenter-judge")
    with pytest.raises(ValidationError, match="Only shortlisted proposals"):
        panel_assign(actor=ministry, proposal=written["C"], expert=judge, round=2)
    # A written-round judge may sit on the presentation panel too: one seat per round.
    again = Assignment.objects.get(proposal=written["A"], expert__username="written-1")
    seat = panel_assign(actor=ministry, proposal=written["A"], expert=again.expert, round=2)
    assert (seat.round, seat.kind) == (EvaluationRound.PRESENTATION, "evaluation")
    assert progress(call=two_round_call, round=2)["per_proposal"][0]["assigned"] == 1
    assert progress(call=two_round_call)["per_proposal"][0]["assigned"] == 2


def test_presentation_scores_are_submitted_within_the_presentation_dates_and_combined(
        two_round_call, written, ministry):
    shortlist_take(actor=ministry, call=two_round_call)
    judge = make_expert("presentation-1")
    seats = {}
    for name in ("A", "B"):
        seats[name] = clear(panel_assign(actor=ministry, proposal=written[name], expert=judge, round=2))
    pledge(judge, two_round_call)
    criterion = two_round_call.criteria.get()
    in_written_round = at(2027, 2, 10, 10, 0)
    with pytest.raises(ValidationError) as refused:
        scoresheet_save(actor=judge, assignment=seats["A"], values={criterion.pk: ("6", COMMENT)}, submit=True,
                        confidence=2, now=in_written_round)
    assert refused.value.messages == [f"It is not the presentation round ({on(2027, 3, 10)} – {on(2027, 3, 20)})."]
    presenting = at(2027, 3, 12, 14, 0)
    for name, score in (("A", "6"), ("B", "9")):
        scoresheet_save(actor=judge, assignment=seats[name], values={criterion.pk: (score, COMMENT)}, submit=True,
                        confidence=2, now=presenting)
    board = rounds_board(call=two_round_call)
    # A: (40 × 85 + 60 × 60) ÷ 100 = 34 + 36 = 70; B: (40 × 75 + 60 × 90) ÷ 100 = 30 + 54 = 84
    assert [(r["rank"], r["proposal"].title_en, r["result"].combined) for r in board["rows"]] == [
        (1, "B", pytest.approx(84)), (2, "A", pytest.approx(70))]


# --- The page ------------------------------------------------------------------------------


def test_staff_take_the_shortlist_on_the_board_after_confirming(client, two_round_call, written, ministry):
    log_in(client, ministry)
    url = reverse("evaluations:shortlist_take", args=[two_round_call.pk])
    board = client.get(reverse("evaluations:ranking", args=[two_round_call.pk])).content.decode()
    assert 'id="take-shortlist"' in board and "Final score = (40 × written score + 60 × presentation score)" in board
    response = client.post(url, {}, follow=True)
    assert messages_of(response) == ["Tick the box to confirm: the shortlist cannot be taken again."]
    assert not ShortlistEntry.objects.exists()
    response = client.post(url, {"confirm": "on"}, follow=True)
    assert messages_of(response) == ["The shortlist was taken; assign the presentation panels."]
    assert ShortlistEntry.objects.count() == 2
    assert 'id="rounds-table"' in response.content.decode()


def test_a_regional_official_cannot_take_the_shortlist(client, two_round_call, written, official):
    log_in(client, official)
    response = client.post(reverse("evaluations:shortlist_take", args=[two_round_call.pk]), {"confirm": "on"})
    assert response.status_code in (403, 404)
    assert not ShortlistEntry.objects.exists()


def test_the_call_page_states_its_rounds(client, two_round_call, call, ministry):
    log_in(client, ministry)
    page = client.get(reverse("programmes:call_detail", args=[two_round_call.pk]))
    from tests.proposals.conftest import text_of

    assert text_of(page, "call-rounds") == (
        f"Written, then presentationWritten 40%, presentation 60%; the best 2 present, {on(2027, 3, 10)} – {on(2027, 3, 20)}")
    assert text_of(client.get(reverse("programmes:call_detail", args=[call.pk])), "call-rounds") == "One round"
