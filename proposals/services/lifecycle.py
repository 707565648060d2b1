"""The proposal lifecycle: one transition function beside the table of allowed moves.

check the move is allowed from the current state → check permission → run the
move's guard (deadline, completeness, sign-offs, reason) → write in a
transaction → record the event → freeze a version where the move needs one →
notify after commit.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import AuditAction, record
from core import josa
from core.permissions import require
from programmes.models import CallStatus

from ..disclosure import disclosure_for, region_disclosure
from ..models import Proposal, ProposalEvent, ProposalState, ProposalVersion, VersionKind
from .budget import budget_problems
from .editing import budget_cells
from .versions import snapshot

S = ProposalState


@dataclass(frozen=True)
class Move:
    label: str
    sources: frozenset
    target: str
    permission: str
    freezes: str | None = None  # VersionKind to freeze, if any
    needs_reason: bool = False
    guards: tuple = field(default=())
    by_hand: bool = True  # False: only another service makes this move (never a button)


def _guard_call_open(proposal: Proposal, now) -> None:
    call = proposal.call
    if call.status != CallStatus.OPEN:
        raise ValidationError(_("The call is not open (status: %(status)s).") % {"status": call.get_status_display()})


def _guard_before_deadline(proposal: Proposal, now) -> None:
    deadline = proposal.call.submission_deadline
    if now > deadline:
        raise ValidationError(_("The submission deadline has passed (%(deadline)s, Korea time).") % {
            "deadline": date_format(timezone.localtime(deadline), "Y-m-d H:i:s")})


def _guard_submittable(proposal: Proposal, now) -> None:
    """Submission's guard: the same reasons the submit button lists (`submit_blockers`)."""
    blockers = submit_blockers(proposal, now=now)
    if blockers:
        raise ValidationError([b.message for b in blockers])


MOVES = {
    "send_to_consulting": Move(gettext_lazy("Send to consulting"), frozenset({S.DRAFT, S.REVISING}), S.CONSULTING,
                               "proposals.send_to_consulting", freezes=VersionKind.CONSULTING,
                               guards=(_guard_call_open, _guard_before_deadline)),
    "start_revising": Move(gettext_lazy("Close the consulting round"), frozenset({S.CONSULTING}), S.REVISING,
                           "proposals.start_revising"),
    "submit": Move(gettext_lazy("Submit"), frozenset({S.DRAFT, S.REVISING}), S.SUBMITTED, "proposals.submit",
                   freezes=VersionKind.SUBMISSION, guards=(_guard_submittable,)),
    "pass_eligibility": Move(gettext_lazy("Eligibility passed"), frozenset({S.SUBMITTED}), S.ELIGIBLE,
                             "proposals.check_eligibility"),
    "fail_eligibility": Move(gettext_lazy("Eligibility failed"), frozenset({S.SUBMITTED}), S.INELIGIBLE,
                             "proposals.check_eligibility", needs_reason=True),
    "select": Move(gettext_lazy("Select"), frozenset({S.ELIGIBLE, S.RESERVE}), S.SELECTED,
                   "proposals.decide_selection", needs_reason=True),
    "reserve": Move(gettext_lazy("Put on the reserve list"), frozenset({S.ELIGIBLE}), S.RESERVE,
                    "proposals.decide_selection", needs_reason=True),
    "not_select": Move(gettext_lazy("Do not select"), frozenset({S.ELIGIBLE, S.RESERVE}), S.NOT_SELECTED,
                       "proposals.decide_selection", needs_reason=True),
    # Only the funding service moves a proposal to funded, when a decision is approved.
    "fund": Move(gettext_lazy("Fund"), frozenset({S.SELECTED}), S.FUNDED, "proposals.fund", by_hand=False),
    "withdraw": Move(gettext_lazy("Withdraw"), frozenset(S.withdrawable()), S.WITHDRAWN, "proposals.withdraw",
                     guards=(_guard_before_deadline,)),
}


def available_moves(*, user, proposal: Proposal) -> list[tuple[str, Move]]:
    """Moves the user could try now (for buttons); guards are checked on submit."""
    return [
        (name, move) for name, move in MOVES.items()
        if move.by_hand and proposal.state in move.sources and user.has_perm(move.permission, proposal)
    ]


@transaction.atomic
def proposal_transition(*, actor, proposal: Proposal, action: str, reason: str = "", now=None,
                        by_hand: bool = False) -> Proposal:
    move = MOVES.get(action)
    if move is None or (by_hand and not move.by_hand):
        raise ValidationError(_("Unknown action."))
    locked = Proposal.objects.select_for_update().select_related("call", "lead_region").get(pk=proposal.pk)
    if locked.state not in move.sources:
        # The state as this user may know it (a region: "under review" while results are sealed).
        raise ValidationError(_("“%(action)s” is not possible while the proposal is “%(state)s”.") % {
            "action": move.label, "state": disclosure_for(user=actor, proposal=locked).label})
    require(actor, move.permission, locked)
    if move.needs_reason and not reason.strip():
        raise ValidationError({"reason": _("Give the reason; the regions will read it.")})
    now = now or timezone.now()
    for guard in move.guards:
        guard(locked, now)

    previous = locked.state
    told_before = region_disclosure(locked)
    locked.state = move.target
    locked.state_reason = reason.strip()
    update = ["state", "state_reason", "updated_at"]
    if move.target == S.SUBMITTED:
        locked.submitted_at = now
        update.append("submitted_at")
    locked.save(update_fields=update)
    version = None
    if move.freezes:
        number = locked.next_version_number()
        version = ProposalVersion.objects.create(
            proposal=locked, number=number, kind=move.freezes, revision=locked.revision,
            snapshot=snapshot(locked), created_by=actor,
        )
    ProposalEvent.objects.create(
        proposal=locked, actor=actor, action=action, from_state=previous, to_state=locked.state,
        note=reason.strip() or (f"v{version.number}" if version else ""),
    )
    record(actor=actor, action=AuditAction.for_proposal_move(action), obj=locked, summary=str(move.label),
           before={"state": previous}, after={"state": locked.state, "state_reason": locked.state_reason})
    _notify_state_change(locked, actor, told_before=told_before)
    return locked


def _state_message(proposal: Proposal, shown) -> str:
    message = josa.format(_("“%(title)s” is now “%(state)s”."), title=proposal.title_ko, state=shown.label)
    if shown.reason:
        message += " " + _("Reason: %(reason)s") % {"reason": shown.reason}
    return message


def _notify_state_change(proposal: Proposal, actor, *, told_before) -> None:
    """The regions hear of the state they may know (proposals.disclosure): a result made before
    the announcement is told by `proposals_announce_results`; the ministry hears of submissions."""
    from accounts.models import Role, User
    from accounts.services import notify

    from ..selectors import officials_of

    shown = region_disclosure(proposal)
    if shown != told_before:
        notify(users=officials_of(proposal).exclude(pk=actor.pk), message=_state_message(proposal, shown),
               url=f"/proposals/{proposal.pk}/")
    if proposal.state in {S.SUBMITTED, S.CONSULTING}:
        staff = User.objects.filter(role=Role.MINISTRY, is_active=True).exclude(pk=actor.pk)
        notify(users=staff, message=_state_message(proposal, disclosure_for(user=actor, proposal=proposal)),
               url=f"/proposals/{proposal.pk}/")


def results_announced(sender, *, call, actor, **kwargs) -> None:
    """Receiver of programmes' `call_announced`."""
    proposals_announce_results(call=call)


def proposals_announce_results(*, call) -> int:
    """The call's results are announced (programmes.signals.call_announced): each participating
    region hears at once of its proposal's result and reason, held back until now. Returns how
    many proposals were told."""
    from accounts.services import notify

    from ..disclosure import SEALED_STATES
    from ..selectors import officials_of

    told = 0
    for proposal in Proposal.objects.filter(call=call, state__in=SEALED_STATES).select_related("call").order_by("pk"):
        notify(users=officials_of(proposal), message=_state_message(proposal, region_disclosure(proposal)),
               url=f"/proposals/{proposal.pk}/")
        told += 1
    return told


# Named entry points, one per move (what views, tests and seeds call).
def proposal_send_to_consulting(*, actor, proposal, now=None):
    return proposal_transition(actor=actor, proposal=proposal, action="send_to_consulting", now=now)


def proposal_start_revising(*, actor, proposal, now=None):
    return proposal_transition(actor=actor, proposal=proposal, action="start_revising", now=now)


def proposal_submit(*, actor, proposal, now=None):
    return proposal_transition(actor=actor, proposal=proposal, action="submit", now=now)


def proposal_check_eligibility(*, actor, proposal, passed: bool, reason: str = ""):
    action = "pass_eligibility" if passed else "fail_eligibility"
    return proposal_transition(actor=actor, proposal=proposal, action=action, reason=reason)


def proposal_withdraw(*, actor, proposal, now=None):
    return proposal_transition(actor=actor, proposal=proposal, action="withdraw", now=now)


# --- Completeness -----------------------------------------------------------------


@dataclass
class ChecklistItem:
    key: str
    label: str
    done: bool
    step: str  # the form step where the item is fixed
    anchor: str = ""  # the part of that step's page, if any


@dataclass(frozen=True)
class SubmitBlocker:
    """One reason the proposal cannot be submitted now, and where it is fixed (a form step)."""

    key: str
    message: str
    step: str = ""
    anchor: str = ""


def submit_blockers(proposal: Proposal, *, now=None, items: list | None = None) -> list[SubmitBlocker]:
    """Everything that stands between the proposal and its submission, in the order to fix it:
    the state (consulting must close first), the call (open, before its deadline), then each
    missing checklist item (`items`: the checklist when the caller has it already). The submit
    move checks exactly this list; the pages show it."""
    now = now or timezone.now()
    blockers = []
    if proposal.state == S.CONSULTING:
        blockers.append(SubmitBlocker("consulting", _("You can submit once the consulting round is closed.")))
    elif proposal.state not in MOVES["submit"].sources:
        blockers.append(SubmitBlocker("state", _("A proposal that is “%(state)s” cannot be submitted.") % {
            "state": proposal.get_state_display()}))
    for key, guard in (("call", _guard_call_open), ("deadline", _guard_before_deadline)):
        try:
            guard(proposal, now)
        except ValidationError as exc:
            blockers.append(SubmitBlocker(key, " ".join(exc.messages)))
    blockers.extend(SubmitBlocker(item.key, item.label, item.step, item.anchor)
                    for item in (checklist(proposal) if items is None else items) if not item.done)
    return blockers


def checklist(proposal: Proposal) -> list[ChecklistItem]:
    """What must be true before submission, in the order of the form's steps."""
    call = proposal.call
    participations = list(proposal.participations.all())
    region_ids = {p.region_id for p in participations}
    stages = list(proposal.stages.all())
    lines = list(proposal.budget_lines.all())
    org_regions = {o.region_id for o in proposal.organisations.all()}
    if proposal.is_consortium:
        consortium_ok = len(participations) >= 2
        consortium_label = _("A super-regional proposal has two or more regions")
    else:
        consortium_ok = len(participations) == 1
        consortium_label = _("A regional innovation leap proposal has exactly one region")
    roadmap_ok = bool(stages) and stages[0].years == call.pilot_years and (
        sum(s.years for s in stages) <= call.max_total_years)
    pilot = proposal.pilot_years()
    budget_ok = (
        sum(b.national_won for b in lines if b.year in pilot) > 0
        and not budget_problems(call=call, cells=budget_cells(proposal), years=proposal.project_years(),
                                pilot_years=pilot)
    )
    items = [
        ChecklistItem("overview", _("Overview: title, strategic industry, summary and regional problem"),
                      bool(proposal.title_ko and proposal.industry_id and proposal.summary and proposal.problem),
                      "overview"),
        ChecklistItem("consortium", consortium_label, consortium_ok, "consortium"),
        ChecklistItem("roadmap", _("Stage roadmap starting with the pilot, within the maximum years"),
                      roadmap_ok, "roadmap"),
        ChecklistItem("goals", _("Vision, goals and at least one KPI"),
                      bool(proposal.vision and proposal.goals and proposal.kpis.exists()), "goals"),
        ChecklistItem("budget", _("Budget plan within the cap and the local matching rule"), budget_ok, "budget"),
        ChecklistItem("links", _("At least one linked government project"),
                      proposal.linked_projects.exists(), "links"),
        ChecklistItem("organisations", _("Participating organisations for every region"),
                      region_ids <= org_regions and bool(region_ids), "organisations"),
        ChecklistItem("sign_offs", _("Every region signed off the current version"),
                      all(p.is_signed_for(proposal.revision) for p in participations), "review", "sign-off"),
    ]
    return items
