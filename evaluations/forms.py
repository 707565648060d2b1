from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from audit.models import AccessPurpose
from audit.personal_data import PURPOSE_DETAIL_MAX, check_purpose
from programmes.models import ConflictGround, CooperationType, QualityRules

from .models import FEASIBILITY_RUBRIC, ObjectionRemedy, PlanSection, ThemeReview

# What the expert is asked for each ground the call has them declare (programmes.DECLARED_GROUNDS).
GROUND_QUESTIONS = {
    ConflictGround.RELATIVES: _("Is anyone leading or taking part in the proposal your relative (by blood "
                                "within the fourth degree, or by marriage)?"),
    ConflictGround.TEACHER_STUDENT: _("Were you the supervisor or the student (master's or doctoral) of anyone "
                                      "leading the proposal or its participating organisations?"),
    ConflictGround.MUTUAL_EVALUATION: _("Have you and the proposal's lead researcher evaluated each other's "
                                        "proposals in the past year?"),
    ConflictGround.PUBLIC_OFFICIAL: _("Are you a public official of a participating region, or staff of an "
                                      "agency that manages or takes part in the proposal?"),
}
YES_NO = [("no", _("No")), ("yes", _("Yes"))]


class DeclarationForm(forms.Form):
    CHOICES = [("none", _("I have no conflict of interest with this proposal.")),
               ("conflict", _("I have a conflict of interest and withdraw."))]
    decision = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect, label=_("Declaration"))
    note = forms.CharField(label=_("Conflict (if any)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, grounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.grounds = list(grounds)
        for g in self.grounds:
            self.fields[f"ground_{g}"] = forms.ChoiceField(
                choices=YES_NO, widget=forms.RadioSelect, label=GROUND_QUESTIONS[g],
                error_messages={"required": _("Answer this question.")})

    def ground_fields(self):
        return [self[f"ground_{g}"] for g in self.grounds]

    def answers(self) -> dict:
        return {g: self.cleaned_data[f"ground_{g}"] == "yes" for g in self.grounds}


class PledgeForm(forms.Form):
    # Checked by the service (pledges.pledge_sign), with the name, so both reasons show at once.
    agree = forms.BooleanField(label=_("I have read this pledge and will keep it."), required=False)
    signed_name = forms.CharField(label=_("Your name, as your signature"), max_length=100)


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


class AutoPlanForm(forms.Form):
    """The automatic plan's settings (shown again when confirming): which proposals, what to
    maximise, and the most evaluations one expert may carry in this call (empty: balanced)."""

    type = forms.ChoiceField(label=_("Cooperation type"), choices=TYPE_CHOICES, required=False)
    mode = forms.ChoiceField(label=_("Optimise for"), initial="total", widget=forms.RadioSelect, choices=[
        ("total", _("Highest total affinity")), ("fair", _("Fairness: the weakest proposal first"))])
    max_load = forms.IntegerField(
        label=_("Most evaluations per expert"), required=False, min_value=1, max_value=1000,
        help_text=_("Empty: balanced, the seats divided by the experts who may take them, rounded up."))


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
# --- Objections ----------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (the service checks each of them)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ObjectionForm(forms.Form):
    grounds = forms.CharField(
        label=_("Grounds of the objection"), widget=forms.Textarea(attrs={"rows": 8}), required=False,
        help_text=_("Say which part of the result you object to and why, with the facts that support it."))
    attachments = MultipleFileField(
        label=_("Supporting documents"), required=False,
        help_text=_("Optional, up to 5 files: PDF, HWP/HWPX, DOCX, XLSX, PNG or JPEG."))


class ObjectionAnswerForm(forms.Form):
    """Staff's answer; the service says what each choice needs (the reasons, the remedy)."""

    ACTIONS = [("dismiss", _("Dismiss the objection")), ("uphold", _("Uphold the objection"))]
    action = forms.ChoiceField(label=_("Answer"), choices=ACTIONS, widget=forms.RadioSelect)
    answer = forms.CharField(label=_("Reasons (the region reads them)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 5}))
    remedy = forms.ChoiceField(label=_("Remedy (when upheld)"), required=False,
                               choices=[("", "—"), *ObjectionRemedy.choices])
    correction = forms.CharField(label=_("Corrected decision (when corrected)"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    reevaluation_deadline = forms.DateField(label=_("New panel's scores due (when re-evaluated)"), required=False,
                                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    confirm = forms.BooleanField(
        label=_("I understand that the answer is final and is sent to the region at once."),
        error_messages={"required": _("Tick the confirmation box: the answer cannot be changed afterwards.")})


class ReevaluationCloseForm(forms.Form):
    reevaluation_result = forms.CharField(label=_("Result of the re-evaluation (the region reads it)"),
                                          required=False, widget=forms.Textarea(attrs={"rows": 4}))
    confirm = forms.BooleanField(
        label=_("I understand that closing the re-evaluation is final."),
        error_messages={"required": _("Tick the confirmation box: closing the re-evaluation is final.")})


class UnsuitableForm(forms.Form):
    """A person the lead region considers unsuitable: from the pool, or by name and institution."""

    expert = forms.ModelChoiceField(queryset=None, required=False, label=_("Expert from the pool"),
                                    empty_label=_("— not in the pool: write the name below —"))
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    institution = forms.CharField(label=_("Institution"), max_length=200, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Give the reason this person is unsuitable.")})

    def __init__(self, *args, experts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = experts
        self.fields["expert"].label_from_instance = lambda u: f"{u} · {u.expert_profile.affiliation}"

    def clean(self):
        data = super().clean()
        if not data.get("expert") and not (data.get("name") or "").strip() and "name" not in self.errors:
            self.add_error("name", _("Choose an expert from the pool or write the person's name."))
        return data


class SuggestedFieldForm(forms.Form):
    industry = forms.ModelChoiceField(queryset=None, required=False, label=_("Field of expertise"),
                                      empty_label=_("— another field: write it below —"))
    text = forms.CharField(label=_("Another field (free text)"), max_length=200, required=False)

    def __init__(self, *args, industries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry"].queryset = industries

    def clean(self):
        data = super().clean()
        if not data.get("industry") and not (data.get("text") or "").strip() and "text" not in self.errors:
            self.add_error("text", _("Choose a field or write one."))
        return data


class ContactPurposeForm(forms.Form):
    """Why someone reads an expert's contact details (the access log of personal data). The list and
    the rule "Other needs a few words" are audit.personal_data's; the service checks them again."""

    purpose = forms.ChoiceField(label=_("Purpose"), choices=[("", _("Choose a purpose"))] + AccessPurpose.choices,
                                error_messages={"invalid_choice": _("Choose a purpose from the list.")})
    purpose_detail = forms.CharField(
        label=_("Details"), required=False, max_length=PURPOSE_DETAIL_MAX,
        help_text=_("Required for “Other”: say briefly why you need the contact details."),
        error_messages={"max_length": _("Describe the purpose in at most %(limit_value)s characters.")})

    def clean(self):
        data = super().clean()
        if "purpose" in data and "purpose_detail" in data:
            try:
                data["purpose_detail"] = check_purpose(data["purpose"], data["purpose_detail"])
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    self.add_error(name, errors)
        return data



class PresentationSlotForm(forms.Form):
    """When and where a shortlisted proposal presents (services.rounds.slot_set checks the rest)."""

    starts_at = forms.DateTimeField(label=_("Starts at"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_link = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    def flag_errors(self) -> "PresentationSlotForm":
        """Mark each refused field for the eye and for assistive technology (its message's id)."""
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update({
                    "class": "form-control is-invalid", "aria-invalid": "true",
                    "aria-describedby": f"{self.auto_id % name}-error"})
        return self


# --- Feasibility reviews of candidate themes (issue 17) ------------------------------------------------


class ExpertGroupForm(forms.Form):
    name_ko = forms.CharField(label=_("Name (Korean)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)


class ThemeDeclarationForm(forms.Form):
    CHOICES = [("none", _("I have no conflict of interest with this candidate theme.")),
               ("conflict", _("I have a conflict of interest and withdraw."))]
    decision = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect, label=_("Declaration"))
    note = forms.CharField(label=_("If you have a conflict, describe it briefly"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ThemeReviewForm(forms.ModelForm):
    """The rubric, the recommendation and its reasons; the service checks what a submission needs, so a
    draft may be saved half written."""

    class Meta:
        model = ThemeReview
        fields = [name for key, _label in FEASIBILITY_RUBRIC for name in (f"{key}_grade", f"{key}_comment")] + [
            "recommendation", "reasons"]
        widgets = {**{f"{key}_comment": forms.Textarea(attrs={"rows": 2}) for key, _label in FEASIBILITY_RUBRIC},
                   "reasons": forms.Textarea(attrs={"rows": 5}), "recommendation": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in FEASIBILITY_RUBRIC:
            self.fields[f"{key}_grade"].label = label
            self.fields[f"{key}_comment"].label = _("Comment on: %(item)s") % {"item": label}
        self.fields["recommendation"].choices = [c for c in self.fields["recommendation"].choices if c[0]]
        self.fields["reasons"].label = _("Reasons for the recommendation")
        self.fields["reasons"].help_text = _("Required: why you recommend (or not) this theme, and what should change.")
        for field in self.fields.values():
            field.required = False


class ReviewUnassignForm(forms.Form):
    review = forms.IntegerField(widget=forms.HiddenInput)
    unassigned_reason = forms.CharField(label=_("Why the review is unassigned"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 2}))  # required by the service


class ReviewReturnForm(forms.Form):
    review = forms.IntegerField(widget=forms.HiddenInput)
    returned_reason = forms.CharField(label=_("Why the review is returned"), widget=forms.Textarea(attrs={"rows": 2}))
