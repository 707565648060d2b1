"""HTML → PDF with WeasyPrint, as a pure function.

WeasyPrint is imported inside the function (its import costs ~0.5 s) and given a
deny-by-default URL fetcher: a letter may load nothing from outside, not even
from this server; fonts come from the system (fonts-nanum, embedded in the PDF).
"""


class FetchRefused(ValueError):
    pass


def _deny(url: str, *args, **kwargs):
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url, *args, **kwargs)
    raise FetchRefused(f"blocked resource: {url[:80]}")


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_deny, base_url=None).write_pdf()


def build_stored_pdf(model, pk: int, *, html, name, select_related=()):
    """The worker's side of a generated PDF document (a model with status, file,
    checksum, size, attempts, error and generated_at): claim it and count the
    attempt (giving up visibly after LETTER_MAX_ATTEMPTS), render outside any
    transaction, store the file under a new, content-derived name, and only
    then switch the row to it (a half-written file is never served; the old
    file is removed after commit). `html(row)` gives the HTML, `name(row,
    checksum)` the storage name. Returns the row."""
    import hashlib

    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.db import transaction
    from django.utils import timezone
    from django.utils.translation import gettext as _

    with transaction.atomic():
        row = model.objects.select_for_update().select_related(*select_related).get(pk=pk)
        if row.attempts >= settings.LETTER_MAX_ATTEMPTS:
            row.status = "failed"
            row.error = row.error or _("Gave up after %(n)s attempts.") % {"n": row.attempts}
            row.save(update_fields=["status", "error"])
            return row
        row.attempts += 1
        row.status = "running"
        row.save(update_fields=["attempts", "status"])
    pdf = render_pdf(html(row))  # slow work outside any transaction
    checksum = hashlib.sha256(pdf).hexdigest()
    stored_name = name(row, checksum)
    storage = row.file.storage
    stored = storage.save(stored_name, ContentFile(pdf)) if not storage.exists(stored_name) else stored_name
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=pk)
        old = current.file.name
        current.file.name = stored
        current.checksum = checksum
        current.size = len(pdf)
        current.status = "done"
        current.error = ""
        current.generated_at = timezone.now()
        current.save(update_fields=["file", "checksum", "size", "status", "error", "generated_at"])
        if old and old != stored:
            transaction.on_commit(lambda: storage.delete(old))
    return current
