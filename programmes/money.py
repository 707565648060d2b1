"""The call's money rules, in one place: local matching and the envelope.

Local matching. A call asks the regions for local funds of at least
`min_local_matching_pct` per cent of a basis (`matching_basis`):
  national  local ≥ pct × national
  total     local ≥ pct × (national + local + other)
            ⇔ local × (100 − pct) ≥ pct × (national + other)
The maths is exact (Decimal, no floats); amounts are integer won and the amount
shown to the user is rounded up to the next won.

Proposal budgets, funding decisions and stage plans all check it with
`MatchingRule.of(call).problems(cells, …)`, per region's cell, per year and in
total, and each message names the call's basis.

One key scheme places every problem of a money grid where the user typed it:
  cell_key(region_id, year, field)  a region's cell ("national" | "local" | "other");
                                    region_id None: the year's own cell (a decision's
                                    national funding per year)
  year_key(year)                    a year's row
  TOTAL_KEY                         the grand total
  CAP_KEY                           the national funding against the cap

The envelope. `check_envelope` is the one check of an approval against an
envelope (a call's, a stage round's): it locks the envelope's row, sums what is
committed and refuses when committed + this > envelope.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from core import josa

from .models import MatchingBasis

# --- Where a problem sits ---------------------------------------------------------------

TOTAL_KEY = ("total",)
CAP_KEY = ("cap",)


def cell_key(region_id: int | None, year: int, field: str) -> tuple:
    return (region_id, year, field)


def year_key(year: int) -> tuple:
    return ("year", year)


# --- Local matching ------------------------------------------------------------------------

# What a rule checks: each region's cell, each year's row, the grand total.
CELLS, YEARS, TOTAL = "cells", "years", "total"


@dataclass(frozen=True)
class Cell:
    """The money of one region (None: of no region in particular) in one year, in won."""

    region_id: int | None
    year: int
    national: int
    local: int
    other: int = 0


def _won(amount: Decimal) -> int:
    return int(amount.to_integral_value(rounding=ROUND_CEILING))


@dataclass(frozen=True)
class MatchingRule:
    pct: Decimal
    basis: str

    @classmethod
    def of(cls, call) -> "MatchingRule":
        return cls(pct=Decimal(call.min_local_matching_pct), basis=call.matching_basis)

    @property
    def basis_name(self) -> str:
        """What the share is of, as the messages say it ("… of the national funding")."""
        return _("total project cost") if self.basis == MatchingBasis.TOTAL else _("national funding")

    def required_local(self, *, national: int, other: int = 0) -> Decimal:
        """The smallest local amount that meets the rule (exact; Infinity when none can)."""
        pct = self.pct
        if self.basis == MatchingBasis.TOTAL:
            if pct >= 100:
                return Decimal("Infinity") if (national + other) > 0 else Decimal(0)
            return Decimal(national + other) * pct / (Decimal(100) - pct)
        return Decimal(national) * pct / Decimal(100)

    def shortfall(self, *, national: int, local: int, other: int = 0) -> str | None:
        """The message when `local` is short of the rule; None when it meets it."""
        need = self.required_local(national=national, other=other)
        if Decimal(local) >= need:
            return None
        values = {"pct": f"{self.pct.normalize():f}", "basis": self.basis_name}
        if need.is_infinite():
            return _("Local funds must be at least %(pct)s%% of the %(basis)s.") % values
        return _("Local funds must be at least %(pct)s%% of the %(basis)s: at least %(need)s won.") % {
            **values, "need": f"{_won(need):,}"}

    def problems(self, cells: Iterable[Cell], *, levels: Collection[str] = (CELLS, YEARS, TOTAL),
                 explained: Collection[tuple] = ()) -> dict:
        """The rule over a money grid, keyed by where each shortfall sits: a region's local
        cell (CELLS; cells of no region and the (region id, year) pairs in `explained` —
        already refused for another reason — are skipped), a year's row (YEARS) and the
        grand total (TOTAL). Every cell counts towards its year and the total."""
        cells = list(cells)
        problems: dict = {}
        if CELLS in levels:
            for c in cells:
                if c.region_id is None or (c.region_id, c.year) in explained:
                    continue
                message = self.shortfall(national=c.national, local=c.local, other=c.other)
                if message:
                    problems[cell_key(c.region_id, c.year, "local")] = message
        if YEARS in levels:
            by_year: dict[int, list[int]] = {}
            for c in cells:
                row = by_year.setdefault(c.year, [0, 0, 0])
                row[0] += c.national
                row[1] += c.local
                row[2] += c.other
            for year in sorted(by_year):
                national, local, other = by_year[year]
                message = self.shortfall(national=national, local=local, other=other)
                if message:
                    problems[year_key(year)] = message
        if TOTAL in levels:
            message = self.shortfall(national=sum(c.national for c in cells), local=sum(c.local for c in cells),
                                     other=sum(c.other for c in cells))
            if message:
                problems[TOTAL_KEY] = message
        return problems


# --- The envelope ---------------------------------------------------------------------------


def committed_won(approved: QuerySet, field: str = "national_total_won") -> int:
    """What the approved rows commit from an envelope."""
    return approved.aggregate(total=Sum(field))["total"] or 0


def check_envelope(*, holder, approved: QuerySet, amount: int, name: str) -> int:
    """Refuse an approval of `amount` won that would overspend `holder`'s envelope.

    `holder` is the row with the envelope (`envelope_won`: a call, a stage round); its
    row is locked (SELECT … FOR UPDATE) so approvals against one envelope run one after
    another — an approval takes that lock first, before its own rows, so every approval
    locks in one order. `approved` are the rows already committed, `name` says which
    envelope it is ("the call's envelope"). Returns what was committed before.
    """
    envelope = type(holder)._default_manager.select_for_update().values_list(
        "envelope_won", flat=True).get(pk=holder.pk)
    committed = committed_won(approved)
    if committed + amount > envelope:
        raise ValidationError(josa.format(_(
            "Approving would exceed %(name)s: %(committed)s won committed + %(this)s won > "
            "%(envelope)s won (remaining %(remaining)s won)."),
            name=name, committed=f"{committed:,}", this=f"{amount:,}", envelope=f"{envelope:,}",
            remaining=f"{envelope - committed:,}"))
    return committed
