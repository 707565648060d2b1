"""Confidence: each scoresheet states one (low 1, medium 2, high 3), required to submit; a call
may weigh the proposal's score by it — the weighted mean of its (normalised) totals.

Figures are hand-computed beside each expectation.
"""

import math

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from evaluations.models import Confidence, Scoresheet, ScoresheetState
from evaluations.selectors import ranking_board
from evaluations.services.aggregation import (
    UNSTATED_CONFIDENCE,
    Criterion,
    Sheet,
    aggregate,
    confidence_weighted_mean,
    rank,
)
from tests.evaluations.conftest import COMMENT, assign, clear, criteria_of, make_expert, score_values, sheet_in_db
from tests.factories import CallFactory, in_review, open_review
from tests.login import log_in
from tests.proposals.conftest import messages_of, text_of

WHOLE = [Criterion(id=1, weight=100, max_score=100)]  # an evaluator's total is their score


# --- The formula -------------------------------------------------------------------------------


def test_the_confidence_weighted_mean_weighs_low_medium_high_as_one_two_three():
    sheets = [Sheet(1, 7, {1: 60}, confidence=1), Sheet(2, 7, {1: 80}, confidence=3), Sheet(3, 7, {1: 70}, None)]
    (result,) = aggregate(sheets, WHOLE).values()
    # (1×60 + 3×80 + 2×70) ÷ (1 + 3 + 2) = (60 + 240 + 140) ÷ 6 = 440 ÷ 6 ≈ 73.33; the plain mean is 70
    assert result.confidences == {1: 1, 2: 3, 3: 2}
    assert result.confidence_mean == pytest.approx(440 / 6)
    assert result.mean == pytest.approx(70)
    assert UNSTATED_CONFIDENCE == 2


def test_equal_confidences_give_the_plain_mean_and_nothing_gives_none():
    assert confidence_weighted_mean({1: 60.0, 2: 90.0}, {1: 3, 2: 3}) == pytest.approx(75)
    assert confidence_weighted_mean({}, {}) is None


def test_with_normalisation_the_weights_apply_to_the_normalised_totals():
    # Evaluator 1 (harsh, high confidence): 50, 60, 70; evaluator 2 (lenient, low confidence): 70, 90, 80.
    sheets = [Sheet(1, 1, {1: 50}, 3), Sheet(1, 2, {1: 60}, 3), Sheet(1, 3, {1: 70}, 3),
              Sheet(2, 1, {1: 70}, 1), Sheet(2, 2, {1: 90}, 1), Sheet(2, 3, {1: 80}, 1)]
    # overall mean 70, SD √(1000/6) ≈ 12.91; each evaluator's SD √(200/3) ≈ 8.165
    # normalised: a total 10 above its evaluator's mean → 70 + 10/8.165 × 12.91 ≈ 85.81
    high = 70 + 10 / math.sqrt(200 / 3) * math.sqrt(1000 / 6)
    low = 70 - 10 / math.sqrt(200 / 3) * math.sqrt(1000 / 6)  # ≈ 54.19
    results = aggregate(sheets, WHOLE)
    # proposal 1: both low → (3×54.19 + 1×54.19) ÷ 4 = 54.19
    # proposal 2: harsh 70, lenient 85.81 → (3×70 + 85.81) ÷ 4 ≈ 73.95
    # proposal 3: harsh 85.81, lenient 70 → (3×85.81 + 70) ÷ 4 ≈ 81.86
    assert {pid: r.normalised_confidence_mean for pid, r in results.items()} == pytest.approx(
        {1: low, 2: (3 * 70 + high) / 4, 3: (3 * high + 70) / 4})
    # Raw: proposal 2 (3×60 + 90) ÷ 4 = 67.5, proposal 3 (3×70 + 80) ÷ 4 = 72.5
    assert results[2].confidence_mean == pytest.approx(67.5) and results[3].confidence_mean == pytest.approx(72.5)
    # Unweighted, 2 and 3 tie on the normalised mean (77.91 each); weighted, the confident evaluator decides.
    assert results[2].normalised_trimmed == pytest.approx(results[3].normalised_trimmed)
    ordered = rank(results, WHOLE, submitted_at={}, normalised=True, by_confidence=True)
    assert [r.proposal_id for r in ordered] == [3, 2, 1]


def test_ranking_by_confidence_can_reverse_the_trimmed_mean_order():
    # Proposal 1: 90 (low) and 50 (high): mean 70, weighted (90 + 150) ÷ 4 = 60
    # Proposal 2: 60 (medium) and 70 (medium): mean 65, weighted 65
    sheets = [Sheet(1, 1, {1: 90}, 1), Sheet(2, 1, {1: 50}, 3), Sheet(3, 2, {1: 60}, 2), Sheet(4, 2, {1: 70}, 2)]
    results = aggregate(sheets, WHOLE)
    assert [r.proposal_id for r in rank(results, WHOLE, submitted_at={})] == [1, 2]
    assert [r.proposal_id for r in rank(results, WHOLE, submitted_at={}, by_confidence=True)] == [2, 1]
    assert results[1].score(by_confidence=True) == pytest.approx(60)
    assert results[1].score() == pytest.approx(70)


# --- The ranking board ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_board_ranks_by_the_weighted_mean_when_the_call_says_so(ministry, eligible_factory):
    call = CallFactory(criteria=[100])  # one criterion scored 0–10: total = 10 × score
    a_expert, b_expert = make_expert("conf-a"), make_expert("conf-b")
    first = eligible_factory(call=call, title_en="First")
    sheet_in_db(first, a_expert, [9], by=ministry, confidence=1)  # 90, low
    sheet_in_db(first, b_expert, [5], by=ministry, confidence=3)  # 50, high
    second = eligible_factory(call=call, title_en="Second")
    sheet_in_db(second, a_expert, [6], by=ministry)  # 60, unstated → medium
    sheet_in_db(second, b_expert, [7], by=ministry, confidence=2)  # 70, medium
    rows = [(r["proposal"].title_en, r["score"]) for r in ranking_board(call=call)["rows"]]
    assert rows == [("First", pytest.approx(70)), ("Second", pytest.approx(65))]
    call.weight_by_confidence = True
    call.save()
    rows = [(r["proposal"].title_en, r["score"]) for r in ranking_board(call=call)["rows"]]
    # First (1×90 + 3×50) ÷ 4 = 60; Second (2×60 + 2×70) ÷ 4 = 65
    assert rows == [("Second", pytest.approx(65)), ("First", pytest.approx(60))]


@pytest.mark.django_db
def test_the_board_page_states_the_formula_and_shows_the_weighted_column(client, ministry, eligible_factory):
    call = CallFactory(criteria=[100], weight_by_confidence=True)
    p = eligible_factory(call=call, title_en="Only")
    sheet_in_db(p, make_expert("conf-c"), [8], by=ministry, confidence=3)
    log_in(client, ministry)
    page = client.get(reverse("evaluations:ranking", args=[call.pk])).content.decode()
    assert "This call weighs by confidence" in page and "By confidence" in page
    call.weight_by_confidence = False
    call.save()
    page = client.get(reverse("evaluations:ranking", args=[call.pk])).content.decode()
    assert "This call weighs by confidence" not in page and "By confidence" not in page


# --- Stating it ----------------------------------------------------------------------------------


@pytest.fixture
def cleared(eligible_proposal, ministry):
    a = assign(eligible_proposal, make_expert("conf-expert"), by=ministry)
    open_review(a.proposal.call)
    return clear(a)


def submit(a, confidence):
    from evaluations.services import scoresheet_save

    return scoresheet_save(actor=a.expert, assignment=a, values=score_values(a.proposal.call, [8, 7, 6, 5, 4]),
                           submit=True, now=in_review(a.proposal.call), confidence=confidence)


@pytest.mark.django_db
def test_submitting_without_a_confidence_is_refused_at_its_field(cleared):
    with pytest.raises(ValidationError) as refused:
        submit(cleared, "")
    assert refused.value.message_dict == {"confidence": ["State how confident you are in your scores."]}
    with pytest.raises(ValidationError) as refused:
        submit(cleared, "4")
    assert refused.value.message_dict == {"confidence": ["Choose low, medium or high."]}
    assert not Scoresheet.objects.filter(state=ScoresheetState.SUBMITTED).exists()


@pytest.mark.django_db
def test_a_draft_may_leave_it_blank_and_the_submission_records_it(cleared):
    from evaluations.services import scoresheet_save

    draft = scoresheet_save(actor=cleared.expert, assignment=cleared, values={}, confidence="")
    assert draft.confidence is None
    sheet = submit(cleared, "3")
    assert (sheet.state, sheet.confidence) == (ScoresheetState.SUBMITTED, Confidence.HIGH)
    event = AuditEvent.objects.get(action=AuditAction.SCORE_SUBMIT)
    assert event.after["confidence"] == 3


@pytest.mark.django_db
def test_the_page_shows_the_labels_and_keeps_the_choice_on_error(client, cleared, call):
    log_in(client, cleared.expert)
    page = client.get(reverse("evaluations:assignment", args=[cleared.pk]))
    body = page.content.decode()
    assert all(f'<label class="form-check-label" for="confidence-{v}">{label}</label>' in body
               for v, label in ((1, "Low"), (2, "Medium"), (3, "High")))
    assert 'value="3" checked' not in body
    data = {"submit": "1", "confirm": "yes", "confidence": "3"}
    ids = [c.pk for c in criteria_of(call)]
    for pk in ids:
        data[f"score-{pk}"], data[f"comment-{pk}"] = "7", "짧음"  # too short: refused
    response = client.post(reverse("evaluations:score", args=[cleared.pk]), data)
    assert response.status_code == 400
    assert 'id="confidence-3" value="3" checked' in response.content.decode()
    # Without a confidence: its own error, at its field.
    data = {k: v for k, v in data.items() if k != "confidence"}
    for pk in ids:
        data[f"comment-{pk}"] = COMMENT
    response = client.post(reverse("evaluations:score", args=[cleared.pk]), data)
    assert response.status_code == 400
    assert text_of(response, "confidence-error") == "State how confident you are in your scores."
    assert messages_of(response) == ["Please correct the marked fields. Nothing you typed was lost."]
    assert Scoresheet.objects.get(assignment=cleared).state == ScoresheetState.DRAFT
