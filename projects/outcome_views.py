"""Pages of the outcomes registry: a project's outcomes (report one, attach evidence, withdraw,
review) and the evidence downloads. Reads through projects.selectors, writes through
projects.services.outcomes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from audit.version import data_version
from core.charts import ChartData, grouped_bar_chart
from core.forms import ConfirmForm, apply_errors, perform
from core.permissions import require
from programmes.models import Call, Region, StrategicIndustry, localized

from . import selectors
from .forms import OutcomeEvidenceForm, OutcomeForm, OutcomeReviewForm
from .models import OutcomeEvidence, OutcomeKind, OutcomeState, Project
from .services import lifecycle, outcomes

PAGE_SIZE = 25


def _page(request, project, *, form=None, status=200):
    user = request.user
    f = {"kind": request.GET.get("kind", ""), "year": request.GET.get("year", "")}
    # The project's records (with who entered and reviewed them, and their evidence) once per data version:
    # the same for every reader of the project; what each reader may do with them is asked below.
    cache = caches["figures"]
    key = f"outcomes-of:{project.pk}:{f['kind'][:20]}:{f['year'][:8]}:{data_version()}"
    records = cache.get(key)
    if records is None:
        records = list(selectors.outcomes_of(project, kind=f["kind"], year=f["year"]))
        cache.set(key, records, selectors.OUTCOME_CACHE_SECONDS)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    for rec in page:
        rec.project = project  # the rules read its proposal's regions once
        rec.can_edit = rec.state != OutcomeState.CONFIRMED and user.has_perm("projects.edit_outcome", rec)
    can_report = user.has_perm("projects.report_outcome", project)
    add_kind = request.POST.get("kind") if form is not None else request.GET.get("add", "")
    if form is None and can_report and add_kind in OutcomeKind.values:
        form = OutcomeForm(kind=add_kind)
    until = lifecycle.outcome_years_until(project)
    return render(request, "projects/outcomes.html", {
        "project": project, "page": page, "f": f, "filtered": any(f.values()), "kinds": OutcomeKind.choices,
        "years": range(project.start_year, min(until, timezone.localdate().year) + 1),
        "can_report": can_report and timezone.localdate().year <= until, "until": until,
        "can_review": user.has_perm("projects.review_outcome"), "form": form,
        "add_kind": add_kind if form is not None else "",
        "add_kind_label": OutcomeKind(add_kind).label if form is not None else "",
        "version": data_version(),  # each record's details are rendered once per data version and language
    }, status=status)


@require_safe
@login_required
def outcome_list(request, pk):
    project = selectors.project_for(user=request.user, pk=pk)
    require(request.user, "projects.view_outcomes", project)
    return _page(request, project)


@require_POST
@login_required
def outcome_add(request, pk):
    project = selectors.project_for(user=request.user, pk=pk)
    require(request.user, "projects.report_outcome", project)
    kind = request.POST.get("kind", "")
    if kind not in OutcomeKind.values:
        messages.error(request, _("Choose a type of outcome."))
        return redirect("projects:outcomes", pk=pk)
    form = OutcomeForm(request.POST, kind=kind)
    if form.is_valid():
        try:
            outcomes.outcome_add(actor=request.user, project=project, kind=kind, data=form.values())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The outcome was reported. Attach its evidence below."))
            return redirect("projects:outcomes", pk=pk)
    return _page(request, project, form=form, status=400)


def _record_of(request, pk):
    return get_object_or_404(selectors.outcomes_visible_to(user=request.user).select_related("project__proposal"),
                             pk=pk)


def _back(rec):
    return redirect(reverse("projects:outcomes", args=[rec.project_id]) + f"#outcome-{rec.pk}")


@require_POST
@login_required
def outcome_evidence_add(request, pk):
    rec = _record_of(request, pk)
    form = OutcomeEvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            outcomes.evidence_add(actor=request.user, record_=rec, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            apply_errors(form, exc, field="file")
        else:
            messages.success(request, _("The file was attached."))
            return _back(rec)
    messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
    return _back(rec)


@require_POST
@login_required
def outcome_review(request, pk):
    rec = _record_of(request, pk)
    form = OutcomeReviewForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        perform(request, lambda: outcomes.outcome_transition(actor=request.user, record_=rec, action=d["action"],
                                                             comment=d["comment"]),
                _("The outcome was confirmed.") if d["action"] == "confirm" else _("The outcome was rejected."))
    else:
        messages.error(request, _("Choose whether to confirm or reject the outcome."))
    return _back(rec)


@require_POST
@login_required
def outcome_withdraw(request, pk):
    rec = _record_of(request, pk)
    form = ConfirmForm(request.POST, refusal=_("Tick the box to confirm the withdrawal."))
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["confirm"]))
        return _back(rec)
    if perform(request, lambda: outcomes.outcome_withdraw(actor=request.user, record_=rec),
               _("The outcome was withdrawn.")):
        return redirect("projects:outcomes", pk=rec.project_id)
    return _back(rec)


@require_safe
@login_required
def outcome_evidence_download(request, pk):
    evidence = get_object_or_404(OutcomeEvidence.objects.select_related("record__project__proposal"), pk=pk)
    # Visibility first (a foreign project is a 404), then the permission.
    project = selectors.project_for(user=request.user, pk=evidence.record.project_id)
    require(request.user, "projects.view_outcomes", project)
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name)


# --- The outcomes dashboard ---------------------------------------------------------------------------


def _named(row: dict, prefix: str) -> str:
    return localized(row.get(f"{prefix}_ko") or "", row.get(f"{prefix}_en") or "") or "—"


@require_safe
@login_required
def outcome_dashboard(request):
    """Outcomes per region, strategic industry and project: staff see every project, an official their
    region's. Each grouping is one query (projects.selectors.outcome_dashboard)."""
    require(request.user, "projects.view_outcome_dashboard")
    f = selectors.outcome_filters(request.GET)
    # The body (totals, chart, tables) is rendered once per person, filter, page, language and data version.
    key = "{}:{}:{}".format(selectors.outcome_dashboard_key(user=request.user, **f), request.GET.get("page", "1"),
                            get_language())
    cache = caches["figures"]
    body = cache.get(key)
    if body is None:
        body = render_to_string("projects/_outcome_dashboard_body.html",
                                {"filtered": any(f.values()), **_outcome_body(request, f)}, request)
        cache.set(key, body, selectors.OUTCOME_CACHE_SECONDS)
    return render(request, "projects/outcome_dashboard.html", {
        "f": f, "filtered": any(f.values()), "body": body,
        "region_choices": Region.objects.all(), "industry_choices": StrategicIndustry.objects.all(),
        "call_choices": Call.objects.filter(Exists(Project.objects.filter(proposal__call=OuterRef("pk")))).order_by("-year"),
        "years": range(timezone.localdate().year, 2019, -1),
    })


def _outcome_body(request, f) -> dict:
    figures = selectors.outcome_dashboard(user=request.user, **f)
    regions = [{**r, "name": _named(r, "region__name")} for r in figures["by_region"]]
    industries = [{**r, "name": _named(r, "project__proposal__industry__name")} for r in figures["by_industry"]]
    page = Paginator(figures["by_project"], PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page:
        row["title"] = _named(row, "project__proposal__title")
    chart = grouped_bar_chart(ChartData(
        title=_("Outcomes per region"), category_heading=_("Region"),
        description=_("Papers, patents, technology transfers and start-ups reported by each region."),
        categories=[r["name"] for r in regions],
        series=[_("Papers"), _("Patents"), _("Technology transfers"), _("Start-ups")],
        values=[[r["papers"], r["patents"], r["transfers"], r["startups"] or 0] for r in regions]),
        id_prefix="outcomes-region", empty_text=_("No outcomes reported yet."))
    return {"totals": figures["totals"], "regions": regions, "industries": industries, "page": page, "chart": chart}
