"""The access log of personal data (Korea's Personal Information Protection Act, 개인정보 보호법).

Reading an expert's contact details is an explicit act with a purpose. The pages show
them masked (`mask_email`, `mask_phone`); the service of the app that owns the page checks
its permission and calls the one recording function:

    record_personal_data_access(*, actor, subjects, items, purpose, purpose_detail="",
                                channel, description="", row_count=None, ip=None)

Administrators read the log on the trail's page (`accounts` rule
`audit.view_personal_data_log`). `personal_data_log_purge()` (a daily Celery task) deletes
the entries older than settings.PERSONAL_DATA_LOG_RETENTION_DAYS and records the purge on
the audit trail.
"""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AccessChannel, AccessPurpose, AuditAction, ContactItem, PersonalDataAccess, PersonalDataSubject
from .services import actor_name, record

PURPOSE_DETAIL_MAX = 200


def mask_email(value: str) -> str:
    """"kim@kaist.ac.kr" → "k***@kaist.ac.kr" (the domain says the institution, not the person)."""
    if not value:
        return ""
    local, at, domain = value.partition("@")
    return f"{local[:1]}***{at}{domain}" if at else "***"


def mask_phone(value: str) -> str:
    """"010-1234-5678" → "010-****-5678": the first three and last four digits stay, the
    separators too; a short number keeps its last two digits only."""
    if not value:
        return ""
    digits = [i for i, ch in enumerate(value) if ch.isdigit()]
    shown = set(digits[:3] + digits[-4:]) if len(digits) >= 8 else set(digits[-2:])
    return "".join(ch if (not ch.isdigit() or i in shown) else "*" for i, ch in enumerate(value))


def check_purpose(purpose: str, purpose_detail: str) -> str:
    """The purpose's details, stripped; ValidationError naming the field that is wrong."""
    detail = re.sub(r"\s+", " ", purpose_detail or "").strip()
    if purpose not in AccessPurpose.values:
        raise ValidationError({"purpose": _("Choose a purpose from the list.")})
    if len(detail) > PURPOSE_DETAIL_MAX:
        raise ValidationError({"purpose_detail": _("Describe the purpose in at most %(max)s characters.")
                               % {"max": PURPOSE_DETAIL_MAX}})
    if purpose == AccessPurpose.OTHER and not detail:
        raise ValidationError({"purpose_detail": _("Say briefly why you need the contact details.")})
    return detail


def record_personal_data_access(*, actor, subjects, items, purpose: str, purpose_detail: str = "",
                                channel: str, description: str = "", row_count: int | None = None,
                                ip: str | None = None) -> PersonalDataAccess:
    """Append one entry to the access log: `actor` read `items` (ContactItem values) of the users
    `subjects` for `purpose`. The caller has checked the actor may read them."""
    detail = check_purpose(purpose, purpose_detail)
    channel = AccessChannel(channel)
    items = [ContactItem(i).value for i in items]
    subjects = list(subjects)
    with transaction.atomic():
        access = PersonalDataAccess.objects.create(
            accessor=actor, accessor_name=actor_name(actor), channel=channel, purpose=purpose,
            purpose_detail=detail, items=items, description=str(description)[:300],
            row_count=row_count if channel == AccessChannel.EXPORT else None, ip=ip or None)
        PersonalDataSubject.objects.bulk_create(
            [PersonalDataSubject(access=access, subject=s, subject_name=str(s)[:200]) for s in subjects])
    return access


def retention_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=settings.PERSONAL_DATA_LOG_RETENTION_DAYS)


def personal_data_log_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the entries older than the retention period (with their subjects) and record how
    many on the audit trail. Returns the number of entries deleted."""
    cutoff = retention_cutoff(now)
    with transaction.atomic():
        old = PersonalDataAccess.objects.filter(at__lt=cutoff)
        count = old.count()
        if not count:
            return 0
        PersonalDataSubject.objects.filter(access__in=old).delete()
        old.delete()
        record(actor=None, action=AuditAction.PERSONAL_DATA_PURGE,
               summary=_("%(count)s entries older than %(days)s days deleted from the personal data access log.")
               % {"count": count, "days": settings.PERSONAL_DATA_LOG_RETENTION_DAYS},
               after={"deleted": count, "before": cutoff.isoformat(timespec="seconds")})
    return count
