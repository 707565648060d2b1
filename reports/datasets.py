"""The exportable datasets, as a small registry.

A dataset is a queryset builder that applies the user's visibility (the same
selectors as the pages) and the proposal list's filters, plus a list of typed
columns. Rows are read with `.values()` and `.iterator(chunk_size=…)`, so an
export never holds more than one chunk of rows in memory.

Adding a dataset is one `register(Dataset(...))`: a key, a label, the
permission that allows it, a `rows(user, filters)` function returning a
`.values()` queryset (visible and filtered, ordered), and its columns. Columns
read one key of the row dict, or compute their value with `value(row, ctx)`,
where `ctx` comes from the dataset's optional `context(user, filters)`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, Case, F, OuterRef, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from programmes.models import CooperationType
from proposals.disclosure import results_q, state_labels
from proposals.models import BudgetLine
from proposals.selectors import proposal_list, proposals_filtered, proposals_visible_to

CHUNK_SIZE = 2000

# Column types: how a value is written (CSV text, XLSX cell type and number format).
TEXT, INT, WON, DECIMAL, DATE, DATETIME = "text", "int", "won", "decimal", "date", "datetime"


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    type: str = TEXT
    value: Callable[[dict, dict], Any] | None = None
    width: int = 14

    def read(self, row: dict, ctx: dict) -> Any:
        return self.value(row, ctx) if self.value is not None else row.get(self.key)


@dataclass(frozen=True)
class Dataset:
    key: str
    label: str | Promise
    description: str | Promise
    perm: str
    rows: Callable[..., QuerySet]
    columns: tuple[Column, ...]
    context: Callable[..., dict] | None = None
    # Options beyond the proposal list's filters, e.g. ("anonymised",).
    options: tuple[str, ...] = ()
    # The permission needed to switch an option off (e.g. to see evaluators' names).
    option_perms: dict = field(default_factory=dict)

    def queryset(self, *, user, filters: dict) -> QuerySet:
        return self.rows(user=user, filters=filters)

    def iter_rows(self, *, user, filters: dict, queryset: QuerySet | None = None) -> Iterator[list]:
        """Each row as a list of typed values, in column order (chunked reads)."""
        # The language is read once per export, not once per cell (that is most of the cost).
        lang = translation.get_language() or "ko"
        ctx = {"lang": lang, "english": lang.startswith("en"),
               **(self.context(user=user, filters=filters) if self.context else {})}
        qs = self.queryset(user=user, filters=filters) if queryset is None else queryset
        for row in qs.iterator(chunk_size=CHUNK_SIZE):
            yield [c.read(row, ctx) for c in self.columns]


REGISTRY: dict[str, Dataset] = {}


def register(dataset: Dataset) -> Dataset:
    REGISTRY[dataset.key] = dataset
    return dataset


def get(key: str) -> Dataset | None:
    return REGISTRY.get(key)


def available_to(user) -> list[Dataset]:
    return [d for d in REGISTRY.values() if user.has_perm(d.perm)]


# --- Filters ---------------------------------------------------------------------------

FILTER_NAMES = ("q", "call", "state", "type", "region", "industry", "sort", "anonymised")


def clean_filters(params) -> dict:
    """The filters an export honours, from a query string or a stored job (JSON)."""
    return {k: str(params.get(k) or "").strip() for k in FILTER_NAMES if params.get(k)}


def visible_proposals(*, user, filters: dict) -> QuerySet:
    """The proposals the user may see, narrowed by the proposal list's filters."""
    return proposals_filtered(
        proposals_visible_to(user=user), user=user, search=filters.get("q", ""), call=filters.get("call", ""),
        state=filters.get("state", ""), ctype=filters.get("type", ""), region=filters.get("region", ""),
        industry=filters.get("industry", ""))


# --- Helpers for columns -----------------------------------------------------------------


def _named(prefix: str) -> Callable[[dict, dict], str]:
    """A bilingual name read from `<prefix>_ko` / `<prefix>_en` in the export's language
    (the rule of programmes.models.localized: English when there is one)."""
    ko, en = f"{prefix}_ko", f"{prefix}_en"
    return lambda row, ctx: (ctx["english"] and row.get(en)) or row.get(ko) or ""


def _label(key: str, choices) -> Callable[[dict, dict], str]:
    """A choice's label, translated once per language."""
    cache: dict[str, dict] = {}

    def read(row: dict, ctx: dict) -> str:
        labels = cache.get(ctx["lang"])
        if labels is None:
            labels = cache[ctx["lang"]] = {k: str(v) for k, v in choices}
        value = row.get(key)
        return labels.get(value, value or "")

    return read


def code_of(index: int) -> str:
    """A, B, …, Z, AA, AB, … for 0, 1, …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class ExpertCodes:
    """Stable codes for the experts of a call ("평가위원 A"): by expert id among every
    expert assigned to the call's proposals, so the same person keeps the same code
    in every export of the call."""

    def __init__(self, label: str | Promise):
        self.label = label
        self.by_call: dict[int, dict[int, str]] = {}

    def __call__(self, call_id: int, expert_id: int) -> str:
        codes = self.by_call.get(call_id)
        if codes is None:
            from evaluations.models import Assignment

            ids = (Assignment.objects.filter(proposal__call_id=call_id).order_by("expert_id")
                   .values_list("expert_id", flat=True).distinct())
            codes = self.by_call[call_id] = {pk: code_of(i) for i, pk in enumerate(ids)}
        return f"{self.label} {codes.get(expert_id, '?')}"


def _person(row: dict, prefix: str) -> str:
    return row.get(f"{prefix}display_name") or row.get(f"{prefix}username") or ""


# --- Proposals -----------------------------------------------------------------------------


def _proposal_rows(*, user, filters: dict) -> QuerySet:
    # order_by(): no default ordering (it would join regions) in the correlated subquery.
    pilot_budget = BudgetLine.objects.filter(proposal=OuterRef("pk")).order_by().values("proposal")
    qs = proposal_list(
        user=user, search=filters.get("q", ""), call=filters.get("call", ""), state=filters.get("state", ""),
        ctype=filters.get("type", ""), region=filters.get("region", ""), industry=filters.get("industry", ""),
        sort=filters.get("sort") or "updated")
    return qs.annotate(
        national_requested=Subquery(pilot_budget.annotate(t=Sum("national_won")).values("t")[:1]),
        local_planned=Subquery(pilot_budget.annotate(t=Sum("local_won")).values("t")[:1]),
    ).values(
        "pk", "call__year", "call__title", "title_ko", "title_en", "cooperation_type", "shown_state", "lead_region__name_ko",
        "lead_region__name_en", "region_count", "industry__name_ko", "industry__name_en", "national_requested",
        "local_planned", "submitted_at", "updated_at")


register(Dataset(
    key="proposals", label=_("Proposals"),
    description=_("One row per proposal, with the same filters as the proposal list."),
    perm="reports.export_proposals", rows=_proposal_rows,
    columns=(
        Column("pk", _("No."), INT, width=8),
        Column("call__year", _("Call year"), INT, width=9),
        Column("call__title", _("Call"), width=30),
        Column("title_ko", _("Title (Korean)"), width=50),
        Column("title_en", _("Title (English)"), width=40),
        Column("cooperation_type", _("Cooperation type"), value=_label("cooperation_type", CooperationType.choices),
               width=22),
        # The state the exporting user may know (a region: "under review" while results are sealed).
        Column("shown_state", _("State"), value=_label("shown_state", state_labels().items()), width=16),
        Column("lead_region", _("Lead region"), value=_named("lead_region__name"), width=12),
        Column("region_count", _("Number of regions"), INT, width=8),
        Column("industry", _("Strategic industry"), value=_named("industry__name"), width=18),
        Column("national_requested", _("National funding requested (won)"), WON,
               value=lambda r, c: r["national_requested"] or 0, width=20),
        Column("local_planned", _("Local funds planned (won)"), WON, value=lambda r, c: r["local_planned"] or 0,
               width=20),
        Column("submitted_at", _("Date submitted"), DATETIME, width=17),
        Column("updated_at", _("Updated"), DATETIME, width=17),
    ),
))


# --- Consulting comments ----------------------------------------------------------------------


def _comment_rows(*, user, filters: dict) -> QuerySet:
    from evaluations.models import ConsultingComment

    return (
        ConsultingComment.objects.filter(round__proposal__in=visible_proposals(user=user, filters=filters).values("pk"))
        .order_by("round__proposal_id", "round__number", "section", "created_at", "pk")
        .values("pk", "round__proposal_id", "round__proposal__title_ko", "round__proposal__call_id",
                "round__proposal__call__year", "round__proposal__call__reveal_expert_names",
                "round__proposal__lead_region__name_ko", "round__proposal__lead_region__name_en", "round__number",
                "section", "assignment__expert_id", "assignment__expert__display_name", "assignment__expert__username",
                "text", "created_at", "answer__text", "answer__author__display_name", "answer__author__username",
                "answer__created_at")
    )


def _comment_context(*, user, filters: dict) -> dict:
    return {"staff": user.has_perm("evaluations.manage_panels"), "codes": ExpertCodes(_("Consultant"))}


def _consultant(row: dict, ctx: dict) -> str:
    # Names for staff, or for officials when the call shows consultants' names (as on the page).
    if ctx["staff"] or row["round__proposal__call__reveal_expert_names"]:
        return _person(row, "assignment__expert__")
    return ctx["codes"](row["round__proposal__call_id"], row["assignment__expert_id"])


def _section_label():
    from evaluations.models import PlanSection

    return _label("section", PlanSection.choices)


register(Dataset(
    key="comments", label=_("Consulting comments"),
    description=_("Every consulting comment and the region's answer, by proposal and round."),
    perm="reports.export_comments", rows=_comment_rows, context=_comment_context,
    columns=(
        Column("round__proposal_id", _("Proposal no."), INT, width=9),
        Column("round__proposal__call__year", _("Call year"), INT, width=9),
        Column("round__proposal__title_ko", _("Proposal"), width=40),
        Column("lead_region", _("Lead region"), value=_named("round__proposal__lead_region__name"), width=12),
        Column("round__number", _("Round"), INT, width=7),
        Column("section", _("Section"), value=lambda r, c: _section_label()(r, c), width=16),
        Column("consultant", _("Consultant"), value=_consultant, width=16),
        Column("text", _("Comment"), width=60),
        Column("created_at", _("Commented"), DATETIME, width=17),
        Column("answer__text", _("Answer"), value=lambda r, c: r["answer__text"] or "", width=60),
        Column("answered_by", _("Answered by"), value=lambda r, c: _person(r, "answer__author__"), width=16),
        Column("answer__created_at", _("Answered"), DATETIME, width=17),
    ),
))


# --- Evaluations ----------------------------------------------------------------------------------


def _score_rows(*, user, filters: dict) -> QuerySet:
    from evaluations.models import AssignmentKind, Score, ScoresheetState

    return (
        Score.objects.filter(
            scoresheet__state=ScoresheetState.SUBMITTED,
            scoresheet__assignment__kind=AssignmentKind.EVALUATION,
            scoresheet__assignment__conflict_declared=False,
            scoresheet__assignment__proposal__in=visible_proposals(user=user, filters=filters).values("pk"),
        )
        .order_by("scoresheet__assignment__proposal_id", "scoresheet__assignment__expert_id", "criterion__order",
                  "criterion_id")
        .values("pk", "scoresheet__assignment__proposal_id", "scoresheet__assignment__proposal__title_ko",
                "scoresheet__assignment__proposal__call_id", "scoresheet__assignment__proposal__call__year",
                "scoresheet__assignment__proposal__lead_region__name_ko",
                "scoresheet__assignment__proposal__lead_region__name_en",
                "scoresheet__assignment__expert_id", "scoresheet__assignment__expert__display_name",
                "scoresheet__assignment__expert__username", "criterion_id", "criterion__order", "criterion__name_ko",
                "criterion__name_en", "criterion__weight", "criterion__max_score", "value", "comment",
                "scoresheet__submitted_at")
    )


def is_anonymised(*, user, filters: dict) -> bool:
    """Evaluators' names only for those allowed, and only when they did not ask for codes."""
    return filters.get("anonymised", "1") != "0" or not user.has_perm("reports.export_evaluations_named")


def _score_context(*, user, filters: dict) -> dict:
    return {"anonymised": is_anonymised(user=user, filters=filters), "codes": ExpertCodes(_("Evaluator"))}


def _evaluator(row: dict, ctx: dict) -> str:
    if ctx["anonymised"]:
        return ctx["codes"](row["scoresheet__assignment__proposal__call_id"], row["scoresheet__assignment__expert_id"])
    return _person(row, "scoresheet__assignment__expert__")


def _points(row: dict, ctx: dict) -> Decimal | None:
    """Weighted points of one score, by the aggregation module's own formula."""
    from evaluations.services.aggregation import Criterion, weighted_total

    if row["value"] is None:
        return None
    criterion = Criterion(id=row["criterion_id"], weight=row["criterion__weight"],
                          max_score=row["criterion__max_score"])
    return Decimal(str(round(weighted_total({criterion.id: row["value"]}, [criterion]), 4)))


register(Dataset(
    key="evaluations", label=_("Evaluation scores"),
    description=_("One row per submitted score: proposal, evaluator, criterion, score and weighted points. "
                  "Evaluators are shown as stable codes unless you untick “anonymised”."),
    perm="reports.export_evaluations", rows=_score_rows, context=_score_context,
    options=("anonymised",), option_perms={"anonymised": "reports.export_evaluations_named"},
    columns=(
        Column("scoresheet__assignment__proposal_id", _("Proposal no."), INT, width=9),
        Column("scoresheet__assignment__proposal__call__year", _("Call year"), INT, width=9),
        Column("scoresheet__assignment__proposal__title_ko", _("Proposal"), width=40),
        Column("lead_region", _("Lead region"), value=_named("scoresheet__assignment__proposal__lead_region__name"),
               width=12),
        Column("evaluator", _("Evaluator"), value=_evaluator, width=16),
        Column("criterion__order", _("Criterion no."), INT, width=9),
        Column("criterion", _("Criterion"), value=_named("criterion__name"), width=30),
        Column("criterion__weight", _("Weight"), INT, width=8),
        Column("criterion__max_score", _("Highest score"), INT, width=9),
        Column("value", _("Score"), DECIMAL, width=8),
        Column("points", _("Weighted points"), DECIMAL, value=_points, width=10),
        Column("comment", _("Comment"), width=50),
        Column("scoresheet__submitted_at", _("Date submitted"), DATETIME, width=17),
    ),
))


# --- Funding decisions ---------------------------------------------------------------------------


def _funding_rows(*, user, filters: dict) -> QuerySet:
    from funding.models import DecisionState, FundingYear, LocalObligation

    national = FundingYear.objects.filter(decision=OuterRef("decision"), year=OuterRef("year")).values("national_won")
    return (
        LocalObligation.objects.filter(
            results_q(user=user, path="decision__proposal__"),
            decision__state=DecisionState.APPROVED,
            decision__proposal__in=visible_proposals(user=user, filters=filters).values("pk"),
        )
        # National funding is granted to the project, not to a region: it is booked on the
        # lead region's row, so a column sum gives the national total and a pivot by
        # region gives national funding by lead region.
        .annotate(national=Case(When(region_id=F("decision__proposal__lead_region_id"),
                                     then=Coalesce(Subquery(national), Value(0))),
                                default=Value(0), output_field=BigIntegerField()))
        .order_by("decision__proposal__call__year", "decision__proposal_id", "year", "region__order")
        .values("pk", "decision_id", "decision__version", "decision__proposal_id", "decision__proposal__call__year",
                "decision__proposal__title_ko", "decision__proposal__cooperation_type",
                "decision__proposal__industry__name_ko", "decision__proposal__industry__name_en",
                "decision__proposal__lead_region__name_ko", "decision__proposal__lead_region__name_en",
                "region__name_ko", "region__name_en", "year", "national", "local_won", "decision__approved_at")
    )


def _reference(row: dict, ctx: dict) -> str:
    return f"MEGA-{row['decision__proposal__call__year']}-{row['decision__proposal_id']:04d}-v{row['decision__version']}"


register(Dataset(
    key="funding", label=_("Funding decisions"),
    description=_("Approved decisions, one row per project, year and region: national funding (on the lead "
                  "region's row) and each region's local funds, with the industry and cooperation type."),
    perm="reports.export_funding", rows=_funding_rows,
    columns=(
        Column("reference", _("Reference"), value=_reference, width=20),
        Column("decision__proposal__call__year", _("Call year"), INT, width=9),
        Column("decision__proposal__title_ko", _("Project"), width=40),
        Column("decision__proposal__cooperation_type", _("Cooperation type"),
               value=_label("decision__proposal__cooperation_type", CooperationType.choices), width=22),
        Column("industry", _("Strategic industry"), value=_named("decision__proposal__industry__name"), width=18),
        Column("lead_region", _("Lead region"), value=_named("decision__proposal__lead_region__name"), width=12),
        Column("region", _("Region"), value=_named("region__name"), width=12),
        Column("year", _("Year"), INT, width=7),
        Column("national", _("National funding (won)"), WON, width=20),
        Column("local_won", _("Local funds (won)"), WON, width=20),
        Column("decision__approved_at", _("Approved"), DATE,
               value=lambda r, c: r["decision__approved_at"] and as_local_date(r["decision__approved_at"]), width=12),
    ),
))


def as_local_date(value: datetime.datetime) -> datetime.date:
    from django.utils import timezone

    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
