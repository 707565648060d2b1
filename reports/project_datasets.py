"""Funded projects' datasets (registered when the reports app is ready): the annual reports
(one row per region's part of a report, with the project, the year, the state, the due date
and the money reported spent) and the outcomes (one row per outcome record, with the fields a
national outcome registry takes). Visibility and filters are those of the proposal list (an
official exports their own region's projects only)."""

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programmes.categories import SpendingCategory
from projects.models import (
    OutcomeKind,
    OutcomeRecord,
    OutcomeState,
    PatentStatus,
    ReportPart,
    ReportState,
    SpendingLine,
    SpendingSource,
)

from .datasets import DATE, DATETIME, INT, TEXT, WON, Column, Dataset, _label, _named, register, visible_proposals


def _rows(*, user, filters: dict) -> QuerySet:
    return (
        ReportPart.objects.filter(report__project__proposal__in=visible_proposals(user=user, filters=filters)
                                  .values("pk"))
        .order_by("report__project__proposal__call__year", "report__project__proposal_id", "report__year",
                  "region__order")
        .values("pk", "report__project__proposal_id", "report__project__proposal__call__year",
                "report__project__proposal__title_ko", "region__name_ko", "region__name_en", "report__year",
                "report__state", "report__due_on", "report__submitted_at", "national_spent_won", "local_spent_won")
    )


def _overdue(row: dict, ctx: dict) -> str:
    late = (row["report__state"] in (ReportState.DRAFT, ReportState.RETURNED)
            and row["report__due_on"] < timezone.localdate())
    return str(_("Overdue")) if late else ""


register(Dataset(
    key="annual_reports", label=_("Annual reports"),
    description=_("One row per region's part of each annual report: the year, its state and due date, and the "
                  "national and local funds the region reported spent."),
    perm="reports.export_annual_reports", rows=_rows,
    columns=(
        Column("report__project__proposal_id", _("Proposal no."), INT, width=9),
        Column("report__project__proposal__call__year", _("Call year"), INT, width=9),
        Column("report__project__proposal__title_ko", _("Project"), TEXT, width=40),
        Column("region", _("Region"), value=_named("region__name"), width=12),
        Column("report__year", _("Year"), INT, width=8),
        Column("state", _("State"), value=_label("report__state", ReportState.choices), width=14),
        Column("report__due_on", _("Due date"), DATE, width=12),
        Column("overdue", _("Overdue"), value=_overdue, width=10),
        Column("report__submitted_at", _("Submitted"), DATETIME, width=17),
        Column("national_spent_won", _("National funds spent (won)"), WON, width=18),
        Column("local_spent_won", _("Local funds spent (won)"), WON, width=18),
    ),
))


# --- spending by category ---


def _spending_rows(*, user, filters: dict) -> QuerySet:
    return (
        SpendingLine.objects.filter(part__report__project__proposal__in=visible_proposals(user=user, filters=filters)
                                    .values("pk"))
        .order_by("part__report__project__proposal__call__year", "part__report__project__proposal_id",
                  "part__report__year", "part__region__order", "source", "category")
        .values("pk", "part__report__project__proposal_id", "part__report__project__proposal__call__year",
                "part__report__project__proposal__title_ko", "part__region__name_ko", "part__region__name_en",
                "part__report__year", "part__report__state", "source", "category", "amount_won")
    )


register(Dataset(
    key="spending", label=_("Spending by category"),
    description=_("One row per region, year, source and spending category of the annual reports: what each "
                  "region reported spent (the rows of a part add up to its national and local totals)."),
    perm="reports.export_annual_reports", rows=_spending_rows,
    columns=(
        Column("part__report__project__proposal_id", _("Proposal no."), INT, width=9),
        Column("part__report__project__proposal__call__year", _("Call year"), INT, width=9),
        Column("part__report__project__proposal__title_ko", _("Project"), TEXT, width=40),
        Column("region", _("Region"), value=_named("part__region__name"), width=12),
        Column("part__report__year", _("Year"), INT, width=8),
        Column("state", _("State"), value=_label("part__report__state", ReportState.choices), width=14),
        Column("source", _("Source"), value=_label("source", SpendingSource.choices), width=10),
        Column("category", _("Spending category"), value=_label("category", SpendingCategory.choices), width=16),
        Column("amount_won", _("Amount (won)"), WON, width=18),
    ),
))


# --- outcomes ---


def _outcome_rows(*, user, filters: dict) -> QuerySet:
    return (
        OutcomeRecord.objects.filter(project__proposal__in=visible_proposals(user=user, filters=filters).values("pk"))
        .order_by("project__proposal__call__year", "project__proposal_id", "year", "kind", "occurred_on", "pk")
        .values("pk", "project__proposal_id", "project__proposal__call__year", "project__proposal__title_ko",
                "region__name_ko", "region__name_en", "kind", "year", "state", "occurred_on", "title", "journal",
                "issn", "doi", "indexed", "application_number", "registration_number", "registered_on", "country",
                "applicants", "inventors", "patent_status", "partner", "amount_won", "count")
    )


def _indexed(row: dict, ctx: dict) -> str:
    return "" if row["indexed"] is None else ("Y" if row["indexed"] else "N")


register(Dataset(
    key="outcomes", label=_("Outcomes"),
    description=_("One row per outcome of a funded project (papers, patents, technology transfers, start-ups, "
                  "jobs, follow-on investment) with the fields of the national outcome registry."),
    perm="reports.export_outcomes", rows=_outcome_rows,
    columns=(
        Column("project__proposal_id", _("Proposal no."), INT, width=9),
        Column("project__proposal__call__year", _("Call year"), INT, width=9),
        Column("project__proposal__title_ko", _("Project"), TEXT, width=40),
        Column("region", _("Region"), value=_named("region__name"), width=12),
        Column("kind", _("Outcome type"), value=_label("kind", OutcomeKind.choices), width=14),
        Column("year", _("Year"), INT, width=8),
        Column("state", _("State"), value=_label("state", OutcomeState.choices), width=14),
        Column("occurred_on", pgettext_lazy("outcome", "Date"), DATE, width=12),
        Column("title", _("Title or name"), TEXT, width=40),
        Column("journal", _("Journal"), TEXT, width=24),
        Column("issn", _("ISSN"), TEXT, width=11),
        Column("doi", _("DOI"), TEXT, width=24),
        Column("indexed", _("Indexed (SCI(E)/SCOPUS)"), value=_indexed, width=8),
        Column("application_number", _("Application number"), TEXT, width=18),
        Column("registration_number", _("Registration number"), TEXT, width=18),
        Column("registered_on", _("Registration date"), DATE, width=12),
        Column("country", _("Country"), TEXT, width=8),
        Column("applicants", _("Applicants (patent)"), TEXT, width=24),
        Column("inventors", _("Inventors"), TEXT, width=24),
        Column("patent_status", _("Patent status"), value=_label("patent_status", PatentStatus.choices), width=12),
        Column("partner", _("Partner or investor"), TEXT, width=24),
        Column("amount_won", _("Amount (won)"), WON, width=18),
        Column("count", _("Count"), INT, width=8),
    ),
))
