"""Forms of the funding pages. They parse HTTP input; every write is a service call in
funding.services, which applies the call's rules."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import MAX_WON, WonField
from core.money_input import parse_won as read_won
from programmes.grids import input_name

from .models import ScenarioChoice


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


# --- Cut-line scenarios ------------------------------------------------------------------------


class ScenarioCreateForm(forms.Form):
    """A new scenario of the call, prefilled from its ranking (funding.services.scenario_create)."""

    name = forms.CharField(label=_("Scenario name"), max_length=120, strip=False)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000, strip=False,
                            widget=forms.Textarea(attrs={"rows": 2}))
    top = forms.IntegerField(label=_("Select the top N within the envelope"), required=False, min_value=0,
                             max_value=100000, help_text=_("Blank: as many as the envelope holds, down the ranking."))


class ScenarioForm(forms.Form):
    """A scenario's name, notes and, per ranked proposal, its choice (`choice-<id>`) and national
    funding over the pilot years (`amount-<id>`; the request unless changed)."""

    name = forms.CharField(label=_("Scenario name"), max_length=120, strip=False)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000, strip=False,
                            widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            pid = row["proposal_id"]
            self.fields[f"choice-{pid}"] = forms.ChoiceField(label=_("Choice"), choices=ScenarioChoice.choices,
                                                             initial=row["choice"])
            self.fields[f"amount-{pid}"] = WonField(label=_("National funding (pilot)"), required=False,
                                                    initial=f"{row['amount']:,}")

    def lines(self) -> dict:
        """{proposal id: (choice, amount or None)}: an amount equal to the request (or blank) is no override."""
        out = {}
        for row in self.rows:
            pid = row["proposal_id"]
            amount = self.cleaned_data.get(f"amount-{pid}")
            out[pid] = (self.cleaned_data[f"choice-{pid}"], None if amount in (None, row["requested"]) else amount)
        return out

    def bound_rows(self) -> list[dict]:
        """The rows with their two fields, for the template."""
        return [{**row, "choice_field": self[f"choice-{row['proposal_id']}"],
                 "amount_field": self[f"amount-{row['proposal_id']}"]} for row in self.rows]
