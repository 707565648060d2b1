"""What every stored upload of the portal holds beside its file: the abstract `UploadHolder`.

The attachment models of the apps (a proposal's attachments, a candidate theme's, an objection's, an
annual report's, an outcome's evidence, an amendment's) inherit it and declare their own `file` (each
stores under its own path) and what else they hold (the owner, a kind, a description). The columns are
the ones each model had before: inheriting changed no table.

    name, ext, kind = validate_upload(upload)          # core.uploads: the one check
    attachment = ReportAttachment(report=report, region=..., uploaded_by=actor)
    attachment.take(upload, name=name, ext=ext)        # name, extension, size; the file stored
    ...save() in the transaction; on failure attachment.discard_file()
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UploadHolder(models.Model):
    """The common fields and methods of an uploaded file's row (abstract: no table of its own)."""

    original_name = models.CharField(_("file name"), max_length=200)
    extension = models.CharField(max_length=10, verbose_name=_("file extension"))
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("uploaded at"))

    # How the model keeps `extension`: ".pdf" (True) or "pdf" (False); its upload path reads it.
    DOTTED_EXTENSION = True

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name

    @property
    def suffix(self) -> str:
        """The extension with its dot, however the model keeps it: ".pdf"."""
        ext = (self.extension or "").lower()
        return ext if not ext or ext.startswith(".") else f".{ext}"

    def take(self, upload, *, name: str, ext: str) -> None:
        """Fill in the holder from a checked upload (core.uploads.validate_upload gave `name` and `ext`)
        and store the file under the model's path (the row is saved by the caller)."""
        self.original_name = name
        ext = ext.lower()
        self.extension = (ext if ext.startswith(".") else f".{ext}") if self.DOTTED_EXTENSION else ext.lstrip(".")
        self.size = upload.size
        self.file.save(name, upload, save=False)

    def discard_file(self) -> None:
        """Remove the stored file (the row was not saved after all)."""
        if self.file:
            self.file.delete(save=False)
