"""Conflict declarations and online scoring."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import AuditAction, record
from core.permissions import require
from proposals.models import ProposalState

from .. import hooks
from ..models import Assignment, AssignmentKind, Score, Scoresheet, ScoresheetEvent, ScoresheetState


@transaction.atomic
def assignment_declare(*, actor, assignment: Assignment, conflict: bool, note: str = "") -> Assignment:
    """The expert declares, before seeing any content, whether they have a conflict.
    Declaring one withdraws them from the proposal (staff see why)."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.expert_id != actor.pk:
        raise PermissionDenied
    if assignment.declared_at is not None:
        raise ValidationError(_("You already made your declaration for this assignment."))
    if conflict and not note.strip():
        raise ValidationError({"note": _("Describe the conflict briefly (e.g. same department, former student).")})
    assignment.declared_at = timezone.now()
    assignment.conflict_declared = conflict
    assignment.conflict_note = note.strip()
    assignment.save(update_fields=["declared_at", "conflict_declared", "conflict_note"])
    if conflict:
        from accounts.models import Role, User
        from accounts.services import notify

        notify(users=User.objects.filter(role=Role.MINISTRY, is_active=True),
               message=_("%(expert)s declared a conflict of interest and withdrew from a proposal: %(note)s") % {
                   "expert": actor, "note": assignment.conflict_note},
               url=f"/evaluations/proposals/{assignment.proposal_id}/panel/")
    return assignment


def scoresheet_for(assignment: Assignment) -> Scoresheet:
    """The assignment's scoresheet with one score row per criterion (created on first use)."""
    sheet, _created = Scoresheet.objects.get_or_create(assignment=assignment)
    criteria = list(assignment.criteria())
    have = set(sheet.scores.values_list("criterion_id", flat=True))
    Score.objects.bulk_create([Score(scoresheet=sheet, criterion=c) for c in criteria if c.pk not in have])
    return sheet


def _parse(value):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        return "invalid"
    return number if number.is_finite() else "invalid"


@transaction.atomic
def scoresheet_save(*, actor, assignment: Assignment, values: dict, overall_comment: str = "",
                    submit: bool = False) -> Scoresheet:
    """Save the expert's scores ({criterion id: (value, comment)}) as a draft, or
    submit and lock them. Errors come back keyed "score-<id>" / "comment-<id>"."""
    assignment = Assignment.objects.select_related("proposal__call").get(pk=assignment.pk)
    require(actor, "evaluations.score", assignment)
    if assignment.kind == AssignmentKind.STAGE:
        # A funded project's stage evaluation: open while its owner says so.
        hooks.check_scoring_open(assignment=assignment)
    elif assignment.proposal.state != ProposalState.ELIGIBLE:
        raise ValidationError(_("This proposal is not under evaluation."))
    sheet = Scoresheet.objects.select_for_update().get(pk=scoresheet_for(assignment).pk)
    if sheet.is_locked:
        raise ValidationError(_("These scores were submitted and are locked. Ask ministry staff to reopen them."))
    call = assignment.proposal.call
    errors = {}
    rows = {s.criterion_id: s for s in sheet.scores.select_related("criterion")}
    for cid, score in rows.items():
        raw_value, comment = values.get(cid, (None, ""))
        value = _parse(raw_value)
        c = score.criterion
        if value == "invalid":
            errors[f"score-{cid}"] = _("Enter a number.")
        elif value is not None and not (0 <= value <= c.max_score):
            errors[f"score-{cid}"] = _("Score between 0 and %(max)s.") % {"max": c.max_score}
        elif value is not None and value != value.quantize(Decimal("0.1")):
            errors[f"score-{cid}"] = _("At most one decimal place.")
        if submit:
            if value is None and f"score-{cid}" not in errors:
                errors[f"score-{cid}"] = _("Score every criterion before submitting.")
            if len((comment or "").strip()) < call.score_comment_min_length:
                errors[f"comment-{cid}"] = _("Explain the score in at least %(n)s characters (now %(len)s).") % {
                    "n": call.score_comment_min_length, "len": len((comment or "").strip())}
        if f"score-{cid}" not in errors:
            score.value = value
        score.comment = comment or ""
    if errors:
        raise ValidationError(errors)
    Score.objects.bulk_update(rows.values(), ["value", "comment"])
    sheet.overall_comment = overall_comment
    if submit:
        sheet.state = ScoresheetState.SUBMITTED
        sheet.submitted_at = timezone.now()
        ScoresheetEvent.objects.create(scoresheet=sheet, actor=actor, action="submitted")
        record(actor=actor, action=AuditAction.SCORE_SUBMIT, obj=sheet, before={"state": ScoresheetState.DRAFT},
               after={"state": ScoresheetState.SUBMITTED, **{str(r.criterion): r.value for r in rows.values()}})
    sheet.save()
    return sheet


@transaction.atomic
def scoresheet_reopen(*, actor, scoresheet: Scoresheet, reason: str) -> Scoresheet:
    require(actor, "evaluations.reopen_scoresheet", scoresheet)
    sheet = Scoresheet.objects.select_for_update().get(pk=scoresheet.pk)
    if not sheet.is_locked:
        raise ValidationError(_("These scores are not submitted."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for reopening; it is recorded.")})
    sheet.state = ScoresheetState.DRAFT
    sheet.submitted_at = None
    sheet.save(update_fields=["state", "submitted_at", "updated_at"])
    ScoresheetEvent.objects.create(scoresheet=sheet, actor=actor, action="reopened", reason=reason.strip())
    record(actor=actor, action=AuditAction.SCORE_REOPEN, obj=sheet, summary=reason.strip(),
           before={"state": ScoresheetState.SUBMITTED}, after={"state": ScoresheetState.DRAFT})
    from accounts.services import notify

    notify(users=[sheet.assignment.expert], url=f"/evaluations/assignments/{sheet.assignment_id}/",
           message=_("Your scores were reopened by ministry staff: %(reason)s") % {"reason": reason.strip()})
    return sheet


def unsubmitted_evaluations(*, call):
    return Assignment.objects.filter(
        kind=AssignmentKind.EVALUATION, proposal__call=call, conflict_declared=False,
        proposal__state=ProposalState.ELIGIBLE,
    ).exclude(scoresheet__state=ScoresheetState.SUBMITTED).select_related("expert", "proposal")
