"""Proposal pages. Views turn HTTP into service calls; no rule is decided here."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit.version import data_version
from core import josa
from core.forms import apply_errors
from core.params import parse_id
from core.permissions import require
from programmes.models import CooperationType, Region
from programmes.money import CAP_KEY, TOTAL_KEY, MatchingRule, cell_key, year_key
from programmes.selectors import open_calls_for_region

from . import disclosure, page_parts, selectors, services
from .forms import (
    AttachmentForm,
    BudgetForm,
    GoalsForm,
    KPIFormSet,
    LinkFormSet,
    OrganisationFormSet,
    OverviewForm,
    ProposalCreateForm,
    ReasonForm,
    StageFormSet,
)
from .models import OrganisationKind, ProposalState, ProposalVersion, StageKind
from .services import documents
from .services.versions import compare, snapshot
from .theme_parts import origin_part

PAGE_SIZE = 25


def _labels() -> dict:
    """Labels of stored codes, for templates that show snapshots and events."""
    return {
        "stage_kinds": dict(StageKind.choices), "org_kinds": dict(OrganisationKind.choices),
        "state_labels": dict(ProposalState.choices),
        "event_labels": {name: move.label for name, move in services.MOVES.items()} | {
            "created": _("created"), "signed_off": _("signed off"), "sign_offs_cleared": _("sign-offs cleared by an edit"),
            "region_invited": _("region invited"), "region_removed": _("region removed")},
    }

# No step needs a later one: the roadmap comes before the goals (a KPI has a target per stage).
STEPS = [
    ("overview", gettext_lazy("Overview")),
    ("consortium", gettext_lazy("Regions")),
    ("roadmap", gettext_lazy("Stage roadmap")),
    ("goals", gettext_lazy("Goals and KPIs")),
    ("budget", gettext_lazy("Budget plan")),
    ("links", gettext_lazy("Linked projects")),
    ("organisations", gettext_lazy("Organisations")),
    ("attachments", gettext_lazy("Attachments")),
    ("review", gettext_lazy("Review and submit")),
]
STEP_KEYS = [k for k, _label in STEPS]
LIST_CACHE_SECONDS = 300


# --- Lists and creation -------------------------------------------------------------


@login_required
def proposal_list(request):
    if not request.user.has_perm("proposals.list_proposals"):
        raise PermissionDenied
    f = selectors.list_filters(request.GET)
    filtered = any(v for k, v in f.items() if k != "sort")
    can_create = request.user.has_perm("proposals.create_proposal")
    # The table (rows, pagination, empty state) is rendered once per person, query string, language and
    # data version (every change of a proposal, and a call's announcement, writes an audit event).
    cache = caches["figures"]
    typed = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:24]
    key = f"proposal-list:{request.user.pk}:{typed}:{get_language()}:{data_version()}"
    table = cache.get(key)
    if table is None:
        qs = selectors.proposal_list(user=request.user, search=f["q"], call=f["call"], state=f["state"],
                                     ctype=f["type"], region=f["region"], industry=f["industry"],
                                     sort=f["sort"] or "updated")
        page = Paginator(qs.values(*selectors.LIST_COLUMNS, "region_count"), PAGE_SIZE).get_page(request.GET.get("page"))
        table = render_to_string("proposals/_proposal_list_table.html", {
            "page": page, "rows": selectors.list_rows(page.object_list), "filtered": filtered,
            "can_create": can_create}, request)
        cache.set(key, table, LIST_CACHE_SECONDS)
    from programmes.selectors import calls_visible_to, industries_in_order, regions_in_order

    return render(request, "proposals/proposal_list.html", {
        "table": table, "f": f, "filtered": filtered,
        "states": disclosure.state_choices(user=request.user), "types": CooperationType.choices,
        "region_options": [(r.code, r) for r in regions_in_order()],
        "industry_options": [(i.code, i) for i in industries_in_order()],
        "call_options": [(c.pk, c.year) for c in calls_visible_to(user=request.user)],
        "can_create": can_create,
    })


@login_required
def proposal_create(request):
    user = request.user
    require(user, "proposals.create_proposal")
    calls = open_calls_for_region(region=user.region)
    initial = {"cooperation_type": CooperationType.SUPER_REGIONAL}
    if (call_id := parse_id(request.GET.get("call", ""))) is not None:
        initial["call"] = call_id
    form = ProposalCreateForm(request.POST or None, calls=calls, own_region=user.region, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            proposal = services.proposal_create(
                actor=user, call=d["call"], cooperation_type=d["cooperation_type"], title_ko=d["title_ko"],
                title_en=d["title_en"], industry=d["industry"], partner_regions=list(d["partner_regions"]))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The proposal was created as a draft. Fill in each step; every step is saved."))
            return redirect("proposals:step", pk=proposal.pk, step="overview")
    return render(request, "proposals/proposal_create.html", {"form": form, "has_calls": calls.exists()})


# --- Detail, versions, comparison -----------------------------------------------------


# The proposal page's rendered plan, per process (settings.CACHES["figures"]), keyed by
# selectors.plan_cache_key: the data version in the key shows any change at once.
PLAN_CACHE_SECONDS = 300


def _plan_part(proposal, participations) -> dict:
    """The plan, the budget grid and the attachments of the proposal page as HTML ({"plan",
    "attachments"}) and the newest events ("events", before disclosure.visible_events picks what the
    reader may see): from the cache, or read (one query per section) and rendered. The HTML is the same
    for every reader of the page (nothing in it is sealed)."""
    cache = caches["figures"]
    key = selectors.plan_cache_key(proposal, get_language())
    part = cache.get(key)
    if part is None:
        selectors.with_plan(proposal)
        part = {"plan": render_to_string("proposals/_detail_plan.html", {
                    "snapshot": snapshot(proposal), "budget": selectors.budget_summary(proposal, participations),
                    **_labels()}),
                "attachments": render_to_string("proposals/_detail_attachments.html", {"proposal": proposal}),
                "events": list(proposal.events.select_related("actor")[:30])}
        cache.set(key, part, PLAN_CACHE_SECONDS)
    return part


@login_required
def proposal_detail(request, pk):
    proposal = selectors.proposal_page(user=request.user, pk=pk, plan=False)
    if proposal.is_editable:
        # The checklist and the submit panel read every section while the plan is being written.
        selectors.with_plan(proposal)
    participations = selectors.participations_of(proposal)
    items = services.checklist(proposal) if proposal.is_editable else []
    plan_part = _plan_part(proposal, participations)
    return render(request, "proposals/proposal_detail.html", {
        "proposal": proposal,
        "shown": disclosure.disclosure_for(user=request.user, proposal=proposal),
        "participations": participations,
        "moves": _without_submit(services.available_moves(user=request.user, proposal=proposal)),
        "versions": list(proposal.versions.all()),
        "events": disclosure.visible_events(user=request.user, proposal=proposal, events=plan_part["events"]),
        "checklist": items,
        "checklist_done": sum(1 for i in items if i.done), "checklist_total": len(items),
        "submit_panel": _submit_panel(request.user, proposal, items),
        "parts": page_parts.parts_for(user=request.user, proposal=proposal),
        "plan_part": plan_part,
        "reason_form": ReasonForm(),
        "my_participation": next((p for p in participations if p.region_id == request.user.region_id), None),
        "can_pdf": request.user.has_perm(documents.PERMISSION, proposal),
        "pdf": documents.current_pdf(proposal),
        **_labels(),
    })


@login_required
def version_detail(request, pk, number):
    proposal = selectors.proposal_for(user=request.user, pk=pk)
    version = get_object_or_404(ProposalVersion, proposal=proposal, number=number)
    return render(request, "proposals/version_detail.html", {
        "proposal": proposal, "version": version, "snapshot": version.snapshot,
        "versions": list(proposal.versions.all()), **_labels(),
    })


@login_required
def version_compare(request, pk):
    proposal = selectors.proposal_for(user=request.user, pk=pk)
    versions = list(proposal.versions.all())
    if len(versions) < 1:
        messages.info(request, _("There is no frozen version to compare yet."))
        return redirect("proposals:detail", pk=pk)
    numbers = {v.number: v for v in versions}

    def pick(name, default):
        value = request.GET.get(name, "")
        if value == "current":
            return "current"
        number = parse_id(value)
        return number if number in numbers else default

    a = pick("a", versions[0].number)
    b = pick("b", "current" if len(versions) == 1 else versions[-1].number)
    snap = {n: v.snapshot for n, v in numbers.items()}
    snap["current"] = snapshot(proposal)
    return render(request, "proposals/version_compare.html", {
        "proposal": proposal, "versions": versions, "a": a, "b": b, "diff": compare(snap[a], snap[b]),
        # The origin does not change between versions: shown once, short.
        "origin": origin_part(user=request.user, proposal=proposal, compact=True),
        "field_labels": {"title_ko": _("Title (Korean)"), "title_en": _("Title (English)"), "summary": _("Summary"),
                         "problem": _("Regional problem it solves"), "vision": _("Vision"), "goals": _("Goals")},
    })


# --- State changes ------------------------------------------------------------------


@require_POST
@login_required
def proposal_action(request, pk):
    proposal = selectors.proposal_for(user=request.user, pk=pk)
    action = request.POST.get("action", "")
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the confirmation box first."))
        return redirect("proposals:detail", pk=pk)
    try:
        services.proposal_transition(actor=request.user, proposal=proposal, action=action,
                                     reason=request.POST.get("reason", ""), by_hand=True)
    except PermissionDenied:
        messages.error(request, _("You may not do that with this proposal."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, josa.format(_("Done: the proposal is now “%(state)s”."), state=disclosure.disclosure_for(
            user=request.user, proposal=selectors.proposal_for(user=request.user, pk=pk)).label))
    return redirect("proposals:detail", pk=pk)


@require_POST
@login_required
def proposal_sign_off(request, pk):
    proposal = selectors.proposal_for(user=request.user, pk=pk)
    revision = request.POST.get("revision", "")
    try:
        services.consortium_sign_off(actor=request.user, proposal=proposal,
                                     revision=-1 if (number := parse_id(revision)) is None else number)
    except PermissionDenied:
        messages.error(request, _("You may not sign off this proposal."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your region signed off this version of the proposal."))
    return redirect("proposals:detail", pk=pk)


# --- The multi-step form ------------------------------------------------------------------


def _editable_or_403(request, proposal):
    if not request.user.has_perm("proposals.edit_proposal", proposal):
        raise PermissionDenied


def _closed_to_edits(request, proposal):
    """Back to the proposal, saying why, when it can no longer be edited; 403 when the user may
    not edit it; None when the edit may go on."""
    if not proposal.is_editable:
        messages.info(request, _("This proposal is “%(state)s” and can no longer be edited.") % {
            "state": disclosure.disclosure_for(user=request.user, proposal=proposal).label})
        return redirect("proposals:detail", pk=proposal.pk)
    _editable_or_403(request, proposal)
    return None


def _submit_panel(user, proposal, items=None) -> dict | None:
    """The submit button for whoever may submit while the plan is still being written, with what
    blocks it (the very list the submit move checks); None for everyone else."""
    if not proposal.is_editable or not user.has_perm("proposals.submit", proposal):
        return None
    return {"move": services.MOVES["submit"], "blockers": services.submit_blockers(proposal, items=items)}


def _without_submit(moves):
    return [(name, move) for name, move in moves if name != "submit"]


def _step_context(request, proposal, step, **extra):
    """One progress measure on every step: the checklist of what submission needs (a step is
    ticked when its checklist items are done; attachments are optional and have none)."""
    items = services.checklist(proposal)
    missing_steps = {i.step for i in items if not i.done}
    done = {i.step for i in items} - missing_steps
    idx = STEP_KEYS.index(step)
    if step == "review":
        extra.setdefault("checklist", items)
        extra.setdefault("submit_panel", _submit_panel(request.user, proposal, items))
    return {
        "proposal": proposal, "step": step, "steps": STEPS, "done_steps": done,
        "checklist_done": sum(1 for i in items if i.done), "checklist_total": len(items),
        "next_step": STEP_KEYS[idx + 1] if idx + 1 < len(STEPS) else None,
        "prev_step": STEP_KEYS[idx - 1] if idx > 0 else None,
        "can_edit_lead": request.user.has_perm("proposals.edit_lead_sections", proposal),
        "participations": selectors.participations_of(proposal),
        **extra,
    }


def _after_save(request, proposal, step):
    messages.success(request, _("Saved."))
    if "continue" in request.POST:
        nxt = STEP_KEYS[STEP_KEYS.index(step) + 1]
        return redirect("proposals:step", pk=proposal.pk, step=nxt)
    return redirect("proposals:step", pk=proposal.pk, step=step)


def _conflict(request, exc):
    messages.error(request, _(
        "Someone else saved this section after you opened it. Your text is kept in the form; the saved "
        "version is shown beside it. Merge the two, then save again."))
    return services.section_revision(exc.proposal, exc.section)


@login_required
def proposal_step(request, pk, step):
    if step not in STEP_KEYS:
        raise Http404
    proposal = selectors.proposal_for(user=request.user, pk=pk)
    if step == "review":
        return _review(request, proposal)
    closed = _closed_to_edits(request, proposal)
    if closed is not None:
        return closed
    handler = {
        "overview": _overview, "consortium": _consortium, "goals": _goals, "roadmap": _roadmap,
        "budget": _budget, "links": _links, "organisations": _organisations, "attachments": _attachments,
    }[step]
    return handler(request, proposal)


def _overview(request, proposal):
    rev = services.section_revision(proposal, "overview")
    conflict = None
    if request.method == "POST":
        form = OverviewForm(request.POST, instance=proposal)
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in ("title_ko", "title_en", "industry", "summary", "problem",
                                                      "cooperation_type")}
            try:
                services.proposal_save_overview(actor=request.user, proposal=proposal,
                                                expected_revision=form.cleaned_data["expected_revision"], data=data)
            except services.EditConflict as exc:
                conflict = exc.proposal
                form = OverviewForm(request.POST.copy(), instance=proposal)
                form.data["expected_revision"] = _conflict(request, exc)
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied:
                messages.error(request, _("Only the lead region edits the overview."))
            else:
                return _after_save(request, proposal, "overview")
    else:
        form = OverviewForm(instance=proposal, initial={"expected_revision": rev})
    return render(request, "proposals/step_overview.html", _step_context(request, proposal, "overview", form=form,
                                                                        conflict=conflict))


def _consortium(request, proposal):
    if request.method != "GET":  # inviting and removing a region post to their own URLs
        return HttpResponseNotAllowed(["GET"])
    participations = selectors.participations_of(proposal)
    taken = {p.region_id for p in participations}
    invitable = proposal.call.eligible_regions.exclude(pk__in=taken)
    return render(request, "proposals/step_consortium.html", _step_context(
        request, proposal, "consortium", participations=participations, invitable=invitable,
        can_manage=request.user.has_perm("proposals.manage_consortium", proposal)))


def _consortium_change(request, pk, change, done: str):
    """The lead region invites or removes a partner region (posted by its code)."""
    proposal = selectors.proposal_for(user=request.user, pk=pk)
    closed = _closed_to_edits(request, proposal)
    if closed is not None:
        return closed
    region = get_object_or_404(Region, code=request.POST.get("region", ""))
    try:
        change(actor=request.user, proposal=proposal, region=region)
    except PermissionDenied:
        messages.error(request, _("Only the lead region manages the consortium."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, josa.format(done, region=region.name))
    return redirect("proposals:step", pk=proposal.pk, step="consortium")


@require_POST
@login_required
def consortium_invite(request, pk):
    return _consortium_change(request, pk, services.consortium_invite, _("%(region)s was invited."))


@require_POST
@login_required
def consortium_remove(request, pk):
    return _consortium_change(request, pk, services.consortium_remove,
                              _("%(region)s was removed from the consortium."))


def _formset_step(request, proposal, *, step, section, formset_class, initial, save, template, extra_forms=None,
                  formset_kwargs=None, region=None, conflict_view=None):
    key = services.section_key(section, region)
    rev = services.section_revision(proposal, key)
    formset_kwargs = formset_kwargs or {}
    conflict = None
    if request.method == "POST":
        formset = formset_class(request.POST, prefix="rows", **formset_kwargs)
        head = extra_forms(request.POST) if extra_forms else None
        expected = parse_id(request.POST.get("expected_revision", ""))
        if formset.is_valid() and (head is None or head.is_valid()) and expected is not None:
            # Rows shown pre-filled count even when untouched; blank extra rows don't.
            rows = [f for i, f in enumerate(formset.forms)
                    if f.cleaned_data and not f.cleaned_data.get("DELETE")
                    and (i < formset.initial_form_count() or f.has_changed())]
            try:
                save(rows=rows, head=head, expected=expected)
            except services.EditConflict as exc:
                conflict = conflict_view() if conflict_view else True
                rev = _conflict(request, exc)
            except ValidationError as exc:
                formset._non_form_errors = formset.error_class(exc.messages)
            except PermissionDenied:
                messages.error(request, _("You may not edit this section."))
            else:
                return _after_save(request, proposal, step)
        else:
            messages.error(request, _("Please correct the errors below. Nothing you typed was lost."))
    else:
        formset = formset_class(initial=initial, prefix="rows", **formset_kwargs)
        head = extra_forms(None) if extra_forms else None
    return render(request, template, _step_context(
        request, proposal, step, formset=formset, head=head, expected_revision=rev, conflict=conflict,
        region=region))


def _goals(request, proposal):
    stage_count = max(1, proposal.stages.count())
    kpis = list(proposal.kpis.all())
    initial = [{"name": k.name, "unit": k.unit, "baseline": k.baseline, "counts_outcome": k.counts_outcome,
                **{f"target_{i + 1}": t for i, t in enumerate(k.targets[:stage_count]) if t not in ("", None)}}
               for k in kpis]

    def head(data):
        return GoalsForm(data, initial={"vision": proposal.vision, "goals": proposal.goals,
                                        "expected_revision": services.section_revision(proposal, "goals")})

    def save(*, rows, head, expected):
        services.proposal_save_goals(
            actor=request.user, proposal=proposal, expected_revision=expected,
            vision=head.cleaned_data["vision"], goals=head.cleaned_data["goals"],
            kpis=[{"name": f.cleaned_data["name"], "unit": f.cleaned_data["unit"],
                   "baseline": f.cleaned_data["baseline"], "counts_outcome": f.cleaned_data.get("counts_outcome", ""),
                   "targets": f.targets()} for f in rows])

    return _formset_step(request, proposal, step="goals", section="goals", formset_class=KPIFormSet, initial=initial,
                         save=save, template="proposals/step_goals.html", extra_forms=head,
                         formset_kwargs={"stage_count": stage_count},
                         conflict_view=lambda: {"vision": proposal.vision, "goals": proposal.goals})


def _roadmap(request, proposal):
    initial = [{"kind": s.kind, "years": s.years, "goals": s.goals, "deliverables": s.deliverables}
               for s in proposal.stages.all()]
    if not initial:
        initial = [{"kind": "basic", "years": proposal.call.pilot_years}]

    def save(*, rows, head, expected):
        services.proposal_save_roadmap(actor=request.user, proposal=proposal, expected_revision=expected,
                                       stages=[f.cleaned_data for f in rows])

    return _formset_step(request, proposal, step="roadmap", section="roadmap", formset_class=StageFormSet,
                         initial=initial, save=save, template="proposals/step_roadmap.html")


def _links(request, proposal):
    initial = [{"name": x.name, "ministry": x.ministry, "connection": x.connection}
               for x in proposal.linked_projects.all()]

    def save(*, rows, head, expected):
        services.proposal_save_links(actor=request.user, proposal=proposal, expected_revision=expected,
                                     links=[{k: f.cleaned_data[k] for k in ("name", "ministry", "connection")}
                                            for f in rows])

    return _formset_step(request, proposal, step="links", section="links", formset_class=LinkFormSet,
                         initial=initial, save=save, template="proposals/step_links.html")


def _region_from_request(request, proposal):
    """The region whose section is edited: the user's own, or (lead only) any participant's."""
    participations = selectors.participations_of(proposal)
    codes = {p.region.code: p.region for p in participations}
    wanted = request.GET.get("region") or request.POST.get("region") or ""
    own = next((p.region for p in participations if p.region_id == request.user.region_id), None)
    if wanted and wanted in codes and codes[wanted] != own:
        if not request.user.has_perm("proposals.edit_lead_sections", proposal):
            raise PermissionDenied
        return codes[wanted], participations
    return own, participations


def _organisations(request, proposal):
    region, participations = _region_from_request(request, proposal)
    if region is None:
        raise PermissionDenied
    initial = [{"name": o.name, "kind": o.kind, "role": o.role} for o in proposal.organisations.filter(region=region)]

    def save(*, rows, head, expected):
        services.proposal_save_organisations(
            actor=request.user, proposal=proposal, region=region, expected_revision=expected,
            organisations=[{k: f.cleaned_data[k] for k in ("name", "kind", "role")} for f in rows])

    response = _formset_step(request, proposal, step="organisations", section="organisations",
                             formset_class=OrganisationFormSet, initial=initial, save=save,
                             template="proposals/step_organisations.html", region=region)
    return response


def _budget(request, proposal):
    """One region's budget tab. Each region edits its own (proposals.edit_region_budget); the lead
    region sees its partners' tabs read-only, and a post for a tab one may not edit is refused."""
    region, participations = _region_from_request(request, proposal)
    if region is None:
        raise PermissionDenied
    participation = next(p for p in participations if p.region_id == region.pk)
    can_edit = request.user.has_perm("proposals.edit_region_budget", participation)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    years = proposal.project_years()
    key = services.section_key("budget", region)
    existing = {b.year: b for b in proposal.budget_lines.filter(region=region)}
    years = sorted(set(years) | set(existing))
    cap = proposal.call.cap_won
    problems = {}
    conflict = False
    if request.method == "POST":
        form = BudgetForm(request.POST, years=years, cap_won=cap)
        if form.is_valid():
            try:
                services.proposal_save_budget(actor=request.user, proposal=proposal, region=region,
                                              expected_revision=form.cleaned_data["expected_revision"],
                                              lines=form.lines())
            except services.EditConflict as exc:
                conflict = True
                form.data = form.data.copy()
                form.data["expected_revision"] = _conflict(request, exc)
            except services.BudgetInvalid as exc:
                problems = exc.problems
                messages.error(request, _("The budget breaks the call's rules; see the messages at the cells. "
                                          "Nothing was saved and nothing you typed was lost."))
            else:
                response = _after_save(request, proposal, "budget")
                if "continue" not in request.POST:  # stay on the tab that was saved
                    response["Location"] += f"?region={region.code}"
                return response
        else:
            messages.error(request, _("Please correct the errors below. Nothing you typed was lost."))
    else:
        initial = {"expected_revision": services.section_revision(proposal, key)}
        for y, b in existing.items():
            initial.update({f"national_{y}": b.national_won, f"local_{y}": b.local_won, f"other_{y}": b.other_won})
        form = BudgetForm(initial=initial, years=years, cap_won=cap)
        problems = services.budget_problems(call=proposal.call, cells=services.budget_cells(proposal),
                                            years=proposal.project_years(), pilot_years=proposal.pilot_years())
    rows = []
    for y in years:
        cells = [(form[f"{k}_{y}"], problems.get(cell_key(region.pk, y, k))) for k, _label in BudgetForm.FIELDS]
        saved = existing.get(y)
        rows.append({
            "year": y, "pilot": y in proposal.pilot_years(), "fields": cells,
            "saved": [getattr(saved, f"{k}_won", 0) if saved else 0 for k, _label in BudgetForm.FIELDS],
            "saved_total": saved.total_won if saved else 0,
            # One message per place: the year's row speaks only when none of its cells already does.
            "year_problem": None if any(f.errors or p for f, p in cells) else problems.get(year_key(y)),
        })
    rule = MatchingRule.of(proposal.call)
    return render(request, "proposals/step_budget.html", _step_context(
        request, proposal, "budget", form=form, rows=rows, region=region, participations=participations,
        can_edit_budget=can_edit, own_region_id=request.user.region_id,
        summary=selectors.budget_summary(proposal, participations), total_problem=problems.get(TOTAL_KEY),
        cap_problem=problems.get(CAP_KEY), conflict=conflict,
        other_problems=[v for k, v in problems.items() if len(k) == 3 and k[0] != region.pk],
        pct=proposal.call.min_local_matching_pct, basis=proposal.call.matching_basis,
        basis_name=rule.basis_name))


def _attachments(request, proposal):
    if request.method == "POST":
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.attachment_add(actor=request.user, proposal=proposal, upload=form.cleaned_data["file"],
                                        description=form.cleaned_data["description"])
            except ValidationError as exc:
                apply_errors(form, exc, field="file")
            else:
                messages.success(request, _("The file was attached."))
                return redirect("proposals:step", pk=proposal.pk, step="attachments")
    else:
        form = AttachmentForm()
    return render(request, "proposals/step_attachments.html", _step_context(
        request, proposal, "attachments", form=form, attachments=list(proposal.attachments.select_related(
            "uploaded_by"))))


def _review(request, proposal):
    participations = selectors.participations_of(proposal)
    return render(request, "proposals/step_review.html", _step_context(
        request, proposal, "review", participations=participations,
        moves=_without_submit(services.available_moves(user=request.user, proposal=proposal)),
        my_participation=next((p for p in participations if p.region_id == request.user.region_id), None)))


# --- Attachments -------------------------------------------------------------------------


@login_required
def attachment_download(request, pk, attachment_id):
    proposal = selectors.proposal_for(user=request.user, pk=pk)
    attachment = get_object_or_404(proposal.attachments, pk=attachment_id)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)


@require_POST
@login_required
def attachment_remove(request, pk, attachment_id):
    proposal = selectors.proposal_for(user=request.user, pk=pk)
    attachment = get_object_or_404(proposal.attachments, pk=attachment_id)
    try:
        services.attachment_delete(actor=request.user, attachment=attachment)
    except PermissionDenied:
        messages.error(request, _("You may not remove this file."))
    else:
        messages.success(request, _("The file was removed."))
    return redirect(reverse("proposals:step", kwargs={"pk": pk, "step": "attachments"}))


# --- The whole proposal as one PDF (내부결재용) ---------------------------------------------


def _pdf_proposal(request, pk):
    """The proposal, if the user may have its PDF (else 404: nothing said about it)."""
    proposal = selectors.proposal_for(user=request.user, pk=pk)
    if not request.user.has_perm(documents.PERMISSION, proposal):
        raise Http404
    return proposal


def _current_pdf(request, pk):
    """(proposal, the PDF of its current revision), or 404 when the user may not have it or none
    was asked for."""
    proposal = _pdf_proposal(request, pk)
    document = documents.current_pdf(proposal)
    if document is None:
        raise Http404
    return proposal, document


@require_POST
@login_required
def pdf_request(request, pk):
    """The PDF of the current revision is built, or the one already built is reused."""
    proposal = _pdf_proposal(request, pk)
    try:
        document = documents.proposal_pdf_request(actor=request.user, proposal=proposal)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The PDF is ready.") if document.is_ready
                         else _("The PDF is being built; this page shows when it is ready."))
    return redirect(reverse("proposals:detail", args=[proposal.pk]) + "#proposal-pdf")


@never_cache
@login_required
def pdf_status(request, pk):
    _proposal, document = _current_pdf(request, pk)
    progress = documents.proposal_pdf_progress(document)
    # "label" as the award letters' status answers, so static/js/progress.js polls both alike.
    return JsonResponse({**progress, "label": progress["status_label"], "error": document.error_for(request.user)})


@login_required
def pdf_download(request, pk):
    proposal, document = _current_pdf(request, pk)
    document = documents.proposal_pdf_for_download(user=request.user, document_id=document.pk)
    return FileResponse(document.file.open("rb"), as_attachment=True, content_type="application/pdf",
                        filename=f"proposal-{proposal.pk}-r{document.revision}.pdf")
