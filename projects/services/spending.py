"""Spending by category (비목) in a region's part of an annual report, and its rules in one place.

A part holds one `SpendingLine` per source (national / local funds) and category
(programmes.categories.SpendingCategory); its `national_spent_won` and `local_spent_won` are the
sums of its lines, written together with them by `reports.report_part_save` (the one writer).

`spending_problems` is the one check of the rules, exact in Decimal, each problem keyed by the cell
it is about (`cell_key(source, category)`, or `total_key(source)` for a source's total):

- indirect costs (간접비) at most the approved rate (간접비 고시비율) of the region's institutions
  (the lowest recorded rate among the region's participating organisations matched to the
  institutions registry) and never above the call's `indirect_cap_pct`, as a share of the other
  costs of the same source (indirect × 100 ≤ rate × the source's other lines);
- an equipment line above the call's `equipment_threshold_won` only if the agreement in force approves
  equipment for the report's year (`projects.hooks.equipment_approved`, filled by agreements);
- local funds spent at least the call's matching of the national funds spent in the year
  (`programmes.money.MatchingRule`, the same rule as budgets and decisions).

`spending_import` reads a year's spending from an accounting export (CSV, UTF-8 or CP949; or XLSX):
see docs/agreements.md for the columns. All or nothing.
"""

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.money_input import parse_won
from programmes.categories import SpendingCategory
from programmes.money import MatchingRule

from .. import hooks
from ..models import ReportPart, SpendingLine, SpendingSource

# The grid's rows, in the order the page shows them.
CATEGORIES = [SpendingCategory.PERSONNEL, SpendingCategory.EQUIPMENT, SpendingCategory.MATERIALS,
              SpendingCategory.ACTIVITIES, SpendingCategory.COMMISSIONED, SpendingCategory.INDIRECT,
              SpendingCategory.UNCLASSIFIED]
SOURCES = [SpendingSource.NATIONAL, SpendingSource.LOCAL]
MAX_WON = 10**15


def cell_key(source: str, category: str) -> str:
    """The grid's cell (and its form field's name): "national-indirect"."""
    return f"{source}-{category}"


def total_key(source: str) -> str:
    return f"{source}-total"


def _cell_name(source: str, category: str) -> str:
    return f"{SpendingCategory(category).label} ({SpendingSource(source).label})"


@dataclass(frozen=True)
class IndirectLimit:
    pct: Decimal
    institution: str | None  # whose approved rate applies; None: the call's cap


def indirect_limit(part: ReportPart) -> IndirectLimit:
    """The share of the other costs the part's indirect costs may reach: the lowest approved rate of
    the region's institutions, never above the call's cap."""
    call = part.report.project.proposal.call
    cap = Decimal(call.indirect_cap_pct)
    rates = [(Decimal(o.institution.indirect_rate_pct), o.institution.name_ko)
             for o in part.report.project.proposal.organisations.filter(
                 region_id=part.region_id, institution__indirect_rate_pct__isnull=False).select_related("institution")]
    if rates:
        rate, name = min(rates)
        if rate < cap:
            return IndirectLimit(rate, name)
    return IndirectLimit(cap, None)


def _pct(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_DOWN).normalize():f}"


def spending_problems(*, part: ReportPart, amounts: dict) -> dict[str, str]:
    """The rules over a part's spending ({(source, category): won}), keyed by the offending cell."""
    call = part.report.project.proposal.call
    problems: dict[str, str] = {}
    limit = None
    for source in SOURCES:
        lines = {c: int(amounts.get((source, c)) or 0) for c in CATEGORIES}
        indirect = lines[SpendingCategory.INDIRECT]
        if indirect:
            limit = limit or indirect_limit(part)
            base = sum(v for c, v in lines.items() if c != SpendingCategory.INDIRECT)
            if Decimal(indirect) * 100 > limit.pct * base:
                allowed = int((limit.pct * base / 100).to_integral_value(rounding=ROUND_DOWN))
                why = (_("the approved rate of %(institution)s") % {"institution": limit.institution}
                       if limit.institution else _("the call's cap"))
                problems[cell_key(source, SpendingCategory.INDIRECT)] = _(
                    "%(cell)s: %(share)s%% of the other costs; at most %(limit)s%% (%(why)s), i.e. %(max)s won.") % {
                    "cell": _cell_name(source, SpendingCategory.INDIRECT),
                    "share": _pct(Decimal(indirect) * 100 / base) if base else "∞", "limit": _pct(limit.pct),
                    "why": why, "max": f"{allowed:,}"}
        equipment = lines[SpendingCategory.EQUIPMENT]
        if equipment > call.equipment_threshold_won and not hooks.equipment_approved(part.report.project,
                                                                                     part.report.year):
            problems[cell_key(source, SpendingCategory.EQUIPMENT)] = _(
                "%(cell)s: above %(threshold)s won only with equipment approved in the agreement for %(year)s, "
                "and the agreement in force approves none.") % {
                "cell": _cell_name(source, SpendingCategory.EQUIPMENT),
                "threshold": f"{call.equipment_threshold_won:,}", "year": part.report.year}
    national = sum(int(amounts.get((SpendingSource.NATIONAL, c)) or 0) for c in CATEGORIES)
    local = sum(int(amounts.get((SpendingSource.LOCAL, c)) or 0) for c in CATEGORIES)
    shortfall = MatchingRule.of(call).shortfall(national=national, local=local)
    if shortfall:
        problems[total_key(SpendingSource.LOCAL)] = _("Local funds spent in %(year)s: %(problem)s") % {
            "year": part.report.year, "problem": shortfall}
    return problems


def read_amounts(typed: dict) -> tuple[dict, dict]:
    """The grid as typed ({(source, category): text}) → ({(source, category): won}, errors by cell)."""
    amounts, errors = {}, {}
    for source in SOURCES:
        for category in CATEGORIES:
            raw = typed.get((source, category))
            try:
                value = parse_won(None if raw is None else str(raw)) or 0
            except ValueError:
                errors[cell_key(source, category)] = _("Type an amount in won, e.g. 1,000,000 or 1억 2천만.")
                continue
            if value < 0:
                errors[cell_key(source, category)] = _("Amounts cannot be negative.")
            elif value > MAX_WON:
                errors[cell_key(source, category)] = _("This amount is too large.")
            else:
                amounts[(source, category)] = value
    return amounts, errors


def write_lines(part: ReportPart, amounts: dict) -> None:
    """Replace the part's lines (zero lines are not kept) and set its two totals from them; inside the
    caller's transaction, the part locked."""
    SpendingLine.objects.filter(part=part).delete()
    SpendingLine.objects.bulk_create([
        SpendingLine(part=part, source=s, category=c, amount_won=amounts[(s, c)])
        for s in SOURCES for c in CATEGORIES if amounts.get((s, c))])
    part.national_spent_won = sum(amounts.get((SpendingSource.NATIONAL, c)) or 0 for c in CATEGORIES)
    part.local_spent_won = sum(amounts.get((SpendingSource.LOCAL, c)) or 0 for c in CATEGORIES)


def amounts_of(part: ReportPart) -> dict:
    """The part's saved lines as {(source, category): won} (uses a prefetched `spending_lines`)."""
    return {(line.source, line.category): line.amount_won for line in part.spending_lines.all()}


def indirect_share(amounts: dict, source: str | None = None) -> Decimal | None:
    """The indirect costs as a share (%) of the other costs — of one source, or of both (None): the
    measure the rule limits. None when there are no other costs."""
    sources = SOURCES if source is None else [source]
    indirect = sum(amounts.get((s, SpendingCategory.INDIRECT)) or 0 for s in sources)
    base = sum(amounts.get((s, c)) or 0 for s in sources for c in CATEGORIES if c != SpendingCategory.INDIRECT)
    if not base:
        return None
    return (Decimal(indirect) * 100 / base).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


@dataclass
class SpendingGrid:
    """A region's reported spending of one year, per source × category, for reading (the stage report's PDF)."""

    year: int
    region: object
    rows: list  # (category label, national, local, total), unclassified only when it holds money
    national: int
    local: int
    shares: dict  # source or "total" → indirect share (%) or None
    limit: IndirectLimit

    @property
    def total(self) -> int:
        return self.national + self.local


def spending_grids(project, *, years) -> list[SpendingGrid]:
    """Each region's spending grid in the submitted or accepted annual reports of `years`, by year and
    the regions' order (three queries, and one per part for its institutions' rate)."""
    from ..figures import REPORTED_STATES

    parts = (ReportPart.objects.filter(report__project=project, report__state__in=REPORTED_STATES,
                                       report__year__in=list(years))
             .select_related("report__project__proposal__call", "region").prefetch_related("spending_lines")
             .order_by("report__year", "region__order"))
    grids = []
    for part in parts:
        amounts = amounts_of(part)
        rows = []
        for c in CATEGORIES:
            national, local = (amounts.get((s, c)) or 0 for s in SOURCES)
            if c == SpendingCategory.UNCLASSIFIED and not (national or local):
                continue
            rows.append((SpendingCategory(c).label, national, local, national + local))
        grids.append(SpendingGrid(
            year=part.report.year, region=part.region, rows=rows, national=part.national_spent_won,
            local=part.local_spent_won, limit=indirect_limit(part),
            shares={SpendingSource.NATIONAL.value: indirect_share(amounts, SpendingSource.NATIONAL),
                    SpendingSource.LOCAL.value: indirect_share(amounts, SpendingSource.LOCAL),
                    "total": indirect_share(amounts)}))
    return grids


# --- Import from an accounting export ----------------------------------------------------

COLUMNS = {  # the header as written in the file (lower case) → what it is
    "연도": "year", "year": "year", "재원": "source", "source": "source", "비목": "category",
    "category": "category", "금액": "amount", "amount": "amount", "적요": "memo", "memo": "memo",
}
SOURCE_NAMES = {"국비": SpendingSource.NATIONAL, "national": SpendingSource.NATIONAL,
                "지방비": SpendingSource.LOCAL, "local": SpendingSource.LOCAL}
CATEGORY_NAMES = {
    "인건비": SpendingCategory.PERSONNEL, "장비비": SpendingCategory.EQUIPMENT, "장비": SpendingCategory.EQUIPMENT,
    "연구시설장비비": SpendingCategory.EQUIPMENT, "재료비": SpendingCategory.MATERIALS,
    "연구재료비": SpendingCategory.MATERIALS, "활동비": SpendingCategory.ACTIVITIES,
    "연구활동비": SpendingCategory.ACTIVITIES, "위탁연구비": SpendingCategory.COMMISSIONED,
    "위탁연구개발비": SpendingCategory.COMMISSIONED, "간접비": SpendingCategory.INDIRECT,
    "미분류": SpendingCategory.UNCLASSIFIED, **{c.value: c for c in SpendingCategory},
}
MAX_ROWS = 5000


@dataclass
class ImportRow:
    line: int
    year: str
    source: str
    category: str
    amount: str
    memo: str
    reasons: list = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.reasons


@dataclass
class SpendingImport:
    rows: list[ImportRow] = field(default_factory=list)
    amounts: dict = field(default_factory=dict)  # the sums by (source, category) when every row is accepted
    problems: dict = field(default_factory=dict)  # the rules' problems with those sums, by cell
    saved: bool = False

    @property
    def refused(self) -> list[ImportRow]:
        return [r for r in self.rows if r.reasons]


def _shown(text: str, limit: int = 200) -> str:
    """A cell as the row report shows it: trimmed, and never something a spreadsheet would run as a
    formula if the page were copied into one."""
    text = (text or "").strip()[:limit]
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def read_import(*, part: ReportPart, upload) -> SpendingImport:
    """Read the file into the row report and the sums by cell; refuses an unreadable file."""
    from core.tables import read_rows

    rows = read_rows(upload, encodings=("utf-8-sig", "cp949"))
    if not rows:
        raise ValidationError(_("The file has no rows to import."))
    if len(rows) > MAX_ROWS:
        raise ValidationError(_("At most %(n)s rows at a time.") % {"n": f"{MAX_ROWS:,}"})
    headers = {COLUMNS.get(k) for k in rows[0][1]}
    if not {"year", "source", "category", "amount"} <= headers:
        raise ValidationError(_("The first row must name the columns: 연도, 재원, 비목, 금액 (적요 optional)."))
    result = SpendingImport()
    sums: dict = {}
    for line, raw in rows:
        row = {COLUMNS[k]: v for k, v in raw.items() if k in COLUMNS}
        shown = ImportRow(line=line, **{k: _shown(row.get(k, "")) for k in ("year", "source", "category", "amount",
                                                                          "memo")})
        year = row.get("year", "").strip().removesuffix("년")
        if year != str(part.report.year):
            shown.reasons.append(_("The year must be %(year)s, the report's year.") % {"year": part.report.year})
        source = SOURCE_NAMES.get(row.get("source", "").strip().lower())
        if source is None:
            shown.reasons.append(_("Unknown source (국비 or 지방비)."))
        category = CATEGORY_NAMES.get(row.get("category", "").strip().replace(" ", "").lower())
        if category is None:
            shown.reasons.append(_("Unknown category (인건비, 장비비, 재료비, 활동비, 위탁연구비, 간접비 or 미분류)."))
        try:
            amount = parse_won(row.get("amount", ""))
        except ValueError:
            amount = None
            shown.reasons.append(_("The amount is not a number of won."))
        else:
            if amount is None:
                shown.reasons.append(_("The amount is empty."))
            elif amount < 0:
                shown.reasons.append(_("Amounts cannot be negative."))
            elif amount > MAX_WON:
                shown.reasons.append(_("This amount is too large."))
        if len(row.get("memo", "")) > 200:
            shown.reasons.append(_("The memo is longer than 200 characters."))
        if not shown.reasons:
            sums[(source, category)] = sums.get((source, category), 0) + amount
        result.rows.append(shown)
    if not result.refused:
        for (source, category), amount in sums.items():
            if amount > MAX_WON:
                result.problems[cell_key(source, category)] = _("This amount is too large.")
        if result.problems:
            return result
        result.amounts = sums
        result.problems = spending_problems(part=part, amounts=sums)
    return result
