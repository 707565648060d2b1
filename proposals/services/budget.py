"""Budget rules of a call over a proposal's budget grid (a pure function).

The local-matching rule and the key scheme are the call's (programmes.money):
each region's cell, each year's row and the grand total; the cap counts the
national funding requested over the pilot years. Problems are keyed by the cell
they belong to, so the page explains each one where the user typed it:
  (region_id, year, "national" | "local" | "other")  a region's cell
  ("year", year)                                    a year's total row
  ("total",)                                        the grand total
  ("cap",)                                          national request over the pilot
"""

from django.utils.translation import gettext as _

from programmes.money import CAP_KEY, Cell, MatchingRule, cell_key

__all__ = ["Cell", "budget_problems"]


def budget_problems(*, call, cells: list[Cell], years: list[int], pilot_years: list[int]) -> dict:
    problems: dict = {}
    explained = set()  # cells already refused for another reason: not explained again as a shortfall
    for c in cells:
        for field, value in (("national", c.national), ("local", c.local), ("other", c.other)):
            if value < 0:
                problems[cell_key(c.region_id, c.year, field)] = _("Amounts cannot be negative.")
        if c.local < 0:
            explained.add((c.region_id, c.year))
        if c.year not in years and (c.national or c.local or c.other):
            problems[cell_key(c.region_id, c.year, "national")] = _(
                "This year is outside the roadmap (%(first)s–%(last)s)."
            ) % {"first": years[0], "last": years[-1]}
            explained.add((c.region_id, c.year))
    problems.update(MatchingRule.of(call).problems(cells, explained=explained))

    pilot_national = sum(c.national for c in cells if c.year in pilot_years)
    if pilot_national > call.cap_won:
        problems[CAP_KEY] = _(
            "National funding requested over the pilot (%(requested)s won) exceeds the call's cap of %(cap)s won."
        ) % {"requested": f"{pilot_national:,}", "cap": f"{call.cap_won:,}"}
    return problems
