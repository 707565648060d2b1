"""Money grids: amounts in won by region × year, as the money pages show them and take them
back (a proposal's budget plan, a funding decision, a stage plan, a decision as approved).

A grid knows
- the saved amounts, keyed as programmes.money keys a cell: (region id, year, field) — the
  region id None for the year's own cell (a decision's national funding per year);
- defaults for cells nothing was saved in yet (a decision prefilled from the budget plan);
- what a refused form posted (`typed`, by input name), shown back instead of the saved amounts;
- the problems of the call's money rule (programmes.money keys) and a form's errors (input
  names), placed at the cell, the year or the total.

Each input is named `<field>-<region id>-<year>`, or `<field>-<year>` for the year's own cell.
Pure: it reads no database; the owning app's selectors read the rows and lay the grid out.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .money import cell_key, year_key


def input_name(field_name: str, region_id: int | None, year: int) -> str:
    return f"{field_name}-{year}" if region_id is None else f"{field_name}-{region_id}-{year}"


def amounts(rows: Iterable, *fields: str, region: bool = True) -> dict:
    """The saved amounts of model rows with `year`, `<field>_won` and (unless `region` is False)
    `region_id`, keyed as a grid keys its cells; rows of one cell add up."""
    out: dict = {}
    for row in rows:
        region_id = row.region_id if region else None
        for name in fields:
            key = cell_key(region_id, row.year, name)
            out[key] = out.get(key, 0) + getattr(row, f"{name}_won")
    return out


@dataclass(frozen=True)
class MoneyGrid:
    regions: Sequence  # the regions of the grid's rows or columns, in order (objects with a pk)
    years: Sequence[int]
    fields: Sequence[str]  # the fields of a region's cell: "national", "local", "other"
    saved: Mapping = field(default_factory=dict)
    defaults: Mapping = field(default_factory=dict)
    typed: Mapping | None = None
    problems: Mapping = field(default_factory=dict)

    def value(self, region_id: int | None, year: int, field_name: str):
        if self.typed is not None:
            return self.typed.get(input_name(field_name, region_id, year), "")
        key = cell_key(region_id, year, field_name)
        return self.saved.get(key, self.defaults.get(key, 0))

    def cell(self, region, year: int, fields: Sequence[str] | None = None) -> dict:
        """One cell: each field's value and input name (`national`, `national_name`, …) and the
        first problem placed at it (by the money rule's key, then by input name)."""
        region_id = region.pk if region is not None else None
        fields = self.fields if fields is None else fields
        names = {name: input_name(name, region_id, year) for name in fields}
        places = [cell_key(region_id, year, name) for name in fields] + list(names.values())
        return {
            "region": region, "year": year,
            **{name: self.value(region_id, year, name) for name in fields},
            **{f"{name}_name": names[name] for name in fields},
            "problem": next((self.problems[p] for p in places if self.problems.get(p)), None),
        }

    def year_total(self, year: int, field_name: str) -> int:
        """The year's saved amounts of one field: the grid's regions' and the year's own cell."""
        return sum(self.saved.get(cell_key(region_id, year, field_name), 0)
                   for region_id in [*(r.pk for r in self.regions), None])

    def by_year(self, own: Sequence[str] = ()) -> list[dict]:
        """A row per year: its regions' cells, the year's saved totals per field, the year's
        problem, and (for the fields in `own`) the year's own cell."""
        return [{
            "year": year, "cells": [self.cell(region, year) for region in self.regions],
            "totals": {name: self.year_total(year, name) for name in self.fields},
            "problem": self.problems.get(year_key(year)),
            **({"own": self.cell(None, year, own)} if own else {}),
        } for year in self.years]

    def by_region(self) -> list[dict]:
        """A row per region: its cells, year by year."""
        return [{"region": region, "cells": [self.cell(region, year) for year in self.years]}
                for region in self.regions]

    def year_totals(self) -> list[dict]:
        """Per year, the saved totals of each field and the year's problem (a grid's last row)."""
        return [{"year": year, **{name: self.year_total(year, name) for name in self.fields},
                 "problem": self.problems.get(year_key(year))} for year in self.years]
