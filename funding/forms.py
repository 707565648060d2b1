"""Forms of the funding pages. They parse HTTP input; every write is a service call in
funding.services, which applies the call's rules."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from programmes.grids import input_name

MAX_WON = 10**15  # beyond any envelope: a larger figure is a typing error, not an amount


def parse_won(raw: str) -> int:
    """A typed amount of won: digits, a leading minus (the service says amounts cannot be
    negative), commas and spaces allowed; blank is 0. ValueError for anything else."""
    raw = raw.replace(",", "").strip()
    if not raw:
        return 0
    digits = raw.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError(raw)
    return int(raw)


class DecisionForm(forms.Form):
    """A funding decision as prepared on its page: the national funding of each pilot year
    (`national-<year>`), each region's local funds per year (`local-<region id>-<year>`, the
    programmes.grids input names) and the conditions of award."""

    conditions = forms.CharField(required=False, strip=False)

    def __init__(self, *args, years, region_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.cells = [(None, year) for year in years] + [(r, year) for year in years for r in region_ids]
        for region_id, year in self.cells:
            self.fields[self._name(region_id, year)] = forms.CharField(required=False, strip=False)

    @staticmethod
    def _name(region_id, year) -> str:
        return input_name("national" if region_id is None else "local", region_id, year)

    def clean(self):
        data = super().clean()
        try:
            self.amounts = {cell: parse_won(data.get(self._name(*cell), "")) for cell in self.cells}
        except ValueError:
            raise ValidationError(_("Amounts are whole numbers of won.")) from None
        if any(abs(v) > MAX_WON for v in self.amounts.values()):
            raise ValidationError(_("This amount is too large."))
        return data

    def years(self) -> dict:
        """{year: national funding} as the service takes it."""
        return {year: v for (region_id, year), v in self.amounts.items() if region_id is None}

    def obligations(self) -> dict:
        """{(region id, year): local funds} as the service takes them."""
        return {cell: v for cell, v in self.amounts.items() if cell[0] is not None}
