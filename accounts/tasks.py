from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from .models import Notification


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_emails(*, notification_ids: list[int]) -> int:
    """E-mail each notification once (idempotent: `emailed_at` marks it sent)."""
    sent = 0
    site = getattr(settings, "PORTAL_BASE_URL", "")
    for n in Notification.objects.select_related("user").filter(pk__in=notification_ids, emailed_at__isnull=True):
        if n.user.email:
            link = f"\n\n{site}{n.url}" if n.url else ""
            send_mail(f"[메가프로젝트 포털] {n.message[:80]}", f"{n.message}{link}", None, [n.user.email])
            sent += 1
        Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())
    return sent
