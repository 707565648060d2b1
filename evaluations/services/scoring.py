"""Conflict declarations and online scoring."""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import AuditAction, record
from core.moves import Move, check_move, move_of
from core.permissions import require
from proposals.models import ProposalState

from .. import hooks
from ..models import Assignment, AssignmentKind, Confidence, Score, Scoresheet, ScoresheetEvent, ScoresheetState


@transaction.atomic
def assignment_declare(*, actor, assignment: Assignment, conflict: bool, note: str = "",
                       grounds: dict | None = None) -> Assignment:
    """The expert declares, before seeing any content, whether they have a conflict: one answer
    for each ground the call has them declare (`grounds`: {ConflictGround value: bool}; when
    None, declaring no conflict answers every ground "no"), and any other conflict in the note.
    Declaring one withdraws them from the assignment (staff see why, and the panel's gap)."""
    assignment = Assignment.objects.select_for_update().select_related("proposal__call").get(pk=assignment.pk)
    if assignment.expert_id != actor.pk:
        raise PermissionDenied
    if assignment.declared_at is not None:
        raise ValidationError(_("You already made your declaration for this assignment."))
    asked = assignment.proposal.call.declared_grounds()
    if grounds is not None:
        missing = [g for g in asked if grounds.get(g) is None]
        if missing:
            raise ValidationError({f"ground_{g}": _("Answer this question.") for g in missing})
    yes = [g for g in asked if (grounds or {}).get(g)]
    if yes and not conflict:
        raise ValidationError({"decision": _("You answered yes to a ground of exclusion: declare the conflict.")})
    if conflict and not yes and not note.strip():
        raise ValidationError({"note": _("Describe the conflict briefly (e.g. same department, former student).")})
    assignment.declared_at = timezone.now()
    assignment.conflict_declared = conflict
    assignment.conflict_note = note.strip()
    assignment.conflict_grounds = [str(g) for g in yes]
    assignment.save(update_fields=["declared_at", "conflict_declared", "conflict_note", "conflict_grounds"])
    if conflict:
        from accounts.models import Role, User
        from accounts.services import notify

        from .panels import declared_text

        notify(users=User.objects.filter(role=Role.MINISTRY, is_active=True),
               message=_("%(expert)s declared a conflict of interest and withdrew from a proposal: %(note)s") % {
                   "expert": actor, "note": declared_text(assignment)},
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
                    submit: bool = False, now=None, confidence=None) -> Scoresheet:
    """Save the expert's scores ({criterion id: (value, comment)}) and their confidence (1–3,
    required to submit) as a draft, or submit and lock them. Errors come back keyed
    "score-<id>" / "comment-<id>" / "confidence".
    A proposal's evaluation is submitted within the call's review window (Korea time;
    `now` defaults to the present); drafts may be saved at any time."""
    assignment = Assignment.objects.select_related("proposal__call").get(pk=assignment.pk)
    # Asked before the sheet is created (a stranger creates nothing) and before the
    # assignment's own rules; the move asks again on the locked sheet.
    require(actor, "evaluations.score", assignment)
    if assignment.kind == AssignmentKind.STAGE:
        # A funded project's stage evaluation: open while its owner says so.
        hooks.check_scoring_open(assignment=assignment)
    elif assignment.kind == AssignmentKind.REEVALUATION:
        # A new panel after an upheld objection: open until the objection's deadline.
        from .objections import check_reevaluation_scoring_open

        check_reevaluation_scoring_open(assignment=assignment)
    elif assignment.proposal.state != ProposalState.ELIGIBLE:
        raise ValidationError(_("This proposal is not under evaluation."))
    elif submit:  # the written review's window, or the presentation round's dates
        assignment.proposal.call.check_window("presentation" if assignment.round == 2 else "review", now=now)
    return scoresheet_transition(actor=actor, sheet=scoresheet_for(assignment),
                                 action="submit" if submit else "save_draft", values=values,
                                 overall_comment=overall_comment, confidence=confidence)


def scoresheet_reopen(*, actor, scoresheet: Scoresheet, reason: str) -> Scoresheet:
    return scoresheet_transition(actor=actor, sheet=scoresheet, action="reopen", reason=reason)


# --- The moves: save a draft, submit, reopen ------------------------------------------------
#
# The table of moves beside one transition function, as proposals.services.lifecycle:
# the move is allowed from the sheet's state → the actor has its permission → the
# move's checks (the scores, the reason) → the write (update_fields) → the sheet's
# event and the audit record → the expert is told. Nothing else sets a sheet's state.

SS = ScoresheetState
LOCKED = gettext_lazy("These scores were submitted and are locked. Ask ministry staff to reopen them.")


def _the_assignment(sheet: Scoresheet):
    return sheet.assignment


def _the_sheet(sheet: Scoresheet):
    return sheet


def _tell_the_expert_reopened(sheet: Scoresheet, reason: str) -> None:
    from accounts.services import notify

    notify(users=[sheet.assignment.expert], url=f"/evaluations/assignments/{sheet.assignment_id}/",
           message=_("Your scores were reopened by ministry staff: %(reason)s") % {"reason": reason})


@dataclass(frozen=True)
class SheetMove(Move):
    permission_on: Callable = _the_sheet  # the object the permission is asked on
    scores: bool = False  # the move writes the posted scores (checked first; all of them on submit)
    needs_reason: bool = False  # a reason is required, kept on the sheet's event and in the audit record
    event: str = ""  # the ScoresheetEvent's action, if the move leaves one
    audit: str = ""  # the audit action, if the move records one (a draft leaves only the field changes)
    then: tuple = field(default=())  # then(sheet, reason): who is told


SHEET_MOVES = {
    "save_draft": SheetMove(gettext_lazy("Save draft"), frozenset({SS.DRAFT}), SS.DRAFT, "evaluations.score", LOCKED,
                            permission_on=_the_assignment, scores=True),
    "submit": SheetMove(gettext_lazy("Submit scores"), frozenset({SS.DRAFT}), SS.SUBMITTED, "evaluations.score",
                        LOCKED, permission_on=_the_assignment, scores=True, event="submitted",
                        audit=AuditAction.SCORE_SUBMIT),
    "reopen": SheetMove(gettext_lazy("Reopen"), frozenset({SS.SUBMITTED}), SS.DRAFT, "evaluations.reopen_scoresheet",
                        gettext_lazy("These scores are not submitted."), needs_reason=True, event="reopened",
                        audit=AuditAction.SCORE_REOPEN, then=(_tell_the_expert_reopened,)),
}


@transaction.atomic
def scoresheet_transition(*, actor, sheet: Scoresheet, action: str, values: dict | None = None,
                          overall_comment: str = "", reason: str = "", confidence=None) -> Scoresheet:
    move = move_of(SHEET_MOVES, action)
    sheet = Scoresheet.objects.select_for_update().select_related("assignment__proposal__call").get(pk=sheet.pk)
    check_move(move, actor=actor, obj=sheet, on=move.permission_on(sheet))
    reason = reason.strip()
    if move.needs_reason and not reason:
        raise ValidationError({"reason": _("Give the reason for reopening; it is recorded.")})
    if move.scores:
        try:
            rows = _checked_scores(sheet, values or {}, complete=move.target == SS.SUBMITTED)
            errors = {}
        except ValidationError as exc:
            rows, errors = {}, exc.message_dict
        confidence, confidence_error = _checked_confidence(confidence, complete=move.target == SS.SUBMITTED)
        if confidence_error:
            errors["confidence"] = [confidence_error]
        if errors:
            raise ValidationError(errors)
    else:
        rows = {}

    before = sheet.state
    sheet.state = move.target
    update = ["state", "updated_at"]
    if move.scores:
        Score.objects.bulk_update(rows.values(), ["value", "comment"])
        sheet.overall_comment = overall_comment
        sheet.confidence = confidence
        update += ["overall_comment", "confidence"]
    if move.target != before:  # submitted now, or not any more
        sheet.submitted_at = timezone.now() if move.target == SS.SUBMITTED else None
        update.append("submitted_at")
    sheet.save(update_fields=update)
    if move.event:
        ScoresheetEvent.objects.create(scoresheet=sheet, actor=actor, action=move.event, reason=reason)
    if move.audit:  # a submission records the scores it locks
        scores = {str(r.criterion): r.value for r in rows.values()}
        if move.scores:
            scores["confidence"] = sheet.confidence
        record(actor=actor, action=move.audit, obj=sheet, summary=reason, before={"state": before},
               after={"state": sheet.state, **scores})
    for step in move.then:
        step(sheet, reason)
    return sheet


def _checked_confidence(value, *, complete: bool):
    """(confidence 1–3 or None, error or None): empty is allowed on a draft, not on a submission."""
    if value in (None, ""):
        return None, (_("State how confident you are in your scores.") if complete else None)
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if number not in Confidence.values:
        return None, _("Choose low, medium or high.")
    return number, None


def _checked_scores(sheet: Scoresheet, values: dict, *, complete: bool) -> dict:
    """The sheet's score rows with the posted values ({criterion id: (value, comment)}) set,
    or every problem keyed "score-<id>" / "comment-<id>". `complete`: every criterion
    scored and explained at the call's minimum length (a submission)."""
    call = sheet.assignment.proposal.call
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
        if complete:
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
    return rows


def unsubmitted_evaluations(*, call):
    return Assignment.objects.filter(
        kind=AssignmentKind.EVALUATION, proposal__call=call, conflict_declared=False,
        proposal__state=ProposalState.ELIGIBLE,
    ).exclude(scoresheet__state=ScoresheetState.SUBMITTED).select_related("expert", "proposal")
