from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import ConfirmForm, MoneyInput, WonField
from programmes.models import CooperationType, Region, StrategicIndustry

from .models import AdviceFollowed, CandidateTheme, InfringementRisk, OpinionKind, OrganisationKind, OutcomeKind, Proposal, StageKind


class RevisionMixin(forms.Form):
    """The section revision the user saw when the form was opened (optimistic locking)."""

    expected_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ProposalCreateForm(forms.Form):
    call = forms.ModelChoiceField(queryset=None, label=_("Call"), empty_label=None)
    cooperation_type = forms.ChoiceField(choices=CooperationType.choices, label=_("Cooperation type"),
                                         widget=forms.RadioSelect)
    title_ko = forms.CharField(label=_("Title (Korean)"), max_length=300)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    industry = forms.ModelChoiceField(StrategicIndustry.objects.filter(active=True), label=_("Strategic industry"),
                                      required=False)
    partner_regions = forms.ModelMultipleChoiceField(
        Region.objects.all(), required=False, widget=forms.CheckboxSelectMultiple, label=_("Partner regions"),
        help_text=_("Super-regional type only: the regions that plan the project with yours."),
    )

    def __init__(self, *args, calls, own_region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = calls
        # Every industry one of these calls offers (the service refuses one the chosen call does not).
        offered = {pk for call in calls for pk in call.industry_choices().values_list("pk", flat=True)}
        self.fields["industry"].queryset = StrategicIndustry.objects.filter(pk__in=offered)
        self.fields["partner_regions"].queryset = Region.objects.exclude(pk=own_region.pk)

    def clean(self):
        data = super().clean()
        if data.get("cooperation_type") == CooperationType.SUPER_REGIONAL and not data.get("partner_regions"):
            self.add_error("partner_regions", _("Choose at least one partner region for a super-regional proposal."))
        if data.get("cooperation_type") == CooperationType.LEAP and data.get("partner_regions"):
            self.add_error("partner_regions", _("A regional innovation leap proposal has exactly one region."))
        return data


class OverviewForm(RevisionMixin, forms.ModelForm):
    class Meta:
        model = Proposal
        fields = ["title_ko", "title_en", "cooperation_type", "industry", "summary", "problem"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "problem": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry"].queryset = self.instance.call.industry_choices()
        self.fields["industry"].required = True
        self.fields["summary"].required = True
        self.fields["problem"].required = True


class GoalsForm(RevisionMixin):
    vision = forms.CharField(label=_("Vision"), widget=forms.Textarea(attrs={"rows": 3}))
    goals = forms.CharField(label=_("Mid- and long-term goals"), widget=forms.Textarea(attrs={"rows": 5}))


class KPIForm(forms.Form):
    name = forms.CharField(label=_("Indicator"), max_length=200)
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    baseline = forms.DecimalField(label=_("Baseline"), max_digits=16, decimal_places=2, required=False)
    # After the award the annual reports compute such a KPI from the project's outcome records.
    counts_outcome = forms.ChoiceField(label=_("Counted from outcomes"), required=False,
                                       choices=[("", "—"), *OutcomeKind.choices])

    def __init__(self, *args, stage_count=1, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, stage_count + 1):
            self.fields[f"target_{i}"] = forms.DecimalField(
                label=_("Target, stage %(n)s") % {"n": i}, max_digits=16, decimal_places=2, required=False)
        self.stage_count = stage_count

    def targets(self):
        return [self.cleaned_data.get(f"target_{i}") for i in range(1, self.stage_count + 1)]


class BaseKPIFormSet(forms.BaseFormSet):
    def __init__(self, *args, stage_count=1, **kwargs):
        self.stage_count = stage_count
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "stage_count": self.stage_count}

    @property
    def empty_form(self):
        form = self.form(auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), empty_permitted=True,
                         use_required_attribute=False, stage_count=self.stage_count, renderer=self.renderer)
        self.add_fields(form, None)
        return form


KPIFormSet = forms.formset_factory(KPIForm, formset=BaseKPIFormSet, extra=2, can_delete=True)


class StageForm(forms.Form):
    # An initial value, so an untouched blank row does not count as filled in.
    kind = forms.ChoiceField(choices=StageKind.choices, label=_("Type"), initial=StageKind.BASIC)
    years = forms.IntegerField(label=_("Years"), min_value=1, max_value=10)
    goals = forms.CharField(label=_("Goals"), widget=forms.Textarea(attrs={"rows": 2}))
    deliverables = forms.CharField(label=_("Deliverables"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


StageFormSet = forms.formset_factory(StageForm, extra=1, can_delete=True)


class LinkForm(forms.Form):
    name = forms.CharField(label=_("Project name"), max_length=200)
    ministry = forms.CharField(label=_("Ministry"), max_length=100)
    connection = forms.CharField(label=_("How it connects"), widget=forms.Textarea(attrs={"rows": 2}))


LinkFormSet = forms.formset_factory(LinkForm, extra=2, can_delete=True)


class OrganisationForm(forms.Form):
    # Free text, suggested from the institutions registry (the page's datalist) and matched to it on save.
    name = forms.CharField(label=_("Organisation"), max_length=200,
                           widget=forms.TextInput(attrs={"list": "institution-names", "autocomplete": "off"}))
    kind = forms.ChoiceField(choices=OrganisationKind.choices, label=pgettext_lazy("organisation", "Kind"),
                             initial=OrganisationKind.UNIVERSITY)
    role = forms.CharField(label=_("Role in the project"), max_length=300, required=False)


OrganisationFormSet = forms.formset_factory(OrganisationForm, extra=2, can_delete=True)


class BudgetForm(RevisionMixin):
    """One region's budget: national, local and other funds for each roadmap year (won), each cell
    a core.forms.WonField (typed as people write amounts; negative or over the cap refused at the
    cell). A national cell may not exceed the call's cap (`cap_won`)."""

    FIELDS = (("national", _("National funding requested")), ("local", _("Local government funds")),
              ("other", _("Other sources")))

    def __init__(self, *args, years: list[int], cap_won: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = years
        for year in years:
            for key, label in self.FIELDS:
                limit = {"max_won": cap_won} if key == "national" and cap_won else {}
                self.fields[f"{key}_{year}"] = WonField(
                    label=f"{year} {label}", required=False,
                    widget=MoneyInput(attrs={"data-kind": key, "data-year": year}), **limit)

    def lines(self) -> dict[int, tuple[int, int, int]]:
        return {
            y: tuple(self.cleaned_data.get(f"{k}_{y}") or 0 for k, _label in self.FIELDS) for y in self.years
        }


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("PDF, HWP/HWPX, DOCX, XLSX, PNG or JPEG."))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class CandidateThemeForm(forms.ModelForm):
    """A candidate theme (phase 1 of the planning period); `partners` only for the lead region."""

    partners = forms.ModelMultipleChoiceField(
        Region.objects.all(), required=False, widget=forms.CheckboxSelectMultiple, label=_("Partner regions"),
        help_text=_("For a consortium: the regions that discover this theme with yours."))

    class Meta:
        model = CandidateTheme
        fields = ["title_ko", "title_en", "industry", "rationale", "source_technology", "path_to_application",
                  "capacity_institutions", "capacity_companies", "capacity_workforce", "capacity_projects"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in (
            "rationale", "source_technology", "path_to_application", "capacity_institutions", "capacity_companies",
            "capacity_workforce", "capacity_projects")}
        help_texts = {
            "capacity_institutions": _("Universities and research institutes of the region in this field."),
            "capacity_companies": _("Companies of the region in this field, with their size."),
            "capacity_workforce": _("Researchers and skilled workers available, and how they are trained."),
            "capacity_projects": _("Government and regional projects already under way in this field."),
        }

    def __init__(self, *args, call, own_region, lead: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry"].queryset = call.industry_choices()
        self.fields["partners"].queryset = call.eligible_regions.exclude(pk=own_region.pk).order_by("order")
        if not lead:
            del self.fields["partners"]


class ThemeAttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"),
                           help_text=_("PDF, HWP/HWPX, DOCX, XLSX, PNG or JPEG; its content must match its type."))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


class OpinionForm(forms.Form):
    """A meeting or survey that gathered opinions on the candidate themes (phase 2)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=OpinionKind.choices)
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    participants = forms.CharField(label=_("Participants"), widget=forms.Textarea(attrs={"rows": 2}),
                                   help_text=_("Who took part, and how many."))
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}))
    minutes = forms.FileField(label=_("Minutes"), required=False,
                              help_text=_("PDF, HWP/HWPX, DOCX, XLSX, PNG or JPEG; its content must match its type."))


class ThemeSelectionForm(forms.Form):
    """The lead region's final theme among its candidate themes, with the reason."""

    theme = forms.ModelChoiceField(queryset=CandidateTheme.objects.none(), label=_("Final theme"),
                                   widget=forms.RadioSelect, required=False)
    reason = forms.CharField(label=_("Reason for the selection"), widget=forms.Textarea(attrs={"rows": 4}),
                             required=False)

    # Asked only when the government's feasibility advice exists (the service says so at the field).
    followed_advice = forms.ChoiceField(label=_("Did the selection follow the experts' advice?"), required=False,
                                        choices=AdviceFollowed.choices, widget=forms.RadioSelect)
    advice_reason = forms.CharField(label=_("Why (not) as advised"), widget=forms.Textarea(attrs={"rows": 3}),
                                    required=False)

    def __init__(self, *args, themes, advice: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = themes
        if not advice:
            del self.fields["followed_advice"], self.fields["advice_reason"]


class ThemeDropForm(ConfirmForm):
    """Dropping a candidate theme: the reason, and the confirmation (it cannot be undone)."""

    status_reason = forms.CharField(label=_("Why the theme is dropped"), widget=forms.Textarea(attrs={"rows": 4}),
                                    required=False, help_text=_("Kept with the theme among the themes considered."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, refusal=_("Tick the box to confirm: a dropped theme cannot be selected again."),
                         **kwargs)
        self.fields["confirm"].label = _("I understand that a dropped theme cannot be selected again.")
        self.order_fields(["status_reason", "confirm"])


class PatentAnalysisForm(forms.Form):
    """The patent analysis of a draft (phase 3); its key patents are `KeyPatentFormSet`."""

    landscape = forms.CharField(label=_("Patent landscape"), widget=forms.Textarea(attrs={"rows": 5}),
                                required=False, help_text=_("Who holds what in this technology, and where."))
    white_spaces = forms.CharField(label=_("White spaces"), widget=forms.Textarea(attrs={"rows": 4}),
                                   required=False, help_text=_("Where the region can still claim new patents."))
    risk = forms.ChoiceField(label=_("Risk of infringement"), choices=[("", "---------"), *InfringementRisk.choices],
                             required=False)
    risk_comment = forms.CharField(label=_("Comment on the risk"), widget=forms.Textarea(attrs={"rows": 3}),
                                   required=False, help_text=_("Required for a medium or high risk."))
    file = forms.FileField(label=_("File of the analysis"), required=False,
                           help_text=_("PDF, HWP/HWPX, DOCX, XLSX, PNG or JPEG; its content must match its type."))


class KeyPatentForm(forms.Form):
    number = forms.CharField(label=_("Patent number"), max_length=60, required=False)
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    holder = forms.CharField(label=_("Holder"), max_length=200, required=False)
    country = forms.CharField(label=_("Country"), max_length=60, required=False)
    legal_status = forms.CharField(label=_("Legal status"), max_length=60, required=False)


KeyPatentFormSet = forms.formset_factory(KeyPatentForm, extra=2, can_delete=True)


class PatentAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your region's answer"), widget=forms.Textarea(attrs={"rows": 4}),
                             required=False, help_text=_("How your plan takes the patent analysis into account."))
