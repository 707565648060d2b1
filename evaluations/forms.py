from django import forms
from django.utils.translation import gettext_lazy as _

from programmes.models import CooperationType, QualityRules

from .models import PlanSection


class DeclarationForm(forms.Form):
    CHOICES = [("none", _("I have no conflict of interest with this proposal.")),
               ("conflict", _("I have a conflict of interest and withdraw."))]
    decision = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect, label=_("Declaration"))
    note = forms.CharField(label=_("Conflict (if any)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(forms.Form):
    section = forms.ChoiceField(choices=PlanSection.choices, label=_("Section"))
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4}), min_length=10)


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"),
                           help_text=_("Columns: username, name, email, affiliation, home_region (code), "
                                       "industries (codes separated by ;), keywords, phone, available (yes/no)."))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class PanelResultForm(forms.Form):
    consensus_comment = forms.CharField(label=_("Panel's consensus comment"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 3}))
    decision_reason = forms.CharField(label=_("Reason for the decision"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))


TYPE_CHOICES = [("", _("All types"))] + list(CooperationType.choices)


class QualityRulesForm(forms.ModelForm):
    """The call's thresholds of the evaluator quality record (each refused at its field when
    out of range)."""

    class Meta:
        model = QualityRules
        fields = ["max_late_submissions", "max_reopens", "max_mean_abs_z", "min_comment_length",
                  "min_average_rating"]


class ExclusionForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the exclusion"), widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Give the reason for the exclusion; it is recorded.")})
