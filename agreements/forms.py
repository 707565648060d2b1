from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import WonField
from programmes.categories import SpendingCategory

from .models import AmendmentKind, FundSource


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


class AmendmentForm(forms.Form):
    """The lead region's request for a change to the agreement in force (agreements.services.amendments
    checks it and names the offending field). The money fields count for the money kinds only."""

    kind = forms.ChoiceField(label=_("Kind of change"), widget=forms.RadioSelect)
    reasons = forms.CharField(label=_("Reasons"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                              error_messages={"required": _("Give the reasons for the change.")})
    description = forms.CharField(label=_("The change"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=_("Organisations or the lead researcher: who leaves, who joins, who "
                                              "takes over."))
    new_end_year = forms.IntegerField(label=_("New last year"), required=False, min_value=2000, max_value=2100,
                                      help_text=_("The period: within the call's maximum total years."))
    source = forms.ChoiceField(label=_("Source"), required=False)
    region = forms.TypedChoiceField(label=_("Region (local funds)"), required=False, coerce=int, empty_value=None)
    from_year = forms.TypedChoiceField(label=_("From year"), required=False, coerce=int, empty_value=None)
    from_category = forms.ChoiceField(label=_("From category"), required=False)
    to_year = forms.TypedChoiceField(label=_("To year"), required=False, coerce=int, empty_value=None,
                                     help_text=_("Moving money between years only."))
    to_category = forms.ChoiceField(label=_("To category"), required=False,
                                    help_text=_("Moving money between categories only."))
    amount_won = WonField(label=_("Amount moved (won)"), required=False)
    attachments = forms.FileField(label=_("Attachment (optional)"), required=False,
                                  help_text=_("PDF, HWP/HWPX, DOCX, XLSX, PNG or JPEG."))

    MONEY_FIELDS = ("source", "region", "from_year", "from_category", "to_year", "to_category", "amount_won")

    def __init__(self, *args, version, regions, **kwargs):
        super().__init__(*args, **kwargs)
        blank = [("", "—")]
        years = blank + [(y, y) for y in version.years]
        self.fields["kind"].choices = AmendmentKind.choices
        self.fields["source"].choices = blank + FundSource.choices
        self.fields["region"].choices = blank + [(r.pk, r.name) for r in regions]
        self.fields["from_year"].choices = years
        self.fields["to_year"].choices = years
        self.fields["from_category"].choices = blank + SpendingCategory.choices
        self.fields["to_category"].choices = blank + [c for c in SpendingCategory.choices
                                                      if c[0] != SpendingCategory.UNCLASSIFIED]
        for name, field in self.fields.items():
            if name == "kind":
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def mark_errors(self) -> None:
        """The fields with an error are marked invalid and point at their message (the page shows it)."""
        for name in self.errors:
            if name in self.fields and name != "kind":
                attrs = self.fields[name].widget.attrs
                attrs["class"] = attrs.get("class", "") + " is-invalid"
                attrs["aria-describedby"] = f"id_{name}_error"

    def money(self) -> dict:
        data = self.cleaned_data
        return {f: data.get(f) for f in self.MONEY_FIELDS if f != "region"} | {"region_id": data.get("region")}


class AmendmentDecisionForm(forms.Form):
    """Staff endorse, approve, refuse or return an amendment (refusing and returning need reasons)."""

    action = forms.ChoiceField(choices=[(a, a) for a in ("endorse", "approve", "refuse", "return")],
                               widget=forms.HiddenInput)
    note = forms.CharField(label=_("Reasons for the region"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
                           help_text=_("Required to refuse or return the amendment."))
    confirm = forms.BooleanField(label=_("I have read the amendment and its reasons."),
                                 error_messages={"required": _("Tick the confirmation box.")})


# --- Payments ------------------------------------------------------------------------------------------------


def _style(form) -> None:
    for name, field in form.fields.items():
        if isinstance(field.widget, forms.CheckboxInput | forms.HiddenInput):
            continue
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        if "form-control" not in field.widget.attrs.get("class", ""):
            field.widget.attrs["class"] = (field.widget.attrs.get("class", "") + " " + css).strip()
        if name in form.errors:
            field.widget.attrs["class"] += " is-invalid"
            field.widget.attrs["aria-describedby"] = f"id_{name}_error"


class PaymentForm(forms.Form):
    """A disbursement against one instalment (agreements.services.payments.payment_record checks it)."""

    paid_on = forms.DateField(label=_("Date paid"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                              error_messages={"required": _("Give the date of the payment.")})
    amount_won = WonField(label=_("Amount paid (won)"),
                          error_messages={"required": _("Type the amount paid.")})
    reference = forms.CharField(label=_("Reference"), max_length=100,
                                help_text=_("The transfer number or the payment order's number."),
                                error_messages={"required": _("Give the payment's reference (e.g. the transfer "
                                                              "number).")})

    def style(self) -> None:
        _style(self)


class ScheduleForm(forms.Form):
    """The due date and amount of each instalment nothing was paid on yet (paid ones are shown, not posted)."""

    def __init__(self, *args, instalments, paid, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for inst in instalments:
            locked = bool(paid.get(inst.pk))
            due = forms.DateField(label=_("Due date"), disabled=locked, initial=inst.due_date,
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
            amount = WonField(label=_("Amount (won)"), disabled=locked, initial=inst.amount_won)
            self.fields[f"due-{inst.pk}"] = due
            self.fields[f"amount-{inst.pk}"] = amount
            self.rows.append(inst)

    def changes(self) -> dict:
        data = self.cleaned_data
        return {inst.pk: (data.get(f"due-{inst.pk}"), data.get(f"amount-{inst.pk}")) for inst in self.rows
                if not self.fields[f"due-{inst.pk}"].disabled}

    def style(self) -> None:
        _style(self)


class CarryOverForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Carry out of the year"), coerce=int, empty_value=None,
                                  help_text=_("The unspent national funds of this year go into the next year."))
    amount_won = WonField(label=_("Amount (won)"), error_messages={"required": _("Type the amount to carry over.")})
    reasons = forms.CharField(label=_("Reasons"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                              error_messages={"required": _("Give the reasons for the carry-over.")})

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "—")] + [(y, y) for y in years]

    def style(self) -> None:
        _style(self)


class CarryOverDecisionForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", "approve"), ("refuse", "refuse")], widget=forms.HiddenInput)
    note = forms.CharField(label=_("Reasons for the region"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                           help_text=_("Required to refuse."))
    confirm = forms.BooleanField(label=_("I have checked the amount against the limits."),
                                 error_messages={"required": _("Tick the confirmation box.")})


# --- Year-end settlement (agreements.services.settlement checks every field and names the offending one) ------


class SettlementItemForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=FundSource.choices,
                               error_messages={"required": _("Choose the source of the funds.")})
    region = forms.ChoiceField(label=_("Region (local funds)"), required=False)
    category = forms.ChoiceField(label=_("Spending category"), choices=SpendingCategory.choices,
                                 error_messages={"required": _("Choose the spending category.")})
    amount_won = WonField(label=_("Amount disallowed (won)"), error_messages={"required": _("Type the amount disallowed.")})
    reason = forms.CharField(label=_("Reasons"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Give the reasons the region reads for this item.")})

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, prefix="item", **kwargs)
        self.fields["region"].choices = [("", "—")] + [(str(r.pk), r.name) for r in regions]

    def style(self) -> None:
        _style(self)


class SettlementItemRemoveForm(forms.Form):
    reason = forms.CharField(label=_("Why the item is taken back"), max_length=2000,
                             error_messages={"required": _("Say why the item is taken back.")})


class SettlementMoveForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ("propose", "accept", "dispute", "confirm")],
                               widget=forms.HiddenInput)
    note = forms.CharField(label=_("Reasons (required to dispute)"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))
    confirm = forms.BooleanField(label=_("I have checked the figures and the items."),
                                 error_messages={"required": _("Tick the confirmation box.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="move", **kwargs)


class RepaymentForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=FundSource.choices,
                               error_messages={"required": _("Choose the source of the funds returned.")})
    paid_on = forms.DateField(label=_("Date paid"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                              error_messages={"required": _("Give the date of the repayment.")})
    amount_won = WonField(label=_("Amount repaid (won)"), error_messages={"required": _("Type the amount repaid.")})
    reference = forms.CharField(label=_("Reference"), max_length=100,
                                error_messages={"required": _("Give the repayment's reference (e.g. the transfer "
                                                              "number).")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="repay", **kwargs)

    def style(self) -> None:
        _style(self)


class SettlementSanctionForm(forms.Form):
    amount_won = WonField(label=_("Reduction of next year's national funds (won)"),
                          error_messages={"required": _("Type the reduction of next year's national funds.")})
    reasons = forms.CharField(label=_("Reasons"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}),
                              error_messages={"required": _("Give the reasons for the sanction.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="sanction", **kwargs)

    def style(self) -> None:
        _style(self)


class AmendmentPolicyForm(forms.Form):
    """A call's amendment thresholds (agreements.services.policies checks them and names the field)."""

    small_pct = forms.DecimalField(
        label=_("Small change: at most this share of the year's total (%)"), max_digits=5, decimal_places=2,
        min_value=0, max_value=100,
        error_messages={"required": _("Type the share of the year's total a small change may move (0 to 100 %).")},
        help_text=_("Of the year the money leaves, all sources and regions together; 0 makes every change large."))
    small_max_won = WonField(
        label=_("Small change: at most this amount (won)"),
        error_messages={"required": _("Type the largest amount a small change may move (won).")},
        help_text=_("Both limits must hold for one staff member to approve; a larger change needs a second."))

    def style(self) -> None:
        _style(self)
