"""The foundation's pages: public verification of a generated document, by its code
(`/verify/<code>`) or by the file itself (`/verify/`)."""

import re

from django import forms
from django.conf import settings
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

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


@never_cache
def verify_file(request):
    """Public (no log-in): anyone uploads a PDF to learn whether the portal issued it, unchanged
    (its checksum and signature), and then sees the facts its code shows. Anything else gets
    one plain answer. The file (at most DOCUMENT_VERIFY_MAX_BYTES) is read in memory and never
    stored: Django keeps a large upload in a temporary file it deletes when the request ends.
    A code typed in goes to /verify/<code>."""
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
    if not form.is_valid():
        return render(request, "core/verify_file.html", context, status=400)
    upload = form.cleaned_data["document"]
    if upload.size > settings.DOCUMENT_VERIFY_MAX_BYTES:
        form.add_error("document", _("The file is larger than %(limit)s.") % {"limit": context["limit"]})
        return render(request, "core/verify_file.html", context, status=413)
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
