"""Budget rules of a call, as a pure function over the budget grid.

Problems are keyed by the cell they belong to, so the page explains each one
where the user typed it:
  (region_id, year, "national" | "local" | "other")  a region's cell
  ("year", year)                                    a year's total row
  ("total",)                                        the grand total
  ("pilot_national",)                               national request over the pilot
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from programmes.models import MatchingBasis


@dataclass(frozen=True)
class Cell:
    region_id: int
    year: int
    national: int
    local: int
    other: int


def required_local(*, national: int, local: int, other: int, pct: Decimal, basis: str) -> Decimal:
    """The smallest local amount that meets the matching rule (exact, no floats)."""
    if basis == MatchingBasis.TOTAL:
        # local ≥ pct × (national + local + other)  ⇔  local × (100 − pct) ≥ pct × (national + other)
        if pct >= 100:
            return Decimal("Infinity") if (national + other) > 0 else Decimal(0)
        return Decimal(national + other) * pct / (Decimal(100) - pct)
    return Decimal(national) * pct / Decimal(100)


def _meets(local: int, need: Decimal) -> bool:
    return Decimal(local) >= need


def budget_problems(*, call, cells: list[Cell], years: list[int], pilot_years: list[int]) -> dict:
    pct = Decimal(call.min_local_matching_pct)
    basis = call.matching_basis
    problems: dict = {}

    def message(need: Decimal) -> str:
        shown = f"{int(need.to_integral_value(rounding='ROUND_CEILING')):,}"
        return _("Local funds must be at least %(pct)s%% (%(basis)s): at least %(need)s won.") % {
            "pct": f"{pct.normalize():f}", "basis": call.get_matching_basis_display(), "need": shown,
        }

    for c in cells:
        for field, value in (("national", c.national), ("local", c.local), ("other", c.other)):
            if value < 0:
                problems[(c.region_id, c.year, field)] = _("Amounts cannot be negative.")
        if c.year not in years and (c.national or c.local or c.other):
            problems[(c.region_id, c.year, "national")] = _(
                "This year is outside the roadmap (%(first)s–%(last)s)."
            ) % {"first": years[0], "last": years[-1]}
            continue
        if (c.region_id, c.year, "local") in problems:
            continue  # a negative amount is explained as such, not as a matching shortfall
        need = required_local(national=c.national, local=c.local, other=c.other, pct=pct, basis=basis)
        if not _meets(c.local, need):
            problems[(c.region_id, c.year, "local")] = message(need)

    by_year: dict[int, list[int]] = {}
    for c in cells:
        row = by_year.setdefault(c.year, [0, 0, 0])
        row[0] += c.national
        row[1] += c.local
        row[2] += c.other
    for year, (n, loc, o) in by_year.items():
        need = required_local(national=n, local=loc, other=o, pct=pct, basis=basis)
        if not _meets(loc, need):
            problems[("year", year)] = message(need)

    n = sum(c.national for c in cells)
    loc = sum(c.local for c in cells)
    o = sum(c.other for c in cells)
    need = required_local(national=n, local=loc, other=o, pct=pct, basis=basis)
    if not _meets(loc, need):
        problems[("total",)] = message(need)

    pilot_national = sum(c.national for c in cells if c.year in pilot_years)
    if pilot_national > call.cap_won:
        problems[("pilot_national",)] = _(
            "National funding requested over the pilot (%(requested)s won) exceeds the call's cap of %(cap)s won."
        ) % {"requested": f"{pilot_national:,}", "cap": f"{call.cap_won:,}"}
    return problems
