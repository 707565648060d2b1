from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from .models import PLANNING_FIELDS, Call, CallZone, PlanningPhase, Region, RubricCriterion, StrategicIndustry
from .services import validate_rubric_weights, zone_problems

# The call's exclusion grounds (programmes.ConflictGround), in the form's order.
CONFLICT_FIELDS = [
    "coi_same_institution", "coi_same_department", "coi_coached", "coi_coached_stage",
    "coi_relatives", "coi_teacher_student", "coi_mutual_evaluation", "coi_public_official",
]


class CallForm(forms.ModelForm):
    eligible_regions = forms.ModelMultipleChoiceField(
        Region.objects.all(), widget=forms.CheckboxSelectMultiple, label=_("Eligible regions")
    )
    strategic_industries = forms.ModelMultipleChoiceField(
        StrategicIndustry.objects.filter(active=True), widget=forms.CheckboxSelectMultiple,
        required=False, label=_("Strategic industries"),
    )

    class Meta:
        model = Call
        fields = [
            "programme", "title", "year", "description",
            "allows_super_regional", "allows_leap", "eligible_regions", "strategic_industries",
            "envelope_won", "cap_won", "pilot_years", "max_total_years",
            "min_local_matching_pct", "matching_basis", "carry_over_max_pct", "indirect_cap_pct",
            "equipment_threshold_won", "reveal_expert_names",
            "panel_size", "score_comment_min_length", "reveal_panel_names", "objection_days",
            "unsuitable_reviewers_max", "panel_min_industry", "panel_min_academia", "panel_min_research",
            "panel_max_per_institution", "panel_chair_required", "experts_require_second_factor",
            "zone_panel_size", "zone_min_scorers", "zone_normalise",
            "weight_by_confidence",
            "evaluation_rounds", "written_weight", "presentation_weight", "shortlist_size",
            "presentation_start", "presentation_end",
            *CONFLICT_FIELDS,
            *PLANNING_FIELDS,
            "consulting_start", "consulting_end", "submission_deadline",
            "review_start", "review_end", "announcement_date",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            **{name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d") for name in PLANNING_FIELDS},
            "consulting_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "consulting_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "submission_deadline": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "review_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "review_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "announcement_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "presentation_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "presentation_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "envelope_won": forms.NumberInput(attrs={"step": 1, "min": 1}),
            "cap_won": forms.NumberInput(attrs={"step": 1, "min": 1}),
            "equipment_threshold_won": forms.NumberInput(attrs={"step": 1, "min": 0}),
        }

    # Settings with a sensible default may be left blank: the default applies.
    DEFAULTED = ("carry_over_max_pct", "panel_size", "score_comment_min_length", "objection_days", "unsuitable_reviewers_max",
                 "panel_min_industry", "panel_min_academia", "panel_min_research", "panel_max_per_institution",
                 "zone_panel_size", "zone_min_scorers", "evaluation_rounds", "written_weight", "presentation_weight",
                 "indirect_cap_pct", "equipment_threshold_won")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.DEFAULTED:
            self.fields[name].required = False
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(_("Basics"), "programme", "title", "year", "description"),
            Fieldset(
                _("Cooperation types and eligibility"),
                Div("allows_super_regional", "allows_leap"),
                Div("eligible_regions", css_class="columns-3"),
                Div("strategic_industries", css_class="columns-3"),
            ),
            Fieldset(
                _("Money and duration"),
                Div(Div("envelope_won", css_class="col-md-6"), Div("cap_won", css_class="col-md-6"), css_class="row"),
                Div(
                    Div("pilot_years", css_class="col-md-3"), Div("max_total_years", css_class="col-md-3"),
                    Div("min_local_matching_pct", css_class="col-md-3"), Div("matching_basis", css_class="col-md-3"),
                    css_class="row",
                ),
                Div(Div("carry_over_max_pct", css_class="col-md-3"), css_class="row"),
                Div(Div("indirect_cap_pct", css_class="col-md-6"), Div("equipment_threshold_won", css_class="col-md-6"),
                    css_class="row"),
                "reveal_expert_names",
            ),
            Fieldset(
                _("Evaluation"),
                Div(Div("panel_size", css_class="col-md-6"), Div("score_comment_min_length", css_class="col-md-6"),
                    css_class="row"),
                "reveal_panel_names",
                "objection_days",
                Div(Div("panel_min_industry", css_class="col-md-4"), Div("panel_min_academia", css_class="col-md-4"),
                    Div("panel_min_research", css_class="col-md-4"), css_class="row"),
                Div(Div("panel_max_per_institution", css_class="col-md-6"),
                    Div("unsuitable_reviewers_max", css_class="col-md-6"), css_class="row"),
                "panel_chair_required",
                "experts_require_second_factor",
                "weight_by_confidence",
            ),
            Fieldset(
                _("Evaluation rounds"),
                Div(Div("evaluation_rounds", css_class="col-md-4"), Div("written_weight", css_class="col-md-4"),
                    Div("presentation_weight", css_class="col-md-4"), css_class="row"),
                Div(Div("shortlist_size", css_class="col-md-4"), Div("presentation_start", css_class="col-md-4"),
                    Div("presentation_end", css_class="col-md-4"), css_class="row"),
            ),
            Fieldset(
                _("Evaluation by zone"),
                Div(Div("zone_panel_size", css_class="col-md-6"), Div("zone_min_scorers", css_class="col-md-6"),
                    css_class="row"),
                "zone_normalise",
            ),
            Fieldset(_("Conflicts of interest: exclusion grounds"), *CONFLICT_FIELDS),
            Fieldset(
                _("Planning period (optional)"),
                HTML('<p class="small text-secondary">{}</p>'.format(escape(_(
                    "Theme discovery, theme selection and theme planning, before the submission deadline. "
                    "Give all four dates or none; each phase closes at the end of its last day, Korea time.")))),
                Div(*[Div(name, css_class="col-md-3") for name in PLANNING_FIELDS], css_class="row"),
            ),
            Fieldset(
                _("Timeline"),
                Div(
                    Div("consulting_start", css_class="col-md-4"), Div("consulting_end", css_class="col-md-4"),
                    Div("submission_deadline", css_class="col-md-4"), css_class="row",
                ),
                Div(
                    Div("review_start", css_class="col-md-4"), Div("review_end", css_class="col-md-4"),
                    Div("announcement_date", css_class="col-md-4"), css_class="row",
                ),
            ),
        )


    def clean(self):
        data = super().clean()
        for name in self.DEFAULTED:
            if data.get(name) in (None, ""):
                data[name] = Call._meta.get_field(name).default
        return data


class RubricCriterionForm(forms.ModelForm):
    class Meta:
        model = RubricCriterion
        fields = ["name_ko", "name_en", "description", "weight", "max_score"]
        widgets = {"description": forms.TextInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["max_score"].required = False

    def clean_max_score(self):
        return self.cleaned_data.get("max_score") or RubricCriterion._meta.get_field("max_score").default


class BaseRubricFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        weights = [
            f.cleaned_data["weight"]
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("weight") is not None
        ]
        try:
            validate_rubric_weights(weights)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc

    def _construct_form(self, i, **kwargs):
        # Pre-filled rows (a new call's template rubric) count even if the user
        # left them untouched; truly empty extra rows are still skipped.
        if i < len(self.initial_extra or []):
            kwargs["empty_permitted"] = False
        return super()._construct_form(i, **kwargs)

    def criteria(self) -> list[dict]:
        """The rubric as the service takes it, in display order."""
        items = []
        for f in self.forms:
            data = f.cleaned_data
            if not data or data.get("DELETE"):
                continue
            items.append({
                "id": f.instance.pk,
                "name_ko": data["name_ko"],
                "name_en": data.get("name_en", ""),
                "description": data.get("description", ""),
                "weight": data["weight"],
                "max_score": data.get("max_score") or 10,
            })
        return items


RubricFormSet = forms.inlineformset_factory(
    Call, RubricCriterion, fk_name="call", form=RubricCriterionForm, formset=BaseRubricFormSet,
    extra=2, can_delete=True, min_num=0,
)


def rubric_formset(data=None, *, instance: Call) -> BaseRubricFormSet:
    """The rubric formset; a new call starts from the template's criteria."""
    initial = getattr(instance, "template_criteria", None) if instance.pk is None else None
    if initial:
        formset_class = forms.inlineformset_factory(
            Call, RubricCriterion, fk_name="call", form=RubricCriterionForm, formset=BaseRubricFormSet,
            extra=len(initial) + 1, can_delete=True,
        )
        return formset_class(data, instance=instance, prefix="criteria", initial=initial)
    return RubricFormSet(data, instance=instance, prefix="criteria")


class InstitutionImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"), help_text=_(
        "Columns: name_ko, name_en, aliases (separated by ;), kind (university, foundation, institute, company, "
        "agency, department, other), parent (a name or alias of the institution it belongs to)."))


class GuidelineForm(forms.Form):
    """A new planning guideline (its first version); the service checks the phase and the file."""

    phase = forms.ChoiceField(label=_("Planning phase"), choices=PlanningPhase.choices)
    title_ko = forms.CharField(label=_("Title (Korean)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}), required=False,
                           help_text=_("The guideline itself, or a summary of the attached file."))
    file = forms.FileField(label=_("File"), required=False,
                           help_text=_("PDF, HWP/HWPX, DOCX, XLSX, PNG or JPEG; its content must match its type."))


class GuidelineVersionForm(forms.Form):
    """A new version of a guideline: the regions are asked to read it again."""

    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}), required=False,
                           help_text=_("The guideline itself, or a summary of the attached file."))
    file = forms.FileField(label=_("File"), required=False,
                           help_text=_("PDF, HWP/HWPX, DOCX, XLSX, PNG or JPEG; its content must match its type."))


class CallZoneForm(forms.ModelForm):
    regions = forms.ModelMultipleChoiceField(
        Region.objects.all(), widget=forms.CheckboxSelectMultiple, label=_("Regions"), required=False)

    class Meta:
        model = CallZone
        fields = ["name_ko", "name_en", "regions"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name_ko"].required = False  # an empty row is skipped; regions without a name are refused


class BaseZoneFormSet(forms.BaseInlineFormSet):
    """A call's zones (권역). Calls need none; when there are zones they cover the call's
    eligible regions (`eligible_regions`, set by the view from the call form) each exactly once."""

    eligible_regions = None

    def clean(self):
        super().clean()
        if any(self.errors) or self.eligible_regions is None:
            return
        live = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
                and f.cleaned_data.get("name_ko")]
        zones = [{"name_ko": f.cleaned_data["name_ko"], "name_en": f.cleaned_data.get("name_en", ""),
                  "regions": list(f.cleaned_data.get("regions") or [])} for f in live]
        # A row with regions but no name is a zone without a name, not an empty extra row.
        for f in self.forms:
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and not f.cleaned_data.get("name_ko") \
                    and f.cleaned_data.get("regions"):
                f.add_error("name_ko", _("Name the zone."))
        whole = []
        for index, field, message in zone_problems(zones, eligible_regions=list(self.eligible_regions)):
            if index is None:
                whole.append(message)
            else:
                live[index].add_error(field, message)
        if whole:
            raise ValidationError(whole)

    def zones(self) -> list[dict]:
        """The zones as the service takes them, in display order."""
        return [{"id": f.instance.pk, "name_ko": f.cleaned_data["name_ko"], "name_en": f.cleaned_data.get("name_en", ""),
                 "regions": list(f.cleaned_data.get("regions") or [])}
                for f in self.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("name_ko")]


ZoneFormSet = forms.inlineformset_factory(
    Call, CallZone, form=CallZoneForm, formset=BaseZoneFormSet, extra=2, can_delete=True, min_num=0)


def zone_formset(data=None, *, instance: Call) -> BaseZoneFormSet | None:
    """The zones formset, or None for a post that has none (a client posting only the call's
    fields leaves its zones as they are)."""
    if data is not None and "zones-TOTAL_FORMS" not in data:
        return None
    return ZoneFormSet(data, instance=instance if instance.pk else Call(), prefix="zones")
