"""Funded projects' datasets: the annual reports (registered when the reports app is ready):
one row per region's part of a report, with the project, the year, the state,
the due date and the money reported spent. Visibility and filters are those of
the proposal list (an official exports their own region's projects only)."""

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models import ReportPart, ReportState

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
