"""Forms of the funding pages. They parse HTTP input; every write is a service call in
funding.services, which applies the call's rules."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import MAX_WON
from core.money_input import parse_won as read_won
from programmes.grids import input_name


def parse_won(raw: str) -> int:
    """A typed amount of won as core.money_input reads it ("1,000,000", "1억 2천만", a leading
    minus: the service says amounts cannot be negative); blank is 0. ValueError for anything else."""
    return read_won(raw) or 0


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


class SelectionForm(forms.Form):
    """One proposal's selection decision, on its own page (funding.services.selection_decide)."""

    ACTIONS = [("select", _("Select")), ("reserve", _("Put on the reserve list")), ("not_select", _("Do not select"))]

    action = forms.ChoiceField(label=_("Decision"), choices=ACTIONS, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), max_length=2000, strip=False,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("The regions will read it."))

    def __init__(self, *args, state: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if state == "reserve":  # a reserve proposal is selected or not; it is already on the list
            self.fields["action"].choices = [c for c in self.ACTIONS if c[0] != "reserve"]
