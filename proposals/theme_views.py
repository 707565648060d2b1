"""Phase 1 of the planning period (issue 17): the regions' candidate themes — list, register, edit
until discovery closes, attach the analysis' files. Every lookup goes through the visibility
selector: another region's theme is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import apply_errors, perform
from core.params import parse_id
from core.permissions import require
from programmes.models import PlanningPhase
from programmes.selectors import calls_visible_to

from . import advice, selectors
from .forms import CandidateThemeForm, OpinionForm, ThemeAttachmentForm, ThemeDropForm, ThemeSelectionForm
from .models import OpinionGathering, ThemeStatus
from .services import themes as services


@login_required
def theme_list(request):
    require(request.user, "proposals.list_themes")
    qs = selectors.themes_visible_to(user=request.user).prefetch_related("regions__region")
    search = request.GET.get("q", "").strip()
    call = parse_id(request.GET.get("call", ""))
    status = request.GET.get("status", "")
    if search:
        qs = qs.filter(title_ko__icontains=search) | qs.filter(title_en__icontains=search)
    if call is not None:
        qs = qs.filter(call_id=call)
    if status in ThemeStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-call__year", "lead_region__order", "pk"), 20).get_page(request.GET.get("page"))
    planning_calls = [c for c in calls_visible_to(user=request.user).filter(planning_start__isnull=False)
                      if c.planning_phase_refusal(PlanningPhase.DISCOVERY) is None]
    can_create = request.user.has_perm("proposals.create_theme") and bool(planning_calls)
    return render(request, "proposals/theme_list.html", {
        "page": page, "search": search, "call": call, "status": status, "statuses": ThemeStatus.choices,
        "calls": calls_visible_to(user=request.user).filter(planning_start__isnull=False),
        "planning_calls": planning_calls, "can_create": can_create})


@login_required
def theme_create(request, call_pk):
    require(request.user, "proposals.create_theme")
    call = get_object_or_404(calls_visible_to(user=request.user).filter(planning_start__isnull=False), pk=call_pk)
    form = CandidateThemeForm(request.POST or None, call=call, own_region=request.user.region)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            theme = services.theme_create(actor=request.user, call=call, fields=data, partners=data["partners"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The candidate theme was registered."))
            return redirect("proposals:theme_detail", pk=theme.pk)
    refusal = call.planning_phase_refusal(PlanningPhase.DISCOVERY)
    return render(request, "proposals/theme_form.html", {"form": form, "call": call, "theme": None,
                                                         "refusal": refusal},
                  status=400 if form.errors else 200)


@login_required
def theme_detail(request, pk):
    theme = selectors.theme_for(user=request.user, pk=pk)
    return render(request, "proposals/theme_detail.html", {
        "theme": theme, "call": theme.call, "can_edit": request.user.has_perm("proposals.edit_theme", theme),
        "closed": theme.call.planning_phase_refusal(PlanningPhase.DISCOVERY),
        "can_drop": theme.status == ThemeStatus.CANDIDATE and request.user.has_perm("proposals.drop_theme", theme)
        and theme.call.planning_phase_refusal(PlanningPhase.SELECTION) is None,
        "attach_form": ThemeAttachmentForm()})


@login_required
def theme_edit(request, pk):
    theme = selectors.theme_for(user=request.user, pk=pk)
    require(request.user, "proposals.edit_theme", theme)
    lead = request.user.has_perm("proposals.manage_theme_regions", theme)
    initial = {"partners": [r.region for r in theme.regions.all() if not r.is_lead]}
    form = CandidateThemeForm(request.POST or None, instance=theme, initial=initial, call=theme.call,
                              own_region=theme.lead_region, lead=lead)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.theme_save(actor=request.user, theme=theme, fields=data,
                                partners=data["partners"] if lead else None)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The candidate theme was saved."))
            return redirect("proposals:theme_detail", pk=theme.pk)
    return render(request, "proposals/theme_form.html", {"form": form, "call": theme.call, "theme": theme,
                                                         "refusal": None},
                  status=400 if form.errors else 200)


@require_POST
@login_required
def theme_attach(request, pk):
    theme = selectors.theme_for(user=request.user, pk=pk)
    require(request.user, "proposals.edit_theme", theme)
    form = ThemeAttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.theme_attachment_add(actor=request.user, theme=theme, upload=form.cleaned_data["file"],
                                          description=form.cleaned_data["description"])
        except ValidationError as exc:
            apply_errors(form, exc, field="file")
        else:
            messages.success(request, _("The file was added."))
            return redirect("proposals:theme_detail", pk=theme.pk)
    return render(request, "proposals/theme_detail.html", {
        "theme": theme, "call": theme.call, "can_edit": True, "closed": None, "attach_form": form}, status=400)


@login_required
def theme_attachment(request, pk, attachment_id):
    theme = selectors.theme_for(user=request.user, pk=pk)
    attachment = get_object_or_404(theme.attachments, pk=attachment_id)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)


# --- Phase 2: opinions and the final theme ---------------------------------------------------------


def _selection_context(request, call, *, opinion_form=None, select_form=None):
    user = request.user
    own = selectors.themes_visible_to(user=user).filter(call=call).prefetch_related("regions__region")
    led = own.filter(lead_region_id=user.region_id, status=ThemeStatus.CANDIDATE)
    selected = next((t for t in own if t.status == ThemeStatus.SELECTED), None)
    has_advice = services.advice_exists(call, user.region_id)
    refusal = call.planning_phase_refusal(PlanningPhase.SELECTION)
    return {
        "call": call, "themes": own, "selected": selected,
        "selection": getattr(selected, "selection", None) if selected else None,
        "opinions": OpinionGathering.objects.filter(call=call, region_id=user.region_id),
        "opinion_form": opinion_form or OpinionForm(),
        "select_form": select_form or ThemeSelectionForm(themes=led, advice=has_advice),
        # The experts' consolidated advice on the region's themes (evaluations, through proposals.advice).
        "advice": advice.selection_advice(user=user, call=call, themes=list(own)),
        "can_select": refusal is None and selected is None and led.exists() and all(
            user.has_perm("proposals.select_theme", t) for t in led[:1]),
        "can_sign": refusal is None and selected is not None and user.has_perm("proposals.sign_off_selection",
                                                                               selected) and any(
            r.region_id == user.region_id and r.signed_off_at is None for r in selected.regions.all()),
        "refusal": refusal,
        "can_draft": selected is not None and user.has_perm("proposals.draft_from_theme", selected) and all(
            r.signed_off_at for r in selected.regions.all()),
    }


def _planning_call(request, call_pk):
    require(request.user, "proposals.record_opinion")
    return get_object_or_404(calls_visible_to(user=request.user).filter(planning_start__isnull=False,
                                                                        eligible_regions=request.user.region_id),
                             pk=call_pk)


@login_required
def selection(request, call_pk):
    """Phase 2 for the official's region: its opinion gatherings, and the final theme with its sign-offs."""
    call = _planning_call(request, call_pk)
    return render(request, "proposals/theme_selection.html", _selection_context(request, call))


@require_POST
@login_required
def opinion_add(request, call_pk):
    call = _planning_call(request, call_pk)
    form = OpinionForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.opinion_record(actor=request.user, call=call, kind=data["kind"], held_on=data["held_on"],
                                    participants=data["participants"], summary=data["summary"],
                                    upload=data["minutes"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The opinion gathering was recorded."))
            return redirect("proposals:selection", call_pk=call.pk)
    return render(request, "proposals/theme_selection.html",
                  _selection_context(request, call, opinion_form=form), status=400)


@require_POST
@login_required
def theme_select(request, call_pk):
    call = _planning_call(request, call_pk)
    led = selectors.themes_visible_to(user=request.user).filter(call=call, lead_region_id=request.user.region_id,
                                                                status=ThemeStatus.CANDIDATE)
    form = ThemeSelectionForm(request.POST, themes=led, advice=services.advice_exists(call, request.user.region_id))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.theme_select(actor=request.user, call=call, theme=data["theme"], reason=data["reason"],
                                  followed_advice=data.get("followed_advice", ""),
                                  advice_reason=data.get("advice_reason", ""))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The final theme was selected; the partner regions are asked to sign it off."))
            return redirect("proposals:selection", call_pk=call.pk)
    return render(request, "proposals/theme_selection.html",
                  _selection_context(request, call, select_form=form), status=400)


@require_POST
@login_required
def selection_sign_off(request, pk):
    theme = selectors.theme_for(user=request.user, pk=pk)
    perform(request, lambda: services.selection_sign_off(actor=request.user, theme=theme),
            _("Your region signed off the final theme."))
    return redirect("proposals:selection", call_pk=theme.call_id)


@login_required
def opinion_minutes(request, pk):
    """The minutes of one of the region's opinion gatherings (staff: any)."""
    qs = OpinionGathering.objects.exclude(minutes="")
    if not request.user.has_perm("proposals.view_all_opinions"):
        qs = qs.filter(region_id=getattr(request.user, "region_id", None) or 0)
    gathering = get_object_or_404(qs, pk=pk)
    return FileResponse(gathering.minutes.open("rb"), as_attachment=True, filename=gathering.minutes_name)


@require_POST
@login_required
def theme_draft(request, pk):
    """Phase 3: the lead region opens the proposal draft from its signed-off final theme."""
    theme = selectors.theme_for(user=request.user, pk=pk)
    opened = []
    if not perform(request, lambda: opened.append(services.proposal_from_theme(actor=request.user, theme=theme)),
                   _("The proposal draft was opened from the final theme.")):
        return redirect("proposals:theme_detail", pk=theme.pk)
    return redirect("proposals:detail", pk=opened[0].pk)


@login_required
def theme_drop(request, pk):
    """The lead region drops one of its candidate themes, with the reason, on a page of its own that
    asks for confirmation (the theme stays among the themes considered)."""
    theme = selectors.theme_for(user=request.user, pk=pk)
    require(request.user, "proposals.drop_theme", theme)
    form = ThemeDropForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.theme_drop(actor=request.user, theme=theme, reason=form.cleaned_data["status_reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The candidate theme was dropped."))
            return redirect("proposals:theme_detail", pk=theme.pk)
    return render(request, "proposals/theme_drop.html", {
        "theme": theme, "call": theme.call, "form": form,
        "refusal": theme.call.planning_phase_refusal(PlanningPhase.SELECTION)},
        status=400 if form.errors else 200)


# --- Where every region stands (staff) -------------------------------------------------------


def _status_call(request, call_pk):
    require(request.user, "proposals.view_planning_status")
    return get_object_or_404(calls_visible_to(user=request.user).filter(planning_start__isnull=False), pk=call_pk)


@login_required
def planning_status(request, call_pk):
    from .planning_status import region_standings

    call = _status_call(request, call_pk)
    standings = region_standings(call)
    finals = {s.final_theme.pk: s for s in standings if s.final_theme}.values()
    return render(request, "proposals/planning_status.html", {
        "call": call, "standings": standings, "phases": call.planning_phases(),
        "current_phase": call.current_planning_phase(),
        "advice_given": len(advice.advised_themes(call.candidate_themes.values_list("pk", flat=True))),
        "selections": len(finals), "advice_followed": sum(s.followed_advice in ("yes", "partly") for s in finals)})


@login_required
def planning_status_csv(request, call_pk):
    from django.http import HttpResponse

    from core.spreadsheet import csv_text

    from .planning_status import region_standings, standing_csv_rows

    call = _status_call(request, call_pk)
    response = HttpResponse(csv_text(standing_csv_rows(call, region_standings(call))),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="planning-status-{call.pk}.csv"'
    return response
