"""The foundation's pages: public verification of a generated document, by its code
(`/verify/<code>`) or by the file itself (`/verify/`)."""

import re

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from .documents import verification

CODE = re.compile(r"[A-Za-z0-9]{4,16}")
NOT_OURS = gettext_lazy("This is not a document issued by this portal.")


@never_cache
def verify(request, code):
    """Public (no log-in): confirms a document's authenticity and main facts; nothing else."""
    found = verification.verify(code)
    if found is None:
        return render(request, "core/verify.html", {"code": code}, status=404)
    return render(request, "core/verify.html", {**found.context, "code": code, "document_template": found.template})


class VerifyFileForm(forms.Form):
    document = forms.FileField(label=gettext_lazy("The PDF file"), allow_empty_file=True)


class BoundedMemoryUploadHandler(FileUploadHandler):
    """Keeps an upload in memory, never on disk, and stops reading it past `limit` bytes."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit
        self.too_large = False
        self.chunks: list[bytes] = []
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.chunks, self.received = [], 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            self.chunks = []
            raise StopUpload(connection_reset=False)
        self.chunks.append(raw_data)
        return None

    def file_complete(self, file_size):
        import io

        data = b"".join(self.chunks)
        self.chunks = []
        return InMemoryUploadedFile(io.BytesIO(data), self.field_name, self.file_name, self.content_type,
                                    len(data), self.charset, self.content_type_extra)


@never_cache
@csrf_exempt  # the CSRF check runs in _verify_file, after the upload handler is in place
def verify_file(request):
    """Public (no log-in): anyone uploads a PDF to learn whether the portal issued it, unchanged
    (its checksum and signature), and then sees the facts its code shows. Anything else gets
    one plain answer. The file is read in memory (at most DOCUMENT_VERIFY_MAX_BYTES) and
    never stored. A code typed in goes to /verify/<code>."""
    handler = BoundedMemoryUploadHandler(request, settings.DOCUMENT_VERIFY_MAX_BYTES)
    request.upload_handlers = [handler]
    return _verify_file(request, handler)


@csrf_protect
def _verify_file(request, handler):
    code = request.GET.get("code", "").strip()
    context = {"form": VerifyFileForm(), "limit": filesizeformat(settings.DOCUMENT_VERIFY_MAX_BYTES),
               "typed_code": code}
    if code:
        if CODE.fullmatch(code):
            return redirect("verify", code=code.upper())
        context["code_error"] = _("A verification code is 12 letters and digits, as printed on the document.")
        return render(request, "core/verify_file.html", context, status=400)
    if request.method != "POST":
        return render(request, "core/verify_file.html", context)
    form = VerifyFileForm(request.POST, request.FILES)
    context["form"] = form
    if handler.too_large:
        form.errors.clear()
        form.add_error("document", _("The file is larger than %(limit)s.") % {"limit": context["limit"]})
        return render(request, "core/verify_file.html", context, status=413)
    if not form.is_valid():
        return render(request, "core/verify_file.html", context, status=400)
    upload = form.cleaned_data["document"]
    data = upload.read()
    upload.close()
    found = verification.verify_file(data)
    del data
    if found is None:
        context["not_ours"] = NOT_OURS
        return render(request, "core/verify_file.html", context, status=200)
    return render(request, "core/verify_file.html", {
        **context, **found.verified.context, "document_template": found.verified.template,
        "file_checksum": found.checksum, "file_signed_by": found.signed_by, "form": VerifyFileForm()})
