"""Score aggregation against hand-computed figures, then the ranking board over the database.

The arithmetic is written out beside each expectation. Where a figure is not a
whole binary fraction it is compared with pytest.approx; the tie-break tests use
scores whose totals are exact in binary (multiples of 2.5 out of 10), so that
"equal" means equal.
"""

import datetime
import math

import pytest

from evaluations.models import Assignment
from evaluations.selectors import ranking_board
from evaluations.services.aggregation import (
    DISAGREEMENT_RANGE,
    TRIM_FROM,
    Criterion,
    ProposalResult,
    Sheet,
    aggregate,
    normalise,
    rank,
    trimmed_mean,
    weighted_total,
)
from tests.evaluations.conftest import make_expert, sheet_in_db
from tests.factories import CallFactory

# One criterion worth 100 points, scored 0–100: an evaluator's total is their score.
WHOLE = [Criterion(id=1, weight=100, max_score=100)]
# A heavy and a light criterion, both scored 0–10: total = 6 × heavy + 4 × light.
HEAVY, LIGHT = Criterion(id=11, weight=60, max_score=10), Criterion(id=12, weight=40, max_score=10)
TWO = [HEAVY, LIGHT]
T0 = datetime.datetime(2027, 1, 20, 9, 0, tzinfo=datetime.UTC)


def sheets_with_totals(proposal_id: int, totals: list, first_expert: int = 1) -> list[Sheet]:
    return [Sheet(expert_id=first_expert + n, proposal_id=proposal_id, values={1: t}) for n, t in enumerate(totals)]


def two_criteria_sheets(proposal_id: int, pairs: list) -> list[Sheet]:
    return [Sheet(expert_id=n, proposal_id=proposal_id, values={HEAVY.id: h, LIGHT.id: light})
            for n, (h, light) in enumerate(pairs, start=1)]


def order(sheets, criteria, submitted_at, proposal_ids=()) -> list[int]:
    results = aggregate(sheets, criteria)
    for pid in proposal_ids:
        results.setdefault(pid, ProposalResult(proposal_id=pid))
    return [r.proposal_id for r in rank(results, criteria, submitted_at=submitted_at)]


# --- One evaluator's total ---------------------------------------------------------------------


def test_the_weighted_total_scales_each_score_by_its_highest_score_and_weight():
    criteria = [Criterion(id=1, weight=40, max_score=10), Criterion(id=2, weight=35, max_score=5),
                Criterion(id=3, weight=25, max_score=20)]
    # 8/10 × 40 = 32; 3/5 × 35 = 21; 15/20 × 25 = 18.75 → 71.75
    assert weighted_total({1: 8, 2: 3, 3: 15}, criteria) == pytest.approx(71.75)
    # A blank score adds nothing: 32 + 18.75 = 50.75
    assert weighted_total({1: 8, 2: None, 3: 15}, criteria) == pytest.approx(50.75)
    # Full marks everywhere is 100.
    assert weighted_total({1: 10, 2: 5, 3: 20}, criteria) == pytest.approx(100)


# --- Per proposal ------------------------------------------------------------------------------


def test_four_evaluators_mean_trimmed_mean_and_population_sd():
    (result,) = aggregate(sheets_with_totals(7, [60, 70, 80, 90]), WHOLE).values()
    # mean (60+70+80+90)/4 = 75; fewer than 5 evaluators: the trimmed mean is the mean
    # deviations −15, −5, 5, 15 → variance (225+25+25+225)/4 = 125 → SD √125 ≈ 11.18
    assert (result.evaluators, result.mean, result.trimmed_mean) == (4, pytest.approx(75), pytest.approx(75))
    assert result.std == pytest.approx(math.sqrt(125))
    assert TRIM_FROM == 5


def test_five_evaluators_drop_the_single_highest_and_lowest_total():
    (result,) = aggregate(sheets_with_totals(7, [50, 60, 70, 80, 100]), WHOLE).values()
    # mean 360/5 = 72; trimmed: drop 50 and 100 → (60+70+80)/3 = 70
    # deviations −22, −12, −2, 8, 28 → variance (484+144+4+64+784)/5 = 296 → SD √296 ≈ 17.20
    assert (result.mean, result.trimmed_mean, result.std) == (
        pytest.approx(72), pytest.approx(70), pytest.approx(math.sqrt(296)))


def test_the_trimmed_mean_of_nothing_is_none_and_of_one_is_itself():
    assert (trimmed_mean([]), trimmed_mean([42.0])) == (None, 42.0)


def test_the_per_criterion_figures_are_mean_scores_and_mean_points():
    (result,) = aggregate(two_criteria_sheets(7, [(10, 5), (5, 2.5)]), TWO).values()
    # heavy: mean score (10+5)/2 = 7.5 → 7.5/10 × 60 = 45 points; light: (5+2.5)/2 = 3.75 → 15 points
    assert result.by_criterion_score == {HEAVY.id: 7.5, LIGHT.id: 3.75}
    assert result.by_criterion == {HEAVY.id: 45.0, LIGHT.id: 15.0}


def test_disagreement_is_flagged_at_exactly_the_range_and_not_just_below():
    assert DISAGREEMENT_RANGE == 20.0
    at = aggregate(sheets_with_totals(1, [80, 60]) + sheets_with_totals(2, [79.9, 60]) + sheets_with_totals(3, [95]),
                   WHOLE)
    # 80 − 60 = 20 → flagged; 79.9 − 60 = 19.9 → not; one evaluator → never
    assert {pid: r.disagreement for pid, r in at.items()} == {1: True, 2: False, 3: False}


# --- Normalisation -----------------------------------------------------------------------------


def harsh_and_lenient() -> list[Sheet]:
    """Evaluator 1 (harsh): 50, 60, 70 on proposals 1–3; evaluator 2 (lenient): 70, 90, 80."""
    return [Sheet(1, 1, {1: 50}), Sheet(1, 2, {1: 60}), Sheet(1, 3, {1: 70}),
            Sheet(2, 1, {1: 70}), Sheet(2, 2, {1: 90}), Sheet(2, 3, {1: 80})]


def test_normalisation_maps_each_evaluators_z_scores_onto_the_overall_mean_and_sd():
    # overall: mean 420/6 = 70; deviations −20, −10, 0, 0, 20, 10 → variance 1000/6 → SD √(1000/6) ≈ 12.91
    overall_mean, overall_sd = 70, math.sqrt(1000 / 6)
    # each evaluator: harsh mean 60, lenient mean 80; both SD √((100+0+100)/3) = √(200/3) ≈ 8.165
    own_sd = math.sqrt(200 / 3)

    def norm(total, own_mean):
        return overall_mean + (total - own_mean) / own_sd * overall_sd

    expected = {(1, 1): norm(50, 60), (1, 2): norm(60, 60), (1, 3): norm(70, 60),
                (2, 1): norm(70, 80), (2, 2): norm(90, 80), (2, 3): norm(80, 80)}
    # e.g. (1, 1): 70 + (−10 / 8.165) × 12.91 = 70 − 15.81 ≈ 54.19
    assert expected[(1, 1)] == pytest.approx(54.1886, abs=1e-4)
    assert normalise(harsh_and_lenient(), WHOLE) == pytest.approx(expected)
    results = aggregate(harsh_and_lenient(), WHOLE)
    assert {pid: r.normalised_mean for pid, r in results.items()} == pytest.approx({
        1: (norm(50, 60) + norm(70, 80)) / 2,  # ≈ 54.19: both evaluators put it last
        2: (norm(60, 60) + norm(90, 80)) / 2,  # (70 + 85.81)/2 ≈ 77.91
        3: (norm(70, 60) + norm(80, 80)) / 2,  # (85.81 + 70)/2 ≈ 77.91
    })
    # The raw means differ (60, 75, 75); after normalisation the harsh evaluator no longer drags proposal 1.
    assert {pid: r.mean for pid, r in results.items()} == pytest.approx({1: 60, 2: 75, 3: 75})


def test_an_evaluator_with_one_sheet_or_no_spread_keeps_raw_totals():
    sheets = harsh_and_lenient() + [Sheet(3, 1, {1: 95}), Sheet(4, 2, {1: 65}), Sheet(4, 3, {1: 65})]
    normalised = normalise(sheets, WHOLE)
    assert (normalised[(3, 1)], normalised[(4, 2)], normalised[(4, 3)]) == (95, 65, 65)


# --- Ranking and ties --------------------------------------------------------------------------


def test_equal_trimmed_means_are_broken_by_the_higher_plain_mean():
    # Proposal 1: totals 40, 60, 70, 80, 90 → trimmed (60+70+80)/3 = 70, mean 340/5 = 68, heavy points 9 × 6 = 54
    p1 = two_criteria_sheets(1, [(5, 2.5), (10, 0), (10, 2.5), (10, 5), (10, 7.5)])
    # Proposal 2: totals 50, 60, 70, 80, 100 → trimmed 70, mean 360/5 = 72, heavy points 7 × 6 = 42
    p2 = two_criteria_sheets(2, [(5, 5), (5, 7.5), (5, 10), (10, 5), (10, 10)])
    results = aggregate(p1 + p2, TWO)
    assert [(r.trimmed_mean, r.mean, r.by_criterion[HEAVY.id]) for r in results.values()] == [
        (70, 68, 54), (70, 72, 42)]
    # Proposal 1 would win every later tie-break (heavier points, earlier submission, lower number).
    assert order(p1 + p2, TWO, {1: T0, 2: T0 + datetime.timedelta(hours=1)}) == [2, 1]


def test_equal_means_are_broken_by_the_points_on_the_heaviest_criterion():
    # Proposal 1: 6 × 5 + 4 × 10 = 70 (heavy 30 points); proposal 2: 6 × 10 + 4 × 2.5 = 70 (heavy 60 points)
    sheets = two_criteria_sheets(1, [(5, 10)]) + two_criteria_sheets(2, [(10, 2.5)])
    assert order(sheets, TWO, {1: T0, 2: T0 + datetime.timedelta(hours=1)}) == [2, 1]


def test_equal_points_are_broken_by_the_earlier_submission():
    sheets = two_criteria_sheets(1, [(7.5, 5)]) + two_criteria_sheets(2, [(7.5, 5)])  # 45 + 20 = 65 each
    assert order(sheets, TWO, {1: T0 + datetime.timedelta(minutes=1), 2: T0}) == [2, 1]


def test_equal_everything_is_broken_by_the_lower_proposal_number():
    sheets = two_criteria_sheets(2, [(7.5, 5)]) + two_criteria_sheets(1, [(7.5, 5)])
    assert order(sheets, TWO, {1: T0, 2: T0}) == [1, 2]


def test_a_proposal_without_scores_comes_last():
    sheets = two_criteria_sheets(2, [(0, 0)])  # a total of 0 still ranks before no score at all
    assert order(sheets, TWO, {1: T0, 2: T0}, proposal_ids=[1]) == [2, 1]


def test_totals_that_are_equal_with_decimal_scores_are_tied_and_broken_by_the_rule():
    rubric = [Criterion(id=n, weight=w, max_score=10) for n, w in enumerate([25, 25, 20, 15, 15], start=1)]
    # Proposal 1: 9.6×2.5 + 5.0×2.5 + 7.4×2 + 10.0×1.5 + 9.7×1.5 = 24 + 12.5 + 14.8 + 15 + 14.55 = 80.85
    # Proposal 2: 7.9×2.5 + 6.7×2.5 + 9.2×2 + 8.5×1.5 + 8.8×1.5 = 19.75 + 16.75 + 18.4 + 12.75 + 13.2 = 80.85
    one = Sheet(1, 1, dict(zip(range(1, 6), [9.6, 5.0, 7.4, 10.0, 9.7], strict=True)))
    two = Sheet(1, 2, dict(zip(range(1, 6), [7.9, 6.7, 9.2, 8.5, 8.8], strict=True)))
    # Equal means: the heaviest criterion (the first of the two 25s) decides: 24 points beat 19.75.
    assert order([one, two], rubric, {1: T0 + datetime.timedelta(hours=1), 2: T0}) == [1, 2]


# --- The ranking board over the database --------------------------------------------------------


@pytest.mark.django_db
def test_the_ranking_board_lists_the_proposals_in_the_order_of_the_rule(ministry, eligible_factory):
    call = CallFactory(criteria=[60, 40])  # heavy then light, both scored 0–10
    experts = [make_expert(f"judge-{n}") for n in range(5)]
    early, late = T0, T0 + datetime.timedelta(hours=2)

    def proposal(name, submitted_at, panel):
        p = eligible_factory(call=call, title_en=name, submitted_at=submitted_at)
        for expert, scores in zip(experts, panel, strict=False):
            sheet_in_db(p, expert, scores, by=ministry)
        return p

    made = {
        "A": proposal("A", late, [(10, 10)]),  # 100
        "C": proposal("C", early, [(5, 2.5), (10, 0), (10, 2.5), (10, 5), (10, 7.5)]),  # trimmed 70, mean 68
        "B": proposal("B", late, [(5, 5), (5, 7.5), (5, 10), (10, 5), (10, 10)]),  # trimmed 70, mean 72
        "F": proposal("F", late, [(7.5, 5)]),  # 65, submitted later
        "G": proposal("G", early, [(7.5, 5)]),  # 65, submitted earlier
        "E": proposal("E", early, [(5, 7.5)]),  # 60, heavy 30 points
        "D": proposal("D", late, [(10, 0)]),  # 60, heavy 60 points
        "H": proposal("H", early, [(2.5, 10)]),  # 55, lower number
        "I": proposal("I", early, [(2.5, 10)]),  # 55, higher number
    }
    made["J"] = eligible_factory(call=call, title_en="J")  # assigned, nothing submitted yet
    Assignment.objects.create(kind="evaluation", expert=experts[0], proposal=made["J"], assigned_by=ministry)
    board = ranking_board(call=call)
    rows = [(row["rank"], row["proposal"].title_en, row["score"]) for row in board["rows"]]
    assert rows == [(1, "A", 100), (2, "B", 70), (3, "C", 70), (4, "G", 65), (5, "F", 65), (6, "D", 60),
                    (7, "E", 60), (8, "H", 55), (9, "I", 55), (None, "J", None)]
    assert [row["proposal"].assigned for row in board["rows"]] == [1, 5, 5, 1, 1, 1, 1, 1, 1, 1]
