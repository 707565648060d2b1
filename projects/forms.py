"""Forms of the funded-project pages. They parse HTTP input; every write is a
service call in projects.services."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.models import Call

from .models import Outcome
from .services.stages import DEFAULT_RUBRIC


class RoundOpenForm(forms.Form):
    call = forms.ModelChoiceField(label=_("Call"), queryset=Call.objects.none())
    stage_number = forms.IntegerField(label=_("Stage evaluated"), min_value=1, max_value=10, initial=1)
    title = forms.CharField(label=_("Title"), max_length=200)
    year = forms.IntegerField(label=_("Year of the evaluation"), min_value=2000, max_value=2100)
    envelope_won = forms.IntegerField(label=_("National envelope for the next stage (won)"), min_value=0)
    next_stage_years = forms.IntegerField(label=_("Years of the next stage"), min_value=1, max_value=10, initial=3)
    panel_size = forms.IntegerField(label=_("Evaluators per project"), min_value=1, max_value=15, initial=5)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = Call.objects.order_by("-year")
        self.fields["year"].initial = timezone.localdate().year


class RubricRowForm(forms.Form):
    name_ko = forms.CharField(label=_("Criterion (Korean)"), max_length=200)
    name_en = forms.CharField(label=_("Criterion (English)"), max_length=200, required=False)
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=100)
    max_score = forms.IntegerField(label=_("Maximum score"), min_value=1, max_value=100, initial=10)


RubricFormSet = forms.formset_factory(RubricRowForm, extra=1, can_delete=True)


def rubric_formset(data=None) -> forms.BaseFormSet:
    """The round's rubric, prefilled from the default stage rubric."""
    return RubricFormSet(data, prefix="criteria", initial=[dict(c) for c in DEFAULT_RUBRIC])


def rubric_rows(formset) -> list[dict]:
    return [{"name_ko": f.cleaned_data["name_ko"], "name_en": f.cleaned_data.get("name_en", ""),
             "weight": f.cleaned_data["weight"], "max_score": f.cleaned_data.get("max_score") or 10}
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("name_ko")]


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect)
    panel_comment = forms.CharField(label=_("Panel's comment"), widget=forms.Textarea(attrs={"rows": 3}),
                                    required=False)
    reason = forms.CharField(label=_("Reason for the outcome"), widget=forms.Textarea(attrs={"rows": 3}),
                             required=False)
    wind_down_on = forms.DateField(label=_("Wind-down date (terminate only)"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    confirm = forms.BooleanField(label=_("I understand that the outcome cannot be changed afterwards."),
                                 required=False)


class ConditionRowForm(forms.Form):
    text = forms.CharField(label=_("Condition"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


ConditionFormSet = forms.formset_factory(ConditionRowForm, extra=3)
