"""Proposals: the plan a region (or a consortium of regions) submits to a call.

The plan has sections (overview, goals and KPIs, stage roadmap, budget per
year × region, linked government projects, organisations, attachments).
Every content edit bumps `revision`; a region's sign-off is valid only for the
revision it saw. Sending to consulting and submitting freeze a numbered
`ProposalVersion` (a JSON snapshot) that can be opened and compared later.
"""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.documents.models import OfficialDocument
from core.upload_holders import UploadHolder
from programmes.models import Call, CooperationType, Region, StrategicIndustry, localized


class ProposalState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONSULTING = "consulting", _("In consulting")
    REVISING = "revising", _("Revising")
    SUBMITTED = "submitted", _("Submitted")
    ELIGIBLE = "eligible", _("Eligibility passed")
    INELIGIBLE = "ineligible", _("Eligibility failed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SELECTED = "selected", _("Selected")
    RESERVE = "reserve", _("Reserve (waiting list)")
    NOT_SELECTED = "not_selected", _("Not selected")
    FUNDED = "funded", _("Funded")

    @classmethod
    def editable(cls) -> set:
        """States in which the regions may still change the plan."""
        return {cls.DRAFT, cls.CONSULTING, cls.REVISING}

    @classmethod
    def withdrawable(cls) -> set:
        return {cls.DRAFT, cls.CONSULTING, cls.REVISING, cls.SUBMITTED}


class StageKind(models.TextChoices):
    BASIC = "basic", _("Basic / foundational technology")
    DEMONSTRATION = "demonstration", _("Demonstration")
    APPLICATION = "application", _("Practical application")


class OrganisationKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    INSTITUTE = "institute", _("Research institute")
    COMPANY = "company", _("Company")
    OTHER = "other", _("Other")


class Proposal(models.Model):
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("call"))
    cooperation_type = models.CharField(_("cooperation type"), max_length=20, choices=CooperationType.choices)
    lead_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="led_proposals", verbose_name=_("lead region")
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ProposalState.choices, default=ProposalState.DRAFT, db_index=True
    )

    # Overview
    title_ko = models.CharField(_("title (Korean)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    industry = models.ForeignKey(
        StrategicIndustry, on_delete=models.PROTECT, null=True, blank=True, related_name="proposals",
        verbose_name=_("strategic industry"),
    )
    summary = models.TextField(_("summary"), blank=True)
    problem = models.TextField(_("regional problem it solves"), blank=True)
    # Goals
    vision = models.TextField(_("vision"), blank=True)
    goals = models.TextField(_("mid- and long-term goals"), blank=True)

    # Every content edit bumps `revision`; `section_revisions` guards each
    # section against a silent overwrite (optimistic locking).
    revision = models.PositiveIntegerField(_("revision"), default=1)
    section_revisions = models.JSONField(default=dict, blank=True, verbose_name=_("section revisions"))

    state_reason = models.TextField(_("reason"), blank=True)
    # The final theme of the planning period this draft grew from (issue 17), if any.
    origin_theme = models.OneToOneField("CandidateTheme", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="proposal", verbose_name=_("origin theme"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [models.Index(fields=["call", "state"])]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self.title_ko, self.title_en)

    @property
    def is_consortium(self) -> bool:
        return self.cooperation_type == CooperationType.SUPER_REGIONAL

    @property
    def is_editable(self) -> bool:
        return self.state in ProposalState.editable()

    @property
    def start_year(self) -> int:
        return self.call.year

    def total_years(self) -> int:
        return sum(s.years for s in self.stages.all())

    def project_years(self) -> list[int]:
        """Calendar years the roadmap covers (at least the call's pilot)."""
        total = self.total_years() or self.call.pilot_years
        return list(range(self.start_year, self.start_year + total))

    def pilot_years(self) -> list[int]:
        return list(range(self.start_year, self.start_year + self.call.pilot_years))

    def next_version_number(self) -> int:
        """The one number users see for the plan as it stands while it is edited: the number
        it is frozen under when next sent to consulting or submitted (so the version a region
        signs off is the version listed after submission). `revision` is an internal edit counter."""
        cached = self.__dict__.get("_next_version_number")
        if cached is None:
            if "versions" in getattr(self, "_prefetched_objects_cache", {}):
                numbers = [v.number for v in self.versions.all()]
            else:
                numbers = list(self.versions.values_list("number", flat=True))
            cached = self.__dict__["_next_version_number"] = max(numbers, default=0) + 1
        return cached


class Participation(models.Model):
    """A region taking part in a proposal; the lead region has one too."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="participations", verbose_name=_("proposal"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="participations", verbose_name=_("region"))
    is_lead = models.BooleanField(_("lead region"), default=False)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("signed off by"),
    )
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    signed_revision = models.PositiveIntegerField(_("signed revision"), null=True, blank=True)

    class Meta:
        ordering = ["-is_lead", "region__order"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "region"], name="one_participation_per_region"),
            models.UniqueConstraint(
                fields=["proposal"], condition=models.Q(is_lead=True), name="one_lead_per_proposal"
            ),
        ]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")

    def __str__(self) -> str:
        return f"{self.proposal_id}:{self.region}"

    def is_signed_for(self, revision: int) -> bool:
        return self.signed_off_at is not None and self.signed_revision == revision


class OutcomeKind(models.TextChoices):
    """The types of a funded project's outcomes (projects.OutcomeRecord); here because a plan's KPI
    may count one of them (KPI.counts_outcome)."""

    PAPER = "paper", _("Paper")
    PATENT = "patent", _("Patent")
    TRANSFER = "transfer", _("Technology transfer")
    STARTUP = "startup", _("Start-up")
    JOBS = "jobs", _("Jobs created")
    INVESTMENT = "investment", _("Follow-on investment")


class KPI(models.Model):
    """A measurable indicator with a baseline and one target per roadmap stage. A KPI that counts a
    type of outcome (`counts_outcome`) is not typed in the annual reports: its achieved value is
    computed from the project's outcome records (projects.services.outcomes.kpi_values)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="kpis", verbose_name=_("proposal"))
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))
    name = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=16, decimal_places=2, default=0)
    targets = models.JSONField(_("targets per stage"), default=list, blank=True)
    counts_outcome = models.CharField(_("counts outcomes of type"), max_length=20, choices=OutcomeKind.choices,
                                      blank=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="stages", verbose_name=_("proposal"))
    order = models.PositiveSmallIntegerField(_("stage"))
    kind = models.CharField(_("type"), max_length=20, choices=StageKind.choices)
    years = models.PositiveSmallIntegerField(_("years"), validators=[MinValueValidator(1)])
    goals = models.TextField(_("goals"))
    deliverables = models.TextField(_("deliverables"), blank=True)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["proposal", "order"], name="one_stage_per_order")]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")

    def __str__(self) -> str:
        return f"{self.order}: {self.get_kind_display()}"


class BudgetLine(models.Model):
    """One year of one region's money: national requested, local funds, other sources (won)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="budget_lines", verbose_name=_("proposal"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    year = models.PositiveSmallIntegerField(_("year"))
    national_won = models.BigIntegerField(_("national funding requested"), default=0, validators=[MinValueValidator(0)])
    local_won = models.BigIntegerField(_("local government funds"), default=0, validators=[MinValueValidator(0)])
    other_won = models.BigIntegerField(_("other sources"), default=0, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["year", "region__order"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "region", "year"], name="one_budget_line_per_region_year"),
            models.CheckConstraint(
                condition=models.Q(national_won__gte=0, local_won__gte=0, other_won__gte=0),
                name="budget_amounts_not_negative",
            ),
        ]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        return f"{self.region} {self.year}"

    @property
    def total_won(self) -> int:
        return self.national_won + self.local_won + self.other_won


class LinkedProject(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="linked_projects", verbose_name=_("proposal"))
    name = models.CharField(_("project name"), max_length=200)
    ministry = models.CharField(_("ministry"), max_length=100)
    connection = models.TextField(_("how it connects"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("linked government project")
        verbose_name_plural = _("linked government projects")

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="organisations", verbose_name=_("proposal"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    name = models.CharField(_("organisation"), max_length=200)
    # The name matched to the institutions registry on save (programmes.institutions).
    institution = models.ForeignKey("programmes.Institution", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("institution"))
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    role = models.CharField(_("role in the project"), max_length=300, blank=True)

    class Meta:
        ordering = ["region__order", "id"]
        verbose_name = _("participating organisation")
        verbose_name_plural = _("participating organisations")

    def __str__(self) -> str:
        return self.name


def attachment_path(instance, filename: str) -> str:
    # Never the user's file name on disk: a random name under the proposal.
    return f"proposals/{instance.proposal_id}/{uuid.uuid4().hex}{instance.extension}"


class Attachment(UploadHolder):
    """A file of a proposal's plan (the common fields: core's UploadHolder)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("proposal"))
    file = models.FileField(upload_to=attachment_path, max_length=300, verbose_name=_("file"))
    kind = models.CharField(_("file type"), max_length=20)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class VersionKind(models.TextChoices):
    CONSULTING = "consulting", _("Sent to consulting")
    SUBMISSION = "submission", _("Submitted")


class ProposalVersion(models.Model):
    """A frozen, numbered copy of the plan (JSON snapshot), read-only forever."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions", verbose_name=_("proposal"))
    number = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=20, choices=VersionKind.choices)
    revision = models.PositiveIntegerField(verbose_name=_("revision"))
    snapshot = models.JSONField(verbose_name=_("saved content"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["proposal", "number"], name="one_version_number")]
        verbose_name = _("proposal version")
        verbose_name_plural = _("proposal versions")

    def __str__(self) -> str:
        return f"v{self.number}"


class ProposalEvent(models.Model):
    """Who did what to a proposal, and when (every state change and sign-off)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events", verbose_name=_("proposal"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("done by"))
    action = models.CharField(_("action"), max_length=40)
    from_state = models.CharField(max_length=20, blank=True, verbose_name=_("state before"))
    to_state = models.CharField(max_length=20, blank=True, verbose_name=_("state after"))
    note = models.TextField(blank=True, verbose_name=_("note"))
    at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("date and time"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("proposal state change")
        verbose_name_plural = _("proposal state changes")

    def __str__(self) -> str:
        return f"{self.action} {self.from_state}→{self.to_state}"


class ProposalDocument(OfficialDocument):
    """The whole proposal as one Korean A4 PDF (for the region's internal approval and staff
    files), one per revision of the plan: asking again for the same revision reuses it.
    `content` is what the PDF prints, taken when it was asked for (the plan of that revision,
    its budget grid and the sign-offs; never a sealed result). Status, file, checksum, size,
    attempts, error, generated_at, verification code and signer: `OfficialDocument`."""

    upload_dir = "proposal-pdfs/"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="documents",
                                 verbose_name=_("proposal"))
    revision = models.PositiveIntegerField(_("revision"))
    content = models.JSONField(_("content"), default=dict, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        verbose_name = _("proposal PDF")
        verbose_name_plural = _("proposal PDFs")
        constraints = [models.UniqueConstraint(fields=["proposal", "revision"], name="one_pdf_per_revision")]

    def __str__(self) -> str:
        return f"proposal {self.proposal_id} r{self.revision}"


# --- Middle-out planning, phase 1: candidate themes (issue 17) ----------------------------------


class ThemeStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    SELECTED = "selected", _("Selected as the final theme")
    DROPPED = "dropped", _("Dropped")


class CandidateTheme(models.Model):
    """A pre-proposal: a theme technology a region (or a consortium of regions) discovered from its
    innovation capacity in the planning period's first phase. Any number per region; the regions edit
    them until the discovery phase closes; the selected one becomes the proposal draft."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="candidate_themes", verbose_name=_("call"))
    lead_region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="led_themes",
                                    verbose_name=_("lead region"))
    status = models.CharField(_("status"), max_length=20, choices=ThemeStatus.choices, default=ThemeStatus.CANDIDATE)
    title_ko = models.CharField(_("title (Korean)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    industry = models.ForeignKey(StrategicIndustry, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("strategic industry"))
    rationale = models.TextField(_("rationale"), blank=True)
    source_technology = models.TextField(_("source technology"), blank=True)
    path_to_application = models.TextField(_("path to demonstration and commercialisation"), blank=True)
    # The innovation-capacity analysis, structured.
    capacity_institutions = models.TextField(_("research institutions"), blank=True)
    capacity_companies = models.TextField(_("companies"), blank=True)
    capacity_workforce = models.TextField(_("workforce"), blank=True)
    capacity_projects = models.TextField(_("existing projects"), blank=True)
    status_reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["call", "lead_region__order", "id"]
        verbose_name = _("candidate theme")
        verbose_name_plural = _("candidate themes")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self.title_ko, self.title_en)


class ThemeRegion(models.Model):
    """A region taking part in a candidate theme (the lead region has one too), as Participation is
    for a proposal."""

    theme = models.ForeignKey(CandidateTheme, on_delete=models.CASCADE, related_name="regions",
                              verbose_name=_("candidate theme"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    is_lead = models.BooleanField(_("lead region"), default=False)
    # Phase 2: the region's sign-off of the theme's selection as the final theme (as for proposals).
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("signed off by"))
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)

    class Meta:
        ordering = ["-is_lead", "region__order"]
        constraints = [models.UniqueConstraint(fields=["theme", "region"], name="one_theme_region")]
        verbose_name = _("theme region")
        verbose_name_plural = _("theme regions")

    def __str__(self) -> str:
        return f"{self.theme_id}:{self.region}"


def theme_attachment_path(instance, filename: str) -> str:
    return f"themes/{instance.theme_id}/{uuid.uuid4().hex}{instance.extension}"


class ThemeAttachment(UploadHolder):
    """A file backing a candidate theme's innovation-capacity analysis (the common fields: core's UploadHolder)."""

    theme = models.ForeignKey(CandidateTheme, on_delete=models.CASCADE, related_name="attachments",
                              verbose_name=_("candidate theme"))
    file = models.FileField(upload_to=theme_attachment_path, max_length=300, verbose_name=_("file"))
    kind = models.CharField(_("file type"), max_length=20)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("theme attachment")
        verbose_name_plural = _("theme attachments")


# --- Middle-out planning, phase 2: opinions gathered and the final theme selected (issue 17) ----------


class OpinionKind(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    SURVEY = "survey", _("Survey")


def opinion_minutes_path(instance, filename: str) -> str:
    return f"opinions/{uuid.uuid4().hex}{instance.extension}"


class OpinionGathering(models.Model):
    """How a region gathered opinions before selecting its final theme: a meeting or a survey."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="opinion_gatherings",
                             verbose_name=_("call"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    kind = models.CharField(_("kind"), max_length=20, choices=OpinionKind.choices)
    held_on = models.DateField(_("date"))
    participants = models.TextField(_("participants"))
    summary = models.TextField(_("summary"))
    minutes = models.FileField(_("minutes"), upload_to=opinion_minutes_path, max_length=300, blank=True)
    minutes_name = models.CharField(_("file name"), max_length=200, blank=True)
    extension = models.CharField(_("file extension"), max_length=10, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["held_on", "id"]
        verbose_name = _("opinion gathering")
        verbose_name_plural = _("opinion gatherings")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"


class AdviceFollowed(models.TextChoices):
    YES = "yes", _("Followed the advice")
    PARTLY = "partly", _("Partly followed the advice")
    NO = "no", _("Did not follow the advice")


class ThemeSelection(models.Model):
    """The region's (for a consortium, the lead region's) final theme of a call, with its reason; every
    partner region signs it off. When the government's feasibility advice exists on the region's candidate
    themes (proposals.advice), the selection says whether it followed it and why."""

    theme = models.OneToOneField(CandidateTheme, on_delete=models.PROTECT, related_name="selection",
                                 verbose_name=_("candidate theme"))
    reason = models.TextField(_("reason for the selection"))
    followed_advice = models.CharField(_("followed the advice"), max_length=10, choices=AdviceFollowed.choices,
                                       blank=True, default="")
    advice_reason = models.TextField(_("why (not) as advised"), blank=True)
    selected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("selected by"))
    selected_at = models.DateTimeField(_("selected at"), auto_now_add=True)

    class Meta:
        verbose_name = _("theme selection")
        verbose_name_plural = _("theme selections")

    def __str__(self) -> str:
        return str(self.theme)


class PlanningReminder(models.Model):
    """A reminder sent to a region's officials before a planning phase of a call closes, remembered so
    that each (phase, region, lead time) is reminded once (proposals.services.reminders)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="+", verbose_name=_("call"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    phase = models.CharField(_("planning phase"), max_length=20)
    days_before = models.PositiveSmallIntegerField(_("days before the phase closes"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("planning reminder")
        verbose_name_plural = _("planning reminders")
        constraints = [models.UniqueConstraint(fields=["call", "region", "phase", "days_before"],
                                               name="planning_reminder_once")]

    def __str__(self) -> str:
        return f"{self.call_id}:{self.region_id}:{self.phase}:D-{self.days_before}"


# --- Middle-out planning, phase 3: the patent analysis of the draft (issue 17) ------------------------


class InfringementRisk(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


def patent_analysis_path(instance, filename: str) -> str:
    return f"patents/{instance.proposal_id}/{uuid.uuid4().hex}{instance.extension}"


class PatentAnalysis(models.Model):
    """The government side's patent analysis of a draft that grew from a final theme (phase 3): written
    by staff or by an expert consulting on the proposal, read and answered by the region. One per
    proposal; once the region has answered it is closed to edits (a later correction is a new
    consulting comment, so what the region answered stays what it read)."""

    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="patent_analysis",
                                    verbose_name=_("proposal"))
    landscape = models.TextField(_("patent landscape"))
    white_spaces = models.TextField(_("white spaces"), blank=True)
    risk = models.CharField(_("risk of infringement"), max_length=10, choices=InfringementRisk.choices)
    risk_comment = models.TextField(_("comment on the risk"), blank=True)
    file = models.FileField(_("file"), upload_to=patent_analysis_path, max_length=300, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    extension = models.CharField(_("file extension"), max_length=10, blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("written by"))
    written_at = models.DateTimeField(_("written at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The region's answer: how its plan takes the analysis into account.
    answer = models.TextField(_("the region's answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("answered by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("patent analysis")
        verbose_name_plural = _("patent analyses")

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.get_risk_display()}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class KeyPatent(models.Model):
    """A key patent of the analysis' landscape."""

    analysis = models.ForeignKey(PatentAnalysis, on_delete=models.CASCADE, related_name="patents",
                                 verbose_name=_("patent analysis"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    number = models.CharField(_("patent number"), max_length=60)
    title = models.CharField(_("title"), max_length=300)
    holder = models.CharField(_("holder"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=60, blank=True)
    legal_status = models.CharField(_("legal status"), max_length=60, blank=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("key patent")
        verbose_name_plural = _("key patents")

    def __str__(self) -> str:
        return self.number
