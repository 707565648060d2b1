"""The foundation's one page: public verification of a generated document by its code."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .documents import verification


@never_cache
def verify(request, code):
    """Public (no log-in): confirms a document's authenticity and main facts; nothing else."""
    found = verification.verify(code)
    if found is None:
        return render(request, "core/verify.html", {"code": code}, status=404)
    return render(request, "core/verify.html", {**found.context, "code": code, "document_template": found.template})
