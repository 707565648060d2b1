from django import forms
from django.utils.translation import gettext_lazy as _


class PrepareForm(forms.Form):
    conditions = forms.CharField(label=_("Conditions"), required=False, max_length=5000,
                                 widget=forms.Textarea(attrs={"rows": 5}),
                                 help_text=_("From the funding decision; change them if the agreement says more."))


class AcceptForm(forms.Form):
    """A party accepts the version the page showed (its number is posted back with the form)."""

    party = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(label=_("I have read this version and accept it on behalf of this party."),
                                 error_messages={"required": _("Tick the confirmation box to accept.")})
    institution_signed = forms.BooleanField(
        label=_("The head of the institution has signed this version of the agreement."), required=False)
