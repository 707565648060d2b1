"""Objections (이의신청): the lead region objects to its proposal's result after the
announcement, within the call's objection period; ministry staff answer.

The period is counted in Korea time: from the announcement day, `call.objection_days`
days on, to the end of that last day (23:59:59 KST); one objection per proposal.
An upheld objection is remedied either by a re-evaluation — a new panel, none of the
original evaluators and no conflicted expert, scoring as assignments of kind
"reevaluation" until a deadline, kept apart from the original round — or by a corrected
decision, recorded and announced through `evaluations.signals.objection_answered` (an app
above, e.g. funding, may act on it without evaluations importing it).

The moves beside one transition function, as proposals.services.lifecycle: the move
is allowed from the objection's state → the actor has its permission → the move's
checks → the write (update_fields) → the audit record → the region is told.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import AuditAction, record
from core.moves import Move, check_move, move_of
from core.permissions import require
from proposals.models import Proposal, ProposalState
from proposals.services.attachments import AttachmentRejected, validate_upload

from ..models import Assignment, AssignmentKind, Objection, ObjectionAttachment, ObjectionRemedy, ObjectionState
from ..signals import objection_answered
from .conflicts import expert_conflicts, proposal_facts

SEOUL = ZoneInfo("Asia/Seoul")
MAX_ATTACHMENTS = 5
# Results a region may object to: the proposals that were evaluated and not selected.
OBJECTIONABLE_STATES = {ProposalState.NOT_SELECTED, ProposalState.RESERVE}


# --- The period ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectionWindow:
    announced_on: datetime.date
    last_day: datetime.date
    closes_at: datetime.datetime  # the first instant after the period (Korea time)

    @property
    def deadline(self) -> datetime.datetime:
        """The last second of the period, as the pages state it (23:59:59 KST)."""
        return self.closes_at - datetime.timedelta(seconds=1)

    def is_open(self, now=None) -> bool:
        return (now or timezone.now()) < self.closes_at

    def days_left(self, now=None) -> int:
        """D-day: 0 on the last day, negative once it has passed."""
        return (self.last_day - timezone.localtime(now or timezone.now(), SEOUL).date()).days


def objection_window(call) -> ObjectionWindow | None:
    """The call's objection period, once its results are announced (else None)."""
    announced = call.announced_on()
    if announced is None:
        return None
    last_day = announced + datetime.timedelta(days=call.objection_days)
    closes_at = datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time(0), tzinfo=SEOUL)
    return ObjectionWindow(announced_on=announced, last_day=last_day, closes_at=closes_at)


def _deadline_text(window: ObjectionWindow) -> str:
    return date_format(window.deadline.astimezone(SEOUL), "Y-m-d H:i:s")


def lodging_refusal(proposal: Proposal, now=None) -> str | None:
    """Why an objection to this proposal cannot be lodged now (None: it can)."""
    window = objection_window(proposal.call)
    if window is None:
        return _("Objections open when the call's results are announced.")
    if proposal.state not in OBJECTIONABLE_STATES:
        return _("Only a proposal that was not selected (or put on the reserve list) can be objected to.")
    if Objection.objects.filter(proposal=proposal).exists():
        return _("An objection to this proposal was already lodged; only one is allowed.")
    if not window.is_open(now):
        return _("The objection period ended on %(deadline)s (Korea time).") % {"deadline": _deadline_text(window)}
    return None


# --- Lodging --------------------------------------------------------------------------------


def objection_lodge(*, actor, proposal: Proposal, grounds: str, uploads=(), now=None) -> Objection:
    """The lead region's official lodges the one objection to `proposal`, with grounds and
    up to MAX_ATTACHMENTS files (checked by content as proposal attachments are). Every
    problem comes back keyed by field ("grounds", "attachments") or for the whole form;
    nothing is kept of a refused objection, neither the row nor a stored file."""
    require(actor, "evaluations.lodge_objection", proposal)
    now = now or timezone.now()
    refusal = lodging_refusal(proposal, now)
    if refusal:
        raise ValidationError(refusal)
    errors = {}
    grounds = (grounds or "").strip()
    if not grounds:
        errors["grounds"] = [_("State the grounds of the objection.")]
    uploads = list(uploads)
    checked = []
    if len(uploads) > MAX_ATTACHMENTS:
        errors["attachments"] = [_("Attach at most %(n)s files.") % {"n": MAX_ATTACHMENTS}]
    else:
        for upload in uploads:
            try:
                checked.append((upload, validate_upload(upload)))
            except AttachmentRejected as exc:
                errors.setdefault("attachments", []).append(f"{upload.name}: {' '.join(exc.messages)}")
    if errors:
        raise ValidationError(errors)

    objection = Objection(proposal=proposal, grounds=grounds, lodged_by=actor, lodged_at=now)
    files = []
    try:
        # Slow I/O outside the transaction: the files first, then the rows.
        for upload, (name, ext, kind) in checked:
            attachment = ObjectionAttachment(objection=objection, kind=kind, uploaded_by=actor)
            attachment.take(upload, name=name, ext=ext)
            files.append(attachment)
        with transaction.atomic():
            locked = Proposal.objects.select_for_update().select_related("call").get(pk=proposal.pk)
            require(actor, "evaluations.lodge_objection", locked)
            refusal = lodging_refusal(locked, now)
            if refusal:
                raise ValidationError(refusal)
            objection.proposal = locked
            objection.save()
            for attachment in files:
                attachment.objection = objection
                attachment.save()
            record(actor=actor, action=AuditAction.OBJECTION, obj=objection, summary=str(_("Objection lodged")),
                   after={"state": objection.state, "grounds": grounds,
                          "attachments": [a.original_name for a in files]})
            _notify_staff(objection, _("%(region)s objected to the result of “%(title)s”.") % {
                "region": locked.lead_region, "title": locked.title_ko})
    except Exception:
        for attachment in files:
            attachment.file.delete(save=False)
        raise
    return objection


# --- The moves: review, uphold, dismiss, close the re-evaluation -----------------------------

OS = ObjectionState


def _guard_answer(objection: Objection, values: dict) -> dict:
    if not values["answer"]:
        raise ValidationError({"answer": _("Give the reasons; the region will read them.")})
    return {"answer": values["answer"]}


def _guard_uphold(objection: Objection, values: dict) -> dict:
    errors = {}
    if not values["answer"]:
        errors["answer"] = _("Say what was found; the region will read it.")
    remedy = values["remedy"]
    changes = {"answer": values["answer"], "remedy": remedy}
    if remedy == ObjectionRemedy.CORRECTION:
        if not values["correction"]:
            errors["correction"] = _("Describe the corrected decision.")
        changes["correction"] = values["correction"]
    elif remedy == ObjectionRemedy.RE_EVALUATION:
        deadline = values["reevaluation_deadline"]
        today = timezone.localtime(values["now"], SEOUL).date()
        if deadline is None:
            errors["reevaluation_deadline"] = _("Set the day by which the new panel submits its scores.")
        elif deadline < today:
            errors["reevaluation_deadline"] = _("The re-evaluation deadline cannot be in the past.")
        changes["reevaluation_deadline"] = deadline
    else:
        errors["remedy"] = _("Choose a re-evaluation or a corrected decision.")
    if errors:
        raise ValidationError(errors)
    return changes


def _guard_close(objection: Objection, values: dict) -> dict:
    if not objection.is_reevaluation:
        raise ValidationError(_("Only a re-evaluation is closed this way."))
    errors = {}
    if not Assignment.objects.filter(kind=AssignmentKind.REEVALUATION, proposal_id=objection.proposal_id,
                                     scoresheet__state="submitted").exists():
        errors["reevaluation_result"] = _("No member of the new panel has submitted scores yet.")
    elif not values["result"]:
        errors["reevaluation_result"] = _("Summarise the re-evaluation's result; the region will read it.")
    if errors:
        raise ValidationError(errors)
    return {"reevaluation_result": values["result"]}


def _tell_the_region(objection: Objection) -> None:
    from accounts.services import notify
    from proposals.selectors import officials_of

    notify(users=officials_of(objection.proposal), url=f"/evaluations/proposals/{objection.proposal_id}/objection/",
           message=_("Your objection to the result of “%(title)s” was answered: %(state)s.") % {
               "title": objection.proposal.title_ko, "state": objection.get_state_display()})


def _announce_answer(objection: Objection) -> None:
    transaction.on_commit(lambda: objection_answered.send(sender=Objection, objection=objection))


@dataclass(frozen=True)
class ObjectionMove(Move):
    guard: Callable | None = None  # guard(objection, values) → the fields it writes, or ValidationError
    answers: bool = False  # stamps who answered and when
    then: tuple = field(default=())  # then(objection): who is told, what is announced


ANSWER = "evaluations.answer_objection"
OBJECTION_MOVES = {
    "review": ObjectionMove(gettext_lazy("Start the review"), frozenset({OS.LODGED}), OS.UNDER_REVIEW, ANSWER,
                            gettext_lazy("The objection is already “%(state)s”.")),
    "uphold": ObjectionMove(gettext_lazy("Uphold"), frozenset({OS.LODGED, OS.UNDER_REVIEW}), OS.UPHELD, ANSWER,
                            gettext_lazy("The objection was already answered (“%(state)s”)."), guard=_guard_uphold,
                            answers=True, then=(_tell_the_region, _announce_answer)),
    "dismiss": ObjectionMove(gettext_lazy("Dismiss"), frozenset({OS.LODGED, OS.UNDER_REVIEW}), OS.DISMISSED, ANSWER,
                             gettext_lazy("The objection was already answered (“%(state)s”)."), guard=_guard_answer,
                             answers=True, then=(_tell_the_region, _announce_answer)),
    "close_reevaluation": ObjectionMove(gettext_lazy("Close the re-evaluation"), frozenset({OS.UPHELD}),
                                        OS.RE_EVALUATED, ANSWER,
                                        gettext_lazy("There is no re-evaluation under way (“%(state)s”)."),
                                        guard=_guard_close, then=(_tell_the_region, _announce_answer)),
}


@transaction.atomic
def objection_transition(*, actor, objection: Objection, action: str, answer: str = "", remedy: str = "",
                         correction: str = "", reevaluation_deadline: datetime.date | None = None,
                         result: str = "", now=None) -> Objection:
    move = move_of(OBJECTION_MOVES, action)
    objection = Objection.objects.select_for_update().select_related("proposal__call").get(pk=objection.pk)
    check_move(move, actor=actor, obj=objection)
    now = now or timezone.now()
    values = {"answer": answer.strip(), "remedy": remedy, "correction": correction.strip(),
              "reevaluation_deadline": reevaluation_deadline, "result": result.strip(), "now": now}
    changes = move.guard(objection, values) if move.guard else {}

    before = objection.state
    objection.state = move.target
    for name, value in changes.items():
        setattr(objection, name, value)
    update = ["state", "updated_at", *changes]
    if move.answers:
        objection.answered_by, objection.answered_at = actor, now
        update += ["answered_by", "answered_at"]
    objection.save(update_fields=update)
    record(actor=actor, action=AuditAction.OBJECTION, obj=objection, summary=str(move.label),
           before={"state": before}, after={"state": objection.state, **changes})
    for step in move.then:
        step(objection)
    return objection


def objection_start_review(*, actor, objection, now=None):
    return objection_transition(actor=actor, objection=objection, action="review", now=now)


def objection_dismiss(*, actor, objection, reasons: str, now=None):
    return objection_transition(actor=actor, objection=objection, action="dismiss", answer=reasons, now=now)


def objection_uphold(*, actor, objection, answer: str, remedy: str, correction: str = "",
                     reevaluation_deadline=None, now=None):
    return objection_transition(actor=actor, objection=objection, action="uphold", answer=answer, remedy=remedy,
                                correction=correction, reevaluation_deadline=reevaluation_deadline, now=now)


def objection_close_reevaluation(*, actor, objection, result: str):
    return objection_transition(actor=actor, objection=objection, action="close_reevaluation", result=result)


def available_moves(*, user, objection: Objection) -> list[str]:
    """The moves staff could try now (for the page's forms); the checks run on submit."""
    return [name for name, move in OBJECTION_MOVES.items()
            if objection.state in move.sources and user.has_perm(move.permission, objection)
            and (name != "close_reevaluation" or objection.is_reevaluation)]


# --- The re-evaluation ----------------------------------------------------------------------


def _open_reevaluation(proposal) -> Objection | None:
    return Objection.objects.filter(proposal=proposal, state=OS.UPHELD,
                                    remedy=ObjectionRemedy.RE_EVALUATION).first()


def original_panel_ids(proposal) -> set[int]:
    """The experts of the proposal's original evaluation (withdrawn ones too)."""
    return set(Assignment.objects.filter(kind=AssignmentKind.EVALUATION, proposal=proposal)
               .values_list("expert_id", flat=True))


def reevaluation_candidates(proposal) -> list:
    """The experts a re-evaluation of `proposal` may take: active and available, not on the
    original panel nor already on the new one, with no conflict of interest (the same check as
    every assignment; panel_assign checks again)."""
    from accounts.models import Role, User

    taken = original_panel_ids(proposal) | set(
        Assignment.objects.filter(proposal=proposal, kind=AssignmentKind.REEVALUATION)
        .values_list("expert_id", flat=True))
    facts = proposal_facts(proposal)
    experts = (User.objects.filter(role=Role.EXPERT, is_active=True, expert_profile__available=True)
               .exclude(pk__in=taken).select_related("expert_profile").order_by("display_name", "pk"))
    return [e for e in experts if not expert_conflicts(profile=e.expert_profile, proposal=proposal, facts=facts)]


def check_reevaluation_assignable(*, proposal, expert) -> None:
    """For panels' one assignment check (after the conflicts of interest): a re-evaluation is
    under way, and the expert was not on the original panel."""
    if _open_reevaluation(proposal) is None:
        raise ValidationError(_("Experts are assigned for a re-evaluation only while an upheld objection "
                                "calls for one."))
    if expert.pk in original_panel_ids(proposal):
        raise ValidationError(_("%(expert)s sat on the original panel; a re-evaluation needs a new panel.") % {
            "expert": expert})


def check_reevaluation_scoring_open(*, assignment, now=None) -> None:
    objection = _open_reevaluation(assignment.proposal)
    if objection is None:
        raise ValidationError(_("This re-evaluation is closed."))
    today = timezone.localtime(now or timezone.now(), SEOUL).date()
    if objection.reevaluation_deadline and today > objection.reevaluation_deadline:
        raise ValidationError(_("The re-evaluation's scoring window closed on %(day)s.") % {
            "day": date_format(objection.reevaluation_deadline, "Y-m-d")})


def _notify_staff(objection: Objection, message: str) -> None:
    from accounts.models import Role, User
    from accounts.services import notify

    notify(users=User.objects.filter(role=Role.MINISTRY, is_active=True), message=message,
           url=f"/evaluations/objections/{objection.pk}/")
