"""Forms of the token pages: what a person may choose comes from api.scopes.scopes_for; the
service (api.services) checks it again."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from programmes.models import Region

from .scopes import Scope, scopes_for
from .services import DEFAULT_DAYS, MAX_DAYS, SERVICE_ROLES, needs_fresh_second_factor


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the system that reads with it."),
    )
    scopes = forms.MultipleChoiceField(label=_("Scopes"), widget=forms.CheckboxSelectMultiple, choices=())
    expires_on = forms.DateField(
        label=_("Expires on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("At most a year from today. The token stops working at the end of that day (Korea time)."),
    )
    code = forms.CharField(
        label=_("Six-digit code"),
        max_length=7,
        required=False,
        help_text=_("Your role requires it: type the code your authenticator app shows now."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*", "maxlength": "7"}),
    )

    def __init__(self, *args, owner, by, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Scope.choices)
        self.fields["scopes"].choices = [(s, labels[s]) for s in scopes_for(owner)]
        today = timezone.localdate()
        self.fields["expires_on"].initial = today + datetime.timedelta(days=DEFAULT_DAYS)
        self.fields["expires_on"].widget.attrs.update(
            {"min": (today + datetime.timedelta(days=1)).isoformat(), "max": self.last_day().isoformat()}
        )
        self.needs_code = needs_fresh_second_factor(by)
        if self.needs_code:
            self.fields["code"].required = True
        else:
            del self.fields["code"]

    @staticmethod
    def last_day() -> datetime.date:
        return timezone.localdate() + datetime.timedelta(days=MAX_DAYS - 1)

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day <= timezone.localdate() or day > self.last_day():
            raise forms.ValidationError(_("Choose a day after today and within a year."))
        return day

    def expires_at(self) -> datetime.datetime:
        """The end of the chosen day in Korea time."""
        day = self.cleaned_data["expires_on"] + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class ServiceAccountForm(forms.Form):
    username = forms.SlugField(label=_("Account name"), max_length=150, help_text=_("Letters, digits and hyphens, e.g. ntis-reader."))
    display_name = forms.CharField(label=_("Display name"), max_length=100, help_text=_("The system that uses this account."))
    email = forms.EmailField(label=_("Contact e-mail"), required=False, help_text=_("Whom to tell about this account."))
    role = forms.ChoiceField(label=_("Role"), choices=[(r.value, r.label) for r in SERVICE_ROLES])
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.all(), required=False, help_text=_("For a regional official only.")
    )

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.OFFICIAL and not data.get("region"):
            self.add_error("region", _("A regional official must belong to a region."))
        return data
