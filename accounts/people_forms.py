"""Forms of people administration (accounts.people_views): they take the input; accounts.people writes."""

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programmes.models import Region

from .models import Role


class PeopleFilterForm(forms.Form):
    STATUS_CHOICES = [("", _("Any status")), ("active", pgettext_lazy("account", "Active")), ("inactive", _("Inactive")),
                      ("invited", _("Invitation waiting"))]

    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, username or e-mail")}))
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("Any role")), *Role.choices])
    region = forms.ModelChoiceField(label=_("Region"), required=False, queryset=Region.objects.order_by("order", "pk"),
                                    empty_label=_("Any region"))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-control" if name == "q" else "form-select"

    def clean_q(self):
        return self.cleaned_data["q"].replace("\x00", "").strip()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class InviteForm(forms.Form):
    """Role and region are asked of administrators only: a regional administrator invites officials
    of their own region (`regional=True` leaves the two fields out)."""

    email = forms.EmailField(label=_("E-mail"), max_length=150)
    display_name = forms.CharField(label=_("Display name"), max_length=100)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.OFFICIAL)
    region = forms.ModelChoiceField(label=_("Region"), required=False, queryset=Region.objects.order_by("order", "pk"),
                                    help_text=_("Required for a regional official."))
    language = forms.ChoiceField(label=_("Mail language"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE)
    access_until = forms.DateField(label=_("Access until"), required=False, widget=DateInput(),
                                   help_text=_("The last day this person may log in (a deputy while someone is "
                                               "away). Leave empty for no end."))

    def __init__(self, *args, regional: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "off"})
        if regional:
            del self.fields["role"]
            del self.fields["region"]

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.OFFICIAL and "region" in self.fields and not data.get("region"):
            self.add_error("region", _("A regional official must belong to a region."))
        return data


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    region = forms.ModelChoiceField(label=_("Region"), required=False, queryset=Region.objects.order_by("order", "pk"),
                                    help_text=_("Required for a regional official."))
    is_region_admin = forms.BooleanField(label=_("Regional administrator"), required=False,
                                         help_text=_("May invite and manage the officials of their own region."))

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.OFFICIAL and not data.get("region"):
            self.add_error("region", _("A regional official must belong to a region."))
        if data.get("is_region_admin") and data.get("role") != Role.OFFICIAL:
            self.add_error("is_region_admin", _("Only a regional official can be a regional administrator."))
        return data


class AccessForm(forms.Form):
    access_until = forms.DateField(label=_("Access until"), required=False, widget=DateInput(),
                                   help_text=_("The last day this person may log in. Leave empty for no end."))


class ConfirmDeactivateForm(forms.Form):
    confirm = forms.BooleanField(label=_("I understand that this person will be logged out and cannot log in "
                                         "until the account is reactivated."),
                                 error_messages={"required": _("Tick the box to confirm.")})


class ResetSecondFactorForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("Say why the second factor is reset.")},
                             help_text=_("Recorded on the audit trail, e.g. \"phone lost, identity checked by "
                                         "telephone call\"."))
    confirm = forms.BooleanField(label=_("I have checked this person's identity and understand that all their "
                                         "authenticator apps and recovery codes stop working."),
                                 error_messages={"required": _("Tick the box to confirm.")})

    def clean_reason(self):
        reason = self.cleaned_data["reason"].replace("\x00", "").strip()
        if not reason:
            raise forms.ValidationError(_("Say why the second factor is reset."))
        return reason


class AcceptInvitationForm(forms.Form):
    """A password checked by Django's validators (against the invited account), and the consent."""

    password1 = forms.CharField(label=_("New password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label=_("New password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    consent = forms.BooleanField(label=_("I consent to the collection and use of my personal data as described above."),
                                 error_messages={"required": _("You must consent to the collection and use of "
                                                               "personal data to use the portal.")})

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password2(self):
        one, two = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if one and two and one != two:
            raise forms.ValidationError(_("The two passwords are not the same."))
        if two:
            password_validation.validate_password(two, self.user)
        return two


class ConsentOnlyForm(forms.Form):
    consent = AcceptInvitationForm.base_fields["consent"]
