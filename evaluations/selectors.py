"""Reads shared by the evaluation pages: the ranking board, progress, the pool."""

from dataclasses import dataclass

from django.core.cache import caches
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery, Sum
from django.utils.translation import get_language

from accounts.models import Role, User
from audit.version import data_version
from programmes.models import localized
from proposals.models import BudgetLine, Proposal, ProposalState

from .models import Assignment, AssignmentKind, CommentRating, Objection, Score, Scoresheet, ScoresheetState
from .services.aggregation import Criterion, ProposalResult, Sheet, aggregate, aggregate_zoned, rank, zone_ranks

BOARD_PAGE_SIZE = 25  # as the proposal list


def criteria_of(call) -> list[Criterion]:
    return [Criterion(id=c.pk, weight=c.weight, max_score=c.max_score) for c in call.criteria.all()]


def submitted_sheets(*, call, round: int = 1) -> list[Sheet]:
    """Every submitted scoresheet of the call (of the written round, or of `round`), as plain
    values (one query)."""
    sheets: dict[int, Sheet] = {}
    rows = Score.objects.filter(
        scoresheet__state=ScoresheetState.SUBMITTED,
        scoresheet__assignment__kind=AssignmentKind.EVALUATION,
        scoresheet__assignment__round=round,
        scoresheet__assignment__proposal__call=call,
        scoresheet__assignment__conflict_declared=False,
    ).values_list("scoresheet_id", "scoresheet__assignment__expert_id", "scoresheet__assignment__proposal_id",
                  "criterion_id", "value", "scoresheet__confidence")
    for sheet_id, expert_id, proposal_id, criterion_id, value, confidence in rows:
        sheet = sheets.setdefault(sheet_id, Sheet(expert_id=expert_id, proposal_id=proposal_id, values={},
                                                  confidence=confidence))
        sheet.values[criterion_id] = value
    return list(sheets.values())


# Aggregated results per call, kept in the process while no scoresheet changed: reading and
# aggregating a call of 10,000 sheets takes about a second, checking the fingerprint a few ms.
# Beside them, the rankings already sorted from those results: {(normalised, submissions): ids}.
_RESULTS: dict[int, tuple[tuple, dict, dict]] = {}


def call_results(*, call, criteria: list[Criterion] | None = None) -> dict[int, ProposalResult]:
    """aggregate(submitted_sheets(call), criteria_of(call)), cached while nothing that counts changed.

    The fingerprint is the rubric and the number, last change and ids of all scoresheets (one scan
    of one table, no join): every submission, saved draft, reopening or removed expert saves or
    deletes a sheet (scoring services), so any change to what counts changes it."""
    crits = tuple(criteria if criteria is not None else criteria_of(call))
    zone_of = zone_pools(call=call)
    fingerprint = (crits, tuple(Scoresheet.objects.aggregate(n=Count("id"), last=Max("updated_at"),
                                                             ids=Sum("id")).values()), tuple(sorted(zone_of.items())))
    cached = _RESULTS.get(call.pk)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    sheets = submitted_sheets(call=call)
    results = aggregate_zoned(sheets, list(crits), zone_of) if zone_of else aggregate(sheets, list(crits))
    if len(_RESULTS) >= 16:
        _RESULTS.clear()
    _RESULTS[call.pk] = (fingerprint, results, {})
    return results


def zone_of_proposals(*, call) -> dict[int, int]:
    """{proposal id: zone id} of the call's proposals (their lead region's zone); {} without zones
    (one query)."""
    return dict(Proposal.objects.filter(call=call, lead_region__call_zones__call=call).order_by()
                .values_list("pk", "lead_region__call_zones__id"))


def zone_pools(*, call) -> dict[int, int]:
    """The pools the call normalises within: {proposal id: zone id} when the call has zones and
    normalises within them (Call.zone_normalise), else {} (the whole call is one pool)."""
    return zone_of_proposals(call=call) if call.zone_normalise else {}


def _ranked(call, results: dict, crits: list[Criterion], submitted_at: dict, normalised: bool) -> list:
    """rank() of these proposals, reused while the results (same object) and the proposals with
    their submission times are the same."""
    entry = _RESULTS.get(call.pk)
    orders = entry[2] if entry is not None and entry[1] is results else None
    by_confidence = call.weight_by_confidence
    key = (normalised, by_confidence, frozenset(submitted_at.items()))
    if orders is not None and key in orders:
        return orders[key]
    mine = {pid: results.get(pid) or ProposalResult(proposal_id=pid) for pid in submitted_at}
    ordered = rank(mine, crits, submitted_at=submitted_at, normalised=normalised, by_confidence=by_confidence)
    if orders is not None:
        if len(orders) >= 8:
            orders.clear()
        orders[key] = ordered
    return ordered


def ranking_order(*, call, criteria=None, cooperation_type: str = "", normalised: bool = False,
                  final: bool = False) -> list[ProposalResult]:
    """The results of every evaluated proposal of the call (of one cooperation type if given), in
    ranking order: the ranking board's rows. `criteria`: the call's rubric rows, if already read.
    `final`: a two-round call's final order (final_order) instead of the written round's."""
    criteria = list(call.criteria.all()) if criteria is None else criteria
    crits = [Criterion(id=c.pk, weight=c.weight, max_score=c.max_score) for c in criteria]
    results = call_results(call=call, criteria=crits)
    evaluated = Proposal.objects.filter(call=call).filter(
        Exists(Assignment.objects.filter(proposal=OuterRef("pk"), kind=AssignmentKind.EVALUATION, round=1)))
    if cooperation_type:
        evaluated = evaluated.filter(cooperation_type=cooperation_type)
    submitted_at = dict(evaluated.order_by().values_list("pk", "submitted_at"))
    ordered = _ranked(call, results, crits, submitted_at, normalised)
    return final_order(call=call, ordered=ordered)[0] if final else ordered


def rank_of(*, proposal, criteria=None, normalised: bool = False) -> int | None:
    """The proposal's place on its call's ranking board (all cooperation types), None while no
    evaluator's scores count (as the board leaves its rank blank)."""
    ordered = ranking_order(call=proposal.call, criteria=criteria, normalised=normalised)
    return next((position for position, r in enumerate(ordered, start=1) if r.proposal_id == proposal.pk and r.evaluators),
                None)


def ranking_board(*, call, cooperation_type: str = "", normalised: bool = False, page=None,
                  final: bool = False) -> dict:
    """Every evaluated proposal of the call in ranking order; with `page` (a page number), one
    page of BOARD_PAGE_SIZE rows, ranked among all (the board's `page` is then the Page).
    `final`: in a two-round call's final order, each row with its final score (`final`, a
    RoundsResult or None)."""
    criteria = list(call.criteria.all())
    ordered = ranking_order(call=call, criteria=criteria, cooperation_type=cooperation_type, normalised=normalised)
    finals = {}
    if final:
        ordered, finals = final_order(call=call, ordered=ordered)
    board_page, offset = None, 0
    if page is not None:
        board_page = Paginator(ordered, BOARD_PAGE_SIZE).get_page(page)
        ordered, offset = list(board_page.object_list), board_page.start_index() - 1 if ordered else 0
    # Only the shown proposals are read in full.
    shown = (
        Proposal.objects.filter(pk__in=[r.proposal_id for r in ordered])
        .select_related("lead_region", "industry", "panel_result")
        .annotate(
            assigned=Count("assignments", filter=Q(assignments__kind=AssignmentKind.EVALUATION,
                                                   assignments__round=1,
                                                   assignments__conflict_declared=False), distinct=True),
            national_pilot=Subquery(
                BudgetLine.objects.filter(proposal=OuterRef("pk"), year__lt=call.year + call.pilot_years)
                .values("proposal").annotate(total=Sum("national_won")).values("total")[:1]
            ),
        )
    )
    proposals = {p.pk: p for p in shown}
    panel = {pid: p.panel_result for pid, p in proposals.items() if hasattr(p, "panel_result")}
    rows = []
    for position, r in enumerate(ordered, start=offset + 1):
        p = proposals[r.proposal_id]
        rows.append({
            "rank": position if r.evaluators else None, "proposal": p, "result": r,
            "criteria": [(c, r.by_criterion.get(c.pk)) for c in criteria],
            "score": r.score(normalised=normalised, by_confidence=call.weight_by_confidence),
            "panel": panel.get(p.pk), "final": finals.get(p.pk),
        })
    return {"rows": rows, "criteria": criteria, "page": board_page}


ZONE_RANKING_ROWS = 20  # per zone on the board; the full order is the overall ranking


def per_data_version(name: str, build, *parts):
    """`build()` once per data version (audit.version) and `parts`, then from the process's figures
    cache: what a board shows beside its table (zones, rounds) is read as often as the table."""
    key = ":".join(str(p) for p in (name, *parts, data_version()))
    cache = caches["figures"]
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, BOARD_CACHE_SECONDS)
    return value


def zone_ranking(*, call, cooperation_type: str = "", normalised: bool = False) -> list[dict]:
    """The ranking within each zone of the call ([] without zones): per zone, its proposals in the
    overall ranking's order with their place in the zone and overall (the first ZONE_RANKING_ROWS).
    Cached per data version."""
    return per_data_version("zones", lambda: _zone_ranking(call=call, cooperation_type=cooperation_type,
                                                           normalised=normalised),
                            call.pk, cooperation_type or "-", int(normalised))


def _zone_ranking(*, call, cooperation_type: str, normalised: bool) -> list[dict]:
    zones = list(call.zones.all())
    if not zones:
        return []
    ordered = ranking_order(call=call, cooperation_type=cooperation_type, normalised=normalised)
    zone_of = zone_of_proposals(call=call)
    places = zone_ranks(ordered, zone_of)
    overall = {r.proposal_id: position for position, r in enumerate(ordered, start=1) if r.evaluators}
    per_zone: dict = {z.pk: [] for z in zones}
    counts: dict = {z.pk: 0 for z in zones}
    for r in ordered:
        zone = zone_of.get(r.proposal_id)
        if zone in per_zone and r.proposal_id in places:
            counts[zone] += 1
            if len(per_zone[zone]) < ZONE_RANKING_ROWS:
                per_zone[zone].append(r)
    shown = Proposal.objects.in_bulk([r.proposal_id for rows in per_zone.values() for r in rows])
    return [{"zone": z, "count": counts[z.pk], "rows": [
        {"place": places[r.proposal_id], "overall": overall[r.proposal_id], "proposal": shown[r.proposal_id],
         "score": r.normalised_trimmed if normalised else r.trimmed_mean} for r in per_zone[z.pk]]}
        for z in zones]


def board_figures(*, proposal) -> dict:
    """A board row's figures for one proposal, on the page that decides it: its place on the
    board, its aggregated result and its national request over the pilot years."""
    criteria = list(proposal.call.criteria.all())
    crits = [Criterion(id=c.pk, weight=c.weight, max_score=c.max_score) for c in criteria]
    result = call_results(call=proposal.call, criteria=crits).get(proposal.pk) or ProposalResult(proposal_id=proposal.pk)
    national = (BudgetLine.objects.filter(proposal=proposal, year__lt=proposal.call.year + proposal.call.pilot_years)
                .aggregate(total=Sum("national_won"))["total"])
    return {"rank": rank_of(proposal=proposal, criteria=criteria), "result": result, "national_pilot": national,
            "points": [(c.name, c.weight, result.by_criterion.get(c.pk)) for c in criteria]}


# --- The boards' pages: plain values, cached per data version ------------------------------------

BOARD_CACHE_SECONDS = 300


@dataclass(frozen=True)
class BoardProposal:
    """What a board row shows of a proposal: plain values, so a page of them is cached cheaply."""

    pk: int
    title_ko: str
    title_en: str
    region: str
    cooperation: str
    state: str
    assigned: int
    national_pilot: int | None

    @property
    def title(self) -> str:
        return localized(self.title_ko, self.title_en)

    @property
    def state_label(self) -> str:
        return ProposalState(self.state).label


def board_page(*, call, cooperation_type: str = "", normalised: bool = False, page=1, extra=None,
               final: bool = False) -> dict:
    """One page of the ranking board (BOARD_PAGE_SIZE rows, ranked among all) as plain values:
    {"rows", "criteria", "page"}. Built once per data version (audit.version: every score, panel,
    selection and decision writes an audit event), language and filter, then read from the
    process's cache. `extra`: (name, function(rows, call) → None) a higher app adds its columns with,
    inside the same cached entry (the selection board: decisions and notes). `final`: a two-round
    call's final order (ranking_board)."""
    number = _page_number(page)
    name, add = extra or ("", None)
    key = "board:{}:{}:{}:{}:{}:{}:{}:{}".format(call.pk, cooperation_type or "-", int(normalised), number,
                                                 get_language() or "ko", name, int(final), data_version())
    cache = caches["figures"]
    cached = cache.get(key)
    if cached is None:
        cached = _board_page(call=call, cooperation_type=cooperation_type, normalised=normalised, number=number,
                             final=final)
        if add is not None:
            add(cached["rows"], call)
        cache.set(key, cached, BOARD_CACHE_SECONDS)
    # The page object is rebuilt over a range: the paginator needs only the count.
    board_page_ = Paginator(range(cached["count"]), BOARD_PAGE_SIZE).get_page(cached["number"])
    # `key`: the rendered table may be cached under it too (it names everything the rows depend on).
    return {"rows": cached["rows"], "criteria": cached["criteria"], "page": board_page_, "key": key}


def _page_number(page) -> int:
    try:
        return max(1, int(page))
    except (TypeError, ValueError):
        return 1


def _board_page(*, call, cooperation_type: str, normalised: bool, number: int, final: bool = False) -> dict:
    board = ranking_board(call=call, cooperation_type=cooperation_type, normalised=normalised, page=number,
                          final=final)
    rows = []
    for row in board["rows"]:
        p, r, f = row["proposal"], row["result"], row.get("final")
        rows.append({
            "final": f.combined if f else None, "written": f.written if f else None,
            "presentation": f.presentation if f else None,
            "rank": row["rank"], "score": row["score"],
            "proposal": BoardProposal(pk=p.pk, title_ko=p.title_ko, title_en=p.title_en, region=str(p.lead_region),
                                      cooperation=p.get_cooperation_type_display(), state=p.state,
                                      assigned=p.assigned, national_pilot=p.national_pilot),
            "points": [points for _c, points in row["criteria"]],
            "mean": r.mean, "trimmed_mean": r.trimmed_mean, "std": r.std, "normalised": r.normalised_trimmed,
            "disagreement": r.disagreement, "evaluators": r.evaluators,
            "comment": row["panel"].consensus_comment if row["panel"] else "",
            "reason": row["panel"].decision_reason if row["panel"] else "",
        })
    criteria = [(c.pk, c.name, c.weight) for c in board["criteria"]]
    return {"rows": rows, "criteria": criteria, "count": board["page"].paginator.count,
            "number": board["page"].number}


def progress(*, call, round: int = 1) -> dict:
    base = Assignment.objects.filter(kind=AssignmentKind.EVALUATION, proposal__call=call, round=round)
    per_proposal = (
        base.values("proposal_id", "proposal__title_ko")
        .annotate(assigned=Count("id", filter=Q(conflict_declared=False)),
                  declared=Count("id", filter=Q(declared_at__isnull=False, conflict_declared=False)),
                  withdrawn=Count("id", filter=Q(conflict_declared=True)),
                  submitted=Count("id", filter=Q(scoresheet__state=ScoresheetState.SUBMITTED)))
        .order_by("proposal_id")
    )
    per_expert = (
        base.values("expert_id", "expert__display_name", "expert__username")
        .annotate(assigned=Count("id", filter=Q(conflict_declared=False)),
                  submitted=Count("id", filter=Q(scoresheet__state=ScoresheetState.SUBMITTED)))
        .order_by("expert__display_name", "expert_id")
    )
    return {"per_proposal": list(per_proposal), "per_expert": list(per_expert)}


def experts():
    """The portal's experts: whom a panel may take (its own rules say which of them it may)."""
    return User.objects.filter(role=Role.EXPERT)


def panel_candidates(*, excluded_ids):
    """Active experts available for panels, but those in `excluded_ids` (conflicts of interest)."""
    return (experts().filter(is_active=True, expert_profile__available=True, exclusion__isnull=True)
            .exclude(pk__in=excluded_ids)
            .select_related("expert_profile").order_by("display_name"))


def reviewer_pool():
    """The pool as a region may name from it: active experts, their affiliation."""
    return (experts().filter(is_active=True, expert_profile__isnull=False).select_related("expert_profile")
            .order_by("display_name", "pk"))


def expert_pool(*, search: str = "", industry: str = "", region: str = "", available: str = ""):
    qs = (
        experts().filter(expert_profile__isnull=False)
        .select_related("expert_profile__home_region")
        .prefetch_related("expert_profile__industries")
        .annotate(load=Count("assignments", distinct=True))
    )
    if search:
        qs = qs.filter(Q(display_name__icontains=search) | Q(username__icontains=search)
                       | Q(expert_profile__affiliation__icontains=search)
                       | Q(expert_profile__keywords__icontains=search))
    if industry:
        qs = qs.filter(expert_profile__industries__code=industry)
    if region:
        qs = qs.filter(expert_profile__home_region__code=region)
    if available in ("yes", "no"):
        qs = qs.filter(expert_profile__available=available == "yes")
    return qs.order_by("display_name", "pk").distinct()


def assignments_of(*, user):
    return (
        Assignment.objects.filter(expert=user)
        .select_related("proposal__call", "proposal__industry", "scoresheet")
        .order_by("-assigned_at")
    )


def feedback_comments(*, proposal, rater=None) -> list[dict]:
    """The submitted evaluators' comments on a proposal, anonymised ("Evaluator 1", …) in an
    order that follows neither the assignments nor the names, without any score; with
    `rater`, the rating that person gave each (None if not yet). Two queries, three with a rater."""
    import hashlib

    sheets = list(
        Scoresheet.objects.filter(assignment__proposal=proposal, assignment__kind=AssignmentKind.EVALUATION,
                                  assignment__conflict_declared=False, state=ScoresheetState.SUBMITTED)
        .prefetch_related("scores__criterion"))
    sheets.sort(key=lambda s: hashlib.sha256(f"{proposal.pk}:{s.pk}".encode()).hexdigest())
    mine = {}
    if rater is not None:
        mine = dict(CommentRating.objects.filter(scoresheet__in=sheets, rater=rater)
                    .values_list("scoresheet_id", "value"))
    return [{"number": n, "sheet_id": s.pk, "overall": s.overall_comment, "rating": mine.get(s.pk),
             "criteria": [(score.criterion, score.comment)
                          for score in sorted(s.scores.all(), key=lambda x: (x.criterion.order, x.criterion_id))
                          if score.comment]}
            for n, s in enumerate(sheets, start=1)]
# --- Objections ----------------------------------------------------------------------------


def objections_of_call(*, call, state: str = ""):
    """The call's objections for the staff list, newest first (one query with what a row shows)."""
    qs = (Objection.objects.filter(proposal__call=call)
          .select_related("proposal__lead_region", "lodged_by", "answered_by")
          .annotate(files=Count("attachments", distinct=True)))
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-lodged_at", "-pk")


def reevaluation_comparison(*, proposal) -> dict:
    """The original round's result beside the re-evaluation's (each aggregated on its own: the
    re-evaluation's sheets never enter the call's ranking), with the new panel's progress."""
    sheets: dict[int, Sheet] = {}
    rows = Score.objects.filter(
        scoresheet__state=ScoresheetState.SUBMITTED, scoresheet__assignment__kind=AssignmentKind.REEVALUATION,
        scoresheet__assignment__proposal=proposal, scoresheet__assignment__conflict_declared=False,
    ).values_list("scoresheet_id", "scoresheet__assignment__expert_id", "criterion_id", "value")
    for sheet_id, expert_id, criterion_id, value in rows:
        sheets.setdefault(sheet_id, Sheet(expert_id=expert_id, proposal_id=proposal.pk, values={})).values[
            criterion_id] = value
    crits = criteria_of(proposal.call)
    panel = list(Assignment.objects.filter(kind=AssignmentKind.REEVALUATION, proposal=proposal)
                 .select_related("expert__expert_profile", "scoresheet").order_by("pk"))
    return {
        "original": call_results(call=proposal.call).get(proposal.pk),
        "reevaluation": aggregate(list(sheets.values()), crits).get(proposal.pk),
        "panel": panel,
        "submitted": sum(1 for a in panel if getattr(a, "scoresheet", None) and a.scoresheet.is_locked),
    }


def expert_needs_second_factor(user) -> bool:
    """The expert is on a call that requires a second factor of its experts
    (programmes.Call.experts_require_second_factor): an assignment there they have not
    declined by declaring a conflict. Registered with accounts.twofactor; asked at log-in."""
    if getattr(user, "role", None) != Role.EXPERT:
        return False
    return Assignment.objects.filter(
        expert=user, conflict_declared=False, proposal__call__experts_require_second_factor=True,
    ).exists()


def consultants_of(proposal):
    """The experts coaching a proposal (consulting assignments without a declared conflict)."""
    return (Assignment.objects.filter(proposal=proposal, kind=AssignmentKind.CONSULTING, conflict_declared=False)
            .select_related("expert"))


def waiting_for_consultants(*, call):
    """Proposals of the call sent to consulting that no consultant coaches yet (staff's to assign)."""
    from proposals.models import ProposalState

    coached = Assignment.objects.filter(proposal=OuterRef("pk"), kind=AssignmentKind.CONSULTING,
                                        conflict_declared=False)
    return (Proposal.objects.filter(call=call, state=ProposalState.CONSULTING)
            .annotate(coached=Exists(coached)).filter(coached=False).select_related("lead_region")
            .order_by("updated_at"))


# --- Two rounds -------------------------------------------------------------------------------


def _rounds_results(call, entries) -> tuple[list, dict]:
    """The shortlisted proposals' RoundsResults best first (aggregation.rank_rounds), and the
    presentation round's aggregated results by proposal id."""
    from .services.aggregation import RoundsResult, combine_rounds, rank_rounds

    by_confidence = call.weight_by_confidence
    presented = aggregate(submitted_sheets(call=call, round=2), criteria_of(call))
    results = []
    for e in entries:
        written = float(e.written_score)
        p = presented.get(e.proposal_id)
        presentation = p.score(by_confidence=by_confidence) if p else None
        results.append(RoundsResult(proposal_id=e.proposal_id, written_rank=e.written_rank, written=written,
                                    presentation=presentation,
                                    combined=combine_rounds(written, presentation, written_weight=call.written_weight,
                                                            presentation_weight=call.presentation_weight)))
    return rank_rounds(results), presented


def rounds_board(*, call) -> dict:
    """A two-round call's shortlist with each proposal's written score (as taken), presentation
    score and combined score, best first (aggregation.rank_rounds); empty before it is taken.
    Cached per data version."""
    return per_data_version("rounds", lambda: _rounds_board(call=call), call.pk)


def _rounds_board(*, call) -> dict:
    from .models import ShortlistEntry

    entries = list(ShortlistEntry.objects.filter(call=call).select_related("proposal__lead_region"))
    if not entries:
        return {"rows": [], "taken": False}
    ranked, presented = _rounds_results(call, entries)
    proposals = {e.proposal_id: e.proposal for e in entries}
    rows = [{"rank": place if r.combined is not None else None, "proposal": proposals[r.proposal_id], "result": r,
             "evaluators": presented[r.proposal_id].evaluators if r.proposal_id in presented else 0}
            for place, r in enumerate(ranked, start=1)]
    return {"rows": rows, "taken": True}


def consults_on(user, proposal) -> bool:
    """The user is an expert consulting on the proposal who declared no conflict (accounts.consultants:
    the rules ask it for the patent analysis)."""
    if not getattr(user, "is_authenticated", False) or proposal is None:
        return False
    return Assignment.objects.filter(kind=AssignmentKind.CONSULTING, expert_id=user.pk, proposal_id=proposal.pk,
                                     declared_at__isnull=False, conflict_declared=False).exists()


def final_order(*, call, ordered: list[ProposalResult]) -> tuple[list[ProposalResult], dict]:
    """A two-round call's final order of `ordered` (the written round's ranking, ranking_order):
    the shortlisted proposals first, by their final score (a × written + b × presentation) ÷ 100
    (aggregation.combine_rounds, ties as rank_rounds breaks them), then the proposals not
    shortlisted in their written order. With it, {proposal id: RoundsResult} of the shortlisted.
    A one-round call, or one whose shortlist is not taken yet: `ordered` as it is."""
    from .models import ShortlistEntry

    if not call.has_two_rounds:
        return ordered, {}
    entries = list(ShortlistEntry.objects.filter(call=call))
    if not entries:
        return ordered, {}
    ranked, _presented = _rounds_results(call, entries)
    by_id = {r.proposal_id: r for r in ordered}
    first = [by_id[r.proposal_id] for r in ranked if r.proposal_id in by_id]
    shortlisted = {r.proposal_id for r in ranked}
    return first + [r for r in ordered if r.proposal_id not in shortlisted], {r.proposal_id: r for r in ranked}
