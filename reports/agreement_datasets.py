"""The grant agreements' dataset (registered when the reports app is ready): one row per amount of each
agreement version — year, source (national, or local funds of a region) — with the version's state and
period. Visibility: the agreements of the projects the user sees (agreements.selectors), narrowed by the
proposal list's filters."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from agreements.models import AgreementLine, AgreementState, FundSource
from agreements.selectors import agreements_visible_to
from programmes.categories import SpendingCategory

from .datasets import DATETIME, INT, TEXT, WON, Column, Dataset, _label, _named, register, visible_proposals


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
