"""The grant agreements' dataset (registered when the reports app is ready): one row per amount of each
agreement version — year, source (national, or local funds of a region) — with the version's state and
period. Visibility: the agreements of the projects the user sees (agreements.selectors), narrowed by the
proposal list's filters."""

from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from agreements.models import AgreementLine, AgreementState, FundSource, SettlementItem, SettlementRepayment, SettlementState
from agreements.selectors import agreements_visible_to, settlements_visible_to
from programmes.categories import SpendingCategory

from .datasets import DATE, DATETIME, INT, TEXT, WON, Column, Dataset, _label, _named, register, visible_proposals


def _rows(*, user, filters: dict) -> QuerySet:
    return (
        AgreementLine.objects.filter(
            version__agreement__in=agreements_visible_to(user=user).values("pk"),
            version__agreement__project__proposal__in=visible_proposals(user=user, filters=filters).values("pk"))
        .order_by("version__agreement__project__proposal__call__year", "version__agreement__project__proposal_id",
                  "version__number", "year", "source", "region__order", "category")
        .values("pk", "version__agreement__project__proposal_id", "version__agreement__project__proposal__call__year",
                "version__agreement__project__proposal__title_ko", "version__number", "version__state",
                "version__start_year", "version__end_year", "version__in_force_at", "year", "source",
                "region__name_ko", "region__name_en", "category", "amount_won")
    )


def _reference(row: dict, ctx: dict) -> str:
    return (f"MEGA-{row['version__agreement__project__proposal__call__year']}-"
            f"{row['version__agreement__project__proposal_id']:04d}-A-v{row['version__number']}")


register(Dataset(
    key="agreements", label=_("Grant agreements"),
    description=_("One row per amount of each agreement version: the year, national funds or a region's local "
                  "funds, with the version's state and period."),
    perm="reports.export_agreements", rows=_rows,
    columns=(
        Column("reference", _("Reference"), value=_reference, width=22),
        Column("version__agreement__project__proposal__call__year", _("Call year"), INT, width=9),
        Column("version__agreement__project__proposal__title_ko", _("Project"), TEXT, width=40),
        Column("version__number", _("Version"), INT, width=8),
        Column("state", _("State"), value=_label("version__state", AgreementState.choices), width=16),
        Column("period", _("Period"), value=lambda r, c: f"{r['version__start_year']}–{r['version__end_year']}",
               width=11),
        Column("year", _("Year"), INT, width=7),
        Column("source", _("Source"), value=_label("source", FundSource.choices), width=12),
        Column("region", _("Region"), value=_named("region__name"), width=12),
        Column("category", _("Spending category"), value=_label("category", SpendingCategory.choices), width=16),
        Column("amount_won", _("Amount (won)"), WON, width=18),
        Column("version__in_force_at", _("In force since"), DATETIME, width=17),
    ),
))


# --- payments --- One row per instalment of each payment schedule: year, source (national, or a region's
# local funds), due date, scheduled, paid (the sum of its payments) and the date of the last payment, and
# whether it is overdue (due date passed in Seoul, not fully paid). Visibility as the agreements'.


def _instalment_rows(*, user, filters: dict) -> QuerySet:
    from django.db.models import Max, Sum
    from django.db.models.functions import Coalesce

    from agreements.models import Instalment

    return (
        Instalment.objects.filter(
            agreement__in=agreements_visible_to(user=user).values("pk"),
            agreement__project__proposal__in=visible_proposals(user=user, filters=filters).values("pk"))
        .annotate(paid=Coalesce(Sum("payments__amount_won"), 0), last_paid_on=Max("payments__paid_on"))
        .order_by("agreement__project__proposal__call__year", "agreement__project__proposal_id", "year", "source",
                  "region__order", "number")
        .values("pk", "agreement__project__proposal_id", "agreement__project__proposal__call__year",
                "agreement__project__proposal__title_ko", "year", "source", "region__name_ko", "region__name_en",
                "number", "due_date", "amount_won", "paid", "last_paid_on")
    )


def _overdue(row: dict, ctx: dict) -> str:
    from core.todos import seoul_today

    if row["paid"] < row["amount_won"] and row["due_date"] < seoul_today():
        return str(_("Overdue"))
    return ""


register(Dataset(
    key="payments", label=_("Payments"),
    description=_("One row per instalment of each payment schedule: the year, national funds or a region's local "
                  "funds, the due date, the amount scheduled and paid, the last payment's date and whether it is "
                  "overdue."),
    perm="reports.export_payments", rows=_instalment_rows,
    columns=(
        Column("reference", _("Reference"), value=lambda r, c: (
            f"MEGA-{r['agreement__project__proposal__call__year']}-{r['agreement__project__proposal_id']:04d}-A"),
            width=20),
        Column("agreement__project__proposal__title_ko", _("Project"), TEXT, width=40),
        Column("year", _("Year"), INT, width=7),
        Column("source", _("Source"), value=_label("source", FundSource.choices), width=12),
        Column("region", _("Region"), value=_named("region__name"), width=12),
        Column("number", _("Instalment"), INT, width=9),
        Column("due_date", _("Due date"), DATE, width=12),
        Column("amount_won", _("Amount scheduled (won)"), WON, width=18),
        Column("paid", _("Amount paid (won)"), WON, width=18),
        Column("last_paid_on", _("Last paid on"), DATE, width=12),
        Column("overdue", _("Overdue"), value=_overdue, width=10),
    ),
))


# --- settlements --- One row per year-end settlement (정산): the project year, its state, the amounts to return
# (national funds to the ministry, local funds to the regions), the disallowed total, what was repaid, the due
# date and when it was proposed, confirmed and closed. Visibility: agreements.selectors.settlements_visible_to
# (a draft stays with staff).


def _settlement_rows(*, user, filters: dict) -> QuerySet:
    def total(model, field="amount_won"):
        return Coalesce(Subquery(model.objects.filter(settlement=OuterRef("pk")).values("settlement")
                                 .annotate(t=Sum(field)).values("t")[:1]), 0)

    return (
        settlements_visible_to(user=user)
        .filter(agreement__project__proposal__in=visible_proposals(user=user, filters=filters).values("pk"))
        .annotate(disallowed=total(SettlementItem), repaid=total(SettlementRepayment))
        .order_by("agreement__project__proposal__call__year", "agreement__project__proposal_id", "year")
        .values("pk", "agreement__project__proposal_id", "agreement__project__proposal__call__year",
                "agreement__project__proposal__title_ko", "year", "state", "national_due_won", "local_due_won",
                "disallowed", "repaid", "due_on", "proposed_at", "confirmed_at", "closed_at")
    )


register(Dataset(
    key="settlements", label=_("Year-end settlements"),
    description=_("One row per year-end settlement of a project year: its state, the national and local funds to "
                  "return, the disallowed total, the amount repaid, the repayment due date and when it was "
                  "proposed, confirmed and closed."),
    perm="reports.export_settlements", rows=_settlement_rows,
    columns=(
        Column("reference", _("Reference"), value=lambda r, c: (
            f"MEGA-{r['agreement__project__proposal__call__year']}-{r['agreement__project__proposal_id']:04d}-A"),
            width=20),
        Column("agreement__project__proposal__title_ko", _("Project"), TEXT, width=40),
        Column("year", _("Year"), INT, width=7),
        Column("state", _("State"), value=_label("state", SettlementState.choices), width=14),
        Column("national_due_won", _("National funds to return (won)"), WON, width=18),
        Column("local_due_won", _("Local funds to return (won)"), WON, width=18),
        Column("disallowed", _("Disallowed (won)"), WON, width=18),
        Column("repaid", _("Repaid (won)"), WON, width=18),
        Column("due_on", _("Repayment due date"), DATE, width=12),
        Column("proposed_at", _("Proposed at"), DATETIME, width=17),
        Column("confirmed_at", _("Confirmed at"), DATETIME, width=17),
        Column("closed_at", _("Closed at"), DATETIME, width=17),
    ),
))
