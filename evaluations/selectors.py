"""Reads shared by the evaluation pages: the ranking board, progress, the pool."""

from django.db.models import Count, OuterRef, Q, Subquery, Sum

from accounts.models import Role, User
from proposals.models import BudgetLine, Proposal

from .models import Assignment, AssignmentKind, PanelResult, Score, ScoresheetState
from .services.aggregation import Criterion, Sheet, aggregate, rank


def criteria_of(call) -> list[Criterion]:
    return [Criterion(id=c.pk, weight=c.weight, max_score=c.max_score) for c in call.criteria.all()]


def submitted_sheets(*, call) -> list[Sheet]:
    """Every submitted scoresheet of the call, as plain values (one query)."""
    sheets: dict[int, Sheet] = {}
    rows = Score.objects.filter(
        scoresheet__state=ScoresheetState.SUBMITTED,
        scoresheet__assignment__kind=AssignmentKind.EVALUATION,
        scoresheet__assignment__proposal__call=call,
        scoresheet__assignment__conflict_declared=False,
    ).values_list("scoresheet_id", "scoresheet__assignment__expert_id", "scoresheet__assignment__proposal_id",
                  "criterion_id", "value")
    for sheet_id, expert_id, proposal_id, criterion_id, value in rows:
        sheet = sheets.setdefault(sheet_id, Sheet(expert_id=expert_id, proposal_id=proposal_id, values={}))
        sheet.values[criterion_id] = value
    return list(sheets.values())


def ranking_board(*, call, cooperation_type: str = "", normalised: bool = False) -> dict:
    criteria = list(call.criteria.all())
    crits = criteria_of(call)
    results = aggregate(submitted_sheets(call=call), crits)
    proposals = (
        Proposal.objects.filter(call=call, assignments__kind=AssignmentKind.EVALUATION)
        .select_related("lead_region", "industry")
        .annotate(
            assigned=Count("assignments", filter=Q(assignments__kind=AssignmentKind.EVALUATION,
                                                   assignments__conflict_declared=False), distinct=True),
            national_pilot=Subquery(
                BudgetLine.objects.filter(proposal=OuterRef("pk"), year__lt=call.year + call.pilot_years)
                .values("proposal").annotate(total=Sum("national_won")).values("total")[:1]
            ),
        )
        .distinct()
    )
    if cooperation_type:
        proposals = proposals.filter(cooperation_type=cooperation_type)
    proposals = {p.pk: p for p in proposals}
    panel = {r.proposal_id: r for r in PanelResult.objects.filter(proposal_id__in=proposals)}
    from .services.aggregation import ProposalResult

    mine = {pid: results.get(pid) or ProposalResult(proposal_id=pid) for pid in proposals}
    ordered = rank(mine, crits, submitted_at={pid: p.submitted_at for pid, p in proposals.items()},
                   normalised=normalised)
    rows = []
    for position, r in enumerate(ordered, start=1):
        p = proposals[r.proposal_id]
        rows.append({
            "rank": position if r.evaluators else None, "proposal": p, "result": r,
            "criteria": [(c, r.by_criterion.get(c.pk)) for c in criteria],
            "score": r.normalised_trimmed if normalised else r.trimmed_mean,
            "panel": panel.get(p.pk),
        })
    return {"rows": rows, "criteria": criteria}


def progress(*, call) -> dict:
    base = Assignment.objects.filter(kind=AssignmentKind.EVALUATION, proposal__call=call)
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


def expert_pool(*, search: str = "", industry: str = "", region: str = "", available: str = ""):
    qs = (
        User.objects.filter(role=Role.EXPERT, expert_profile__isnull=False)
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
