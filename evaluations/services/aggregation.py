"""Score aggregation: one pure module, used by the ranking board, the feedback
page, the reports and the tests. All figures are on a 0–100 scale.

- An evaluator's weighted total: Σ (score / highest score) × weight.
- Per proposal: mean; trimmed mean (with at least TRIM_FROM evaluators the single
  highest and lowest totals are dropped, common practice in Korean R&D
  evaluation); population standard deviation; a disagreement flag when the
  totals spread over DISAGREEMENT_RANGE points or more.
- Optional z-score normalisation per evaluator: each evaluator's totals across
  the call are standardised and mapped back onto the call's overall mean and
  standard deviation, correcting harsh and lenient scorers. An evaluator with
  fewer than two scoresheets or no spread keeps raw totals.
- Distance from the panel's consensus (the evaluator quality record): an evaluator's
  normalised total minus their panel's normalised mean, in standard deviations of
  the call's totals — the z-score the normalisation already computed, measured from
  the panel's own. A panel of one has no consensus.
- Confidence (a call setting, `weight_by_confidence`): each sheet states a confidence, low 1,
  medium 2, high 3 (a sheet without one counts as medium, 2); the proposal's score is then the
  weighted mean Σ wᵢ·tᵢ ÷ Σ wᵢ of its totals tᵢ (or of its normalised totals) with those weights,
  nothing trimmed — see confidence_weighted_mean.
- Ranking: by the chosen score (trimmed mean, or its normalised variant; or the confidence-
  weighted mean, or its normalised variant, when the call weighs by confidence), then
  the plain mean, then the points on the heaviest criterion, then the earlier
  submission, then the lower proposal number (TIE_BREAK_RULE).
"""

from dataclasses import dataclass, field
from statistics import fmean, pstdev

from django.utils.translation import gettext_lazy

TRIM_FROM = 5
DISAGREEMENT_RANGE = 20.0
TIE_BREAK_RULE = gettext_lazy(
    "Ties are broken by the higher plain mean, then the higher points on the heaviest criterion, "
    "then the earlier submission, then the lower proposal number."
)


@dataclass(frozen=True)
class Criterion:
    id: int
    weight: int
    max_score: int


@dataclass
class Sheet:
    """One evaluator's submitted scores on one proposal: {criterion id: score}."""

    expert_id: int
    proposal_id: int
    values: dict
    confidence: int | None = None  # 1 low, 2 medium, 3 high; None (not stated) counts as medium


@dataclass
class ProposalResult:
    proposal_id: int
    totals: dict = field(default_factory=dict)  # expert id → weighted total
    normalised_totals: dict = field(default_factory=dict)  # expert id → normalised total
    mean: float | None = None
    trimmed_mean: float | None = None
    std: float | None = None
    normalised_mean: float | None = None
    normalised_trimmed: float | None = None
    by_criterion: dict = field(default_factory=dict)  # criterion id → mean points (0..weight)
    by_criterion_score: dict = field(default_factory=dict)  # criterion id → mean raw score
    disagreement: bool = False
    evaluators: int = 0
    # --- confidence (the call's weight_by_confidence) ---
    confidences: dict = field(default_factory=dict)  # expert id → weight 1..3 (unstated: UNSTATED_CONFIDENCE)
    confidence_mean: float | None = None  # Σ w·total ÷ Σ w
    normalised_confidence_mean: float | None = None  # Σ w·normalised total ÷ Σ w

    def score(self, *, normalised: bool = False, by_confidence: bool = False) -> float | None:
        """The figure the proposal is ranked by under the call's settings."""
        if by_confidence:
            return self.normalised_confidence_mean if normalised else self.confidence_mean
        return self.normalised_trimmed if normalised else self.trimmed_mean


PLACES = 9  # figures are rounded here so that equal totals compare equal (no float noise)


def weighted_total(values: dict, criteria: list[Criterion]) -> float:
    # Exact arithmetic on the Decimal scores, then one rounding.
    from fractions import Fraction

    total = sum(Fraction(str(values[c.id])) / c.max_score * c.weight for c in criteria if values.get(c.id) is not None)
    return round(float(total), PLACES)


def trimmed_mean(values: list[float]) -> float | None:
    if not values:
        return None
    if len(values) >= TRIM_FROM:
        ordered = sorted(values)
        return round(fmean(ordered[1:-1]), PLACES)
    return round(fmean(values), PLACES)


# --- Confidence weighting -------------------------------------------------------------------
UNSTATED_CONFIDENCE = 2  # a sheet submitted before confidence was asked weighs as "medium"


def confidence_weight(confidence: int | None) -> int:
    return UNSTATED_CONFIDENCE if confidence is None else int(confidence)


def confidence_weighted_mean(totals: dict, weights: dict) -> float | None:
    """Σ wᵢ·tᵢ ÷ Σ wᵢ over the evaluators (keys) of `totals`, exact then rounded once."""
    from fractions import Fraction

    if not totals:
        return None
    num = sum(Fraction(str(t)) * weights[e] for e, t in totals.items())
    return round(float(num / sum(weights[e] for e in totals)), PLACES)


def normalise(sheets: list[Sheet], criteria: list[Criterion], totals: dict | None = None) -> dict:
    """{(expert id, proposal id): normalised total} over every sheet of the call.

    `totals` ({(expert id, proposal id): weighted total}) saves computing them again."""
    if totals is None:
        totals = {(s.expert_id, s.proposal_id): weighted_total(s.values, criteria) for s in sheets}
    if not totals:
        return {}
    overall_mean = fmean(totals.values())
    overall_sd = pstdev(totals.values())
    by_expert: dict[int, list[float]] = {}
    for (expert, _proposal), total in totals.items():
        by_expert.setdefault(expert, []).append(total)
    # Each evaluator's mean and spread once, not once per sheet (a call has thousands of sheets).
    spread = {expert: (fmean(own), pstdev(own) if len(own) >= 2 else 0.0) for expert, own in by_expert.items()}
    out = {}
    for (expert, proposal), total in totals.items():
        mean, sd = spread[expert]
        if sd == 0 or overall_sd == 0:
            out[(expert, proposal)] = total
        else:
            out[(expert, proposal)] = overall_mean + (total - mean) / sd * overall_sd
    return out


def aggregate(sheets: list[Sheet], criteria: list[Criterion]) -> dict[int, ProposalResult]:
    totals = {(s.expert_id, s.proposal_id): weighted_total(s.values, criteria) for s in sheets}
    normalised = normalise(sheets, criteria, totals)
    results: dict[int, ProposalResult] = {}
    sheets_of: dict[int, list[Sheet]] = {}
    for s in sheets:
        r = results.setdefault(s.proposal_id, ProposalResult(proposal_id=s.proposal_id))
        r.totals[s.expert_id] = totals[(s.expert_id, s.proposal_id)]
        sheets_of.setdefault(s.proposal_id, []).append(s)
    for pid, r in results.items():
        totals = list(r.totals.values())
        r.evaluators = len(totals)
        r.mean = round(fmean(totals), PLACES)
        r.trimmed_mean = trimmed_mean(totals)
        r.std = round(pstdev(totals), PLACES)
        r.disagreement = len(totals) >= 2 and (max(totals) - min(totals)) >= DISAGREEMENT_RANGE
        r.normalised_totals = {e: normalised[(e, pid)] for e in r.totals}
        norm = list(r.normalised_totals.values())
        r.normalised_mean = round(fmean(norm), PLACES)
        r.normalised_trimmed = trimmed_mean(norm)
        r.confidences = {s.expert_id: confidence_weight(s.confidence) for s in sheets_of[pid]}
        r.confidence_mean = confidence_weighted_mean(r.totals, r.confidences)
        r.normalised_confidence_mean = confidence_weighted_mean(r.normalised_totals, r.confidences)
        own = sheets_of[pid]
        for c in criteria:
            scores = [float(s.values[c.id]) for s in own if s.values.get(c.id) is not None]
            if scores:
                r.by_criterion_score[c.id] = round(fmean(scores), PLACES)
                r.by_criterion[c.id] = round(fmean(scores) / c.max_score * c.weight, PLACES)
    return results


def consensus_distances(results: dict[int, ProposalResult]) -> dict[tuple[int, int], float]:
    """{(expert id, proposal id): z} — how far each evaluator's normalised total sits from their
    panel's normalised mean, in standard deviations of every total of the call (the σ the
    normalisation maps onto). Panels of one evaluator and a call without spread give nothing."""
    every = [t for r in results.values() for t in r.totals.values()]
    sd = pstdev(every) if len(every) >= 2 else 0.0
    if sd == 0:
        return {}
    return {(expert, r.proposal_id): round((value - r.normalised_mean) / sd, PLACES)
            for r in results.values() if r.evaluators >= 2 for expert, value in r.normalised_totals.items()}


def rank(results: dict[int, ProposalResult], criteria: list[Criterion], *, submitted_at: dict,
         normalised: bool = False, by_confidence: bool = False) -> list[ProposalResult]:
    """Best first, by the stated rule; proposals with no score come last."""
    heaviest = max(criteria, key=lambda c: (c.weight, -c.id)).id if criteria else None

    def key(r: ProposalResult):
        score = r.score(normalised=normalised, by_confidence=by_confidence)
        return (
            -(score if score is not None else -1),
            -(r.mean if r.mean is not None else -1),
            -r.by_criterion.get(heaviest, 0),
            submitted_at[r.proposal_id].timestamp() if submitted_at.get(r.proposal_id) else float("inf"),
            r.proposal_id,
        )

    return sorted(results.values(), key=key)


# --- Zones (issue 16): normalisation within each zone, ranking per zone ------------------------------
#
# A call with zones may normalise within the zone (Call.zone_normalise): each evaluator's totals are
# standardised and mapped onto their zone's mean and spread instead of the whole call's — the same
# formula as `normalise`, applied to each zone's pool of sheets (a zone panel scores only its zone,
# so its members are compared with their own zone). Proposals without a zone form one pool of
# their own. The raw figures (mean, trimmed mean, SD) do not change.


def aggregate_zoned(sheets: list[Sheet], criteria: list[Criterion], zone_of: dict) -> dict[int, ProposalResult]:
    """aggregate(), with the normalised figures computed within each zone's pool.
    `zone_of`: {proposal id: zone id}."""
    results = aggregate(sheets, criteria)
    pools: dict = {}
    for s in sheets:
        pools.setdefault(zone_of.get(s.proposal_id), []).append(s)
    for pool in pools.values():
        normalised = normalise(pool, criteria, {(s.expert_id, s.proposal_id): results[s.proposal_id].totals[s.expert_id]
                                                for s in pool})
        for pid in {s.proposal_id for s in pool}:
            r = results[pid]
            r.normalised_totals = {e: normalised[(e, pid)] for e in r.totals}
            norm = list(r.normalised_totals.values())
            r.normalised_mean = round(fmean(norm), PLACES)
            r.normalised_trimmed = trimmed_mean(norm)
    return results


def zone_ranks(ordered: list[ProposalResult], zone_of: dict) -> dict[int, int]:
    """{proposal id: its place within its zone}, from the overall ranking `ordered` (best first;
    proposals without a scoresheet counted get no place)."""
    seen: dict = {}
    out = {}
    for r in ordered:
        if not r.evaluators:
            continue
        zone = zone_of.get(r.proposal_id)
        seen[zone] = seen.get(zone, 0) + 1
        out[r.proposal_id] = seen[zone]
    return out


# --- Two rounds (written, then presentation) --------------------------------------------------
#
# A two-round call's final score of a shortlisted proposal: (a × written + b × presentation) ÷ 100,
# a and b the call's weights (adding up to 100), each round's score its own headline figure (the
# trimmed mean, or the confidence-weighted mean when the call weighs by confidence). Ranked by the
# combined score, then the written score, then the written round's place.


@dataclass
class RoundsResult:
    proposal_id: int
    written_rank: int
    written: float | None
    presentation: float | None = None
    combined: float | None = None


def combine_rounds(written: float | None, presentation: float | None, *, written_weight: int,
                   presentation_weight: int) -> float | None:
    """(a × written + b × presentation) ÷ (a + b); None until both rounds have a score."""
    from fractions import Fraction

    if written is None or presentation is None:
        return None
    total = (Fraction(str(written)) * written_weight + Fraction(str(presentation)) * presentation_weight)
    return round(float(total / (written_weight + presentation_weight)), PLACES)


def rank_rounds(rows: list[RoundsResult]) -> list[RoundsResult]:
    """Best first: the combined score, then the written score, then the written round's place;
    proposals not yet scored in the presentation round come last, in their written order."""
    return sorted(rows, key=lambda r: (r.combined is None, -(r.combined or 0), -(r.written or 0), r.written_rank))
