"""A funded project's life after the award: up to ten years in stages.

- `Project`: one per funded proposal, opened when its funding decision is approved.
- `ProjectStage`: the pilot (stage 1, from the call's pilot years) and each later
  stage, added only when a stage evaluation continues the project and its
  follow-up plan is approved. The stages' years never add up to more than the
  call's maximum total years (10 by default).
- `AnnualReport` per project and year: KPI values achieved (`KPIResult`), and one
  `ReportPart` per participating region (its spending and narrative).
- `StageRound`: staff open a stage evaluation of a call's projects at the end of
  a stage, with its own rubric (the call's programmes.RubricCriterion rows for that
  stage number: one round per call and stage) and an envelope for the next stage's
  national funding. Each project in the round gets a `StageEvaluation`; experts are
  assigned and score through the evaluations app (Assignment kind "stage" with the
  round's stage number on the project's proposal), aggregated by the same module.
- `Condition`: what "continue with conditions" requires, tracked to closure.
- `StagePlan`: the next stage's plan (goals, years, national and local money per
  year), drafted by the regions, endorsed by one staff member and approved by
  another within the round's envelope.
- `StageReport`: the stage-evaluation report PDF, built by a Celery worker.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.documents.models import DocumentStatus, OfficialDocument
from core.upload_holders import UploadHolder
from evaluations.models import Assignment, AssignmentKind
from programmes.categories import SpendingCategory
from programmes.models import RubricCriterion
from proposals.models import OutcomeKind  # noqa: F401  (the outcome types live with the KPIs that count them)


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    WINDING_DOWN = "winding_down", _("Winding down")
    TERMINATED = "terminated", _("Terminated")
    COMPLETED = "completed", _("Completed")


class Project(models.Model):
    proposal = models.OneToOneField("proposals.Proposal", on_delete=models.PROTECT, related_name="project",
                                    verbose_name=_("proposal"))
    status = models.CharField(_("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    wind_down_on = models.DateField(_("wind-down date"), null=True, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True, verbose_name=_("opened at"))

    class Meta:
        ordering = ["proposal__call__year", "proposal_id"]
        verbose_name = _("funded project")
        verbose_name_plural = _("funded projects")

    def __str__(self) -> str:
        return str(self.proposal)

    @property
    def title(self) -> str:
        return self.proposal.title

    @property
    def is_running(self) -> bool:
        """Reports and funding continue only while the project is active."""
        return self.status == ProjectStatus.ACTIVE


class StageState(models.TextChoices):
    RUNNING = "running", _("Running")
    EVALUATING = "evaluating", _("Under stage evaluation")
    CLOSED = "closed", pgettext_lazy("stage or round state", "Closed")  # not the call's "submissions closed"


class ProjectStage(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stages",
                                verbose_name=pgettext_lazy("model field", "project"))
    number = models.PositiveSmallIntegerField(_("stage"))
    start_year = models.PositiveSmallIntegerField(_("first year"))
    years = models.PositiveSmallIntegerField(_("years"), validators=[MinValueValidator(1)])
    goals = models.TextField(_("goals"), blank=True)
    state = models.CharField(_("state"), max_length=20, choices=StageState.choices, default=StageState.RUNNING)

    class Meta:
        ordering = ["project_id", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="one_project_stage_number")]
        verbose_name = _("project stage")
        verbose_name_plural = _("project stages")

    def __str__(self) -> str:
        return f"{self.project_id} stage {self.number}"

    @property
    def end_year(self) -> int:
        return self.start_year + self.years - 1

    @property
    def year_list(self) -> list[int]:
        return list(range(self.start_year, self.start_year + self.years))


# --- Annual reports ---------------------------------------------------------------


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for changes")
    ACCEPTED = "accepted", _("Accepted")

    @classmethod
    def editable(cls) -> frozenset:
        """The regions write (and the lead submits) while the report is a draft or returned."""
        return frozenset({cls.DRAFT, cls.RETURNED})


class AnnualReport(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports",
                                verbose_name=pgettext_lazy("model field", "project"))
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(_("state"), max_length=20, choices=ReportState.choices, default=ReportState.DRAFT)
    due_on = models.DateField(_("due date"))
    narrative = models.TextField(_("progress narrative"), blank=True)
    review_comment = models.TextField(_("staff comments"), blank=True)
    revision = models.PositiveIntegerField(default=1, verbose_name=_("revision"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reminded at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["project_id", "year"]
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="one_report_per_year")]
        indexes = [models.Index(fields=["state", "due_on"])]
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")

    def __str__(self) -> str:
        return f"{self.project_id} {self.year}"

    @property
    def is_editable(self) -> bool:
        return self.state in ReportState.editable()

    def is_overdue(self, today) -> bool:
        return self.state in ReportState.editable() and today > self.due_on


class ReportPart(models.Model):
    """One participating region's part: what it spent and what it did."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="parts",
                               verbose_name=pgettext_lazy("model field", "annual report"))
    region = models.ForeignKey("programmes.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))
    national_spent_won = models.BigIntegerField(_("national funds spent"), default=0,
                                                validators=[MinValueValidator(0)])
    local_spent_won = models.BigIntegerField(_("local funds spent"), default=0, validators=[MinValueValidator(0)])
    narrative = models.TextField(_("the region's progress"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("updated by"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    revision = models.PositiveIntegerField(default=1, verbose_name=_("revision"))

    class Meta:
        ordering = ["report_id", "region__order"]
        constraints = [
            models.UniqueConstraint(fields=["report", "region"], name="one_part_per_region"),
            models.CheckConstraint(condition=models.Q(national_spent_won__gte=0, local_spent_won__gte=0),
                                   name="spending_not_negative"),
        ]
        verbose_name = _("region's part of a report")
        verbose_name_plural = _("regions' parts of a report")

    def __str__(self) -> str:
        return f"{self.report} {self.region}"


class SpendingSource(models.TextChoices):
    NATIONAL = "national", _("National funds")
    LOCAL = "local", _("Local funds")


class SpendingLine(models.Model):
    """What a region spent in the report's year from one source in one spending category
    (programmes.categories). The part's `national_spent_won` / `local_spent_won` are the sums of its
    lines, written by the one service that writes both (projects.services.spending.spending_save)."""

    part = models.ForeignKey(ReportPart, on_delete=models.CASCADE, related_name="spending_lines",
                             verbose_name=_("region's part of a report"))
    source = models.CharField(_("source"), max_length=20, choices=SpendingSource.choices)
    category = models.CharField(_("spending category"), max_length=20, choices=SpendingCategory.choices)
    amount_won = models.BigIntegerField(_("amount"), validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["part_id", "source", "category"]
        constraints = [
            models.UniqueConstraint(fields=["part", "source", "category"], name="one_spending_line_per_category"),
            models.CheckConstraint(condition=models.Q(amount_won__gte=0), name="spending_line_not_negative"),
        ]
        verbose_name = _("spending line")
        verbose_name_plural = _("spending lines")

    def __str__(self) -> str:
        return f"{self.part} {self.source} {self.category}: {self.amount_won}"


class KPIResult(models.Model):
    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="kpi_results",
                               verbose_name=pgettext_lazy("model field", "annual report"))
    kpi = models.ForeignKey("proposals.KPI", on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator"))
    achieved = models.DecimalField(_("achieved"), max_digits=16, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["kpi__order", "kpi_id"]
        constraints = [models.UniqueConstraint(fields=["report", "kpi"], name="one_result_per_kpi")]
        verbose_name = _("KPI result")
        verbose_name_plural = _("KPI results")

    def __str__(self) -> str:
        return f"{self.kpi_id}: {self.achieved}"


def report_attachment_path(instance, filename):
    return f"reports/{instance.report.project_id}/{secrets.token_hex(16)}.{instance.extension}"


class ReportAttachment(UploadHolder):
    """A region's file on an annual report (name, extension without its dot, size, who and when: core's
    UploadHolder)."""

    DOTTED_EXTENSION = False

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="attachments",
                               verbose_name=pgettext_lazy("model field", "annual report"))
    region = models.ForeignKey("programmes.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    file = models.FileField(upload_to=report_attachment_path, max_length=300, verbose_name=_("file"))

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("report attachment")
        verbose_name_plural = _("report attachments")


# --- Stage evaluations --------------------------------------------------------------


class RoundState(models.TextChoices):
    PREPARING = "preparing", _("Preparing")
    SCORING = "scoring", _("Scoring")
    CLOSED = "closed", pgettext_lazy("stage or round state", "Closed")


class StageRound(models.Model):
    """A stage evaluation of a call's projects at the end of one stage."""

    call = models.ForeignKey("programmes.Call", on_delete=models.PROTECT, related_name="stage_rounds",
                             verbose_name=_("call"))
    stage_number = models.PositiveSmallIntegerField(_("stage evaluated"), default=1)
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year of the evaluation"))
    next_stage_years = models.PositiveSmallIntegerField(
        _("years of the next stage"), default=3, validators=[MinValueValidator(1)])
    envelope_won = models.BigIntegerField(_("national envelope for the next stage (KRW)"),
                                          validators=[MinValueValidator(0)])
    panel_size = models.PositiveSmallIntegerField(_("evaluators per project"), default=5)
    # The grade of each project's score (services.goodfaith.grade_of): excellent from this score on,
    # insufficient below that one, average between.
    excellent_from = models.DecimalField(
        _("excellent from (score)"), max_digits=5, decimal_places=2, default=Decimal("80"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("A score at or above this is graded excellent (0 to 100)."))
    insufficient_below = models.DecimalField(
        _("insufficient below (score)"), max_digits=5, decimal_places=2, default=Decimal("60"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("A score below this is graded insufficient and checked for good faith (0 to 100)."))
    # The day the panels' scores are due (the experts' to-do shows it; none: no deadline).
    scores_due_on = models.DateField(_("scores due on"), null=True, blank=True)
    # Moved only by services.stages.round_transition (its table: start scoring).
    state = models.CharField(_("state"), max_length=20, choices=RoundState.choices, default=RoundState.PREPARING)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by"))
    opened_at = models.DateTimeField(auto_now_add=True, verbose_name=_("opened at"))

    class Meta:
        ordering = ["-year", "-id"]
        constraints = [models.UniqueConstraint(fields=["call", "stage_number"], name="one_round_per_stage")]
        verbose_name = _("stage evaluation round")
        verbose_name_plural = _("stage evaluation rounds")

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if (self.excellent_from is not None and self.insufficient_below is not None
                and self.insufficient_below > self.excellent_from):
            raise ValidationError({"insufficient_below": _(
                "The insufficient threshold cannot be above the excellent one.")})

    @property
    def criteria(self):
        """The round's rubric: the call's rubric for the evaluation of this stage."""
        return RubricCriterion.objects.for_stage(call_id=self.call_id, stage_number=self.stage_number)

    @property
    def assignments(self):
        """Every expert assignment of the round (its projects' proposals, this stage)."""
        return Assignment.objects.filter(kind=AssignmentKind.STAGE, proposal__call_id=self.call_id,
                                         stage_number=self.stage_number)


class Outcome(models.TextChoices):
    # A context of its own: the proposal steps' "Continue" button means "next".
    CONTINUE = "continue", pgettext_lazy("stage outcome", "Continue")
    CONDITIONS = "conditions", _("Continue with conditions")
    TERMINATE = "terminate", _("Terminate")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    AVERAGE = "average", _("Average")
    INSUFFICIENT = "insufficient", _("Insufficient")


class StageEvaluation(models.Model):
    round = models.ForeignKey(StageRound, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("round"))
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="evaluations",
                                verbose_name=pgettext_lazy("model field", "project"))
    stage = models.ForeignKey(ProjectStage, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("stage"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    panel_comment = models.TextField(_("panel's comment"), blank=True)
    outcome_reason = models.TextField(_("reason for the outcome"), blank=True)
    wind_down_on = models.DateField(_("wind-down date"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # The grade of the panel's score (services.goodfaith.stage_grade); insufficient opens a good-faith review.
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices, blank=True)
    grade_score = models.DecimalField(_("graded score"), max_digits=5, decimal_places=2, null=True, blank=True)
    graded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("graded by"))
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)

    class Meta:
        ordering = ["round_id", "project_id"]
        constraints = [models.UniqueConstraint(fields=["round", "project"], name="one_evaluation_per_round")]
        verbose_name = _("stage evaluation")
        verbose_name_plural = _("stage evaluations")

    def __str__(self) -> str:
        return f"{self.round} — {self.project}"

    @property
    def is_decided(self) -> bool:
        return bool(self.outcome)

    @property
    def assignments(self):
        """The experts assigned to this project's panel in this round (reads the round)."""
        return Assignment.objects.filter(kind=AssignmentKind.STAGE, proposal__project__pk=self.project_id,
                                         stage_number=self.round.stage_number)

    @cached_property
    def panel(self) -> list:
        """The assignments with their experts and scoresheets, read once
        (`selectors.round_evaluations` fills it for a whole round in one query)."""
        return list(self.assignments.select_related("expert", "scoresheet"))


def delete_stage_panel(sender, instance: StageEvaluation, **kwargs) -> None:
    """Deleting a stage evaluation deletes its panel (with the scoresheets), as the
    assignments' own foreign key once did (connected in apps.py)."""
    instance.assignments.delete()


def delete_stage_rubric(sender, instance: StageRound, **kwargs) -> None:
    """Deleting a round deletes the call's rubric for that stage (connected in apps.py;
    after the delete, when the panels' scores are gone)."""
    RubricCriterion.objects.for_stage(call_id=instance.call_id, stage_number=instance.stage_number).delete()


class ReviewState(models.TextChoices):
    OPEN = "open", _("Under review")
    DECIDED = "decided", _("Decided")


def good_faith_attachment_path(instance, filename):
    return f"good-faith/{instance.evaluation_id}/{secrets.token_hex(16)}{instance.attachment_extension}"


class GoodFaithReview(models.Model):
    """성실수행 검토: an insufficient stage grade is checked for good faith — the evidence, then a
    decision by a second staff member (not the one who opened the review) — before a
    termination or a sanction can be recorded on the project."""

    evaluation = models.OneToOneField(StageEvaluation, on_delete=models.PROTECT, related_name="good_faith_review",
                                      verbose_name=pgettext_lazy("model field", "stage evaluation"))
    # Moved only by services.goodfaith.good_faith_transition (its table: decide).
    state = models.CharField(_("state"), max_length=20, choices=ReviewState.choices, default=ReviewState.OPEN)
    evidence = models.TextField(_("evidence"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to=good_faith_attachment_path, max_length=300, blank=True)
    attachment_name = models.CharField(_("file name"), max_length=200, blank=True)
    attachment_extension = models.CharField(max_length=10, blank=True, verbose_name=_("attachment file extension"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("opened by"))
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    good_faith = models.BooleanField(_("performed in good faith"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("good-faith review")
        verbose_name_plural = _("good-faith reviews")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name}: {self.evaluation}"

    @property
    def is_decided(self) -> bool:
        return self.state == ReviewState.DECIDED


class SanctionKind(models.TextChoices):
    PARTICIPATION = "participation", _("Restriction on participation")
    RECOVERY = "recovery", _("Recovery of funds")
    OTHER = "other", _("Other measure")


class Sanction(models.Model):
    """A sanction recorded on a project after its stage evaluation: only once a good-faith review
    found the insufficient result not performed in good faith."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="sanctions",
                                verbose_name=pgettext_lazy("model field", "project"))
    evaluation = models.ForeignKey(StageEvaluation, on_delete=models.PROTECT, related_name="sanctions",
                                   verbose_name=pgettext_lazy("model field", "stage evaluation"))
    kind = models.CharField(_("kind"), max_length=20, choices=SanctionKind.choices)
    measure = models.TextField(_("measure"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["project_id", "recorded_at"]
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.project}"


class ConditionState(models.TextChoices):
    OPEN = "open", _("Not yet met")
    MET = "met", _("Met")


class Condition(models.Model):
    evaluation = models.ForeignKey(StageEvaluation, on_delete=models.CASCADE, related_name="conditions",
                                   verbose_name=pgettext_lazy("model field", "stage evaluation"))
    text = models.TextField(_("condition"))
    due_on = models.DateField(_("due date"), null=True, blank=True)
    # Moved only by services.stages.condition_transition (its table: met, with the evidence).
    state = models.CharField(_("state"), max_length=10, choices=ConditionState.choices, default=ConditionState.OPEN)
    evidence = models.TextField(_("how it was met"), blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("closed by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["evaluation_id", "id"]
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")

    def __str__(self) -> str:
        return self.text[:60]


# --- The next stage's plan ------------------------------------------------------------


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Draft (regions)")
    SUBMITTED = "submitted", _("Submitted to the ministry")
    ENDORSED = "endorsed", _("Endorsed (awaiting approval)")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for changes")


class StagePlan(models.Model):
    """The follow-up support plan for the stage after a continued evaluation."""

    evaluation = models.OneToOneField(StageEvaluation, on_delete=models.PROTECT, related_name="plan",
                                      verbose_name=pgettext_lazy("model field", "stage evaluation"))
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="plans",
                                verbose_name=pgettext_lazy("model field", "project"))
    stage_number = models.PositiveSmallIntegerField(_("stage"))
    start_year = models.PositiveSmallIntegerField(_("first year"))
    years = models.PositiveSmallIntegerField(_("years"), validators=[MinValueValidator(1)])
    goals = models.TextField(_("goals of the stage"), blank=True)
    state = models.CharField(_("state"), max_length=20, choices=PlanState.choices, default=PlanState.DRAFT)
    national_total_won = models.BigIntegerField(_("national funding, total"), default=0)
    comment = models.TextField(_("staff comments"), blank=True)
    revision = models.PositiveIntegerField(default=1, verbose_name=_("revision"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("submitted at"))
    endorsed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("endorsed by"))
    endorsed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("endorsed at"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("approved at"))

    class Meta:
        ordering = ["project_id", "stage_number"]
        verbose_name = _("follow-up support plan")
        verbose_name_plural = _("follow-up support plans")

    def __str__(self) -> str:
        return f"{self.project} stage {self.stage_number}"

    @property
    def year_list(self) -> list[int]:
        return list(range(self.start_year, self.start_year + self.years))


class PlanYear(models.Model):
    """One year of one region's money in a stage plan (national and local)."""

    plan = models.ForeignKey(StagePlan, on_delete=models.CASCADE, related_name="lines",
                             verbose_name=pgettext_lazy("model field", "stage plan"))
    region = models.ForeignKey("programmes.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    year = models.PositiveSmallIntegerField(_("year"))
    national_won = models.BigIntegerField(_("national funding"), default=0, validators=[MinValueValidator(0)])
    local_won = models.BigIntegerField(_("local funds"), default=0, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["year", "region__order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "region", "year"], name="one_plan_line"),
            models.CheckConstraint(condition=models.Q(national_won__gte=0, local_won__gte=0),
                                   name="plan_amounts_not_negative"),
        ]
        verbose_name = _("plan by year")
        verbose_name_plural = _("plan by year")

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}"


# --- The stage-evaluation report (PDF) ---------------------------------------------------


ReportStatus = DocumentStatus  # the one status of generated documents, under the name projects uses


class StageReport(OfficialDocument):
    """One report per stage evaluation (the one-to-one key makes the task idempotent).
    Status, file, checksum, size, attempts, error, generated_at, verification code and
    signer: `OfficialDocument`."""

    upload_dir = "stage-reports/"

    evaluation = models.OneToOneField(StageEvaluation, on_delete=models.PROTECT, related_name="report",
                                      verbose_name=pgettext_lazy("model field", "stage evaluation"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by"))
    requested_at = models.DateTimeField(auto_now_add=True, verbose_name=_("requested at"))

    class Meta:
        verbose_name = _("stage-evaluation report")
        verbose_name_plural = _("stage-evaluation reports")

    def __str__(self) -> str:
        return f"report {self.evaluation_id}"


# --- Outcomes registry ----------------------------------------------------------------------


class PatentStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    REGISTERED = "registered", _("Registered")
    LAPSED = "lapsed", _("Lapsed or withdrawn")


class OutcomeState(models.TextChoices):
    REPORTED = "reported", _("Reported (awaiting review)")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class OutcomeRecord(models.Model):
    """One outcome of a project in a year (성과): a paper, a patent, a technology transfer, a
    start-up, jobs created or a follow-on investment.

    One table with a `kind` and typed columns (blank where a kind has no use for them), validated
    per kind by `services.outcomes.KIND_FIELDS`, rather than a table per kind: the export, the
    dashboard and the KPI counts read every kind at once (one query grouped by kind), the review
    and the evidence are the same for all, and the national registry's file is one table too.
    Entered by an official of a participating region (`region`), reviewed by staff; rejected
    records count nowhere."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="outcomes",
                                verbose_name=pgettext_lazy("model field", "project"))
    region = models.ForeignKey("programmes.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("outcome type"), max_length=20, choices=OutcomeKind.choices)
    # The outcome's date: published, applied for, contract, founded, hired, invested.
    occurred_on = models.DateField(_("date"))
    title = models.CharField(_("title or name"), max_length=300, blank=True)
    journal = models.CharField(_("journal"), max_length=200, blank=True)
    issn = models.CharField(_("ISSN"), max_length=9, blank=True)
    doi = models.CharField(_("DOI"), max_length=200, blank=True)
    indexed = models.BooleanField(_("indexed (SCI(E)/SCOPUS)"), null=True, blank=True)
    application_number = models.CharField(_("application number"), max_length=40, blank=True)
    registration_number = models.CharField(_("registration number"), max_length=40, blank=True)
    registered_on = models.DateField(_("registration date"), null=True, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    applicants = models.CharField(_("applicants"), max_length=300, blank=True)
    inventors = models.CharField(_("inventors"), max_length=300, blank=True)
    patent_status = models.CharField(_("patent status"), max_length=20, choices=PatentStatus.choices, blank=True)
    partner = models.CharField(_("partner or investor"), max_length=200, blank=True)
    amount_won = models.BigIntegerField(_("amount (KRW)"), null=True, blank=True,
                                        validators=[MinValueValidator(0)])
    count = models.PositiveIntegerField(_("count"), null=True, blank=True)
    # Moved only by services.outcomes.outcome_transition (confirm, reject).
    state = models.CharField(_("state"), max_length=20, choices=OutcomeState.choices, default=OutcomeState.REPORTED)
    review_comment = models.TextField(_("staff comments"), blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("entered by"))
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        ordering = ["project_id", "-year", "kind", "id"]
        constraints = [
            # The same paper or patent is one record in a project (the service says so at the field first).
            models.UniqueConstraint(fields=["project", "doi"], condition=~models.Q(doi=""),
                                    name="one_outcome_per_doi"),
            models.UniqueConstraint(fields=["project", "application_number"],
                                    condition=models.Q(kind="patent") & ~models.Q(application_number=""),
                                    name="one_outcome_per_patent"),
            models.CheckConstraint(condition=models.Q(amount_won__isnull=True) | models.Q(amount_won__gte=0),
                                   name="outcome_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["kind", "year"])]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title or self.application_number or self.partner or self.count}"


def outcome_evidence_path(instance, filename):
    return f"outcomes/{instance.record.project_id}/{secrets.token_hex(16)}.{instance.extension}"


class OutcomeEvidence(UploadHolder):
    """A file backing an outcome record (the common fields: core's UploadHolder; extension without its dot)."""

    DOTTED_EXTENSION = False

    record = models.ForeignKey(OutcomeRecord, on_delete=models.CASCADE, related_name="evidence",
                               verbose_name=_("outcome"))
    file = models.FileField(upload_to=outcome_evidence_path, max_length=300, verbose_name=_("file"))

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("outcome evidence")
        verbose_name_plural = _("outcome evidence")
