"""Nobody can change or delete an audit record: not through the trail's pages,
not through the Django admin, not through the ORM, and on PostgreSQL not even
with SQL."""

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from audit.models import AuditAction, AuditEvent, AuditImmutable
from audit.services import record
from tests.login import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(ministry, call):
    return record(actor=ministry, action=AuditAction.CALL_STATUS, obj=call, summary="공고 마감",
                  before={"status": "open"}, after={"status": "closed"})


def as_stored(event) -> tuple:
    return tuple(AuditEvent.objects.filter(pk=event.pk).values_list(
        "at", "actor", "actor_name", "action", "object_id", "object_repr", "summary", "before", "after").get())


def test_saving_an_existing_record_again_is_refused(event):
    stored = as_stored(event)
    event.summary = "고친 요약"
    with pytest.raises(AuditImmutable):
        event.save()
    assert as_stored(event) == stored


def test_deleting_a_record_is_refused(event):
    with pytest.raises(AuditImmutable):
        event.delete()
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(summary="고친 요약")
    assert AuditEvent.objects.filter(pk=event.pk, summary="공고 마감").exists()


@pytest.mark.parametrize("role", ["ministry", "admin_user"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", ["/audit/", "/audit/export.csv"])
def test_no_audit_page_accepts_a_change_even_from_staff(request, client, event, role, method, url):
    log_in(client, request.getfixturevalue(role))
    stored, count = as_stored(event), AuditEvent.objects.count()
    response = getattr(client, method)(url, {"id": event.pk, "summary": "고친 요약"})
    assert response.status_code == 405
    assert as_stored(event) == stored and AuditEvent.objects.count() == count


def test_the_admin_shows_a_record_but_has_no_add_change_or_delete(client, admin_user, event):
    log_in(client, admin_user)
    stored, count = as_stored(event), AuditEvent.objects.count()
    change_url = reverse("admin:audit_auditevent_change", args=[event.pk])
    page = client.get(change_url)
    assert page.status_code == 200 and "공고 마감" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert client.post(change_url, {"summary": "고친 요약", "action": "export"}).status_code == 403
    assert client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditevent_changelist"),
                       {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}).status_code in (200, 302)
    assert as_stored(event) == stored and AuditEvent.objects.count() == count


def test_the_raw_auditlog_entries_are_read_only_in_the_admin_too(client, admin_user, official):
    from auditlog.models import LogEntry

    official.display_name = "새 이름"
    official.save()
    entry = LogEntry.objects.latest("pk")
    log_in(client, admin_user)
    assert client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk])).status_code == 200
    assert client.post(reverse("admin:auditlog_logentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert LogEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.skipif(not settings.IS_POSTGRES, reason="the trigger is PostgreSQL's (DATABASE_URL is not PostgreSQL)")
@pytest.mark.parametrize("sql", ["UPDATE audit_auditevent SET summary = 'x' WHERE id = %s",
                                 "DELETE FROM audit_auditevent WHERE id = %s"])
def test_postgresql_itself_refuses_to_change_or_delete_a_record(event, sql):
    with pytest.raises(DatabaseError, match="audit records cannot be changed or deleted"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, summary="공고 마감").exists()
