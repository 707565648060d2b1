"""The evaluator quality record: per expert and call, how they scored, and who is flagged.

For each expert with an evaluation assignment in the call (withdrawn ones not counted):
- late: scoresheets submitted after the call's review deadline (the last day of the
  review window, Asia/Seoul), and those still unsubmitted once it has passed;
- reopens: how often staff reopened their submitted scoresheets (ScoresheetEvent);
- comment length: the mean length, in characters, of their comments per criterion;
- mean |z|: their distance from the panel's consensus (aggregation.consensus_distances,
  on the same cached results as the ranking board);
- average rating: how useful the lead regions' officials and staff found their comments.

The call's QualityRules flag an expert above a maximum or below a minimum; at the
threshold itself nobody is flagged. Staff may exclude a flagged expert from later
panels with a reason (`expert_exclude`); the assignment service and the automatic plan
ask `check_not_excluded` / `excluded_experts`.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from statistics import fmean

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from audit.services import AuditAction, record
from core.permissions import require
from programmes.models import QualityRules

from ..models import (
    Assignment,
    AssignmentKind,
    CommentRating,
    ExpertExclusion,
    Score,
    Scoresheet,
    ScoresheetEvent,
    ScoresheetState,
)
from .aggregation import consensus_distances

# The kinds of assignment an exclusion bars: the panels (consulting is not judging).
PANEL_KINDS = {AssignmentKind.EVALUATION, AssignmentKind.STAGE}


@dataclass
class Flag:
    rule: str  # "late", "reopens", "distance", "comments", "rating"
    label: str
    evidence: str


@dataclass
class ExpertRecord:
    expert: object
    sheets: int = 0  # submitted scoresheets
    late: list = field(default_factory=list)  # [(proposal title, submitted at or None)]
    reopens: int = 0
    comment_length: float | None = None
    mean_abs_z: float | None = None
    distances: int = 0  # sheets in a panel of two or more
    average_rating: float | None = None
    ratings: int = 0
    flags: list = field(default_factory=list)
    exclusion: ExpertExclusion | None = None


def _is_late(sheet, deadline, today) -> bool:
    if sheet is not None and sheet.state == ScoresheetState.SUBMITTED and sheet.submitted_at is not None:
        return timezone.localtime(sheet.submitted_at).date() > deadline
    return today > deadline


def quality_record(*, call, results: dict | None = None) -> list[ExpertRecord]:
    """Every expert of the call's panels with their figures and flags, flagged first.
    A constant number of queries, whatever the number of experts and sheets."""
    from ..selectors import call_results  # the ranking board's cached results

    rules = QualityRules.for_call(call)
    assignments = list(
        Assignment.objects.filter(kind=AssignmentKind.EVALUATION, proposal__call=call, conflict_declared=False)
        .select_related("expert", "proposal", "scoresheet").order_by("expert__display_name", "expert_id", "pk"))
    records: dict[int, ExpertRecord] = {}
    today = timezone.localdate()
    for a in assignments:
        rec = records.setdefault(a.expert_id, ExpertRecord(expert=a.expert))
        sheet = getattr(a, "scoresheet", None)
        if sheet is not None and sheet.state == ScoresheetState.SUBMITTED:
            rec.sheets += 1
        if _is_late(sheet, call.review_end, today):
            submitted = sheet.submitted_at if sheet is not None and sheet.state == ScoresheetState.SUBMITTED else None
            rec.late.append((a.proposal.title, submitted))
    in_call = {"scoresheet__assignment__kind": AssignmentKind.EVALUATION,
               "scoresheet__assignment__proposal__call": call,
               "scoresheet__assignment__conflict_declared": False}
    expert = "scoresheet__assignment__expert_id"
    for row in (ScoresheetEvent.objects.filter(action="reopened", **in_call).values(expert)
                .annotate(n=Count("id")).order_by()):
        if row[expert] in records:
            records[row[expert]].reopens = row["n"]
    for row in (Score.objects.filter(scoresheet__state=ScoresheetState.SUBMITTED, **in_call).values(expert)
                .annotate(length=Avg(Length("comment"))).order_by()):
        if row[expert] in records and row["length"] is not None:
            records[row[expert]].comment_length = round(float(row["length"]), 1)
    for row in (CommentRating.objects.filter(**in_call).values(expert)
                .annotate(mean=Avg("value"), n=Count("id")).order_by()):
        if row[expert] in records:
            records[row[expert]].average_rating = round(float(row["mean"]), 2)
            records[row[expert]].ratings = row["n"]
    distances: dict[int, list[float]] = {}
    for (expert_id, _proposal), z in consensus_distances(results if results is not None
                                                          else call_results(call=call)).items():
        distances.setdefault(expert_id, []).append(abs(z))
    for expert_id, values in distances.items():
        if expert_id in records:
            records[expert_id].mean_abs_z = round(fmean(values), 2)
            records[expert_id].distances = len(values)
    for exclusion in ExpertExclusion.objects.filter(expert_id__in=list(records)).select_related("excluded_by"):
        records[exclusion.expert_id].exclusion = exclusion
    for rec in records.values():
        rec.flags = flags_of(rec, rules)
    return sorted(records.values(), key=lambda r: (not r.flags, r.exclusion is not None,
                                                   str(r.expert.display_name or r.expert.username), r.expert.pk))


def flags_of(rec: ExpertRecord, rules: QualityRules) -> list[Flag]:
    """The rules this record breaks, each with its evidence."""
    flags = []
    if len(rec.late) > rules.max_late_submissions:
        flags.append(Flag("late", _("Late scoresheets"), _("%(n)s late (allowed %(max)s): %(which)s") % {
            "n": len(rec.late), "max": rules.max_late_submissions,
            "which": "; ".join(f"{title} ({timezone.localtime(at):%Y-%m-%d %H:%M})" if at else
                               _("%(title)s (not submitted)") % {"title": title} for title, at in rec.late)}))
    if rec.reopens > rules.max_reopens:
        flags.append(Flag("reopens", _("Reopened scoresheets"), _("reopened %(n)s times (allowed %(max)s)") % {
            "n": rec.reopens, "max": rules.max_reopens}))
    if rec.mean_abs_z is not None and Decimal(str(rec.mean_abs_z)) > rules.max_mean_abs_z:
        flags.append(Flag("distance", _("Far from the panels"), _(
            "mean |z| %(z)s over %(n)s scoresheets (limit %(max)s)") % {
            "z": rec.mean_abs_z, "n": rec.distances, "max": rules.max_mean_abs_z}))
    if rec.comment_length is not None and rec.comment_length < rules.min_comment_length:
        flags.append(Flag("comments", _("Short comments"), _(
            "%(n)s characters per criterion on average (at least %(min)s)") % {
            "n": rec.comment_length, "min": rules.min_comment_length}))
    if rec.average_rating is not None and Decimal(str(rec.average_rating)) < rules.min_average_rating:
        flags.append(Flag("rating", _("Comments rated unhelpful"), _(
            "rated %(mean)s on average by %(n)s ratings (at least %(min)s)") % {
            "mean": rec.average_rating, "n": rec.ratings, "min": rules.min_average_rating}))
    return flags


@transaction.atomic
def quality_rules_save(*, actor, call, **values) -> QualityRules:
    """Set the call's thresholds (each validated in its range, refused at its field)."""
    require(actor, "evaluations.manage_quality")
    rules = QualityRules.objects.select_for_update().filter(call=call).first() or QualityRules(call=call)
    for name, value in values.items():
        setattr(rules, name, value)
    rules.updated_by = actor
    rules.full_clean()
    rules.save()
    return rules


# --- Exclusion from later panels ---------------------------------------------------------------


@transaction.atomic
def expert_exclude(*, actor, expert, call, reason: str) -> ExpertExclusion:
    """Leave `expert` out of every later panel (evaluation and stage), for the reason given.
    Assignments already made stay; the exclusion is recorded in the audit trail."""
    require(actor, "evaluations.manage_quality")
    reason = (reason or "").strip()
    if getattr(expert, "role", None) != Role.EXPERT:
        raise ValidationError(_("%(user)s is not an expert.") % {"user": expert})
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the exclusion; it is recorded.")})
    if ExpertExclusion.objects.select_for_update().filter(expert=expert).exists():
        raise ValidationError(_("%(expert)s is already excluded from later panels.") % {"expert": expert})
    exclusion = ExpertExclusion.objects.create(expert=expert, call=call, reason=reason, excluded_by=actor)
    record(actor=actor, action=AuditAction.EXPERT_EXCLUDE, obj=exclusion, summary=reason,
           after={"expert": expert, "call": call.title, "reason": reason})
    return exclusion


def excluded_experts():
    """The excluded experts' ids, as a subquery (the automatic plan leaves them out)."""
    return ExpertExclusion.objects.values("expert_id")


def check_not_excluded(*, expert, kind: str) -> None:
    """Refuse a panel seat (evaluation or stage) to an excluded expert."""
    if kind in PANEL_KINDS:
        exclusion = ExpertExclusion.objects.filter(expert=expert).first()
        if exclusion is not None:
            raise ValidationError(_("%(expert)s was excluded from later panels: %(reason)s") % {
                "expert": expert, "reason": exclusion.reason})


# --- Ratings of the comments ------------------------------------------------------------------


@transaction.atomic
def comment_rate(*, actor, scoresheet: Scoresheet, value) -> CommentRating:
    """Rate how useful one evaluator's comments were, 1 to 5 (rating again changes it). The lead
    region's officials rate once the call's results are announced; staff at any time."""
    sheet = Scoresheet.objects.select_related("assignment__proposal__call").get(pk=scoresheet.pk)
    require(actor, "evaluations.rate_comments", sheet.assignment.proposal)
    if (sheet.state != ScoresheetState.SUBMITTED or sheet.assignment.kind != AssignmentKind.EVALUATION
            or sheet.assignment.conflict_declared):
        raise ValidationError(_("Only submitted evaluation comments can be rated."))
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= 5:
        raise ValidationError({"value": _("Rate from 1 (not useful) to 5 (very useful).")})
    rating, _created = CommentRating.objects.update_or_create(scoresheet=sheet, rater=actor,
                                                               defaults={"value": number})
    return rating
