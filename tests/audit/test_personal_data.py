"""The access log of personal data (audit.personal_data): masking, one recording function that
checks the purpose, rows nobody changes, and the purge after the retention period."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from audit.models import (
    AccessChannel,
    AuditAction,
    AuditEvent,
    AuditImmutable,
    PersonalDataAccess,
    PersonalDataSubject,
)
from audit.personal_data import mask_email, mask_phone, personal_data_log_purge, record_personal_data_access
from audit.tasks import purge_personal_data_log
from tests.factories import ExpertFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value, masked", [
    ("kim@kaist.ac.kr", "k***@kaist.ac.kr"), ("a@b.kr", "a***@b.kr"), ("", ""), ("not-an-address", "***"),
])
def test_an_e_mail_keeps_its_first_letter_and_domain(value, masked):
    assert mask_email(value) == masked


@pytest.mark.parametrize("value, masked", [
    ("010-1234-5678", "010-****-5678"), ("042-350-0000", "042-***-0000"), ("01012345678", "010****5678"),
    ("+82 10 1234 5678", "+82 1* **** 5678"), ("1234", "**34"), ("", ""),
])
def test_a_phone_number_keeps_its_first_three_and_last_four_digits(value, masked):
    assert mask_phone(value) == masked


@pytest.fixture
def kim(db):
    return ExpertFactory(username="kim", display_name="김하늘 교수")


def reveal(actor, subject, **kwargs):
    return record_personal_data_access(**{"actor": actor, "subjects": [subject], "items": ["email"],
                                          "purpose": "recruiting", "channel": AccessChannel.PAGE, **kwargs})


@pytest.mark.parametrize("purpose, detail, field", [
    ("fun", "", "purpose"), ("", "", "purpose"), ("other", "", "purpose_detail"), ("other", " \n ", "purpose_detail"),
    ("recruiting", "가" * 201, "purpose_detail"),
])
def test_the_recording_function_refuses_a_purpose_outside_the_list_or_other_without_words(
        ministry, kim, purpose, detail, field):
    with pytest.raises(ValidationError) as refused:
        reveal(ministry, kim, purpose=purpose, purpose_detail=detail)
    assert list(refused.value.message_dict) == [field]
    assert PersonalDataAccess.objects.count() == PersonalDataSubject.objects.count() == 0


def test_an_entry_is_never_changed(ministry, kim):
    entry = reveal(ministry, kim)
    entry.purpose = "other"
    with pytest.raises(AuditImmutable):
        entry.save()
    with pytest.raises(AuditImmutable):
        PersonalDataAccess.objects.update(purpose="other")
    assert PersonalDataAccess.objects.get().purpose == "recruiting"


def test_the_admin_shows_the_log_read_only(rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    for model in (PersonalDataAccess,):
        model_admin = admin.site._registry[model]
        assert model_admin.has_view_permission(request)
        assert not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
                    or model_admin.has_delete_permission(request))
        assert model_admin.get_actions(request) == {}


def age(entry, days: float):
    """Move an entry back in time (the model refuses updates; the test writes the column in SQL)."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {PersonalDataAccess._meta.db_table} SET at = %s WHERE id = %s",
                       [timezone.now() - datetime.timedelta(days=days), entry.pk])


def test_the_purge_deletes_only_entries_older_than_the_setting_and_records_how_many(settings, ministry, kim):
    settings.PERSONAL_DATA_LOG_RETENTION_DAYS = 730
    old, older, recent, fresh = (reveal(ministry, kim) for _ in range(4))
    age(old, 731)
    age(older, 2000)
    age(recent, 729)
    assert personal_data_log_purge() == 2
    assert set(PersonalDataAccess.objects.values_list("pk", flat=True)) == {recent.pk, fresh.pk}
    assert set(PersonalDataSubject.objects.values_list("access_id", flat=True)) == {recent.pk, fresh.pk}
    event = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_PURGE)
    assert (event.actor, event.after["deleted"]) == (None, 2)


def test_a_shorter_setting_purges_sooner(settings, ministry, kim):
    settings.PERSONAL_DATA_LOG_RETENTION_DAYS = 30
    entry = reveal(ministry, kim)
    age(entry, 31)
    assert purge_personal_data_log() == 1
    assert PersonalDataAccess.objects.count() == 0


def test_a_purge_with_nothing_to_delete_records_nothing(ministry, kim):
    reveal(ministry, kim)
    assert personal_data_log_purge() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_PURGE).exists()


def settings_read(value: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PERSONAL_DATA_LOG_RETENTION_DAYS"}
    env["DEBUG"] = "true"
    if value is not None:
        env["PERSONAL_DATA_LOG_RETENTION_DAYS"] = value
    return subprocess.run([sys.executable, "-c", "from megaproject import settings; "
                           "print(settings.PERSONAL_DATA_LOG_RETENTION_DAYS)"],
                          cwd=Path(__file__).parents[2], env=env, capture_output=True, text=True, timeout=60)


def test_the_retention_defaults_to_two_years_and_a_wrong_value_stops_start_up():
    assert settings_read(None).stdout.strip() == "730"
    assert settings_read("365").stdout.strip() == "365"
    refused = settings_read("0")
    assert refused.returncode != 0 and "PERSONAL_DATA_LOG_RETENTION_DAYS" in refused.stderr


def test_the_trail_shows_changes_of_contact_details_masked(ministry, kim):
    from audit.models import AuditEvent
    from audit.selectors import diff_rows
    from audit.services import record

    event = record(actor=ministry, action=AuditAction.USER_ACCOUNT, obj=kim,
                   before={"email": "kim@kaist.ac.kr", "phone": "010-1234-5678", "display_name": "김하늘"},
                   after={"email": "kim@snu.ac.kr", "phone": "", "display_name": "김하늘 교수"})
    rows = {r["field"]: (r["before"], r["after"], r["changed"]) for r in diff_rows(AuditEvent.objects.get(pk=event.pk))}
    assert sorted(rows.values()) == [("010-****-5678", "", True), ("k***@kaist.ac.kr", "k***@snu.ac.kr", True),
                                     ("김하늘", "김하늘 교수", True)]
