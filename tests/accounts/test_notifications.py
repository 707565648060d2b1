"""Notification e-mails go out through a Celery task: in-process without a broker, on the worker with one.

The worker test also proves the `celery_worker` fixture points the worker at
the pytest test database: the task reads the row this test committed and marks it.
"""

import pytest
from django.core import mail

from accounts.models import Notification
from accounts.services import notify
from accounts.tasks import send_notification_emails
from tests.factories import OfficialFactory
from tests.login import log_in
from tests.markers import needs_broker, needs_postgres, without_broker


@without_broker
@pytest.mark.django_db
def test_a_notification_is_mailed_in_process_once_the_transaction_commits(official, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = notify(users=[official, official], message="새 공모가 열렸습니다.", url="/calls/1/")
    assert [(m.to, m.subject) for m in mail.outbox] == [([official.email], "[메가프로젝트 포털] 새 공모가 열렸습니다.")]
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert notification.mail_state == "sent"


@without_broker
@pytest.mark.django_db
def test_a_notification_is_mailed_only_once(official):
    [notification] = notify(users=[official], message="마감 3일 전입니다.")
    assert send_notification_emails.delay(notification_ids=[notification.pk]).get() == 1
    assert send_notification_emails.delay(notification_ids=[notification.pk]).get() == 0
    assert len(mail.outbox) == 1


@needs_postgres
@needs_broker
@pytest.mark.django_db(transaction=True)
def test_the_worker_mails_a_notification_stored_in_the_test_database(reference_data, celery_worker):
    user = OfficialFactory(email="official@example.kr")
    notification = Notification.objects.create(user=user, message="제안서가 제출되었습니다.")
    assert send_notification_emails.delay(notification_ids=[notification.pk]).get(timeout=20) == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None


@pytest.mark.django_db
def test_the_unread_count_is_kept_on_the_user_and_shown_without_a_query(client, official, partner_official):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.services import notifications_mark_read

    notify(users=[official, official, partner_official], message="보고서 제출 기한입니다.")
    notify(users=[official], message="단계평가가 시작되었습니다.")
    official.refresh_from_db()
    partner_official.refresh_from_db()
    assert (official.unread_count, partner_official.unread_count) == (2, 1)
    log_in(client, official)
    client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("dashboard")).content.decode()
    assert '<span class="badge text-bg-warning">2<span' in page
    assert not [q for q in queries if "accounts_notification" in q["sql"]]
    notifications_mark_read(user=official)
    official.refresh_from_db()
    assert official.unread_count == 0 == Notification.objects.filter(user=official, read_at__isnull=True).count()
    assert "text-bg-warning" not in client.get(reverse("dashboard")).content.decode()
