"""Reminders before each planning phase closes (issue 17): the officials of every region that still
has something to do in the closing phase (proposals.planning_status) are notified
PLANNING_REMINDER_DAYS days before its last day — once per phase, region and lead time (remembered in
PlanningReminder; a day the beat missed is caught up by the next run, sending only the nearest one)."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from programmes.models import Call, PlanningPhase

from ..models import PlanningReminder
from ..planning_status import region_standings


def reminder_days() -> list[int]:
    return sorted({int(d) for d in getattr(settings, "PLANNING_REMINDER_DAYS", (7, 1))})


def _url(call: Call, phase: str) -> str:
    if phase == PlanningPhase.DISCOVERY:
        return reverse("proposals:theme_list") + f"?call={call.pk}"
    return reverse("proposals:selection", args=[call.pk])


def planning_reminders_send(*, today=None) -> int:
    """Send the reminders due today; returns the number of regions reminded."""
    today = today or timezone.localdate()
    days = reminder_days()
    if not days:
        return 0
    sent = 0
    calls = Call.objects.filter(planning_start__isnull=False, planning_end__gte=today).order_by("pk")
    for call in calls:
        for phase in call.planning_phases():
            left = (phase["end"] - today).days
            due = [d for d in days if d >= left >= 0]
            if not due:
                continue
            nearest = min(due)
            standings = [s for s in region_standings(call) if s.open_work(phase["phase"])]
            if not standings:
                continue
            done = set(PlanningReminder.objects.filter(call=call, phase=phase["phase"], days_before__in=due)
                       .values_list("region_id", "days_before"))
            for s in standings:
                if (s.region.pk, nearest) in done:
                    continue
                sent += _remind(call=call, phase=phase, region=s.region, due=due, done=done)
    return sent


def _remind(*, call, phase, region, due, done) -> int:
    from accounts.services import notify

    try:
        with transaction.atomic():
            for d in due:  # the nearest one is sent; the farther ones are past and need not be
                if (region.pk, d) not in done:
                    PlanningReminder.objects.create(call=call, region=region, phase=phase["phase"], days_before=d)
            officials = list(User.objects.filter(role=Role.OFFICIAL, region=region, is_active=True))
            notify(users=officials, url=_url(call, phase["phase"]), message=_(
                "Reminder: %(phase)s of “%(call)s” closes at the end of %(day)s (Korea time); your region still "
                "has something to do in it.") % {"phase": PlanningPhase(phase["phase"]).label, "call": call.title,
                                                 "day": phase["end"].isoformat()})
    except IntegrityError:  # another run sent it meanwhile
        return 0
    return 1
