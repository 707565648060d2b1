"""Pages of funded projects: list, workspace (plan, money, reports, evaluations,
timeline), annual reports, stage evaluation rounds, follow-up plans.
Views stay thin: they read through projects.selectors and write through
projects.services."""

import importlib.util

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from core.charts import ChartData, column_chart
from core.forms import ConfirmForm, apply_errors, perform
from core.params import parse_id, posted_id, posted_ids
from core.permissions import Refused, refusal_reason, require
from core.templatetags.portal import eok
from evaluations.models import ScoresheetState
from evaluations.selectors import experts
from evaluations.services.panels import panel_unassign
from evaluations.views import auto_plan_page
from funding.models import AwardLetter
from programmes.categories import SpendingCategory
from programmes.models import Call, Region
from programmes.money import TOTAL_KEY, MatchingRule
from proposals.selectors import participations_of

from . import hooks, selectors
from .charts import TimelineData, TimelineEvaluation, TimelineStage, timeline_svg
from .figures import funding_rows, kpi_rows
from .forms import (
    ConditionFormSet,
    DecideForm,
    EvidenceForm,
    GoodFaithDecisionForm,
    PlanReturnForm,
    PlanSaveForm,
    ReportAttachForm,
    ReportForm,
    ReportPartForm,
    ReportReviewForm,
    ReportSubmitForm,
    RoundOpenForm,
    RoundPlanForm,
    SanctionForm,
    SpendingImportForm,
    rubric_formset,
    rubric_rows,
)
from .models import (
    AnnualReport,
    Condition,
    GoodFaithReview,
    KPIResult,
    PlanState,
    ProjectStatus,
    ReportAttachment,
    ReportState,
    RoundState,
    StageEvaluation,
    StageReport,
    StageRound,
)
from .services import goodfaith, lifecycle, outcomes, plans, reports, spending, stages

PAGE_SIZE = 20


def _messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _documents():
    """The stage-report service (projects.services.documents), once it exists."""
    if importlib.util.find_spec("projects.services.documents") is None:
        return None
    from .services import documents

    return documents


# --- List and workspace ---------------------------------------------------------


@require_safe
@login_required
def project_list(request):
    require(request.user, "projects.list_projects")
    f = selectors.list_filters(request.GET)
    qs = selectors.project_list(user=request.user, **f)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "projects/project_list.html", {
        "page": page, "f": f, "filtered": any(f.values()),
        "statuses": ProjectStatus.choices, "regions": Region.objects.all(),
        "calls": Call.objects.filter(Exists(qs.order_by().filter(proposal__call=OuterRef("pk")))).order_by("-year"),
        "stage_numbers": range(1, 5), "can_rounds": request.user.has_perm("projects.manage_stage_rounds"),
    })


def _timeline(project, stage_list, evaluations, rows) -> TimelineData:
    call = project.proposal.call
    return TimelineData(
        title=_("Timeline of “%(title)s”") % {"title": project.title},
        first_year=project.start_year, max_years=call.max_total_years,
        stages=[TimelineStage(number=s.number, start_year=s.start_year, years=s.years,
                              label=_("Pilot") if s.number == 1 else _("Stage %(n)s") % {"n": s.number},
                              state_label=s.get_state_display()) for s in stage_list],
        evaluations=[TimelineEvaluation(year=e.round.year, label=e.get_outcome_display() or _("under way"))
                     for e in evaluations],
        money={r.year: (r.national_planned, r.local_planned_total) for r in rows},
        wind_down_year=project.wind_down_on.year if project.wind_down_on else None,
    )


# The workspace page's parts that read the same for every reader (timeline, plan and KPIs, money,
# the reports' and evaluations' rows, approved decisions), per process (settings.CACHES["figures"]),
# keyed by selectors.page_cache_key: the data version in the key shows any recorded change at once.
PAGE_CACHE_SECONDS = 300


def _page_part(project) -> dict:
    """What the project's workspace page shows every reader who may open it (projects_visible_to
    decided that first): from the cache, or read (one query per section, whatever the number of
    stages, reports or evaluations) and the charts rendered. What depends on the reader (the
    buttons and forms their permissions allow, the stage reports and award letters, whose builds
    leave no audit record, the higher apps' cards) is added after the cache by project_detail."""
    cache = caches["figures"]
    key = selectors.page_cache_key(project, get_language())
    part = cache.get(key)
    if part is not None:
        return part
    proposal = project.proposal
    participations = participations_of(proposal)
    stage_list = list(project.stages.all())
    current_stage = stage_list[-1] if stage_list else None
    rows = funding_rows(project, region_ids=[p.region_id for p in participations], stages=stage_list)
    evaluations = selectors.evaluations_of(project)
    plan_list = list(project.plans.all())
    plans_by_eval = {p.evaluation_id: p for p in plan_list}
    for e in evaluations:
        e.plan_link = plans_by_eval.get(e.pk)
    timeline = _timeline(project, stage_list, evaluations, rows)
    funding_chart = column_chart(ChartData(
        title=_("Funding per year: planned and spent"), category_heading=_("Year"),
        description=_("National and local funds together, in won."),
        categories=[str(r.year) for r in rows], series=[_("Planned"), _("Spent")],
        values=[[r.planned_total, r.spent_total] for r in rows], value_format=eok), id_prefix="funding",
        empty_text=_("No funding planned yet."))
    kpis = list(proposal.kpis.all())
    part = {
        "participations": participations, "stages": stage_list, "current_stage": current_stage,
        "roadmap": list(proposal.stages.all()), "kpis": kpi_rows(project, stage=current_stage, kpis=kpis),
        "all_kpis": kpis, "rows": rows, "evaluations": evaluations, "plans": plan_list,
        "timeline": timeline_svg(timeline), "funding_chart": funding_chart, "timeline_data": timeline,
        "years_used": lifecycle.total_years(project, stages=stage_list),
        "totals": {"national_planned": sum(r.national_planned for r in rows),
                   "local_planned": sum(r.local_planned_total for r in rows),
                   "spent": sum(r.spent_total or 0 for r in rows)},
        "funding_cols": 2 * len(participations) + 3,
        "report_years": reports.report_years(project, stages=stage_list),
        "reports": {r.year: r for r in project.reports.all()},
        "decisions": list(proposal.funding_decisions.filter(state="approved")),
    }
    cache.set(key, part, PAGE_CACHE_SECONDS)
    return part


@require_safe
@login_required
def project_detail(request, pk):
    project = selectors.project_for(user=request.user, pk=pk)
    require(request.user, "projects.view_project", project)
    proposal = project.proposal
    part = _page_part(project)  # a copy: what is set on its rows below stays with this request
    user = request.user
    today = timezone.localdate()
    can_start = user.has_perm("projects.edit_report", project) or user.has_perm("projects.review_report")
    report_rows = []
    for year in part["report_years"]:
        report = part["reports"].get(year)
        report_rows.append({"year": year, "report": report, "overdue": report is not None and report.is_overdue(today),
                            "due_on": report.due_on if report else reports.report_due_on(year),
                            "can_start": report is None and can_start and project.is_running and year <= today.year})
    # Built by workers (no audit record, so no new data version): read for every request.
    evaluations = part["evaluations"]
    stage_reports = ({r.evaluation_id: r for r in StageReport.objects.filter(evaluation__project=project)}
                     if evaluations else {})
    for e in evaluations:
        e.stage_report = stage_reports.get(e.pk)
        e.can_download = e.stage_report is not None and e.stage_report.status == "done" and user.has_perm(
            "projects.download_stage_report", e.stage_report)
    decisions = part["decisions"]
    letters = {}
    if decisions:
        for letter in AwardLetter.objects.filter(decision__in=[d.pk for d in decisions]):
            letters.setdefault(letter.decision_id, []).append(letter)
    for d in decisions:
        d.letter_list = letters.get(d.pk, [])
    return render(request, "projects/project_detail.html", {
        **part, "project": project, "proposal": proposal, "report_rows": report_rows,
        "max_years": proposal.call.max_total_years,
        "can_close_conditions": user.has_perm("projects.close_condition"),
        "page_parts": hooks.page_parts(user=user, project=project),
    })


@require_POST
@login_required
def condition_close(request, pk):
    condition = get_object_or_404(Condition.objects.select_related("evaluation__project"), pk=pk)
    project = selectors.project_for(user=request.user, pk=condition.evaluation.project_id)
    try:
        stages.condition_close(actor=request.user, condition=condition, evidence=request.POST.get("evidence", ""))
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(request, _("The condition is closed."))
    return redirect(reverse("projects:detail", args=[project.pk]) + "#evaluations")


# --- Annual reports ----------------------------------------------------------------


@require_POST
@login_required
def report_start(request, pk):
    project = selectors.project_for(user=request.user, pk=pk)
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        raise Http404 from None
    try:
        reports.report_open(actor=request.user, project=project, year=year)
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
        return redirect("projects:detail", pk=pk)
    return redirect("projects:report", pk=pk, year=year)


def _spending_rows(amounts: dict) -> list[tuple]:
    """A saved part's spending for reading: (category label, national, local, total) per category."""
    return [(SpendingCategory(c).label, *(amounts.get((s, c), 0) for s in spending.SOURCES),
             sum(amounts.get((s, c), 0) for s in spending.SOURCES)) for c in spending.CATEGORIES]


def _report_context(request, report, *, part_form=None, part_pk=None, stale_part=None, stale_report=False,
                    report_data=None, spending_import=None):
    """The report page. `part_form`: the bound form of part `part_pk` as posted (what was typed stays)."""
    user = request.user
    project = report.project
    stage = next((s for s in project.stages.all() if report.year in s.year_list), None)
    parts = list(report.parts.select_related("region", "updated_by").prefetch_related("spending_lines"))
    attachments = list(report.attachments.select_related("region"))
    for part in parts:
        part.can_edit = report.is_editable and user.has_perm("projects.edit_report_part", part)
        part.files = [a for a in attachments if a.region_id == part.region_id]
        amounts = spending.amounts_of(part)
        part.spending_rows = _spending_rows(amounts)
        if part.can_edit:
            part.form = part_form if part_form is not None and part.pk == part_pk else ReportPartForm.of(part, amounts)
        part.stale = stale_part == part.pk
    results = list(report.kpi_results.select_related("kpi"))
    index = (stage.number if stage else 1) - 1
    # KPIs that count outcomes: computed from the records (live while the report can change).
    computed = (outcomes.kpi_values(project, report.year)
                if report.is_editable and any(r.kpi.counts_outcome for r in results) else {})
    outcomes_url = reverse("projects:outcomes", args=[project.pk])
    for r in results:
        targets = r.kpi.targets or []
        r.target = targets[index] if 0 <= index < len(targets) else None
        if r.kpi.counts_outcome:
            r.computed = computed.get(r.kpi.counts_outcome, r.achieved)
            r.source_url = f"{outcomes_url}?kind={r.kpi.counts_outcome}&year={report.year}"
            r.source_label = r.kpi.get_counts_outcome_display()
        if report_data is not None:
            r.form_value, r.form_note = report_data["kpis"].get(r.pk, ("", ""))
        else:
            r.form_value = "" if r.achieved is None else format(r.achieved.normalize(), "f")
            r.form_note = r.note
    can_edit_report = report.is_editable and user.has_perm("projects.edit_report", project)
    return {
        "project": project, "report": report, "stage": stage, "parts": parts, "results": results,
        "can_edit_report": can_edit_report,
        "can_submit": can_edit_report and user.has_perm("projects.submit_report", project),
        "can_review": report.state == ReportState.SUBMITTED and user.has_perm("projects.review_report", report),
        "problems": reports.report_problems(report) if can_edit_report else [],
        "narrative": report_data["narrative"] if report_data is not None else report.narrative,
        "revision": report_data["revision"] if report_data is not None else report.revision,
        "stale_report": stale_report, "overdue": report.is_overdue(timezone.localdate()),
        "own_part": next((p for p in parts if p.can_edit), None),
        "matching_pct": project.proposal.call.min_local_matching_pct,
        "matching_basis": project.proposal.call.matching_basis,
        "spending_import": spending_import, "import_form": SpendingImportForm(),
    }


def _report_of(request, pk, year) -> AnnualReport:
    """The report, when the user may see its project (else 404 / 403)."""
    report = selectors.report_for(user=request.user, project_pk=pk, year=year)
    require(request.user, "projects.view_project", report.project)
    return report


def _show_errors(request, form) -> None:
    """The form's errors — its own and the service's (core.forms.apply_errors) — as the page's message."""
    messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))


def _back_to(report):
    return redirect("projects:report", pk=report.project_id, year=report.year)


@require_safe
@login_required
def report_page(request, pk, year):
    report = _report_of(request, pk, year)
    return render(request, "projects/report.html", _report_context(request, report))


def _own_part(request, report):
    part_id = posted_id(request, "part")
    if part_id is None:
        raise Http404
    return get_object_or_404(report.parts, pk=part_id)


@require_POST
@login_required
def report_part_save(request, pk, year):
    """A region saves its own part: the spending grid and the narrative. A refused amount is shown at
    its cell with everything typed kept."""
    report = _report_of(request, pk, year)
    part = _own_part(request, report)
    form = ReportPartForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            reports.report_part_save(actor=request.user, part=part, spending=form.spending(),
                                     narrative=d["narrative"], revision=d["revision"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your region's part was saved."))
            return _back_to(report)
    _show_errors(request, form)
    report.refresh_from_db()
    # Based on an older revision: show the saved version beside what was typed.
    stale = part.pk if form.data.get("revision", "") != str(report.parts.get(pk=part.pk).revision) else None
    return render(request, "projects/report.html",
                  _report_context(request, report, part_form=form, part_pk=part.pk, stale_part=stale), status=400)


@require_POST
@login_required
def spending_import(request, pk, year):
    """A region replaces its part's spending from an accounting export; the page shows the row report
    (and, when the sums break a rule, the grid with the imported sums and the problem at its cell)."""
    report = _report_of(request, pk, year)
    part = _own_part(request, report)
    form = SpendingImportForm(request.POST, request.FILES)
    result = None
    if form.is_valid():
        try:
            result = reports.report_part_import(actor=request.user, part=part, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            apply_errors(form, exc, field="file")
    if result is not None and result.saved:
        messages.success(request, _("%(n)s rows imported: your region's spending was replaced.") % {
            "n": len(result.rows)})
        return _back_to(report)
    grid = None
    if result is None:
        _show_errors(request, form)
    elif result.refused:
        messages.error(request, _("Nothing was imported: %(n)s rows were refused (see the row report).") % {
            "n": len(result.refused)})
    else:
        messages.error(request, _("Nothing was imported: the file's sums break the spending rules (see the grid)."))
        if result.amounts:
            grid = ReportPartForm({"narrative": part.narrative, "revision": part.revision,
                                   **{spending.cell_key(s, c): f"{v:,}" for (s, c), v in result.amounts.items()}})
            grid.is_valid()
            apply_errors(grid, ValidationError(result.problems))
    report.refresh_from_db()
    return render(request, "projects/report.html", _report_context(
        request, report, part_form=grid, part_pk=part.pk, spending_import=result), status=400)


@require_POST
@login_required
def report_save(request, pk, year):
    """The lead region saves the overall narrative and the KPI results."""
    report = _report_of(request, pk, year)
    form = ReportForm(request.POST, results=KPIResult.objects.filter(report=report))
    if form.is_valid():
        try:
            reports.report_save(actor=request.user, report=report, narrative=form.cleaned_data["narrative"],
                                kpi_values=form.kpi_values(), revision=form.cleaned_data["revision"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The report was saved."))
            return _back_to(report)
    _show_errors(request, form)
    report.refresh_from_db()
    typed = form.typed()
    return render(request, "projects/report.html", _report_context(
        request, report, report_data=typed, stale_report=typed["revision"] != str(report.revision)), status=400)


@require_POST
@login_required
def report_submit(request, pk, year):
    """The lead region submits the report, after ticking the confirmation."""
    report = _report_of(request, pk, year)
    form = ReportSubmitForm(request.POST)
    if form.is_valid():
        try:
            reports.report_transition(actor=request.user, report=report, action="submit")
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The report was submitted to the ministry."))
            return _back_to(report)
    _show_errors(request, form)
    return _back_to(report)


def _review(request, pk, year, *, action: str, done: str):
    report = _report_of(request, pk, year)
    form = ReportReviewForm(request.POST)
    if form.is_valid():
        try:
            reports.report_transition(actor=request.user, report=report, action=action,
                                      comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, done)
            return _back_to(report)
    _show_errors(request, form)
    return _back_to(report)


@require_POST
@login_required
def report_accept(request, pk, year):
    return _review(request, pk, year, action="accept", done=_("The report was accepted."))


@require_POST
@login_required
def report_return(request, pk, year):
    return _review(request, pk, year, action="return", done=_("The report was returned with your comments."))


@require_POST
@login_required
def report_attach(request, pk, year):
    """A region attaches evidence to its part. Whether the file is taken or refused, what the
    region typed into its part (not yet saved) stays on the page."""
    report = _report_of(request, pk, year)
    form = ReportAttachForm(request.POST, request.FILES)
    part = report.parts.filter(region_id=request.user.region_id).first()
    typed = part is not None and "narrative" in request.POST
    if not form.is_valid() and "file" in form.errors:
        _show_errors(request, form)
        return _back_to(report)
    try:
        reports.attachment_add(actor=request.user, report=report, upload=form.cleaned_data["file"])
    except ValidationError as exc:
        apply_errors(form, exc, field="file")
        _show_errors(request, form)
        return render(request, "projects/report.html", _report_context(
            request, report, part_form=form if typed else None, part_pk=part.pk if part else None), status=400)
    messages.success(request, _("The file was attached."))
    if typed and form.has_changed_from(part):
        return render(request, "projects/report.html",
                      _report_context(request, report, part_form=form, part_pk=part.pk))
    return _back_to(report)


@require_safe
@login_required
def attachment_download(request, pk):
    attachment = get_object_or_404(ReportAttachment.objects.select_related("report__project__proposal"), pk=pk)
    # Visibility first (a foreign project is a 404), then the permission.
    selectors.project_for(user=request.user, pk=attachment.report.project_id)
    require(request.user, "projects.view_report_attachment", attachment.report)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)


# --- Stage evaluation rounds -----------------------------------------------------------


@require_safe
@login_required
def round_list(request):
    require(request.user, "projects.manage_stage_rounds")
    return render(request, "projects/round_list.html", {"rounds": selectors.round_list()})


@login_required
def round_create(request):
    require(request.user, "projects.manage_stage_rounds")
    form = RoundOpenForm(request.POST or None)
    formset = rubric_formset(request.POST or None)
    # The call and stage are chosen first (a GET), then the round's details are posted with them.
    source = request.POST if request.method == "POST" else request.GET
    call_id, stage_number = parse_id(source.get("call", "")), parse_id(source.get("stage_number", ""))
    call = Call.objects.filter(pk=call_id).first() if call_id is not None else None
    stage_number = 1 if stage_number is None else stage_number
    due = list(stages.projects_due(call=call, stage_number=stage_number)) if call is not None else []
    chosen = posted_ids(request, "projects") if request.method == "POST" else None
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        d = form.cleaned_data
        try:
            rnd = stages.round_open(
                actor=request.user, call=d["call"], stage_number=d["stage_number"], title=d["title"], year=d["year"],
                envelope_won=d["envelope_won"], next_stage_years=d["next_stage_years"], panel_size=d["panel_size"],
                criteria=rubric_rows(formset), projects=[p for p in due if p.pk in (chosen or set())],
                excellent_from=d["excellent_from"], insufficient_below=d["insufficient_below"],
                scores_due_on=d["scores_due_on"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The stage evaluation round was opened. Assign experts to each project."))
            return redirect("projects:round", pk=rnd.pk)
    return render(request, "projects/round_form.html", {
        "form": form, "formset": formset, "due": due, "call": call, "stage_number": stage_number,
        "calls": Call.objects.order_by("-year"),
        "chosen": chosen if chosen is not None else {p.pk for p in due},
    }, status=400 if request.method == "POST" else 200)


def _round_rows(rnd, evaluations, results):
    criteria = list(rnd.criteria.all())
    rows = []
    for e in evaluations:
        active = [a for a in e.panel if not a.conflict_declared]
        submitted = sum(1 for a in active if getattr(getattr(a, "scoresheet", None), "state", "")
                        == ScoresheetState.SUBMITTED)
        result = results.get(e.pk)
        rows.append({
            "evaluation": e, "assignments": list(e.panel), "active": len(active), "submitted": submitted,
            "result": result,
            "by_criterion": [(c, result.by_criterion_score.get(c.pk) if result else None,
                              result.by_criterion.get(c.pk) if result else None) for c in criteria],
        })
    return criteria, rows


def _round_of(request, pk) -> StageRound:
    require(request.user, "projects.manage_stage_rounds")
    return get_object_or_404(StageRound.objects.select_related("call", "opened_by"), pk=pk)


@require_safe
@login_required
def round_detail(request, pk):
    rnd = _round_of(request, pk)
    evaluations = selectors.round_evaluations(rnd)
    results = stages.round_results(rnd) if rnd.state != RoundState.PREPARING else {}
    criteria, rows = _round_rows(rnd, evaluations, results)
    reports_by_eval = {r.evaluation_id: r for r in StageReport.objects.filter(evaluation__round=rnd)}
    for row in rows:
        row["report"] = reports_by_eval.get(row["evaluation"].pk)
        # Until its outcome is decided a panel can still take an expert (e.g. one replacing a withdrawal).
        row["experts"] = selectors.expert_choices(row["evaluation"]) if rnd.state != RoundState.CLOSED \
            and not row["evaluation"].is_decided else []
    return render(request, "projects/round_detail.html", {
        "round": rnd, "rows": rows, "criteria": criteria, "envelope": plans.round_envelope_status(rnd),
        "reports_ready": _documents() is not None,
    })


def _on_round(request, rnd, write, done: str):
    """Make a change to the round; why it was refused, or `done`, is the message on its page."""
    perform(request, write, done)
    return redirect("projects:round", pk=rnd.pk)


@require_POST
@login_required
def round_assign(request, pk):
    """An expert joins a project's panel."""
    rnd = _round_of(request, pk)
    evaluation = get_object_or_404(rnd.evaluations, pk=posted_id(request, "evaluation"))
    expert = get_object_or_404(experts(), pk=posted_id(request, "expert"))
    return _on_round(request, rnd, lambda: stages.stage_assign(actor=request.user, evaluation=evaluation, expert=expert),
                     _("%(expert)s was assigned.") % {"expert": expert})


@login_required
def round_auto_assign(request, pk):
    """The optimal plan of the round's panels (the call plan's solver, rules and page flow):
    staff choose what to optimise and the load, review each project's chosen experts, then confirm."""
    rnd = _round_of(request, pk)
    if rnd.state == RoundState.CLOSED:
        raise Http404
    return auto_plan_page(
        request, form_class=RoundPlanForm, names={"mode": "mode", "max_load": "max_load"},
        defaults={"mode": "total", "max_load": None},
        make_plan=lambda **kw: stages.round_panel_plan(rnd=rnd, **kw),
        confirm=lambda **kw: stages.round_panels_confirm(actor=request.user, rnd=rnd, **kw),
        done_url=reverse("projects:round", args=[rnd.pk]), template="projects/round_auto_assign.html",
        context={"round": rnd})


@require_POST
@login_required
def round_unassign(request, pk):
    """An expert leaves a panel (before scoring starts)."""
    rnd = _round_of(request, pk)
    assignment = get_object_or_404(rnd.assignments, pk=posted_id(request, "assignment"))
    return _on_round(request, rnd, lambda: panel_unassign(actor=request.user, assignment=assignment),
                     _("The expert was removed from the panel."))


@require_POST
@login_required
def round_start(request, pk):
    """Scoring starts once the confirmation box is ticked; the experts are told."""
    rnd = _round_of(request, pk)
    form = ConfirmForm(request.POST, refusal=_("Tick the confirmation box to start scoring."))
    if not form.is_valid():
        _show_errors(request, form)
        return redirect("projects:round", pk=rnd.pk)
    return _on_round(request, rnd, lambda: stages.round_start_scoring(actor=request.user, rnd=rnd),
                     _("Scoring has started; the experts were told."))


@require_POST
@login_required
def round_report(request, pk):
    """The stage-evaluation report of a decided project is built (again)."""
    rnd = _round_of(request, pk)
    documents = _documents()
    if documents is None:
        raise Http404
    evaluation = get_object_or_404(rnd.evaluations, pk=posted_id(request, "evaluation"))
    return _on_round(request, rnd, lambda: documents.stage_report_request(actor=request.user, evaluation=evaluation),
                     _("The stage-evaluation report is being built."))


@login_required
def evaluation_decide(request, pk):
    require(request.user, "projects.decide_stage")
    evaluation = get_object_or_404(StageEvaluation.objects.select_related(
        "round__call", "project__proposal__call", "stage"), pk=pk)
    rnd = evaluation.round
    if evaluation.is_decided:
        messages.info(request, _("This stage evaluation was already decided (%(outcome)s).") % {
            "outcome": evaluation.get_outcome_display()})
        return redirect("projects:round", pk=rnd.pk)
    form = DecideForm(request.POST or None)
    conditions = ConditionFormSet(request.POST or None, prefix="conditions")
    if request.method == "POST" and form.is_valid() and conditions.is_valid():
        d = form.cleaned_data
        if not d["confirm"]:
            form.add_error("confirm", _("Tick the box to confirm: the outcome is final."))
        else:
            rows = [{"text": c.cleaned_data.get("text", ""), "due_on": c.cleaned_data.get("due_on")}
                    for c in conditions.forms if c.cleaned_data]
            try:
                stages.stage_decide(actor=request.user, evaluation=evaluation, outcome=d["outcome"],
                                    panel_comment=d["panel_comment"], reason=d["reason"], conditions=rows,
                                    wind_down_on=d["wind_down_on"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The outcome was recorded and the regions were told."))
                return redirect("projects:round", pk=rnd.pk)
    results = stages.round_results(rnd)
    criteria, rows = _round_rows(rnd, [evaluation], results)
    return render(request, "projects/decide.html", {
        "evaluation": evaluation, "round": rnd, "project": evaluation.project, "form": form,
        "conditions": conditions, "row": rows[0], "criteria": criteria,
        "kpis": kpi_rows(evaluation.project, stage=evaluation.stage),
        "remaining_years": lifecycle.remaining_years(evaluation.project),
    }, status=400 if request.method == "POST" else 200)


# --- Grade and good-faith review ----------------------------------------------------------------

GOOD_FAITH_FORMS = {"evidence": EvidenceForm, "decide": GoodFaithDecisionForm, "sanction": SanctionForm}


@login_required
def good_faith(request, pk):
    """The evaluation's grade; for an insufficient one, its good-faith review (evidence, the second
    staff member's decision) and the sanctions recorded after it. Each action posts here."""
    require(request.user, "projects.review_good_faith")
    evaluation = get_object_or_404(StageEvaluation.objects.select_related(
        "round__call", "project__proposal", "graded_by"), pk=pk)
    review = GoodFaithReview.objects.filter(evaluation=evaluation).select_related("opened_by", "decided_by").first()
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms = {name: form_class(request.POST or None, request.FILES or None) if name == action else form_class()
             for name, form_class in GOOD_FAITH_FORMS.items()}
    if request.method == "POST":
        if action == "grade":
            perform(request, lambda: goodfaith.stage_grade(actor=request.user, evaluation=evaluation),
                    _("The evaluation was graded."))
            return redirect("projects:good_faith", pk=pk)
        form = forms.get(action)
        if form is None or (action != "sanction" and review is None):
            messages.error(request, _("Unknown action."))
            return redirect("projects:good_faith", pk=pk)
        if form.is_valid():
            d = form.cleaned_data
            writes = {
                "evidence": lambda: goodfaith.good_faith_evidence_save(
                    actor=request.user, review=review, evidence=d["evidence"], upload=d["attachment"]),
                "decide": lambda: goodfaith.good_faith_decide(actor=request.user, review=review,
                                                              good_faith=d["good_faith"], reason=d["reason"]),
                "sanction": lambda: goodfaith.sanction_record(actor=request.user, evaluation=evaluation,
                                                              kind=d["kind"], measure=d["measure"]),
            }
            try:
                writes[action]()
            except ValidationError as exc:
                apply_errors(form, exc)
            except Refused as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Saved."))
                return redirect("projects:good_faith", pk=pk)
    return render(request, "projects/good_faith.html", {
        "evaluation": evaluation, "round": evaluation.round, "project": evaluation.project, "review": review,
        "score": goodfaith.panel_score(evaluation) if not evaluation.grade else evaluation.grade_score,
        "sanctions": evaluation.sanctions.select_related("recorded_by"), "forms": forms,
        "can_decide": review is not None and request.user.has_perm("projects.decide_good_faith", review),
        "decide_refusal": refusal_reason(request.user, "projects.decide_good_faith", review) if review else None,
    }, status=400 if request.method == "POST" else 200)


# --- The stage-evaluation report (PDF) ---------------------------------------------------


def _stage_report_visible(request, pk) -> StageReport:
    report = StageReport.objects.select_related("evaluation__project__proposal").filter(pk=pk).first()
    if report is None:
        raise Http404
    selectors.project_for(user=request.user, pk=report.evaluation.project_id)
    if not request.user.has_perm("projects.download_stage_report", report):
        raise Http404
    return report


@never_cache
@require_safe
@login_required
def stage_report_status(request, pk):
    report = _stage_report_visible(request, pk)
    documents = _documents()
    progress = documents.stage_report_progress(report) if documents is not None else {
        "status": report.status, "status_label": report.get_status_display()}
    # "label" as the award letters' status answers, so static/js/progress.js polls both alike.
    return JsonResponse({**progress, "label": progress["status_label"], "error": report.error_for(request.user)})


@require_safe
@login_required
def stage_report_download(request, pk):
    documents = _documents()
    if documents is None:
        raise Http404
    _stage_report_visible(request, pk)
    report = documents.stage_report_for_download(user=request.user, report_id=pk)
    project = report.evaluation.project
    return FileResponse(report.file.open("rb"), as_attachment=True, content_type="application/pdf",
                        filename=f"stage-evaluation-{project.pk}-{report.evaluation.stage.number}.pdf")


# --- Follow-up plans ------------------------------------------------------------------------


def _plan_context(request, plan, *, form: PlanSaveForm | None = None) -> dict:
    """The plan's page; `form`: a refused save, shown back as typed with its errors at the cells."""
    user = request.user
    project = plan.project
    typed = form.data if form is not None else None
    errors = form.field_messages() if form is not None else {}
    problems = {**plans.plan_problems(plan), **errors}
    rows, totals = selectors.plan_grid(plan, participations_of(project.proposal), typed=typed, problems=problems)
    editable = plan.state in plans.EDITABLE and project.is_running
    own_editable = editable and user.has_perm("projects.edit_plan", plan)
    lead = editable and user.has_perm("projects.submit_plan", plan)
    return {
        "plan": plan, "project": project, "rows": rows, "totals": totals, "problems": problems,
        "total_problem": problems.get(TOTAL_KEY), "years_error": errors.get("years"),
        "goals": typed.get("goals", plan.goals) if typed is not None else plan.goals,
        "years": typed.get("years", plan.years) if typed is not None else plan.years,
        "own_region_id": user.region_id if own_editable else None, "can_edit_lead": lead,
        "can_submit": lead and not problems, "can_endorse": plan.state == PlanState.SUBMITTED and user.has_perm(
            "projects.endorse_plan", plan),
        "can_return": plan.state in (PlanState.SUBMITTED, PlanState.ENDORSED) and user.has_perm(
            "projects.endorse_plan", plan),
        "can_approve": plan.state == PlanState.ENDORSED and user.has_perm("projects.approve_plan", plan),
        # Why this staff member may not approve (four eyes: they endorsed it), from the rules.
        "approve_refused": refusal_reason(user, "projects.approve_plan", plan)
        if plan.state == PlanState.ENDORSED else None,
        "can_review": user.has_perm("projects.endorse_plan", plan),
        "envelope": plans.round_envelope_status(plan.evaluation.round),
        "remaining_years": lifecycle.remaining_years(project),
        "pct": project.proposal.call.min_local_matching_pct,
        "basis": MatchingRule.of(project.proposal.call).basis_name,
    }


@require_safe
@login_required
def plan_page(request, pk):
    plan = selectors.plan_for(user=request.user, pk=pk)
    return render(request, "projects/plan.html", _plan_context(request, plan))


@require_POST
@login_required
def plan_save(request, pk):
    """A region saves its own amounts; the lead region also the goals and the stage's years.
    Refused, the page comes back with what was typed and the errors at their cells."""
    plan = selectors.plan_for(user=request.user, pk=pk)
    user = request.user
    form = PlanSaveForm(request.POST, region_id=user.region_id, years=plan.year_list)
    if form.is_valid():
        lead = user.has_perm("projects.submit_plan", plan)
        try:
            plans.plan_save(actor=user, plan=plan, goals=form.posted("goals") if lead else None,
                            years=form.posted("years") if lead else None, amounts=form.amounts(),
                            revision=form.posted("revision"))
        except (ValidationError, Refused) as exc:
            apply_errors(form, exc)
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The plan was saved."))
            return redirect("projects:plan", pk=pk)
    else:
        _show_errors(request, form)
    plan.refresh_from_db()
    return render(request, "projects/plan.html", _plan_context(request, plan, form=form), status=400)


def _plan_move(request, pk, move, done: str, form=None):
    """A move of the plan (submit, endorse, return, approve) by the service `move(plan, form)`,
    once `form` (if any) is valid. Whatever refuses it — a form error, the service's rules,
    the rules' reason (four eyes: the endorser does not approve) — is the message on the page."""
    plan = selectors.plan_for(user=request.user, pk=pk)
    if form is not None and not form.is_valid():
        _show_errors(request, form)
        return redirect("projects:plan", pk=pk)
    perform(request, lambda: move(plan, form), done)
    return redirect("projects:plan", pk=pk)


@require_POST
@login_required
def plan_submit(request, pk):
    return _plan_move(request, pk, lambda plan, form: plans.plan_submit(actor=request.user, plan=plan),
                      _("The plan was submitted to the ministry."),
                      ConfirmForm(request.POST, refusal=_("Tick the confirmation box to submit the plan.")))


@require_POST
@login_required
def plan_endorse(request, pk):
    return _plan_move(request, pk, lambda plan, form: plans.plan_endorse(actor=request.user, plan=plan),
                      _("Endorsed. Another staff member must approve the plan."))


@require_POST
@login_required
def plan_return(request, pk):
    return _plan_move(request, pk, lambda plan, form: plans.plan_return(
        actor=request.user, plan=plan, comment=form.cleaned_data["comment"]),
        _("The plan was returned with your comments."), PlanReturnForm(request.POST))


@require_POST
@login_required
def plan_approve(request, pk):
    return _plan_move(request, pk, lambda plan, form: plans.plan_approve(actor=request.user, plan=plan),
                      _("Approved. The next stage is part of the project."),
                      ConfirmForm(request.POST, refusal=_("Tick the confirmation box to approve.")))
