"""Selection board, funding decisions and award letters (their public verification: core, /verify)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.params import posted_id
from core.permissions import Refused, refusal_reason, require
from evaluations.forms import TYPE_CHOICES
from evaluations.selectors import ranking_board
from programmes.models import CooperationType
from programmes.money import CAP_KEY, TOTAL_KEY, cell_key, year_key
from programmes.selectors import calls_visible_to
from proposals.models import ProposalState
from proposals.selectors import participations_of, proposal_for

from . import services
from .models import AwardLetter, DecisionState, FundingDecision, LetterBatch, LetterStatus, SelectionNote


@login_required
def selection_board(request, pk):
    require(request.user, "funding.view_board")
    call = get_object_or_404(calls_visible_to(user=request.user), pk=pk)
    ctype = request.GET.get("type", "")
    if ctype not in CooperationType.values:
        ctype = ""
    if request.method == "POST":
        proposal = proposal_for(user=request.user, pk=posted_id(request, "proposal"))
        try:
            services.selection_decide(actor=request.user, proposal=proposal, action=request.POST.get("action", ""),
                                      reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("“%(title)s” is now “%(state)s”.") % {
                "title": proposal.title_ko, "state": ProposalState(proposal_for(user=request.user,
                                                                                pk=proposal.pk).state).label})
        # Back to the same page of the board (the form posts to the URL with its query string).
        return redirect(f"{request.path}?{urlencode({'type': ctype, 'page': request.GET.get('page', 1)})}")
    board = ranking_board(call=call, cooperation_type=ctype, page=request.GET.get("page", 1))
    shown = [row["proposal"].pk for row in board["rows"]]
    decisions = {d.proposal_id: d for d in FundingDecision.objects.filter(
        proposal_id__in=shown).exclude(state=DecisionState.WITHDRAWN).order_by("version")}
    notes = {n.proposal_id: n for n in SelectionNote.objects.filter(proposal_id__in=shown)}
    for row in board["rows"]:
        row["decision"] = decisions.get(row["proposal"].pk)
        row["note"] = notes.get(row["proposal"].pk)
    return render(request, "funding/selection_board.html", {
        "call": call, "board": board, "page": board["page"], "envelope": services.envelope_status(call),
        "type": ctype, "types": TYPE_CHOICES, "states": ProposalState,
    })


def _decision_grid(proposal, decision, data=None, problems=None):
    """Rows for the decision form: per pilot year, national and each region's local funds."""
    participations = participations_of(proposal)
    plan = {(b.region_id, b.year): b for b in proposal.budget_lines.all()}
    years = {fy.year: fy.national_won for fy in decision.years.all()} if decision else {}
    locals_ = {(o.region_id, o.year): o.local_won for o in decision.obligations.all()} if decision else {}
    rows = []
    for year in proposal.pilot_years():
        default_national = sum(b.national_won for (r, y), b in plan.items() if y == year)
        national = data.get(f"national-{year}") if data is not None else years.get(year, default_national)
        cells = []
        for p in participations:
            default_local = plan[(p.region_id, year)].local_won if (p.region_id, year) in plan else 0
            value = data.get(f"local-{p.region_id}-{year}") if data is not None else locals_.get(
                (p.region_id, year), default_local)
            cells.append({"region": p.region, "name": f"local-{p.region_id}-{year}", "value": value,
                          "problem": (problems or {}).get(cell_key(p.region_id, year, "local"))})
        rows.append({"year": year, "national": national,
                     "national_problem": (problems or {}).get(cell_key(None, year, "national")),
                     "year_problem": (problems or {}).get(year_key(year)), "cells": cells})
    return participations, rows


def _parse_amount(raw) -> int:
    raw = (raw or "").replace(",", "").strip()
    if not raw:
        return 0
    if not raw.lstrip("-").isdigit():
        raise ValueError(raw)
    return int(raw)


@login_required
def decision_page(request, pk):
    proposal = proposal_for(user=request.user, pk=pk)
    decisions = list(proposal.funding_decisions.select_related("prepared_by", "approved_by")
                     .prefetch_related("years", "obligations", "letters"))
    current = next((d for d in decisions if d.state != DecisionState.WITHDRAWN), None)
    if current is None and not request.user.has_perm("funding.prepare"):
        raise Http404
    if current is not None:
        require(request.user, "funding.view_decision", current)
    problems, data = {}, None
    if request.method == "POST":
        require(request.user, "funding.prepare")
        op = request.POST.get("op")
        try:
            if op == "prepare":
                data = request.POST
                try:
                    years = {y: _parse_amount(data.get(f"national-{y}")) for y in proposal.pilot_years()}
                    obligations = {(p.region_id, y): _parse_amount(data.get(f"local-{p.region_id}-{y}"))
                                   for p in participations_of(proposal) for y in proposal.pilot_years()}
                except ValueError:
                    raise ValidationError(_("Amounts are whole numbers of won.")) from None
                services.funding_prepare(actor=request.user, proposal=proposal, years=years,
                                         obligations=obligations, conditions=data.get("conditions", ""))
                messages.success(request, _("Decision prepared. Another staff member must approve it."))
            elif op == "approve":
                if request.POST.get("confirm") != "yes":
                    raise ValidationError(_("Tick the confirmation box to approve."))
                decision = get_object_or_404(FundingDecision, pk=posted_id(request, "decision"), proposal=proposal)
                services.funding_approve(actor=request.user, decision=decision)
                messages.success(request, _("Approved. The award letter is being built."))
            elif op == "letter":
                decision = get_object_or_404(FundingDecision, pk=posted_id(request, "decision"), proposal=proposal)
                services.letter_request(actor=request.user, decision=decision,
                                        language=request.POST.get("language", "ko"))
                messages.success(request, _("The letter is being built."))
            return redirect("funding:decision", pk=pk)
        except services.DecisionInvalid as exc:
            problems = exc.problems
            messages.error(request, _("The decision breaks the call's rules; see the marked cells. Nothing was saved."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            if op != "prepare":
                return redirect("funding:decision", pk=pk)
        except Refused as exc:  # the rules say why (four eyes: the preparer does not approve)
            messages.error(request, exc.message)
            return redirect("funding:decision", pk=pk)
    participations, rows = _decision_grid(proposal, current, data, problems)
    current_rows = []
    if current is not None:
        obligations = {(o.region_id, o.year): o.local_won for o in current.obligations.all()}
        current_rows = [{"year": fy.year, "national": fy.national_won,
                         "locals": [obligations.get((p.region_id, fy.year), 0) for p in participations]}
                        for fy in current.years.all()]
    return render(request, "funding/decision.html", {
        "proposal": proposal, "decisions": decisions, "current": current, "rows": rows, "current_rows": current_rows,
        "participations": participations, "problems": problems,
        "cap_problem": problems.get(CAP_KEY), "total_problem": problems.get(TOTAL_KEY),
        "conditions": data.get("conditions", "") if data is not None else (current.conditions if current else ""),
        "envelope": services.envelope_status(proposal.call),
        "can_prepare": request.user.has_perm("funding.prepare") and proposal.state == ProposalState.SELECTED,
        "can_approve": current is not None and current.state == DecisionState.PREPARED
        and request.user.has_perm("funding.approve", current),
        # Why this staff member may not approve (four eyes: they prepared it), from the rules.
        "approve_refused": refusal_reason(request.user, "funding.approve", current)
        if current is not None and current.state == DecisionState.PREPARED else None,
        "can_build_letters": request.user.has_perm("funding.generate_letters"),
        "letters": list(current.letters.all()) if current else [],
    }, status=400 if problems else 200)


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
    batch = None
    if request.GET.get("batch", "").isdigit():
        batch = LetterBatch.objects.filter(pk=int(request.GET["batch"]), call=call).first()
    letters = (AwardLetter.objects.filter(decision__proposal__call=call)
               .select_related("decision__proposal__lead_region").order_by("decision__proposal_id", "language"))
    return render(request, "funding/letters.html", {
        "call": call, "letters": letters, "batch": batch, "progress": services.batch_progress(batch) if batch else None,
        "approved": FundingDecision.objects.filter(proposal__call=call, state=DecisionState.APPROVED).count(),
        "statuses": LetterStatus,
    })


@never_cache
@login_required
def batch_progress(request, pk):
    require(request.user, "funding.generate_letters")
    batch = get_object_or_404(LetterBatch, pk=pk)
    return JsonResponse(services.batch_progress(batch))


@never_cache
@login_required
def letter_status(request, pk):
    letter = AwardLetter.objects.select_related("decision__proposal").filter(pk=pk).first()
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
    letter = get_object_or_404(AwardLetter.objects.select_related("decision"), pk=pk)
    try:
        services.letter_request(actor=request.user, decision=letter.decision, language=letter.language)
    except (ValidationError, PermissionDenied) as exc:
        raise PermissionDenied from exc
    messages.success(request, _("The letter is being built again."))
    return redirect("funding:letters", pk=letter.decision.proposal.call_id)
