"""Two evaluation rounds (Call.evaluation_rounds = 2): the written review (서면평가) of every
eligible proposal, then the presentation (발표평가) of a shortlist.

Round 1 is today's scoring (Assignment.round = 1). Staff take the shortlist from the written
round's ranking once every written scoresheet is in; the shortlisted proposals get round-2
panels (panel_assign(round=2)), which declare, pledge and score as round 1 does, within the
call's presentation dates. The final score combines the two rounds by the call's weights
(aggregation.combine_rounds)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.services import AuditAction, record
from core.permissions import require
from programmes.models import Call
from proposals.models import Proposal, ProposalState

from ..models import (
    Assignment,
    AssignmentKind,
    Attendance,
    EvaluationRound,
    PresentationSlot,
    ScoresheetState,
    ShortlistEntry,
)


def written_round_open(call) -> list[Assignment]:
    """The written round's evaluations still without submitted scores (conflicted ones aside)."""
    return list(Assignment.objects.filter(
        kind=AssignmentKind.EVALUATION, round=EvaluationRound.WRITTEN, proposal__call=call,
        conflict_declared=False, proposal__state=ProposalState.ELIGIBLE,
    ).exclude(scoresheet__state=ScoresheetState.SUBMITTED))


@transaction.atomic
def shortlist_take(*, actor, call) -> list[ShortlistEntry]:
    """Invite the call's `shortlist_size` best proposals of the written round to present: the
    board's ranking (the call's score: trimmed or confidence-weighted mean, not normalised; ties
    by its rule). Taken once, when every written scoresheet is in; audit-recorded."""
    require(actor, "evaluations.manage_rounds")
    call = Call.objects.select_for_update().get(pk=call.pk)
    if not call.has_two_rounds:
        raise ValidationError(_("This call has a single evaluation round."))
    if ShortlistEntry.objects.filter(call=call).exists():
        raise ValidationError(_("The shortlist of this call was already taken."))
    eligible = Proposal.objects.filter(call=call, state=ProposalState.ELIGIBLE).count()
    if not call.shortlist_size or call.shortlist_size > eligible:
        raise ValidationError({"shortlist_size": _(
            "The shortlist of %(size)s is larger than the call's %(eligible)s eligible proposals.") % {
            "size": call.shortlist_size or 0, "eligible": eligible}})
    if missing := written_round_open(call):
        raise ValidationError(_("%(n)s written-round scoresheets are not submitted yet.") % {"n": len(missing)})
    from ..selectors import ranking_order  # the board's own order

    ranked = [r for r in ranking_order(call=call) if r.evaluators]
    chosen = ranked[:call.shortlist_size]
    entries = ShortlistEntry.objects.bulk_create([
        ShortlistEntry(call=call, proposal_id=r.proposal_id, written_rank=place, taken_by=actor,
                       written_score=Decimal(str(r.score(by_confidence=call.weight_by_confidence))).quantize(
                           Decimal("0.001")))
        for place, r in enumerate(chosen, start=1)])
    record(actor=actor, action=AuditAction.EVALUATION_ROUND, obj=call, summary=_("Shortlist taken"),
           after={"shortlist": [e.proposal_id for e in entries]})
    return entries


def check_round_assignable(*, proposal, round: int) -> None:
    """A presentation-round seat only on a two-round call's shortlisted proposal."""
    if round == EvaluationRound.WRITTEN:
        return
    if round != EvaluationRound.PRESENTATION or not proposal.call.has_two_rounds:
        raise ValidationError(_("This call has a single evaluation round."))
    if not ShortlistEntry.objects.filter(proposal=proposal).exists():
        raise ValidationError(_("Only shortlisted proposals have a presentation panel."))


# --- The presentation schedule -------------------------------------------------------------


def presentation_panel(proposal_ids) -> dict[int, set[int]]:
    """{proposal id: expert ids} of the presentation panels (members who declared a conflict aside)."""
    panels: dict[int, set[int]] = {}
    for pid, expert in Assignment.objects.filter(
            kind=AssignmentKind.EVALUATION, round=EvaluationRound.PRESENTATION, proposal_id__in=proposal_ids,
            conflict_declared=False).values_list("proposal_id", "expert_id"):
        panels.setdefault(pid, set()).add(expert)
    return panels


def _when(value) -> str:
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


@transaction.atomic
def slot_set(*, actor, proposal, starts_at, ends_at, place: str = "", online_link: str = "") -> PresentationSlot:
    """Set (or move) a shortlisted proposal's presentation: inside the call's presentation dates
    (Korea time), a place or an online link, never overlapping another presentation of a member
    of the same panel. The lead and partner regions and the panel are told (in the portal and by
    mail). Errors come back keyed by field."""
    require(actor, "evaluations.manage_rounds")
    call = Call.objects.select_for_update().get(pk=proposal.call_id)  # one scheduler at a time per call
    if not ShortlistEntry.objects.filter(proposal=proposal).exists():
        raise ValidationError(_("Only shortlisted proposals have a presentation panel."))
    place, online_link = (place or "").strip(), (online_link or "").strip()
    errors = {}
    if not place and not online_link:
        errors["place"] = _("Give a place or an online link.")
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = _("The presentation ends after it starts.")
    window = (call.presentation_start, call.presentation_end)
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value is None:
            errors[name] = _("Give the date and time.")
        elif None in window or not window[0] <= timezone.localdate(value) <= window[1]:
            errors.setdefault(name, call.window_refusal("presentation", now=value))
    if not errors:
        panel = presentation_panel([proposal.pk]).get(proposal.pk, set())
        others = (PresentationSlot.objects.filter(proposal__call=call, starts_at__lt=ends_at, ends_at__gt=starts_at)
                  .exclude(proposal=proposal).select_related("proposal"))
        shared = presentation_panel([o.proposal_id for o in others])
        for other in others:
            if panel & shared.get(other.proposal_id, set()):
                errors["starts_at"] = _("This overlaps the presentation of “%(title)s” (%(start)s), which a member "
                                        "of the same panel attends.") % {"title": other.proposal.title,
                                                                          "start": _when(other.starts_at)}
                break
    if errors:
        raise ValidationError(errors)
    slot = PresentationSlot.objects.filter(proposal=proposal).first()
    before = {"starts_at": slot.starts_at, "ends_at": slot.ends_at} if slot else {}
    if slot is None:
        slot = PresentationSlot(proposal=proposal, set_by=actor)
    slot.starts_at, slot.ends_at, slot.place, slot.online_link, slot.set_by = (
        starts_at, ends_at, place, online_link, actor)
    slot.full_clean(exclude=["proposal", "set_by", "uid"])
    slot.save()
    record(actor=actor, action=AuditAction.EVALUATION_ROUND, obj=slot, summary=_("Presentation scheduled"),
           before=before, after={"starts_at": starts_at, "ends_at": ends_at, "place": place, "online_link": online_link})
    _tell_the_invited(slot)
    return slot


def _tell_the_invited(slot: PresentationSlot) -> None:
    """The regions taking part and the presentation panel: when and where (nothing of the scores)."""
    from accounts.models import User
    from accounts.services import notify
    from proposals.selectors import officials_of

    proposal = slot.proposal
    where = ", ".join(x for x in (slot.place, slot.online_link) if x)
    message = _("“%(title)s” is invited to present on %(start)s – %(end)s at %(where)s.") % {
        "title": proposal.title, "start": _when(slot.starts_at),
        "end": date_format(timezone.localtime(slot.ends_at), "TIME_FORMAT"), "where": where}
    notify(users=officials_of(proposal), message=message, url=f"/evaluations/proposals/{proposal.pk}/presentation/")
    panel = presentation_panel([proposal.pk]).get(proposal.pk, set())
    notify(users=User.objects.filter(pk__in=panel, is_active=True), message=message,
           url="/evaluations/assignments/")


@transaction.atomic
def slot_attendance(*, actor, slot: PresentationSlot, attendance: str) -> PresentationSlot:
    """Staff record whether the proposal's team presented (attended) or not (absent), once the
    presentation has started."""
    require(actor, "evaluations.manage_rounds")
    slot = PresentationSlot.objects.select_for_update().get(pk=slot.pk)
    if attendance not in Attendance.values:
        raise ValidationError({"attendance": _("Choose attended or absent.")})
    if timezone.now() < slot.starts_at:
        raise ValidationError({"attendance": _("Attendance is recorded once the presentation has started.")})
    before = slot.attendance
    slot.attendance = attendance
    slot.save(update_fields=["attendance", "updated_at"])
    record(actor=actor, action=AuditAction.EVALUATION_ROUND, obj=slot, summary=_("Presentation attendance"),
           before={"attendance": before}, after={"attendance": attendance})
    return slot


def presentations_of(*, expert) -> list[PresentationSlot]:
    """The presentations an expert sits on (their presentation-round seats, conflicts aside)."""
    return list(PresentationSlot.objects.filter(
        proposal__assignments__expert=expert, proposal__assignments__kind=AssignmentKind.EVALUATION,
        proposal__assignments__round=EvaluationRound.PRESENTATION, proposal__assignments__conflict_declared=False,
    ).select_related("proposal").distinct().order_by("starts_at"))


def presentations_calendar(*, expert, stamp=None) -> bytes:
    """The expert's private iCalendar file of their presentation slots (core.ical)."""
    from core import ical

    events = [ical.Event(uid=f"{slot.uid}@presentation", summary=_("Presentation: %(title)s") % {
        "title": slot.proposal.title}, start=slot.starts_at, end=slot.ends_at,
        description="\n".join(x for x in (slot.place, slot.online_link) if x), location=slot.place,
        url=slot.online_link, busy=True) for slot in presentations_of(expert=expert)]
    return ical.calendar(events, name=_("My presentation evaluations"), stamp=stamp or timezone.now())
