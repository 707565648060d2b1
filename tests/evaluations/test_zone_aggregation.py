"""Normalisation within the zone and ranking per zone (issue 16), against hand-computed figures.

Zone A: evaluator 1 gives P1 60 and P2 80, evaluator 2 gives P1 70 and P2 90.
Zone B: evaluator 3 gives P3 40 and P4 60.

Within zone A the pool is 60, 80, 70, 90: mean 75, population SD √125 (deviations ±15, ±5:
(225 + 25 + 25 + 225) / 4 = 125). Each evaluator's own totals have mean 70 or 80 and SD 10, so their
lower total is z = −1 and their higher z = +1: P1 → 75 − √125 ≈ 63.820, P2 → 75 + √125 ≈ 86.180.
Within zone B the pool is 40, 60: mean 50, SD 10; evaluator 3's totals are the pool itself: P3 → 40,
P4 → 60. Across the whole call evaluator 3's low total would map onto the call's mean 66.667 and SD
√255.556 instead: P3 → 66.667 − 15.986 ≈ 50.681.
"""

import math

import pytest

from evaluations.selectors import ranking_board, zone_of_proposals, zone_ranking
from evaluations.services.aggregation import Criterion, Sheet, aggregate, aggregate_zoned, rank, zone_ranks
from programmes.models import CallZone
from tests.evaluations.conftest import make_expert, sheet_in_db
from tests.factories import CallFactory, region

WHOLE = [Criterion(id=1, weight=100, max_score=100)]
ZONE_OF = {1: "A", 2: "A", 3: "B", 4: "B"}
SHEETS = [Sheet(1, 1, {1: 60}), Sheet(1, 2, {1: 80}), Sheet(2, 1, {1: 70}), Sheet(2, 2, {1: 90}),
          Sheet(3, 3, {1: 40}), Sheet(3, 4, {1: 60})]


def test_normalised_figures_are_computed_within_each_zone():
    results = aggregate_zoned(SHEETS, WHOLE, ZONE_OF)
    root = math.sqrt(125)
    assert results[1].normalised_trimmed == pytest.approx(75 - root)
    assert results[2].normalised_trimmed == pytest.approx(75 + root)
    assert results[1].normalised_totals == pytest.approx({1: 75 - root, 2: 75 - root})
    assert (results[3].normalised_trimmed, results[4].normalised_trimmed) == (pytest.approx(40), pytest.approx(60))
    # The raw figures are the plain aggregation's.
    assert [results[p].trimmed_mean for p in (1, 2, 3, 4)] == [65, 85, 40, 60]


def test_across_the_whole_call_the_same_sheets_normalise_differently():
    whole = aggregate(SHEETS, WHOLE)
    mean, sd = 400 / 6, math.sqrt(1533.333333333 / 6)
    assert whole[3].normalised_trimmed == pytest.approx(mean - sd) == pytest.approx(50.681, abs=1e-3)
    assert aggregate_zoned(SHEETS, WHOLE, ZONE_OF)[3].normalised_trimmed != pytest.approx(whole[3].normalised_trimmed)


def test_each_proposal_gets_its_place_within_its_zone_from_the_overall_order():
    results = aggregate_zoned(SHEETS, WHOLE, ZONE_OF)
    ordered = rank(results, WHOLE, submitted_at={}, normalised=True)
    assert [r.proposal_id for r in ordered] == [2, 1, 4, 3]  # 86.18, 63.82, 60, 40
    assert zone_ranks(ordered, ZONE_OF) == {2: 1, 1: 2, 4: 1, 3: 2}


@pytest.mark.django_db
def test_the_board_normalises_within_the_zone_and_ranks_per_zone(ministry, eligible_factory, client):
    from django.urls import reverse

    from tests.login import log_in

    call = CallFactory(criteria=[100])  # one criterion scored 0–10: total = score × 10
    zone_a = CallZone.objects.create(call=call, name_ko="호남권", name_en="Honam", order=1)
    zone_a.regions.set([region("gwangju")])
    zone_b = CallZone.objects.create(call=call, name_ko="동남권", name_en="Dongnam", order=2)
    zone_b.regions.set([region("busan")])
    e1, e2, e3 = (make_expert(f"judge-{n}") for n in range(3))
    p1, p2 = eligible_factory(call=call, title_en="P1"), eligible_factory(call=call, title_en="P2")
    p3 = eligible_factory(call=call, title_en="P3", lead_region=region("busan"))
    p4 = eligible_factory(call=call, title_en="P4", lead_region=region("busan"))
    for proposal, expert, score in [(p1, e1, 6), (p2, e1, 8), (p1, e2, 7), (p2, e2, 9), (p3, e3, 4), (p4, e3, 6)]:
        sheet_in_db(proposal, expert, [score], by=ministry)
    assert zone_of_proposals(call=call) == {p1.pk: zone_a.pk, p2.pk: zone_a.pk, p3.pk: zone_b.pk, p4.pk: zone_b.pk}
    board = ranking_board(call=call, normalised=True)
    assert [(row["proposal"].title_en, round(row["score"], 3)) for row in board["rows"]] == [
        ("P2", round(75 + math.sqrt(125), 3)), ("P1", round(75 - math.sqrt(125), 3)), ("P4", 60), ("P3", 40)]
    zones = zone_ranking(call=call, normalised=True)
    assert [(z["zone"].name_ko, [(r["place"], r["overall"], r["proposal"].title_en) for r in z["rows"]])
            for z in zones] == [("호남권", [(1, 1, "P2"), (2, 2, "P1")]), ("동남권", [(1, 3, "P4"), (2, 4, "P3")])]
    # The call normalising across the whole call: evaluator 3's low total moves up to ≈ 50.681.
    call.zone_normalise = False
    call.save()
    whole = {row["proposal"].title_en: row["score"] for row in ranking_board(call=call, normalised=True)["rows"]}
    assert whole["P3"] == pytest.approx(50.681, abs=1e-3)
    log_in(client, ministry)
    page = client.get(reverse("evaluations:ranking", args=[call.pk]) + "?normalised=1")
    text = page.content.decode()
    assert page.status_code == 200 and 'id="zone-ranking"' in text and ("Dongnam" in text or "동남권" in text)
