"""Reminders before each planning phase closes: the officials of regions with work left in the closing
phase, 7 and 1 days before, once per phase, region and lead time (the beat task runs daily)."""

import datetime

import pytest
from django.conf import settings

from accounts.models import Notification
from programmes.models import Region
from proposals.models import PlanningReminder
from proposals.services import themes
from proposals.services.reminders import planning_reminders_send
from proposals.tasks import remind_planning_deadlines
from tests.proposals.test_theme_selection import call  # noqa: F401  (fixture)
from tests.proposals.test_themes import FIELDS

pytestmark = pytest.mark.django_db


def test_the_beat_schedules_the_reminders_daily():
    assert settings.CELERY_BEAT_SCHEDULE["remind-planning-deadlines"]["task"] == "proposals.tasks.remind_planning_deadlines"
    assert tuple(settings.PLANNING_REMINDER_DAYS) == (7, 1)


def test_regions_with_work_left_are_reminded_once_before_the_selection_closes(call, official,  # noqa: F811
                                                                             partner_official):
    jeonnam = Region.objects.get(code="jeonnam")
    theme = themes.theme_create(actor=official, call=call, fields=FIELDS, partners=[jeonnam])
    themes.theme_select(actor=official, call=call, theme=theme, reason="역량 집중")
    week_before = call.selection_end - datetime.timedelta(days=7)
    eligible = call.eligible_regions.count()
    assert planning_reminders_send(today=week_before - datetime.timedelta(days=1)) == 0  # D-8: nothing yet
    # D-7: every region but Gwangju (selected and signed off) still has something to do.
    assert planning_reminders_send(today=week_before) == eligible - 1
    assert not Notification.objects.filter(user=official).exists()
    note = Notification.objects.get(user=partner_official)
    assert call.selection_end.isoformat() in note.message and note.url.endswith(f"/selection/{call.pk}/")
    # Sent once: the next days send nothing again until D-1.
    assert planning_reminders_send(today=week_before) == 0
    assert planning_reminders_send(today=week_before + datetime.timedelta(days=3)) == 0
    themes.selection_sign_off(actor=partner_official, theme=theme)
    assert planning_reminders_send(today=call.selection_end - datetime.timedelta(days=1)) == eligible - 2
    assert Notification.objects.filter(user=partner_official).count() == 1  # Jeonnam has nothing left
    assert PlanningReminder.objects.filter(region=jeonnam, days_before=1).count() == 0


def test_a_missed_day_sends_only_the_nearest_reminder(call, official):  # noqa: F811
    two_days_before = call.selection_end - datetime.timedelta(days=2)  # the D-7 run never happened
    assert planning_reminders_send(today=two_days_before) == call.eligible_regions.count()
    assert Notification.objects.filter(user=official).count() == 1
    assert set(PlanningReminder.objects.filter(region=official.region).values_list("days_before", flat=True)) == {7}
    assert planning_reminders_send(today=call.selection_end - datetime.timedelta(days=1)) == call.eligible_regions.count()


def test_the_task_sends_what_is_due_today(call, official, monkeypatch):  # noqa: F811
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: call.discovery_end - datetime.timedelta(days=1))
    assert remind_planning_deadlines() == call.eligible_regions.count()  # no region registered a theme yet
    assert Notification.objects.filter(user=official).exists()
