"""Pages of a project's money (issue 18): the money page (scheduled, paid, spent per year and source, the
instalments with overdue ones flagged, the payments, the carry-overs), the schedule (made and edited by
staff), recording a payment, asking for a carry-over and deciding it. Thin: reads through
agreements.selectors, writes through agreements.services.payments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.forms import ConfirmForm, apply_errors, error_texts, perform
from core.permissions import Refused, require
from projects.selectors import project_for

from . import selectors
from .forms import CarryOverDecisionForm, CarryOverForm, PaymentForm, ScheduleForm
from .models import Agreement, CarryOver, CarryOverState, Instalment
from .services import payments


def _agreement(request, pk) -> Agreement:
    return get_object_or_404(selectors.agreements_visible_to(user=request.user)
                             .select_related("project__proposal__call", "project__proposal__lead_region"), pk=pk)


def _refused(form, exc) -> None:
    apply_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(exc.messages))


@require_safe
@login_required
def project_money(request, pk):
    project = project_for(user=request.user, pk=pk)
    require(request.user, "agreements.view_money", project)
    agreement = Agreement.objects.filter(project=project).first()
    if agreement is not None:
        agreement.project = project  # one project object: its proposal's regions are read once
    context = {"project": project, "proposal": project.proposal, "agreement": agreement}
    if agreement is not None:
        money = selectors.money_of(agreement)
        user = request.user
        in_force = money["version"] is not None
        for row in money["rows"]:
            for item in row.instalments:
                item.can_pay = in_force and item.unpaid > 0 and user.has_perm("agreements.record_payment",
                                                                              item.instalment)
        for carry in money["carry_overs"]:
            carry.can_decide = (carry.state == CarryOverState.REQUESTED
                                and user.has_perm("agreements.decide_carry_over", carry))
        can_edit = in_force and user.has_perm("agreements.edit_schedule", agreement)
        context |= money | {
            "can_generate": can_edit and not money["has_schedule"],
            "can_edit_schedule": can_edit and money["has_schedule"],
            "can_carry_over": in_force and user.has_perm("agreements.request_carry_over", agreement),
            "decision_form": CarryOverDecisionForm(),
            "settlement_years": _settlement_years(user, agreement, money["version"]),
            "can_list_settlements": user.has_perm("agreements.list_settlements"),
        }
    return render(request, "agreements/money.html", context)


def _settlement_years(user, agreement, version) -> list[dict]:
    """The years of the agreement in force with their settlement, as the person may see them: staff every
    year (to open one), the regions the settlements proposed to them."""
    from .models import Settlement

    if version is None:
        return []
    settled = {s.year: s for s in Settlement.objects.filter(agreement=agreement)}
    staff = user.has_perm("agreements.edit_settlement", agreement)
    rows = []
    for year in version.years:
        settlement = settled.get(year)
        if settlement is None and not staff:
            continue
        if settlement is not None:
            settlement.agreement = agreement
            if not user.has_perm("agreements.view_settlement", settlement):
                continue
        rows.append({"year": year, "settlement": settlement})
    return rows


@require_POST
@login_required
def schedule_generate(request, pk):
    agreement = _agreement(request, pk)
    require(request.user, "agreements.edit_schedule", agreement)
    form = ConfirmForm(request.POST, refusal=_("Tick the confirmation box to make the schedule."))
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["confirm"]))
    else:
        perform(request, lambda: payments.schedule_generate(actor=request.user, agreement=agreement),
                _("The payment schedule is made from the agreement in force: check its dates and amounts."))
    return redirect("agreements:project_money", pk=agreement.project_id)


@login_required
def schedule_edit(request, pk):
    agreement = _agreement(request, pk)
    require(request.user, "agreements.edit_schedule", agreement)
    if selectors.version_in_force(agreement.project) is None:
        raise Http404
    instalments = list(Instalment.objects.filter(agreement=agreement).select_related("region")
                       .order_by("year", "source", "region__order", "number"))
    if not instalments:
        raise Http404
    paid = payments.paid_by_instalment(instalments)
    form = ScheduleForm(request.POST if request.method == "POST" else None, instalments=instalments, paid=paid)
    row_errors = {}
    if request.method == "POST" and form.is_valid():
        try:
            payments.schedule_save(actor=request.user, agreement=agreement, changes=form.changes())
        except (ValidationError, Refused) as exc:
            _refused(form, exc)
            if isinstance(exc, ValidationError):
                row_errors = error_texts(exc)
        else:
            messages.success(request, _("The payment schedule is saved."))
            return redirect("agreements:project_money", pk=agreement.project_id)
    form.style()
    rows = [{"instalment": inst, "paid": paid.get(inst.pk, 0), "due": form[f"due-{inst.pk}"],
             "amount": form[f"amount-{inst.pk}"], "error": row_errors.get(f"instalment-{inst.pk}", "")}
            for inst in instalments]
    return render(request, "agreements/schedule.html", {
        "agreement": agreement, "project": agreement.project, "form": form, "rows": rows,
    }, status=400 if form.is_bound and (form.errors or row_errors) else 200)


@login_required
def payment_record(request, pk):
    instalment = get_object_or_404(
        Instalment.objects.filter(agreement__in=selectors.agreements_visible_to(user=request.user))
        .select_related("agreement__project__proposal", "region"), pk=pk)
    require(request.user, "agreements.record_payment", instalment)
    form = PaymentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            payments.payment_record(actor=request.user, instalment=instalment, **form.cleaned_data)
        except (ValidationError, Refused) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The payment is recorded."))
            return redirect("agreements:project_money", pk=instalment.agreement.project_id)
    form.style()
    paid = payments.paid_by_instalment([instalment]).get(instalment.pk, 0)
    return render(request, "agreements/payment.html", {
        "instalment": instalment, "agreement": instalment.agreement, "project": instalment.agreement.project,
        "paid": paid, "unpaid": max(instalment.amount_won - paid, 0), "form": form,
    }, status=400 if form.is_bound and form.errors else 200)


@login_required
def carry_over_request(request, pk):
    agreement = _agreement(request, pk)
    require(request.user, "agreements.request_carry_over", agreement)
    version = selectors.version_in_force(agreement.project)
    if version is None:
        raise Http404
    form = CarryOverForm(request.POST if request.method == "POST" else None, years=version.years[:-1])
    if request.method == "POST" and form.is_valid():
        try:
            payments.carry_over_request(actor=request.user, agreement=agreement, **form.cleaned_data)
        except (ValidationError, Refused) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The carry-over is requested: the ministry is told."))
            return redirect("agreements:project_money", pk=agreement.project_id)
    form.style()
    limits = []
    for year in version.years[:-1]:
        limits.append((year, payments.carry_over_limits(agreement=agreement, year=year)))
    return render(request, "agreements/carry_over.html", {
        "agreement": agreement, "project": agreement.project, "form": form, "limits": limits,
        "pct": agreement.project.proposal.call.carry_over_max_pct,
    }, status=400 if form.is_bound and form.errors else 200)


@require_POST
@login_required
def carry_over_decide(request, pk):
    carry = get_object_or_404(
        CarryOver.objects.filter(agreement__in=selectors.agreements_visible_to(user=request.user))
        .select_related("agreement"), pk=pk)
    require(request.user, "agreements.decide_carry_over", carry)
    form = CarryOverDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        perform(request, lambda: payments.carry_over_transition(
            actor=request.user, carry_over=carry, action=form.cleaned_data["action"], note=form.cleaned_data["note"]),
            _("The carry-over is decided."))
    return redirect("agreements:project_money", pk=carry.agreement.project_id)
