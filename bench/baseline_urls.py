"""The baseline: a bare Django page rendering a 50-row table of proposals with the ORM and a template."""

from django.shortcuts import render
from django.urls import path

from proposals.models import Proposal


def proposals_table(request):
    rows = Proposal.objects.select_related("lead_region").order_by("-id")[:50]
    return render(request, "bench/baseline.html", {"rows": rows})


urlpatterns = [path("", proposals_table, name="baseline")]
