"""Celery beat's schedule: crontab times read in Seoul time (KST, UTC+9, no daylight saving).

Each entry is asked when it runs next after a fixed moment, through Celery's own
crontab arithmetic with the portal's Celery app (so its timezone applies): the
09:00 reminders fire at 09:00 KST, which is midnight UTC, not at 09:00 UTC.
"""

import copy
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from celery.schedules import crontab
from django.conf import settings

from megaproject.celery_app import app as celery_app

SEOUL = ZoneInfo("Asia/Seoul")
UTC = ZoneInfo("UTC")


def next_run(name: str, after: datetime) -> datetime:
    """When beat sends the entry `name` next, if it last ran at `after` and the clock reads `after`."""
    schedule = copy.copy(settings.CELERY_BEAT_SCHEDULE[name]["schedule"])
    schedule.app = celery_app
    schedule.nowfun = lambda: after
    return (after + schedule.remaining_estimate(after)).astimezone(SEOUL)


def kst(*args) -> datetime:
    return datetime(*args, tzinfo=SEOUL)


def test_the_celery_app_reads_its_schedule_in_seoul_time():
    assert settings.CELERY_TIMEZONE == "Asia/Seoul"
    assert str(celery_app.conf.timezone) == "Asia/Seoul"
    assert celery_app.timezone == SEOUL


def test_every_entry_is_a_crontab_naming_a_registered_task():
    celery_app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert isinstance(entry["schedule"], crontab), name
        assert entry["task"] in celery_app.tasks, name


def test_the_score_reminders_go_out_at_nine_in_the_morning_seoul_time():
    assert next_run("remind-unsubmitted-scores", kst(2026, 3, 2, 8, 59)) == kst(2026, 3, 2, 9, 0)
    assert next_run("remind-unsubmitted-scores", kst(2026, 3, 2, 9, 0)) == kst(2026, 3, 3, 9, 0)


def test_nine_in_the_morning_in_seoul_is_midnight_utc():
    at = next_run("remind-unsubmitted-scores", datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    assert at.astimezone(UTC) == datetime(2026, 3, 2, 0, 0, tzinfo=UTC)


def test_the_score_reminders_run_every_day_weekends_included():
    saturday = kst(2026, 3, 7, 9, 0)
    assert saturday.strftime("%A") == "Saturday"
    assert next_run("remind-unsubmitted-scores", saturday - timedelta(minutes=1)) == saturday
    assert next_run("remind-unsubmitted-scores", saturday) == kst(2026, 3, 8, 9, 0)


def test_the_annual_reports_are_opened_and_chased_at_eight_seoul_time_every_day():
    assert next_run("annual-reports-daily", kst(2026, 12, 31, 7, 0)) == kst(2026, 12, 31, 8, 0)
    assert next_run("annual-reports-daily", kst(2026, 12, 31, 8, 0)) == kst(2027, 1, 1, 8, 0)


def test_expired_exports_are_purged_every_hour_on_the_hour():
    assert next_run("purge-expired-exports", kst(2026, 3, 2, 13, 20)) == kst(2026, 3, 2, 14, 0)
    assert next_run("purge-expired-exports", kst(2026, 3, 2, 23, 0)) == kst(2026, 3, 3, 0, 0)


def test_ended_log_in_sessions_are_purged_every_night_at_twenty_to_four_seoul_time():
    assert next_run("purge-ended-sessions", kst(2026, 3, 2, 13, 20)) == kst(2026, 3, 3, 3, 40)
    assert next_run("purge-ended-sessions", kst(2026, 3, 3, 3, 39)) == kst(2026, 3, 3, 3, 40)


def test_accounts_whose_access_ended_are_deactivated_every_night_just_after_midnight_seoul_time():
    assert next_run("end-expired-access", kst(2026, 3, 2, 23, 0)) == kst(2026, 3, 3, 0, 5)
    assert next_run("end-expired-access", kst(2026, 3, 3, 0, 5)) == kst(2026, 3, 4, 0, 5)


def test_the_personal_data_access_log_is_purged_every_night_at_half_past_three_seoul_time():
    assert settings.CELERY_BEAT_SCHEDULE["purge-personal-data-log"]["task"] == "audit.tasks.purge_personal_data_log"
    assert next_run("purge-personal-data-log", kst(2026, 3, 2, 3, 0)) == kst(2026, 3, 2, 3, 30)
    assert next_run("purge-personal-data-log", kst(2026, 3, 2, 3, 30)) == kst(2026, 3, 3, 3, 30)
