"""Notification and password-reset mails travel through a real SMTP server (started by the
test) and arrive in the user's language: an encoded subject, a plain-text and an HTML part,
links on PORTAL_BASE_URL. When the server is down the notification stays and its mail is
retried with backoff, then marked failed for staff, who can send it again from the admin."""

import logging
import re
import time

import pytest
from django.urls import reverse

from accounts.models import MailState, Notification
from accounts.selectors import failed_mail_count, failed_mails
from accounts.services import notify
from accounts.tasks import retry_delay, send_notification_emails
from tests.factories import MinistryFactory, OfficialFactory
from tests.login import log_in
from tests.markers import needs_broker, needs_postgres, without_broker

from .conftest import PORTAL

pytestmark = pytest.mark.django_db

def notify_and_mail(**kwargs) -> list[Notification]:
    """notify(), then its mail task run here and now, with or without a broker (the queue
    itself: tests/accounts/test_notifications.py and the worker test below)."""
    rows = notify(**kwargs)
    send_notification_emails.apply(kwargs={"notification_ids": [n.pk for n in rows]})
    return rows


RESET_LINK = re.compile(re.escape(PORTAL) + r"(/accounts/password/reset/[^/\s\"<]+/[^/\s\"<]+/)")


def test_a_notification_arrives_by_smtp_in_korean_with_a_text_and_an_html_part_and_an_https_link(smtp, official):
    [notification] = notify_and_mail(users=[official], message="“이차전지 소재” 제안서가 제출되었습니다.", url="/proposals/7/")

    [arrived] = smtp.messages
    assert arrived.rcpt_tos == [official.email]
    assert arrived.raw_subject.lower().startswith("=?utf-8?")
    assert arrived.subject == "[메가프로젝트 포털] “이차전지 소재” 제안서가 제출되었습니다."
    assert arrived.message.get_content_type() == "multipart/alternative"
    assert f"{official.display_name} 님, 안녕하십니까." in arrived.text
    assert "“이차전지 소재” 제안서가 제출되었습니다." in arrived.text
    assert f"{PORTAL}/proposals/7/" in arrived.text.splitlines()
    assert f'href="{PORTAL}/proposals/7/"' in arrived.html
    assert f'href="{PORTAL}/accounts/notifications/"' in arrived.html
    assert '<html lang="ko">' in arrived.html
    notification.refresh_from_db()
    assert (notification.mail_state, notification.mail_attempts, notification.mail_error) == (MailState.SENT, 1, "")
    assert notification.emailed_at is not None


def test_a_user_who_reads_english_gets_the_notification_mail_in_english(smtp):
    user = OfficialFactory(language="en", display_name="Jane Kim")
    notify_and_mail(users=[user], message="Your proposal was submitted.", url="/proposals/8/")

    [arrived] = smtp.messages
    assert arrived.subject == "[Mega Project Portal] Your proposal was submitted."
    assert "Hello, Jane Kim." in arrived.text
    assert "Open it in the portal:" in arrived.text
    assert '<html lang="en">' in arrived.html
    assert "Open it in the portal</a>" in arrived.html


def test_the_html_part_escapes_what_users_typed_and_the_text_part_keeps_it(smtp, official):
    notify_and_mail(users=[official], message='제목 <script>alert("x")</script> & 기타')

    [arrived] = smtp.messages
    assert "<script>" not in arrived.html
    assert "제목 &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 기타" in arrived.html
    assert '제목 <script>alert("x")</script> & 기타' in arrived.text
    assert arrived.subject == '[메가프로젝트 포털] 제목 <script>alert("x")</script> & 기타'


def test_a_user_without_an_address_keeps_the_notification_and_no_mail_is_tried(smtp, official):
    official.email = ""
    official.save()
    [notification] = notify(users=[official], message="알림")
    assert send_notification_emails.apply(kwargs={"notification_ids": [notification.pk]}).get() == 0

    notification.refresh_from_db()
    assert (notification.mail_state, notification.mail_attempts) == (MailState.NO_ADDRESS, 0)
    assert smtp.messages == []


def test_the_password_reset_mail_arrives_with_an_https_link_that_sets_a_password_that_logs_in(client, smtp, official):
    response = client.post(reverse("password_reset"), {"email": official.email})
    assert (response.status_code, response["Location"]) == (302, reverse("password_reset_done"))

    [arrived] = smtp.messages
    assert arrived.rcpt_tos == [official.email]
    assert arrived.raw_subject.lower().startswith("=?utf-8?")
    assert arrived.subject == "메가프로젝트 포털: 비밀번호 재설정"
    assert "portal.megaproject.test의 메가프로젝트 포털 비밀번호 재설정을 요청하셨습니다." in arrived.text
    [path] = RESET_LINK.findall(arrived.text)
    assert RESET_LINK.findall(arrived.html) == [path, path]  # the button and the address printed under it
    assert f"아이디: {official.username}" in arrived.text

    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"] is True
    new_password = "a-brand-new-passphrase-2027"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert (done.status_code, done["Location"]) == (302, reverse("password_reset_complete"))

    login = client.post(reverse("login"), {"username": official.username, "password": new_password})
    assert (login.status_code, login["Location"]) == (302, reverse("dashboard"))
    assert client.get(reverse("dashboard")).context["user"] == official
    assert client.get(path, follow=True).context["validlink"] is False  # the link works once


def test_the_reset_link_is_on_the_portal_address_whatever_host_the_request_named(client, smtp, official, settings):
    settings.ALLOWED_HOSTS = ["testserver", "attacker.example"]
    client.post(reverse("password_reset"), {"email": official.email}, HTTP_HOST="attacker.example")

    [arrived] = smtp.messages
    assert "attacker.example" not in arrived.text + arrived.html
    assert len(RESET_LINK.findall(arrived.text)) == 1


def test_a_user_who_reads_english_gets_the_reset_mail_in_english(client, smtp):
    user = OfficialFactory(language="en")
    client.post(reverse("password_reset"), {"email": user.email})

    [arrived] = smtp.messages
    assert arrived.subject == "Mega Project Portal: reset your password"
    assert "Open this link and choose a new password:" in arrived.text
    assert "Set a new password</a>" in arrived.html


def test_with_smtp_down_the_reset_page_still_answers_and_sends_nothing(client, smtp_down, official):
    response = client.post(reverse("password_reset"), {"email": official.email}, follow=True)
    assert response.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert response.status_code == 200


# --- SMTP down ------------------------------------------------------------------------------


def test_the_wait_between_attempts_doubles_from_the_setting_up_to_half_an_hour(settings):
    settings.MAIL_RETRY_BACKOFF_SECONDS = 60
    assert [retry_delay(n) for n in range(7)] == [60, 120, 240, 480, 960, 1800, 1800]


def test_with_smtp_down_the_mail_is_retried_then_failed_and_the_notification_kept(
        client, smtp_down, official, settings, caplog):
    settings.MAIL_MAX_RETRIES = 3
    caplog.set_level(logging.WARNING, logger="accounts.tasks")
    [notification] = notify_and_mail(users=[official], message="제안서가 제출되었습니다.", url="/proposals/7/")

    notification.refresh_from_db()
    assert (notification.mail_state, notification.mail_attempts) == (MailState.FAILED, 4)
    assert notification.mail_error.startswith("ConnectionRefusedError")
    assert notification.emailed_at is None
    assert re.findall(r"not sent \(attempt (\d)\), retrying", caplog.text) == ["1", "2", "3"]
    assert "notification mails failed after 4 attempts" in caplog.text
    assert (failed_mail_count(), list(failed_mails())) == (1, [notification])

    # The user's notification is there all the same.
    log_in(client, official)
    page = client.get(reverse("notifications"))
    assert [n.message for n in page.context["page"]] == ["제안서가 제출되었습니다."]
    official.refresh_from_db()
    assert official.unread_count == 1


def test_a_busy_server_that_accepts_on_a_later_attempt_gets_the_mail_once(smtp, official, settings):
    settings.MAIL_MAX_RETRIES = 3
    smtp.refuse = 2
    [notification] = notify_and_mail(users=[official], message="결과가 확정되었습니다.")

    assert [m.subject for m in smtp.messages] == ["[메가프로젝트 포털] 결과가 확정되었습니다."]
    notification.refresh_from_db()
    assert (notification.mail_state, notification.mail_attempts, notification.mail_error) == (MailState.SENT, 3, "")


@needs_postgres
@needs_broker
@pytest.mark.django_db(transaction=True)
def test_on_a_worker_a_busy_server_is_tried_again_after_waits_that_double(busy_smtp_for_worker, celery_worker):
    smtp = busy_smtp_for_worker
    user = MinistryFactory(email="ministry@example.kr")
    [notification] = notify(users=[user], message="제안서가 제출되었습니다.")  # queued once committed

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and Notification.objects.get(pk=notification.pk).mail_state == "pending":
        time.sleep(0.2)
    notification.refresh_from_db()
    assert (notification.mail_state, notification.mail_attempts) == (MailState.SENT, 3)
    assert [m.subject for m in smtp.messages] == ["[메가프로젝트 포털] 제안서가 제출되었습니다."]
    first, second, third = smtp.tried_at
    assert (second - first >= 1, third - second >= 2) == (True, True)


def test_failed_mails_wait_for_staff_instead_of_going_out_with_a_later_run_of_the_task(
        smtp, official, partner_official, settings):
    settings.MAIL_MAX_RETRIES = 0
    settings.EMAIL_PORT = smtp.port + 1 if smtp.port < 65535 else smtp.port - 1  # nobody there
    rows = notify_and_mail(users=[official, partner_official], message="단계평가가 시작되었습니다.")
    assert (failed_mail_count(), smtp.messages) == (2, [])

    settings.EMAIL_PORT = smtp.port
    again = send_notification_emails.apply(kwargs={"notification_ids": [n.pk for n in rows]})
    assert again.get() == 0  # failed ones wait for staff
    assert smtp.messages == []


@without_broker
def test_staff_send_the_failed_mails_again_from_the_admin(client, smtp, admin_user, official, settings,
                                                          django_capture_on_commit_callbacks):
    settings.MAIL_MAX_RETRIES = 0
    up = smtp.port
    settings.EMAIL_PORT = up + 1 if up < 65535 else up - 1  # nobody there
    with django_capture_on_commit_callbacks(execute=True):
        [failed] = notify(users=[official], message="결과가 확정되었습니다.")
    [sent] = notify(users=[official], message="이미 보낸 알림")
    Notification.objects.filter(pk=sent.pk).update(mail_state=MailState.SENT)
    assert failed_mail_count() == 1

    settings.EMAIL_PORT = up
    log_in(client, admin_user)
    changelist = reverse("admin:accounts_notification_changelist")
    listed = client.get(changelist, {"mail_state__exact": "failed"})
    assert list(listed.context["cl"].result_list) == [failed]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(changelist, {"action": "retry_mail", "_selected_action": [failed.pk, sent.pk]},
                               follow=True)
    assert [str(m) for m in response.context["messages"]] == ["메일 1건을 다시 보냅니다."]

    [arrived] = smtp.messages
    assert arrived.subject == "[메가프로젝트 포털] 결과가 확정되었습니다."
    failed.refresh_from_db()
    assert (failed.mail_state, failed.mail_attempts, failed.mail_error) == (MailState.SENT, 2, "")
    assert failed_mail_count() == 0


def test_only_administrators_may_send_failed_mails_again(official):
    from django.core.exceptions import PermissionDenied

    from accounts.services import notifications_retry_mail

    [notification] = notify(users=[official], message="알림")
    with pytest.raises(PermissionDenied):
        notifications_retry_mail(actor=official, notifications=[notification])


# --- Mails whose task never ran --------------------------------------------------------------


def test_when_the_broker_refuses_the_task_the_action_stands_and_the_mail_stays_pending(
        monkeypatch, official, django_capture_on_commit_callbacks):
    from kombu.exceptions import OperationalError

    def broker_down(**kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(send_notification_emails, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = notify(users=[official], message="제안서가 제출되었습니다.")
    notification.refresh_from_db()
    assert (notification.mail_state, notification.mail_attempts) == (MailState.PENDING, 0)


def test_mails_left_pending_long_after_their_notification_are_queued_again(monkeypatch, smtp, official, settings):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.tasks import resend_stuck_mails, stuck_after

    settings.MAIL_MAX_RETRIES = 2
    settings.MAIL_RETRY_BACKOFF_SECONDS = 60
    assert stuck_after() == timedelta(seconds=60 + 120 + 3600)
    [stuck], [recent] = notify(users=[official], message="오래된 알림"), notify(users=[official], message="방금 알림")
    Notification.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - stuck_after() - timedelta(minutes=1))

    queued = []  # the queue, run here and now whether or not a broker is configured
    monkeypatch.setattr(send_notification_emails, "delay",
                        lambda **kwargs: queued.append(kwargs) or send_notification_emails.apply(kwargs=kwargs))
    assert resend_stuck_mails.apply().get() == 1

    assert queued == [{"notification_ids": [stuck.pk]}]
    assert [m.subject for m in smtp.messages] == ["[메가프로젝트 포털] 오래된 알림"]
    assert Notification.objects.get(pk=recent.pk).mail_state == MailState.PENDING
