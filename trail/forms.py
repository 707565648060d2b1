from django import forms
from django.utils.translation import gettext_lazy as _

from audit.models import AccessChannel, AccessPurpose, AuditAction, AuditSource

from .selectors import actors, object_types


class TrailFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200,
                        help_text=_("Object, summary or person"))
    actor = forms.CharField(label=_("Who"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("Action"), required=False)
    source = forms.ChoiceField(label=_("Record kind"), required=False)
    type = forms.ChoiceField(label=_("Object type"), required=False)
    object = forms.CharField(label=_("Object id"), required=False, max_length=64)
    proposal = forms.IntegerField(label=_("Proposal (and its decisions)"), required=False, min_value=1,
                                  widget=forms.HiddenInput)
    date_from = forms.DateField(label=_("Date from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Date to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["action"].choices = everything + list(AuditAction.choices)
        self.fields["source"].choices = everything + list(AuditSource.choices)
        self.fields["type"].choices = everything + object_types()
        # The person filter is a picker of the people who have records (a typed name still filters).
        self.actor_choices = everything + actors()
        typed = (self.data.get("actor") or "").strip()
        if typed and typed not in {value for value, _label in self.actor_choices}:
            self.actor_choices.append((typed, typed))

    def filters(self) -> dict:
        """Keyword arguments for `selectors.trail` (empty when the form is invalid)."""
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        return {"q": d["q"].strip(), "actor": d["actor"].strip(), "action": d["action"], "source": d["source"],
                "object_type": d["type"], "object_id": d["object"].strip(), "date_from": d["date_from"],
                "date_to": d["date_to"], "proposal": d["proposal"]}


class PersonalDataFilterForm(forms.Form):
    accessor = forms.CharField(label=_("Who read"), required=False, max_length=150)
    subject = forms.CharField(label=_("Whose details"), required=False, max_length=150)
    purpose = forms.ChoiceField(label=_("Purpose"), required=False,
                                choices=[("", _("All"))] + AccessPurpose.choices)
    channel = forms.ChoiceField(label=_("Channel"), required=False,
                                choices=[("", _("All"))] + AccessChannel.choices)
    date_from = forms.DateField(label=_("Date from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Date to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def filters(self) -> dict:
        """Keyword arguments for `selectors.personal_data_log` (empty when the form is invalid)."""
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        return {"accessor": d["accessor"].strip(), "subject": d["subject"].strip(), "purpose": d["purpose"],
                "channel": d["channel"], "date_from": d["date_from"], "date_to": d["date_to"]}
