"""Selection board, funding decisions and award letters (their public verification: core, /verify)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from core import josa
from core.forms import ConfirmForm, apply_errors, perform
from core.params import parse_id, posted_id
from core.permissions import refusal_reason, require
from evaluations.forms import TYPE_CHOICES
from evaluations.selectors import board_figures
from programmes.models import CooperationType
from programmes.money import CAP_KEY, TOTAL_KEY
from programmes.selectors import calls_visible_to
from proposals.models import ProposalState
from proposals.selectors import participations_of, proposal_for

from . import selectors, services
from .forms import DecisionForm, ScenarioCreateForm, ScenarioForm, SelectionForm
from .models import DecisionState, LetterBatch, LetterStatus, Scenario

COMPARE_PAGE = 50  # rows per page when the compare page lists only the differences


@require_safe
@login_required
def selection_board(request, pk):
    """The figures first, one page of the ranking at a time; each row's decision on its own page."""
    require(request.user, "funding.view_board")
    call = get_object_or_404(calls_visible_to(user=request.user), pk=pk)
    ctype = request.GET.get("type", "")
    if ctype not in CooperationType.values:
        ctype = ""
    board = selectors.selection_page(call=call, cooperation_type=ctype, page=request.GET.get("page", 1))
    return render(request, "funding/selection_board.html", {
        "call": call, "board": board, "page": board["page"], "envelope": selectors.envelope_status(call),
        "type": ctype, "types": TYPE_CHOICES,
        "row_query": "?" + urlencode({"type": ctype, "page": board["page"].number}),
    })


@login_required
def selection_decide(request, pk):
    """One proposal's selection decision (select, reserve, not selected) with its reason; refused,
    the page comes back with what was typed and the message at its field."""
    require(request.user, "funding.view_board")
    proposal = proposal_for(user=request.user, pk=pk)
    open_to_decide = proposal.state in (ProposalState.ELIGIBLE, ProposalState.RESERVE)
    form = SelectionForm(request.POST if request.method == "POST" else None, state=proposal.state)
    status = 200
    if request.method == "POST":
        require(request.user, "proposals.decide_selection")
        if form.is_valid():
            try:
                services.selection_decide(actor=request.user, proposal=proposal, action=form.cleaned_data["action"],
                                          reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, josa.format(
                    _("“%(title)s” is now “%(state)s”."), title=proposal.title_ko,
                    state=ProposalState(proposal_for(user=request.user, pk=proposal.pk).state).label))
                return redirect(_board_url(request, proposal))
        status = 400
    return render(request, "funding/selection_decide.html", {
        "proposal": proposal, "form": form, "open_to_decide": open_to_decide,
        "note": selectors.selection_note(proposal), "back": _board_url(request, proposal),
        "figures": board_figures(proposal=proposal),
    }, status=status)


def _board_url(request, proposal) -> str:
    """Back to the board, on the page and filter the decision was opened from (?back=page,type)."""
    query = {k: v for k, v in (("type", request.GET.get("type", "")), ("page", request.GET.get("page", "")))
             if v and (k != "type" or v in CooperationType.values) and (k != "page" or v.isdigit())}
    url = reverse("funding:selection", args=[proposal.call_id])
    return f"{url}?{urlencode(query)}" if query else url


# --- A proposal's funding decision: the page, and one view per action -----------------------------


def _decision_of(request, pk):
    """The proposal, its decisions and the current one, when the user may see them: staff who
    may prepare one before there is any, else whoever may see the current decision (404 / 403)."""
    proposal = proposal_for(user=request.user, pk=pk)
    decisions = selectors.decisions_visible_to(user=request.user, proposal=proposal)
    current = selectors.current_decision(decisions)
    if current is None and not request.user.has_perm("funding.prepare"):
        raise Http404
    if current is not None:
        require(request.user, "funding.view_decision", current)
    return proposal, decisions, current


def _decision_page(request, proposal, decisions, current, *, form=None, problems=None, status=200):
    """The page; `form`: a refused preparation, shown back as typed with the problems at their cells."""
    problems = problems or {}
    participations = participations_of(proposal)
    return render(request, "funding/decision.html", {
        "proposal": proposal, "decisions": decisions, "current": current, "participations": participations,
        "rows": selectors.decision_grid(proposal, current, participations=participations,
                                        typed=form.data if form is not None else None, problems=problems),
        "current_rows": selectors.decision_rows(current, participations) if current is not None else [],
        "problems": problems, "cap_problem": problems.get(CAP_KEY), "total_problem": problems.get(TOTAL_KEY),
        "conditions": form.data.get("conditions", "") if form is not None else (current.conditions if current else ""),
        "envelope": selectors.envelope_status(proposal.call),
        "can_prepare": request.user.has_perm("funding.prepare") and proposal.state == ProposalState.SELECTED,
        "can_approve": current is not None and current.state == DecisionState.PREPARED
        and request.user.has_perm("funding.approve", current),
        # Why this staff member may not approve (four eyes: they prepared it), from the rules.
        "approve_refused": refusal_reason(request.user, "funding.approve", current)
        if current is not None and current.state == DecisionState.PREPARED else None,
        "can_build_letters": request.user.has_perm("funding.generate_letters"),
        "letters": list(current.letters.all()) if current else [],
    }, status=status)


@require_safe
@login_required
def decision_page(request, pk):
    return _decision_page(request, *_decision_of(request, pk))


@require_POST
@login_required
def decision_prepare(request, pk):
    """Staff prepare a (new version of the) decision; refused, the page comes back as typed."""
    proposal, decisions, current = _decision_of(request, pk)
    require(request.user, "funding.prepare")
    participations = participations_of(proposal)
    form = DecisionForm(request.POST, years=proposal.pilot_years(), region_ids=[p.region_id for p in participations])
    problems = {}
    if form.is_valid():
        try:
            services.funding_prepare(actor=request.user, proposal=proposal, years=form.years(),
                                     obligations=form.obligations(), conditions=form.cleaned_data["conditions"])
        except services.DecisionInvalid as exc:
            problems = exc.problems
            messages.error(request, _("The decision breaks the call's rules; see the marked cells. Nothing was saved."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Decision prepared. Another staff member must approve it."))
            return redirect("funding:decision", pk=pk)
    else:
        messages.error(request, " ".join(form.non_field_errors() or [m for e in form.errors.values() for m in e]))
    return _decision_page(request, proposal, decisions, current, form=form, problems=problems, status=400)


@require_POST
@login_required
def decision_approve(request, pk):
    """Another staff member approves the prepared decision, once the confirmation box is ticked."""
    proposal, _decisions, _current = _decision_of(request, pk)
    require(request.user, "funding.approve")  # the decision's own check (four eyes) is the service's
    form = ConfirmForm(request.POST, refusal=_("Tick the confirmation box to approve."))
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["confirm"]))
        return redirect("funding:decision", pk=pk)
    decision = get_object_or_404(proposal.funding_decisions, pk=posted_id(request, "decision"))
    # Refused by its state, the envelope or four eyes (the preparer does not approve): the page says why.
    perform(request, lambda: services.funding_approve(actor=request.user, decision=decision),
            _("Approved. The award letter is being built."))
    return redirect("funding:decision", pk=pk)


@require_POST
@login_required
def decision_letter(request, pk):
    """Another language's letter of the approved decision is built."""
    proposal, _decisions, _current = _decision_of(request, pk)
    require(request.user, "funding.generate_letters")
    decision = get_object_or_404(proposal.funding_decisions, pk=posted_id(request, "decision"))
    perform(request, lambda: services.letter_request(actor=request.user, decision=decision,
                                                     language=request.POST.get("language", "ko")),
            _("The letter is being built."))
    return redirect("funding:decision", pk=pk)


# --- Award letters -------------------------------------------------------------------------------


@login_required
def letters_page(request, pk):
    require(request.user, "funding.generate_letters")
    call = get_object_or_404(calls_visible_to(user=request.user), pk=pk)
    if request.method == "POST":
        try:
            batch = services.letters_batch(actor=request.user, call=call)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("funding:letters", pk=pk)
        return redirect(f"{request.path}?batch={batch.pk}")
    batch = selectors.batch_of(call=call, pk=parse_id(request.GET.get("batch", "")))
    return render(request, "funding/letters.html", {
        "call": call, "letters": selectors.letters_of(call), "batch": batch,
        "progress": selectors.batch_progress(batch) if batch else None,
        "approved": selectors.approved_count(call), "statuses": LetterStatus,
    })


@never_cache
@login_required
def batch_progress(request, pk):
    require(request.user, "funding.generate_letters")
    batch = get_object_or_404(LetterBatch, pk=pk)
    return JsonResponse(selectors.batch_progress(batch))


@never_cache
@login_required
def letter_status(request, pk):
    letter = selectors.letter(pk)
    if letter is None or not request.user.has_perm("funding.view_decision", letter.decision):
        raise Http404
    return JsonResponse({"status": letter.status, "label": letter.get_status_display(), "error": letter.error_for(request.user)})


@login_required
def letter_download(request, pk):
    letter = services.letter_for_download(user=request.user, letter_id=pk)
    return FileResponse(letter.file.open("rb"), as_attachment=True, content_type="application/pdf",
                        filename=f"{letter.decision.reference}-{letter.language}.pdf")


@require_POST
@login_required
def letter_retry(request, pk):
    letter = selectors.letter(pk)
    if letter is None:
        raise Http404
    try:
        services.letter_request(actor=request.user, decision=letter.decision, language=letter.language)
    except (ValidationError, PermissionDenied) as exc:
        raise PermissionDenied from exc
    messages.success(request, _("The letter is being built again."))
    return redirect("funding:letters", pk=letter.decision.proposal.call_id)


# --- Cut-line scenarios (staff only) -------------------------------------------------------------


def _call_for_scenarios(request, pk):
    require(request.user, "funding.manage_scenarios")
    return get_object_or_404(calls_visible_to(user=request.user), pk=pk)


def _scenario_of(request, pk) -> Scenario:
    require(request.user, "funding.manage_scenarios")
    return get_object_or_404(Scenario.objects.filter(call__in=calls_visible_to(user=request.user))
                             .select_related("call", "created_by", "decided_by"), pk=pk)


@login_required
def scenarios(request, pk):
    """The call's scenarios with their totals; a new one is started from the ranking ("top N
    within the envelope"); two of them are chosen to compare."""
    call = _call_for_scenarios(request, pk)
    ranking = selectors.call_ranking(call)
    form = ScenarioCreateForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                scenario = services.scenario_create(actor=request.user, call=call, name=form.cleaned_data["name"],
                                                    notes=form.cleaned_data["notes"], top=form.cleaned_data["top"],
                                                    ranking=ranking)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Scenario created from the ranking. Change the choices and amounts, "
                                            "then save."))
                return redirect("funding:scenario", pk=scenario.pk)
        status = 400
    listed = [(s, services.scenario_figures(s, ranking))
              for s in call.funding_scenarios.select_related("created_by", "decided_by").prefetch_related("lines")]
    return render(request, "funding/scenarios.html", {
        "call": call, "form": form, "scenarios": listed, "ranked": len(ranking),
        "envelope": selectors.envelope_status(call),
    }, status=status)


@login_required
def scenario(request, pk):
    """One scenario: every ranked proposal's choice and amount, the remaining envelope, the cap and
    matching checks (recomputed on the page while typing; the server checks again on save)."""
    scenario = _scenario_of(request, pk)
    ranking = selectors.call_ranking(scenario.call)
    # A window of the ranking around the cut line (services.scenario_window); the form covers what is
    # shown (saving leaves the other lines as they are), the totals every row. The POST names the window
    # its form showed.
    source = request.POST if request.method == "POST" else request.GET
    asked = [None if (v := parse_id(source.get(k, ""))) is None else min(v, len(ranking)) for k in ("above", "below")]
    start, end = services.scenario_window(ranking, above=asked[0], below=asked[1])
    above, below = (services.WINDOW if v is None else v for v in asked)
    shown = {r["proposal_id"] for r in ranking[start:end]}
    figures = services.scenario_figures(scenario, ranking, shown=shown)
    rows = figures["rows"][start:end]
    hidden = {"total": 0, "count": 0, "approved": 0}
    for row in figures["rows"][:start] + figures["rows"][end:]:
        if row["choice"] == "select":  # not shown: what the page's running figures add to the shown rows
            hidden["total"] += row["amount"]
            hidden["count"] += 1
            hidden["approved"] += row["approved"] or 0
    form = ScenarioForm(request.POST if request.method == "POST" else None, rows=rows,
                        initial={"name": scenario.name, "notes": scenario.notes})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.scenario_save(actor=request.user, scenario=scenario, name=form.cleaned_data["name"],
                                       notes=form.cleaned_data["notes"], lines=form.lines(), ranking=ranking)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Scenario saved. Nothing was decided."))
                return redirect("funding:scenario", pk=scenario.pk)
        status = 400
    return render(request, "funding/scenario.html", {
        "scenario": scenario, "call": scenario.call, "figures": figures, "form": form, "rows": form.bound_rows(),
        "window": {"first": start + 1, "last": end, "ranked": len(ranking), "above": above, "below": below,
                   "asked": any(v is not None for v in asked),
                   "more_above": above + services.WINDOW_STEP if start > 0 else None,
                   "more_below": below + services.WINDOW_STEP if end < len(ranking) else None},
        "hidden": hidden,
        "can_decide": figures["can_decide"] and request.user.has_perm("funding.prepare"),
        "others": scenario.call.funding_scenarios.exclude(pk=scenario.pk),
    }, status=status)


@require_POST
@login_required
def scenario_decide(request, pk):
    """Turn the scenario into prepared decisions (all or none), once the box is ticked; another
    staff member approves each of them on its decision page."""
    scenario = _scenario_of(request, pk)
    require(request.user, "funding.prepare")
    form = ConfirmForm(request.POST, refusal=_("Tick the confirmation box to turn the scenario into decisions."))
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["confirm"]))
        return redirect("funding:scenario", pk=pk)
    perform(request, lambda: services.scenario_decide(actor=request.user, scenario=scenario,
                                                      ranking=selectors.call_ranking(scenario.call)),
            _("Decisions prepared from the scenario. Another staff member must approve each of them."))
    return redirect("funding:scenario", pk=pk)


@require_safe
@login_required
def scenario_compare(request, pk):
    """Two scenarios of the call side by side, every difference marked in words. A long ranking shows
    the window around the cut line the scenario page shows (with "show more"), or only the rows that
    differ, a page at a time; the difference count and each scenario's totals cover every row."""
    call = _call_for_scenarios(request, pk)
    chosen = [get_object_or_404(call.funding_scenarios, pk=parse_id(request.GET.get(k, "")) or 0) for k in "ab"]
    ranking = selectors.call_ranking(call)
    differing = services.scenario_differences(*chosen, ranking)
    only = request.GET.get("only") == "differences"
    asked = [None if (v := parse_id(request.GET.get(k, ""))) is None else min(v, len(ranking)) for k in ("above", "below")]
    above, below = (services.WINDOW if v is None else v for v in asked)
    window, page_obj = None, None
    if only:
        page_obj = Paginator(differing, COMPARE_PAGE).get_page(request.GET.get("page"))
        places = list(page_obj.object_list)
    else:
        start, end = services.scenario_window(ranking, above=asked[0], below=asked[1])
        places = range(start, end)
        outside = sum(1 for i in differing if not start <= i < end)
        window = {"first": start + 1, "last": end, "ranked": len(ranking), "above": above, "below": below,
                  "whole": start == 0 and end == len(ranking), "outside": outside,
                  "more_above": above + services.WINDOW_STEP if start > 0 else None,
                  "more_below": below + services.WINDOW_STEP if end < len(ranking) else None}
    shown = {ranking[i]["proposal_id"] for i in places}
    a, b = (services.scenario_figures(s, ranking, shown=shown) for s in chosen)
    differs = set(differing)
    rows = [{"a": a["rows"][i], "b": b["rows"][i], "differs": i in differs} for i in places]
    return render(request, "funding/scenario_compare.html", {
        "call": call, "first": chosen[0], "second": chosen[1], "a": a, "b": b, "rows": rows,
        "differences": len(differing), "only": only, "window": window, "page_obj": page_obj,
        "small": len(ranking) <= services.WINDOW_SMALL,
        "pair": urlencode({"a": chosen[0].pk, "b": chosen[1].pk}),
    })
