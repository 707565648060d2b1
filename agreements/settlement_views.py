"""Pages of the year-end settlement (정산, issue 18): the settlement of an agreement × year (figures, disallowed
items, the actions its state allows, the timeline, the PDFs) and the staff list per call. Thin: reads through
agreements.selectors / services.settlement.figures_of, writes through agreements.services.settlement. The
region's officials see a settlement once proposed; a draft, or another region's project, is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.forms import apply_errors, perform
from core.permissions import Refused, refusal_reason, require
from programmes.models import Call
from projects.models import AnnualReport, ReportState

from . import selectors
from .forms import (
    RepaymentForm,
    SettlementItemForm,
    SettlementItemRemoveForm,
    SettlementMoveForm,
    SettlementSanctionForm,
)
from .models import Agreement, FundSource, Settlement, SettlementItem, SettlementState
from .services import settlement as service


def _agreement(request, pk) -> Agreement:
    return get_object_or_404(selectors.agreements_visible_to(user=request.user)
                             .select_related("project__proposal__call", "project__proposal__lead_region"), pk=pk)


def _settlement(request, pk) -> Settlement:
    """A settlement the user may see, else 404 (a draft is staff's only)."""
    settlement = get_object_or_404(
        selectors.settlements_visible_to(user=request.user)
        .select_related("agreement__project__proposal__call", "agreement__project__proposal__lead_region"), pk=pk)
    if not request.user.has_perm("agreements.view_settlement", settlement):
        raise Http404
    return settlement


def _regions(agreement):
    return [p.region for p in agreement.project.proposal.participations.select_related("region")
            .order_by("-is_lead", "region__order")]


def _render(request, agreement, year, settlement, *, forms=None, status=200):
    user = request.user
    forms = forms or {}
    context = {"agreement": agreement, "project": agreement.project, "proposal": agreement.project.proposal,
               "year": year, "settlement": settlement, "states": SettlementState}
    version = selectors.version_in_force(agreement.project)
    if settlement is None:
        context |= {"figures": service.figures_of(agreement, year), "version": version,
                    "report_accepted": agreement.project.reports.filter(year=year, state="accepted").exists()}
        return render(request, "agreements/settlement.html", context, status=status)
    items = list(settlement.items.select_related("region", "added_by"))
    editable = settlement.is_editable and user.has_perm("agreements.edit_settlement", settlement)
    S = SettlementState
    moves = []
    if settlement.state in (S.DRAFT, S.DISPUTED) and user.has_perm("agreements.edit_settlement", settlement):
        moves.append("propose")
    if settlement.state == S.PROPOSED and user.has_perm("agreements.answer_settlement", settlement):
        moves += ["accept", "dispute"]
    confirm_refusal = ""
    if settlement.state == S.ACCEPTED:
        if user.has_perm("agreements.confirm_settlement", settlement):
            moves.append("confirm")
        else:
            confirm_refusal = refusal_reason(user, "agreements.confirm_settlement", settlement) or ""
    national_repaid, local_repaid = service.repaid_of(settlement)
    documents = service.documents_of(settlement)
    can_download = user.has_perm("agreements.download_settlement", settlement)
    for document in documents:
        document.can_download = document.is_ready and can_download
    item_form = forms.get("item") or SettlementItemForm(regions=_regions(agreement))
    repay_form = forms.get("repay") or RepaymentForm(initial={"source": FundSource.NATIONAL})
    sanction_form = forms.get("sanction") or SettlementSanctionForm()
    for form in (item_form, repay_form, sanction_form):
        form.style()
    context |= {
        "figures": service.settlement_figures(settlement), "items": items, "can_edit": editable,
        "moves": moves, "move_form": forms.get("move") or SettlementMoveForm(), "confirm_refusal": confirm_refusal,
        "item_form": item_form, "repay_form": repay_form, "sanction_form": sanction_form,
        "remove_form": SettlementItemRemoveForm(),
        "can_repay": settlement.state == S.CONFIRMED and user.has_perm("agreements.record_recovery", settlement),
        "can_sanction": settlement.state in (S.CONFIRMED, S.CLOSED)
        and user.has_perm("agreements.record_recovery", settlement),
        "national_repaid": national_repaid, "local_repaid": local_repaid,
        "repayments": list(settlement.repayments.select_related("recorded_by")),
        "sanctions": list(settlement.sanctions.select_related("recorded_by")),
        "steps": list(settlement.steps.select_related("actor")), "documents": documents,
        "is_staff_view": user.has_perm("agreements.edit_settlement", settlement),
    }
    return render(request, "agreements/settlement.html", context, status=status)


@require_safe
@login_required
def settlement_page(request, pk, year):
    agreement = _agreement(request, pk)
    require(request.user, "agreements.view_money", agreement.project)
    settlement = Settlement.objects.filter(agreement=agreement, year=year).first()
    if settlement is None:
        version = selectors.version_in_force(agreement.project)
        if (not request.user.has_perm("agreements.edit_settlement", agreement) or version is None
                or year not in version.years):
            raise Http404
    elif not request.user.has_perm("agreements.view_settlement", settlement):
        raise Http404
    return _render(request, agreement, year, settlement)


@require_POST
@login_required
def settlement_open(request, pk, year):
    agreement = _agreement(request, pk)
    require(request.user, "agreements.edit_settlement", agreement)
    perform(request, lambda: service.settlement_open(actor=request.user, agreement=agreement, year=year),
            _("The settlement is open: mark the disallowed items, then propose it to the region."))
    return redirect("agreements:settlement", pk=agreement.pk, year=year)


def _refused(form, exc) -> None:
    apply_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(exc.messages))


@require_POST
@login_required
def settlement_item_add(request, pk):
    settlement = _settlement(request, pk)
    require(request.user, "agreements.edit_settlement", settlement)
    agreement = settlement.agreement
    form = SettlementItemForm(request.POST, regions=_regions(agreement))
    if form.is_valid():
        data = form.cleaned_data
        try:
            service.item_add(actor=request.user, settlement=settlement, source=data["source"],
                             category=data["category"], amount_won=data["amount_won"], reason=data["reason"],
                             region=int(data["region"]) if data["region"] else None)
        except (ValidationError, Refused) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The disallowed item is added."))
            return redirect("agreements:settlement", pk=agreement.pk, year=settlement.year)
    return _render(request, agreement, settlement.year, settlement, forms={"item": form}, status=400)


@require_POST
@login_required
def settlement_item_remove(request, pk):
    item = get_object_or_404(SettlementItem.objects.select_related("settlement"), pk=pk)
    settlement = _settlement(request, item.settlement_id)
    require(request.user, "agreements.edit_settlement", settlement)
    form = SettlementItemRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        perform(request, lambda: service.item_remove(actor=request.user, item=item, reason=form.cleaned_data["reason"]),
                _("The item is taken back."))
    return redirect("agreements:settlement", pk=settlement.agreement_id, year=settlement.year)


DONE = {
    "propose": _("The settlement is proposed: the lead region's officials are told."),
    "accept": _("You accepted the settlement: a second staff member confirms it."),
    "dispute": _("You disputed the settlement: staff read your reasons."),
    "confirm": _("The settlement is confirmed: its documents are being made."),
}


@require_POST
@login_required
def settlement_move(request, pk):
    settlement = _settlement(request, pk)
    form = SettlementMoveForm(request.POST)
    if form.is_valid():
        action = form.cleaned_data["action"]
        try:
            service.settlement_transition(actor=request.user, settlement=settlement, action=action,
                                          note=form.cleaned_data["note"])
        except (ValidationError, Refused) as exc:
            _refused(form, exc)
        except PermissionDenied:
            raise
        else:
            messages.success(request, str(DONE[action]))
            return redirect("agreements:settlement", pk=settlement.agreement_id, year=settlement.year)
    else:
        action = request.POST.get("move-action")
        if action not in service.SETTLEMENT_MOVES:
            raise Http404
        perm = service.SETTLEMENT_MOVES[action].permission
        if not request.user.has_perm(perm, settlement):
            raise PermissionDenied(perm)
    return _render(request, settlement.agreement, settlement.year, settlement, forms={"move": form}, status=400)


@require_POST
@login_required
def settlement_repayment(request, pk):
    settlement = _settlement(request, pk)
    require(request.user, "agreements.record_recovery", settlement)
    form = RepaymentForm(request.POST)
    if form.is_valid():
        try:
            service.recovery_record(actor=request.user, settlement=settlement, **form.cleaned_data)
        except (ValidationError, Refused) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The repayment is recorded."))
            return redirect("agreements:settlement", pk=settlement.agreement_id, year=settlement.year)
    return _render(request, settlement.agreement, settlement.year, settlement, forms={"repay": form}, status=400)


@require_POST
@login_required
def settlement_sanction(request, pk):
    settlement = _settlement(request, pk)
    require(request.user, "agreements.record_recovery", settlement)
    form = SettlementSanctionForm(request.POST)
    if form.is_valid():
        try:
            service.sanction_record(actor=request.user, settlement=settlement, **form.cleaned_data)
        except (ValidationError, Refused) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The sanction is recorded."))
            return redirect("agreements:settlement", pk=settlement.agreement_id, year=settlement.year)
    return _render(request, settlement.agreement, settlement.year, settlement, forms={"sanction": form},
                   status=400)


@require_safe
@login_required
def settlement_download(request, pk):
    document = service_documents().settlement_document_for_download(user=request.user, document_id=pk)
    if not request.user.has_perm("agreements.view_settlement", document.settlement):
        raise Http404
    return FileResponse(document.file.open("rb"), as_attachment=True, content_type="application/pdf",
                        filename=f"{document.settlement.reference}-{document.kind}.pdf")


def service_documents():
    from .services import documents

    return documents


@require_safe
@login_required
def settlement_list(request):
    """Staff: the settlements of a call (the latest call with agreements by default), filtered by state."""
    require(request.user, "agreements.list_settlements")
    calls = list(Call.objects.filter(Exists(Agreement.objects.filter(project__proposal__call=OuterRef("pk")))).order_by("-year", "-pk"))
    try:
        call_pk = int(request.GET.get("call") or (calls[0].pk if calls else 0))
    except ValueError:
        call_pk = 0
    call = next((c for c in calls if c.pk == call_pk), None)
    state = request.GET.get("state", "")
    if state and state not in SettlementState.values:
        state = ""
    rows = []
    if call is not None:
        agreements = (Agreement.objects.filter(project__proposal__call=call)
                      .select_related("project__proposal__lead_region").order_by("project__proposal__title_ko"))
        settled = {(s.agreement_id, s.year): s for s in Settlement.objects.filter(agreement__in=agreements)}
        reported = set(AnnualReport.objects.filter(project__agreement__in=agreements, state=ReportState.ACCEPTED)
                       .values_list("project__agreement", "year"))
        for agreement in agreements:
            years = sorted({y for a, y in reported if a == agreement.pk} | {y for a, y in settled if a == agreement.pk})
            for year in years:
                settlement = settled.get((agreement.pk, year))
                row_state = settlement.state if settlement else ""
                if state and row_state != state:
                    continue
                rows.append({"agreement": agreement, "year": year, "settlement": settlement})
    return render(request, "agreements/settlement_list.html", {
        "calls": calls, "call": call, "state": state, "states": SettlementState.choices, "rows": rows,
    })
