from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from core.forms import apply_errors, perform
from core.permissions import require

from . import call_page, selectors, services
from .forms import CallForm, GuidelineForm, GuidelineVersionForm, InstitutionImportForm, rubric_formset, zone_formset
from .institutions import institutions_import
from .models import CallStatus, PlanningPhase

PAGE_SIZE = 20


@login_required
def call_list(request):
    search = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    year = request.GET.get("year", "")
    qs = selectors.call_list(user=request.user, search=search, status=status, year=year)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "programmes/call_list.html", {
        "page": page, "search": search, "status": status, "year": year,
        "statuses": CallStatus.choices,
    })


@login_required
def call_detail(request, pk):
    call = selectors.call_detail(user=request.user, pk=pk)
    return render(request, "programmes/call_detail.html", {
        "call": call, "statuses": CallStatus, "parts": call_page.parts_for(user=request.user, call=call),
        "guidelines": selectors.guidelines_of(call=call, user=request.user) if call.has_planning_period else []})


def _call_form_page(request, call, template_title: str):
    if request.method == "POST":
        form = CallForm(request.POST, instance=call)
        formset = rubric_formset(request.POST, instance=call)
        zones = zone_formset(request.POST, instance=call)
        form_valid = form.is_valid()
        if zones is not None:
            zones.eligible_regions = form.cleaned_data.get("eligible_regions")
        zones_valid = zones is None or zones.is_valid()
        if form_valid and formset.is_valid() and zones_valid:
            try:
                saved = services.call_save(
                    actor=request.user,
                    call=form.save(commit=False),
                    eligible_regions=form.cleaned_data["eligible_regions"],
                    strategic_industries=form.cleaned_data["strategic_industries"],
                    criteria=formset.criteria(),
                    zones=zones.zones() if zones is not None else None,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The call was saved."))
                return redirect("programmes:call_detail", pk=saved.pk)
        messages.error(request, _("Please correct the errors below. Nothing you typed was lost."))
    else:
        form = CallForm(instance=call)
        formset = rubric_formset(instance=call)
        zones = zone_formset(instance=call)
    return render(request, "programmes/call_form.html", {
        "form": form, "formset": formset, "zones": zones or zone_formset(instance=call), "call": call,
        "page_title": template_title,
    })


@login_required
@permission_required("programmes.add_call", raise_exception=True)
def call_create(request):
    return _call_form_page(request, selectors.call_template(), _("New call"))


@login_required
def call_edit(request, pk):
    call = selectors.call_detail(user=request.user, pk=pk)
    if not request.user.has_perm("programmes.change_call", call):
        raise PermissionDenied
    return _call_form_page(request, call, _("Edit call"))


@require_POST
@login_required
def call_status(request, pk):
    call = selectors.call_detail(user=request.user, pk=pk)
    if not request.user.has_perm("programmes.change_call_status", call):
        raise PermissionDenied
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the confirmation box to change the call's status."))
        return redirect("programmes:call_detail", pk=call.pk)

    def change():
        try:
            services.call_change_status(actor=request.user, call=call, status=request.POST.get("status", ""))
        except ValueError:
            raise ValidationError(_("Unknown status.")) from None

    perform(request, change, _("The call's status was changed."))
    return redirect("programmes:call_detail", pk=call.pk)


@login_required
def institutions(request):
    """The institutions registry (staff): the entries, and an import from CSV or XLSX with its row report."""
    require(request.user, "programmes.manage_institutions")
    report = None
    form = InstitutionImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = institutions_import(actor=request.user, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            apply_errors(form, exc, field="file")
        else:
            if report.errors:
                messages.error(request, _("Nothing was imported: %(n)s rows have problems (see below).") % {
                    "n": len(report.errors)})
            else:
                messages.success(request, _("%(c)s institutions created, %(u)s updated.") % {
                    "c": len(report.created), "u": len(report.updated)})
    search = request.GET.get("q", "").strip()
    page = Paginator(selectors.institutions(search=search), 50).get_page(request.GET.get("page"))
    return render(request, "programmes/institutions.html", {"form": form, "report": report, "page": page,
                                                            "search": search},
                  status=400 if form.errors or (report and report.errors) else 200)


# --- Planning guidelines (issue 17) ------------------------------------------------------


@login_required
def guideline_create(request, pk):
    """Staff publish a planning guideline on a call (its first version)."""
    call = selectors.call_detail(user=request.user, pk=pk)
    require(request.user, "programmes.manage_guidelines", call)
    form = GuidelineForm(request.POST or None, request.FILES or None,
                         initial={"phase": call.current_planning_phase() or PlanningPhase.DISCOVERY})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            guideline = services.guideline_publish(
                actor=request.user, call=call, phase=data["phase"], title_ko=data["title_ko"],
                title_en=data["title_en"], text=data["text"], upload=data["file"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The guideline was published; the regions are asked to read it."))
            return redirect("programmes:guideline_detail", pk=guideline.pk)
    return render(request, "programmes/guideline_form.html", {"form": form, "call": call, "guideline": None},
                  status=400 if form.errors else 200)


@login_required
def guideline_detail(request, pk):
    guideline = selectors.guideline_for(user=request.user, pk=pk)
    read_current = False
    if guideline.current and getattr(request.user, "region_id", None):
        read_current = guideline.current.acknowledgements.filter(user=request.user).exists()
    readers = None
    if request.user.has_perm("programmes.view_guideline_readers", guideline):
        readers = selectors.guideline_readers(guideline=guideline)
    return render(request, "programmes/guideline_detail.html", {
        "guideline": guideline, "call": guideline.call, "read_current": read_current, "readers": readers})


@login_required
def guideline_revise(request, pk):
    """Staff publish a new version of a guideline."""
    guideline = selectors.guideline_for(user=request.user, pk=pk)
    require(request.user, "programmes.manage_guidelines", guideline.call)
    initial = {"text": guideline.current.text} if guideline.current else {}
    form = GuidelineVersionForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.guideline_revise(actor=request.user, guideline=guideline, text=form.cleaned_data["text"],
                                      upload=form.cleaned_data["file"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The new version was published; the regions are asked to read it again."))
            return redirect("programmes:guideline_detail", pk=guideline.pk)
    return render(request, "programmes/guideline_form.html", {"form": form, "call": guideline.call,
                                                              "guideline": guideline},
                  status=400 if form.errors else 200)


@require_POST
@login_required
def guideline_acknowledge(request, pk):
    guideline = selectors.guideline_for(user=request.user, pk=pk)
    perform(request, lambda: services.guideline_acknowledge(actor=request.user, guideline=guideline),
            _("Recorded: you have read the current version."))
    return redirect("programmes:guideline_detail", pk=guideline.pk)


@login_required
def guideline_file(request, pk, version):
    """A version's file, to whoever may read the guideline (404 otherwise)."""
    guideline = selectors.guideline_for(user=request.user, pk=pk)
    found = next((v for v in guideline.versions.all() if v.pk == version and v.file), None)
    if found is None:
        raise Http404
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.original_name)
