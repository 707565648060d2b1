"""core.upload_holders.UploadHolder: the attachment models share its fields and methods, their columns
unchanged (makemigrations finds nothing to do), and `take` fills a holder from a checked upload."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from agreements.models import AmendmentAttachment
from core.upload_holders import UploadHolder
from core.uploads import validate_upload
from evaluations.models import ObjectionAttachment
from projects.models import OutcomeEvidence, ReportAttachment
from proposals.models import Attachment, ThemeAttachment

HOLDERS = (Attachment, ThemeAttachment, ObjectionAttachment, ReportAttachment, OutcomeEvidence, AmendmentAttachment)
COMMON = ("original_name", "extension", "size", "uploaded_by", "uploaded_at")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize("model", HOLDERS, ids=lambda m: m.__name__)
def test_each_attachment_model_holds_the_common_fields_from_the_abstract_model(model):
    assert issubclass(model, UploadHolder) and not model._meta.abstract
    names = {f.name for f in model._meta.get_fields()}
    assert set(COMMON) | {"file"} <= names
    assert model._meta.get_field("uploaded_by").remote_field.related_name == "+"


@pytest.mark.django_db
def test_no_table_changed_so_there_is_no_migration_to_make(capsys):
    call_command("makemigrations", "--check", "--dry-run", "proposals", "evaluations", "projects", "agreements")
    assert "No changes detected" in capsys.readouterr().out


@pytest.mark.parametrize(("model", "stored"), [(Attachment, ".pdf"), (ReportAttachment, "pdf")],
                         ids=["dotted", "plain"])
def test_take_fills_in_the_name_the_extension_as_the_model_keeps_it_and_the_size(model, stored, settings,
                                                                                  tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("../계획서 최종.PDF", PDF)
    name, ext, _kind = validate_upload(upload)
    holder = model()
    field = model._meta.get_field("file")
    original = field.upload_to
    field.upload_to = "test-uploads/"  # no owner row in this unit test: a plain folder
    try:
        holder.take(upload, name=name, ext=ext)
    finally:
        field.upload_to = original
    assert (holder.original_name, holder.extension, holder.size) == (name, stored, len(PDF))
    assert holder.suffix == ".pdf" and str(holder) == name and "/" not in name
    assert holder.file.read() == PDF
    path = holder.file.path
    holder.discard_file()
    assert not os.path.exists(path)
