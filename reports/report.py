"""The call result report: its figures (read from the selectors and the aggregation
module, never recomputed here) and its HTML for WeasyPrint."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.charts import ChartData, bar_chart, grouped_bar_chart
from core.documents.seal import document_seal
from core.templatetags.portal import eok
from evaluations.models import Objection
from evaluations.selectors import ranking_board
from funding.models import DecisionState, FundingDecision
from programmes.models import CooperationType, Region
from proposals.models import PatentAnalysis, ProposalState

PASSED = {ProposalState.ELIGIBLE, ProposalState.SELECTED, ProposalState.RESERVE, ProposalState.NOT_SELECTED,
          ProposalState.FUNDED}


def _applicants(call) -> dict:
    """Submitted proposals per lead region and cooperation type."""
    submitted = call.proposals.filter(submitted_at__isnull=False)
    counts = defaultdict(dict)
    for row in submitted.values("lead_region_id", "cooperation_type").annotate(n=Count("id")):
        counts[row["lead_region_id"]][row["cooperation_type"]] = row["n"]
    types = list(CooperationType)
    rows = [{"region": r, "cells": [counts[r.pk].get(t, 0) for t in types], "total": sum(counts[r.pk].values())}
            for r in Region.objects.filter(pk__in=counts)]
    return {"types": types, "rows": rows, "totals": [sum(r["cells"][i] for r in rows) for i in range(len(types))],
            "total": sum(r["total"] for r in rows)}


def _eligibility(call) -> dict:
    submitted = call.proposals.filter(submitted_at__isnull=False).select_related("lead_region")
    states = dict(submitted.values_list("state").annotate(n=Count("id")))
    return {
        "passed": sum(n for s, n in states.items() if s in PASSED),
        "failed": states.get(ProposalState.INELIGIBLE, 0),
        "waiting": states.get(ProposalState.SUBMITTED, 0),
        "withdrawn": states.get(ProposalState.WITHDRAWN, 0),
        "ineligible": list(submitted.filter(state=ProposalState.INELIGIBLE).order_by("pk")),
    }


def _funding(call) -> dict:
    decisions = list(
        FundingDecision.objects.filter(proposal__call=call, state=DecisionState.APPROVED)
        .select_related("proposal__lead_region", "proposal__industry")
        .prefetch_related("years", "obligations__region", "proposal__participations__region")
        .order_by("proposal_id"))
    years = list(range(call.year, call.year + call.pilot_years))
    projects, by_region, by_industry = [], defaultdict(lambda: [0, 0]), defaultdict(int)
    region_order = {}
    for d in decisions:
        p = d.proposal
        national = {fy.year: fy.national_won for fy in d.years.all()}
        local = defaultdict(int)
        for o in d.obligations.all():
            local[o.year] += o.local_won
            by_region[o.region.name][1] += o.local_won
            region_order[o.region.name] = o.region.order
        by_region[p.lead_region.name][0] += d.national_total_won
        region_order[p.lead_region.name] = p.lead_region.order
        by_industry[p.industry.name if p.industry else _("Unspecified")] += d.national_total_won
        projects.append({
            "decision": d, "proposal": p, "regions": [pp.region for pp in p.participations.all()],
            "national": [national.get(y, 0) for y in years], "local": [local.get(y, 0) for y in years],
            "national_total": sum(national.values()), "local_total": sum(local.values()),
        })
    regions = sorted(by_region, key=lambda name: region_order[name])
    industries = sorted(by_industry, key=lambda name: -by_industry[name])
    national_label, local_label = _("National funding"), _("Local funds")
    region_chart = ChartData(
        title=_("Funding by region"), category_heading=_("Region"), categories=regions,
        series=[national_label, local_label], values=[by_region[r] for r in regions], value_format=eok,
        description=_("Approved decisions. National funding is counted for the lead region."))
    industry_chart = ChartData(
        title=_("National funding by strategic industry"), category_heading=_("Strategic industry"),
        categories=industries, series=[national_label], values=[[by_industry[i]] for i in industries],
        value_format=eok, description=_("Approved decisions."))
    return {
        "years": years, "projects": projects,
        "national_by_year": [sum(p["national"][i] for p in projects) for i in range(len(years))],
        "local_by_year": [sum(p["local"][i] for p in projects) for i in range(len(years))],
        "national_total": sum(p["national_total"] for p in projects),
        "local_total": sum(p["local_total"] for p in projects),
        "by_region": [(r, by_region[r][0], by_region[r][1]) for r in regions],
        "region_chart": grouped_bar_chart(region_chart, stacked=True, id_prefix="region-chart",
                                          empty_text=_("No approved decision yet.")),
        "industry_chart": bar_chart(industry_chart, id_prefix="industry-chart",
                                    empty_text=_("No approved decision yet.")),
    }


def _objections(call) -> list:
    """Every objection to the call's results, with its answer (the report lists them all)."""
    return list(Objection.objects.filter(proposal__call=call).select_related("proposal__lead_region")
                .order_by("lodged_at", "pk"))


def _origins(call) -> list:
    """One line per selected proposal: the planning period's final theme it grew from (or none) and whether
    a patent analysis was made (and answered)."""
    selected = list(call.proposals.filter(state__in=(ProposalState.SELECTED, ProposalState.FUNDED))
                    .select_related("lead_region", "origin_theme").order_by("lead_region__order", "pk"))
    analyses = dict(PatentAnalysis.objects.filter(proposal__in=selected).values_list("proposal_id", "answered_at"))
    return [{"proposal": p, "theme": p.origin_theme, "patents": p.pk in analyses,
             "answered": analyses.get(p.pk) is not None} for p in selected]


def report_context(call) -> dict:
    board = ranking_board(call=call)
    return {
        "objections": _objections(call), "origins": _origins(call),
        "call": call, "criteria": list(call.criteria.all()), "types": call.cooperation_types,
        "applicants": _applicants(call), "eligibility": _eligibility(call), "board": board,
        "funding": _funding(call), "generated_on": timezone.localdate(), "states": ProposalState,
    }


def report_html(call, *, report=None) -> str:
    """The report's HTML, in Korean (the language of the printed report); with `report` (its
    CallReport row), its seal (verification code, QR code, signer)."""
    with translation.override("ko"):
        context = report_context(call)
        if report is not None:
            context["seal"] = document_seal(report)
        return render_to_string("reports/call_report_pdf.html", context)
