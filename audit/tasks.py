"""The schedule's work on the audit tables."""

from celery import shared_task

from .personal_data import personal_data_log_purge


@shared_task(acks_late=True)
def purge_personal_data_log() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): delete the personal data access log's entries older than
    PERSONAL_DATA_LOG_RETENTION_DAYS (the purge is recorded on the audit trail)."""
    return personal_data_log_purge()
