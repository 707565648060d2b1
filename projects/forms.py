"""Forms of the funded-project pages. They parse HTTP input; every write is a
service call in projects.services."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import MoneyInput, WonField
from evaluations.forms import AutoPlanForm
from programmes.categories import SpendingCategory
from programmes.models import Call

from .models import Outcome, PatentStatus, SanctionKind, SpendingSource
from .services import spending
from .services.outcomes import KIND_FIELDS
from .services.stages import DEFAULT_RUBRIC


class RoundOpenForm(forms.Form):
    call = forms.ModelChoiceField(label=_("Call"), queryset=Call.objects.none())
    stage_number = forms.IntegerField(label=_("Stage evaluated"), min_value=1, max_value=10, initial=1)
    title = forms.CharField(label=_("Title"), max_length=200)
    year = forms.IntegerField(label=_("Year of the evaluation"), min_value=2000, max_value=2100)
    envelope_won = forms.IntegerField(label=_("National envelope for the next stage (won)"), min_value=0)
    next_stage_years = forms.IntegerField(label=_("Years of the next stage"), min_value=1, max_value=10, initial=3)
    panel_size = forms.IntegerField(label=_("Evaluators per project"), min_value=1, max_value=15, initial=5)
    excellent_from = forms.DecimalField(label=_("Excellent from (score)"), min_value=0, max_value=100,
                                        decimal_places=2, initial=80, required=False)
    insufficient_below = forms.DecimalField(label=_("Insufficient below (score)"), min_value=0, max_value=100,
                                            decimal_places=2, initial=60, required=False)
    scores_due_on = forms.DateField(label=_("Scores due on"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}),
                                    help_text=_("Shown to the evaluators with their scoring to-do."))

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


# --- Annual reports: one form per action that takes input ------------------------------------
# The figures and texts are taken as typed: the service reads the amounts and KPI values and
# says what is wrong (its messages are those the page has always shown), and what was typed is
# shown back. Ids never come from these forms: the part is the posted `part` (core.params), the
# KPI rows are the report's own.


class ReportPartForm(forms.Form):
    """A region's part: its spending by source and category — a grid of core.forms.WonField cells named
    `<source>-<category>` (services.spending.cell_key) — its narrative, and the revision the page was
    based on. A bound form shows back what was typed."""

    narrative = forms.CharField(required=False, strip=False)
    revision = forms.CharField(required=False, strip=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for category in spending.CATEGORIES:
            for source in spending.SOURCES:
                self.fields[spending.cell_key(source, category)] = WonField(
                    label=f"{SpendingCategory(category).label} · {SpendingSource(source).label}", required=False,
                    widget=MoneyInput(attrs={"data-kind": source}))

    @classmethod
    def of(cls, part, amounts: dict) -> "ReportPartForm":
        """The form of a part as saved."""
        return cls(initial={"narrative": part.narrative, "revision": part.revision,
                            **{spending.cell_key(s, c): f"{v:,}" for (s, c), v in amounts.items()}})

    def spending(self) -> dict:
        """{(source, category): won} as the service takes it."""
        return {(s, c): self.cleaned_data.get(spending.cell_key(s, c))
                for s in spending.SOURCES for c in spending.CATEGORIES}

    def has_changed_from(self, part) -> bool:
        """What was typed differs from the part as saved (after is_valid)."""
        if self.data.get("narrative", "").strip() != part.narrative:
            return True
        saved = {(line.source, line.category): line.amount_won for line in part.spending_lines.all()}
        # An unreadable cell is missing from cleaned_data: -1, a change.
        return any((self.cleaned_data.get(spending.cell_key(s, c), -1) or 0) != saved.get((s, c), 0)
                   for s in spending.SOURCES for c in spending.CATEGORIES)

    def grid(self) -> list[tuple]:
        """The grid's rows: (category label, [bound field per source])."""
        return [(SpendingCategory(c).label, [self[spending.cell_key(s, c)] for s in spending.SOURCES])
                for c in spending.CATEGORIES]


class ReportAttachForm(ReportPartForm):
    """Evidence for the region's own part; the part's unsaved text travels with it and stays on the page."""

    file = forms.FileField(allow_empty_file=True,  # the upload check says what is wrong with an empty file
                           error_messages={"required": _("Choose a file to upload.")})


class SpendingImportForm(forms.Form):
    file = forms.FileField(label=_("Accounting export (CSV or XLSX)"), allow_empty_file=True,
                           error_messages={"required": _("Choose a file to upload.")},
                           help_text=_("Columns 연도, 재원, 비목, 금액 and optionally 적요; UTF-8 or CP949."))


class ReportForm(forms.Form):
    """The lead region's overall narrative and each KPI's achieved value and note
    (`kpi-<id>`, `note-<id>` for each of the report's KPI rows)."""

    narrative = forms.CharField(required=False, strip=False)
    revision = forms.CharField(required=False, strip=False)

    def __init__(self, *args, results, **kwargs):
        super().__init__(*args, **kwargs)
        self.result_ids = [r.pk for r in results]
        for pk in self.result_ids:
            self.fields[f"kpi-{pk}"] = forms.CharField(required=False, strip=False)
            self.fields[f"note-{pk}"] = forms.CharField(required=False, strip=False)

    def kpi_values(self) -> dict:
        """{KPIResult id: (achieved, note)} as the service takes them."""
        return {pk: (self.cleaned_data[f"kpi-{pk}"], self.cleaned_data[f"note-{pk}"]) for pk in self.result_ids}

    def typed(self) -> dict:
        """What was typed, to show it back."""
        return {"narrative": self.data.get("narrative", ""), "revision": self.data.get("revision", ""),
                "kpis": {pk: (self.data.get(f"kpi-{pk}", ""), self.data.get(f"note-{pk}", ""))
                         for pk in self.result_ids}}


class ReportSubmitForm(forms.Form):
    confirm = forms.BooleanField(error_messages={"required": _("Tick the confirmation box to submit the report.")})


class ReportReviewForm(forms.Form):
    """Accept or return: the comments to the regions (required to return; the service says so)."""

    comment = forms.CharField(required=False, strip=False)


# --- Follow-up plans -------------------------------------------------------------------------------
# Taken as typed, as the annual report's forms: the service reads the amounts and the years and says
# what is wrong. The grid's cells are the user's own region's, one per year of the plan
# (`national-<region id>-<year>`, `local-<region id>-<year>`); no id is read from the post.


class PlanSaveForm(forms.Form):
    goals = forms.CharField(required=False, strip=False)
    years = forms.CharField(required=False, strip=False)
    revision = forms.CharField(required=False, strip=False)

    def __init__(self, *args, region_id, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.cells = [(region_id, year) for year in years]
        for region_id, year in self.cells:
            for field in ("national", "local"):
                self.fields[f"{field}-{region_id}-{year}"] = forms.CharField(required=False, strip=False)

    def posted(self, name: str):
        """What was posted under `name`, or None when the post did not carry it (left unchanged)."""
        return self.cleaned_data[name] if name in self.data else None

    def amounts(self) -> dict:
        """{(region id, year): (national, local)} as the service takes them."""
        return {(r, y): (self.posted(f"national-{r}-{y}"), self.posted(f"local-{r}-{y}")) for r, y in self.cells}

    def field_messages(self) -> dict:
        """Each field's errors (the form's and the service's, by core.forms.apply_errors) as one text."""
        return {name: " ".join(errors) for name, errors in self.errors.items() if name in self.fields}


class PlanReturnForm(forms.Form):
    """The comments to the regions (required; the service says so)."""

    comment = forms.CharField(required=False, strip=False)


class EvidenceForm(forms.Form):
    evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 4}),
                               error_messages={"required": _("Describe the evidence of how the project was carried out.")})
    attachment = forms.FileField(label=_("Attachment (optional)"), required=False)


class GoodFaithDecisionForm(forms.Form):
    good_faith = forms.TypedChoiceField(
        label=_("Performed in good faith?"), widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[("yes", _("Yes: performed in good faith (no sanction)")),
                 ("no", _("No: not performed in good faith"))],
        error_messages={"required": _("Choose whether the project was performed in good faith.")})
    reason = forms.CharField(label=_("Reason for the decision"), widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("Give the reason for the decision; it is recorded.")})


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(label=pgettext_lazy("sanction", "Kind"), choices=SanctionKind.choices)
    measure = forms.CharField(label=_("Measure"), widget=forms.Textarea(attrs={"rows": 2}),
                              error_messages={"required": _("Describe the measure (e.g. two years without "
                                                            "participation).")})


# --- Outcomes registry ---------------------------------------------------------------------------


class OutcomeForm(forms.Form):
    """One outcome of the chosen type: only that type's fields (services.outcomes.KIND_FIELDS),
    labelled for it. The service validates each type's rules and reports them at the field."""

    title = forms.CharField(max_length=300, required=False)
    journal = forms.CharField(label=_("Journal"), max_length=200, required=False)
    issn = forms.CharField(label=_("ISSN"), max_length=20, required=False, help_text=_("e.g. 2049-3630"))
    doi = forms.CharField(label=_("DOI"), max_length=250, required=False, help_text=_("e.g. 10.1000/xyz123"))
    indexed = forms.TypedChoiceField(
        label=_("Indexed in SCI(E) or SCOPUS"), required=False, coerce=lambda v: v == "yes", empty_value=None,
        choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))])
    application_number = forms.CharField(label=_("Application number"), max_length=60, required=False,
                                         help_text=_("e.g. 10-2024-0012345"))
    registration_number = forms.CharField(label=_("Registration number"), max_length=60, required=False)
    registered_on = forms.DateField(label=_("Registration date"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    country = forms.CharField(label=_("Country"), max_length=2, required=False,
                              help_text=_("Two-letter code: KR, US, EP, JP, CN …"))
    applicants = forms.CharField(label=pgettext_lazy("patent", "Applicants"), max_length=300, required=False)
    inventors = forms.CharField(label=_("Inventors"), max_length=300, required=False)
    patent_status = forms.ChoiceField(label=_("Status"), required=False)
    partner = forms.CharField(max_length=200, required=False)
    amount_won = WonField(required=False)
    count = forms.IntegerField(min_value=1, max_value=100000, required=False)
    occurred_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    LABELS = {
        "title": {"paper": _("Title of the paper"), "patent": _("Title of the invention"),
                  "transfer": _("Technology transferred"), "startup": _("Name of the company")},
        "partner": {"transfer": _("Partner (licensee)"), "investment": _("Investor")},
        "amount_won": {"transfer": _("Fee (won)"), "investment": _("Amount invested (won)")},
        "count": {"startup": _("Number of start-ups"), "jobs": _("Jobs created")},
        "occurred_on": {"paper": _("Publication date"), "patent": _("Application date"),
                        "transfer": _("Contract date"), "startup": _("Date founded"), "jobs": pgettext_lazy("outcome", "Date"),
                        "investment": _("Investment date")},
    }

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        spec = KIND_FIELDS[kind]
        self.kind = kind
        self.fields["patent_status"].choices = [("", "—"), *PatentStatus.choices]
        self.fields = {name: self.fields[name] for name in spec.fields}
        for name, field in self.fields.items():
            if name in self.LABELS:
                field.label = self.LABELS[name][kind]
            field.required = name in spec.required
            if field.required:
                field.error_messages["required"] = _("This field is required for this type of outcome.")

    def values(self) -> dict:
        return dict(self.cleaned_data)


class OutcomeReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("reject", _("Reject"))])
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)


class OutcomeEvidenceForm(forms.Form):
    file = forms.FileField(label=_("Evidence"), allow_empty_file=True,
                           error_messages={"required": _("Choose a file to upload.")})


class RoundPlanForm(AutoPlanForm):
    """The automatic plan of a stage round's panels: the call plan's settings, without the
    cooperation type (a round's projects are planned together)."""

    type = None
