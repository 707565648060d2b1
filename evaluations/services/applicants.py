"""Applicants naming reviewers (the national guideline lets them, before panels are formed):
the lead region lists up to N people it considers unsuitable to evaluate its proposal, each
with a reason, and suggests fields of expertise. A pool expert on the list is left out of the
proposal's panel (by hand and by the automatic plan) unless staff override with a reason.

"Formed" here: the call's review has started (status review or later), or an evaluation
assignment exists for the proposal. The list is never shown to experts."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from audit.services import AuditAction, record
from core.permissions import require
from programmes.models import CallStatus, StrategicIndustry
from proposals.models import Proposal, ProposalState

from ..models import Assignment, AssignmentKind, SuggestedField, UnsuitableReviewer

# Proposals whose panel is still to come (later states: the evaluation is over or never happens).
OPEN_STATES = {ProposalState.DRAFT, ProposalState.CONSULTING, ProposalState.REVISING, ProposalState.SUBMITTED,
               ProposalState.ELIGIBLE}
FORMED_CALL_STATUSES = {CallStatus.REVIEW, CallStatus.ANNOUNCED}


def list_closed_reason(proposal: Proposal) -> str | None:
    """Why the lead region may no longer change its reviewer list (None: it may)."""
    if proposal.state not in OPEN_STATES:
        return _("The list can no longer be changed: the proposal is “%(state)s”.") % {
            "state": proposal.get_state_display()}
    if proposal.call.status in FORMED_CALL_STATUSES:
        return _("The list can no longer be changed: the call's review has started and its panels are formed.")
    if Assignment.objects.filter(proposal=proposal, kind=AssignmentKind.EVALUATION).exists():
        return _("The list can no longer be changed: the panel for this proposal is formed.")
    return None


def _lock_open(*, actor, proposal: Proposal) -> Proposal:
    require(actor, "evaluations.name_reviewers", proposal)
    proposal = Proposal.objects.select_for_update().select_related("call").get(pk=proposal.pk)
    reason = list_closed_reason(proposal)
    if reason:
        raise ValidationError(reason)
    return proposal


@transaction.atomic
def unsuitable_add(*, actor, proposal: Proposal, reason: str, expert: User | None = None, name: str = "",
                   institution: str = "") -> UnsuitableReviewer:
    """Name one person unsuitable: a pool expert, or a name (and institution) as text."""
    proposal = _lock_open(actor=actor, proposal=proposal)
    reason, name, institution = (reason or "").strip(), (name or "").strip(), (institution or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Give the reason this person is unsuitable.")
    if expert is None and not name:
        errors["name"] = _("Choose an expert from the pool or write the person's name.")
    if expert is not None and expert.role != Role.EXPERT:
        errors["expert"] = _("%(user)s is not an expert.") % {"user": expert}
    if expert is not None and proposal.unsuitable_reviewers.filter(expert=expert).exists():
        errors["expert"] = _("%(expert)s is already on the list.") % {"expert": expert}
    limit = proposal.call.unsuitable_reviewers_max
    if proposal.unsuitable_reviewers.count() >= limit:
        errors["__all__"] = _("The call allows at most %(n)s unsuitable reviewers per proposal; "
                              "remove one before naming another.") % {"n": limit}
    if errors:
        raise ValidationError(errors)
    entry = UnsuitableReviewer(proposal=proposal, expert=expert, name="" if expert else name,
                               institution="" if expert else institution, reason=reason, named_by=actor)
    entry.full_clean()
    entry.save()
    record(actor=actor, action=AuditAction.REVIEWER_LIST, obj=proposal,
           after={"unsuitable": str(entry), "institution": entry.institution, "reason": reason})
    return entry


@transaction.atomic
def unsuitable_remove(*, actor, entry: UnsuitableReviewer) -> None:
    _lock_open(actor=actor, proposal=entry.proposal)
    record(actor=actor, action=AuditAction.REVIEWER_LIST, obj=entry.proposal,
           before={"unsuitable": str(entry), "reason": entry.reason})
    entry.delete()


@transaction.atomic
def suggested_field_add(*, actor, proposal: Proposal, industry: StrategicIndustry | None = None,
                        text: str = "") -> SuggestedField:
    """Suggest a field of expertise for the panel: a strategic industry, or free text."""
    proposal = _lock_open(actor=actor, proposal=proposal)
    text = (text or "").strip()
    if industry is None and not text:
        raise ValidationError({"text": _("Choose a field or write one.")})
    if industry is not None and proposal.suggested_fields.filter(industry=industry).exists():
        raise ValidationError({"industry": _("%(field)s is already suggested.") % {"field": industry}})
    suggestion = SuggestedField(proposal=proposal, industry=industry, text="" if industry else text, added_by=actor)
    suggestion.full_clean()
    suggestion.save()
    record(actor=actor, action=AuditAction.REVIEWER_LIST, obj=proposal, after={"suggested_field": str(suggestion)})
    return suggestion


@transaction.atomic
def suggested_field_remove(*, actor, suggestion: SuggestedField) -> None:
    _lock_open(actor=actor, proposal=suggestion.proposal)
    record(actor=actor, action=AuditAction.REVIEWER_LIST, obj=suggestion.proposal,
           before={"suggested_field": str(suggestion)})
    suggestion.delete()


@transaction.atomic
def unsuitable_override(*, actor, entry: UnsuitableReviewer, reason: str) -> UnsuitableReviewer:
    """Staff may still assign a pool expert the region named unsuitable, giving the reason."""
    require(actor, "evaluations.manage_panels")
    entry = UnsuitableReviewer.objects.select_for_update(of=("self",)).select_related("expert", "proposal").get(pk=entry.pk)
    reason = (reason or "").strip()
    if entry.expert_id is None:
        raise ValidationError(_("Only an expert of the pool can be overridden; a name given as text "
                                "excludes nobody automatically."))
    if entry.is_overridden:
        raise ValidationError(_("This exclusion was already overridden."))
    if not reason:
        raise ValidationError({"reason": _("Give the reason for overriding the region's exclusion.")})
    entry.override_reason, entry.overridden_by, entry.overridden_at = reason, actor, timezone.now()
    entry.save(update_fields=["override_reason", "overridden_by", "overridden_at"])
    record(actor=actor, action=AuditAction.PANEL_RULE, obj=entry.proposal,
           after={"override": str(entry.expert), "reason": reason})
    return entry


# --- Reads for the panel screens and the assignment check ------------------------------------


def unsuitable_reasons(entry: UnsuitableReviewer) -> list[str]:
    return [_("Named unsuitable by the applicant: %(reason)s") % {"reason": entry.reason}]


def blocking_entries(proposal_ids) -> dict[int, dict[int, UnsuitableReviewer]]:
    """{proposal id: {expert id: entry}} of the pool experts each proposal's region named
    unsuitable and staff did not override (one query)."""
    out: dict[int, dict[int, UnsuitableReviewer]] = {}
    for entry in UnsuitableReviewer.objects.filter(proposal_id__in=proposal_ids, expert__isnull=False,
                                                   overridden_at__isnull=True):
        out.setdefault(entry.proposal_id, {})[entry.expert_id] = entry
    return out


def check_not_unsuitable(*, proposal: Proposal, expert: User) -> None:
    """Refuse an evaluation (selection or stage) the region excluded (unless staff overrode it)."""
    entry = UnsuitableReviewer.objects.filter(proposal=proposal, expert=expert, overridden_at__isnull=True).first()
    if entry is not None:
        raise ValidationError(_("%(expert)s was named unsuitable by the applicant (%(reason)s). Override the "
                                "exclusion with a reason on the panel page first.") % {
            "expert": expert, "reason": entry.reason})
