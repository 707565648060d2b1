"""Funding decisions within the call's envelope, four-eyes approval, award letters.

A decision is prepared by one staff member and approved by another; approving
locks the call's row so two approvals can never overspend the envelope. Each
approved decision version gets one award letter per language, built by a
Celery worker and verifiable publicly by its code.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.documents.models import DocumentStatus, OfficialDocument, new_verification_code


class DecisionState(models.TextChoices):
    PREPARED = "prepared", _("Prepared (awaiting approval)")
    APPROVED = "approved", _("Approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class FundingDecision(models.Model):
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.PROTECT, related_name="funding_decisions",
                                 verbose_name=_("proposal"))
    version = models.PositiveIntegerField(_("version"), default=1)
    state = models.CharField(_("state"), max_length=20, choices=DecisionState.choices, default=DecisionState.PREPARED)
    conditions = models.TextField(_("conditions of award"), blank=True)
    national_total_won = models.BigIntegerField(_("national funding, total"), default=0)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("prepared by"))
    prepared_at = models.DateTimeField(_("prepared at"), auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        ordering = ["-prepared_at", "-id"]
        verbose_name = _("funding decision")
        verbose_name_plural = _("funding decisions")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "version"], name="one_decision_per_version"),
            models.UniqueConstraint(fields=["proposal"], condition=models.Q(state="approved"),
                                    name="one_approved_decision_per_proposal"),
            models.CheckConstraint(condition=models.Q(national_total_won__gte=0), name="decision_total_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} v{self.version}"

    @property
    def reference(self) -> str:
        """The award's reference number, e.g. MEGA-2023-0003-v1."""
        return f"MEGA-{self.proposal.call.year}-{self.proposal_id:04d}-v{self.version}"


class FundingYear(models.Model):
    """National funding granted for one year of the pilot."""

    decision = models.ForeignKey(FundingDecision, on_delete=models.CASCADE, related_name="years",
                                 verbose_name=pgettext_lazy("model field", "funding decision"))
    year = models.PositiveSmallIntegerField(_("year"))
    national_won = models.BigIntegerField(_("national funding"), validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["decision", "year"], name="one_funding_year")]
        verbose_name = _("funding by year")
        verbose_name_plural = _("funding by year")

    def __str__(self) -> str:
        return f"{self.year}: {self.national_won}"


class LocalObligation(models.Model):
    """A region's local matching obligation for one year."""

    decision = models.ForeignKey(FundingDecision, on_delete=models.CASCADE, related_name="obligations",
                                 verbose_name=pgettext_lazy("model field", "funding decision"))
    region = models.ForeignKey("programmes.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    year = models.PositiveSmallIntegerField(_("year"))
    local_won = models.BigIntegerField(_("local funds"), validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["year", "region__order"]
        constraints = [models.UniqueConstraint(fields=["decision", "region", "year"], name="one_obligation")]
        verbose_name = _("local funds obligation")
        verbose_name_plural = _("local funds obligations")

    def __str__(self) -> str:
        return f"{self.region} {self.year}: {self.local_won}"


class SelectionNote(models.Model):
    """Why a proposal was selected, put on reserve or not selected (for the board and feedback)."""

    proposal = models.OneToOneField("proposals.Proposal", on_delete=models.CASCADE, related_name="selection_note",
                                    verbose_name=_("proposal"))
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(auto_now=True, verbose_name=_("decided at"))

    class Meta:
        verbose_name = _("selection note")
        verbose_name_plural = _("selection notes")

    def __str__(self) -> str:
        return self.reason[:40]


LetterStatus = DocumentStatus  # the one status of generated documents, under the name funding uses


__all__ = ["new_verification_code"]  # where migration 0001 finds the codes' default (now in core)


class LetterLanguage(models.TextChoices):
    KOREAN = "ko", _("Korean")
    ENGLISH = "en", _("English")


class AwardLetter(OfficialDocument):
    """One letter per approved decision version and language (the unique key makes
    the task idempotent: re-running replaces the file, never adds a letter). Status,
    file, checksum, size, attempts, error, generated_at, verification code and signer:
    `OfficialDocument`."""

    upload_dir = "letters/"

    decision = models.ForeignKey(FundingDecision, on_delete=models.PROTECT, related_name="letters",
                                 verbose_name=pgettext_lazy("model field", "funding decision"))
    language = models.CharField(_("language"), max_length=5, choices=LetterLanguage.choices, default=LetterLanguage.KOREAN)
    issued_on = models.DateField(_("date of the letter"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by"))
    requested_at = models.DateTimeField(auto_now_add=True, verbose_name=_("requested at"))

    class Meta:
        ordering = ["decision_id", "language"]
        constraints = [models.UniqueConstraint(fields=["decision", "language"], name="one_letter_per_language")]
        verbose_name = _("award letter")
        verbose_name_plural = _("award letters")

    def __str__(self) -> str:
        return f"{self.decision.reference} ({self.language})"


class LetterBatch(models.Model):
    """"Generate all letters for this call": progress shown live on the page."""

    call = models.ForeignKey("programmes.Call", on_delete=models.PROTECT, related_name="letter_batches", verbose_name=_("call"))
    total = models.PositiveIntegerField(default=0, verbose_name=pgettext_lazy("model field", "number of letters"))
    # Many-to-many: a letter requested again by a later batch still counts in the earlier one.
    letters = models.ManyToManyField(AwardLetter, related_name="batches", blank=True, verbose_name=_("letters"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by"))
    requested_at = models.DateTimeField(auto_now_add=True, verbose_name=_("requested at"))

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("letter batch")
        verbose_name_plural = _("letter batches")

    def __str__(self) -> str:
        return f"batch {self.pk} of {self.call}"


# --- Cut-line scenarios ------------------------------------------------------------------------


class Scenario(models.Model):
    """A named "what if" at the call's funding cut line: which ranked proposals would be selected,
    put on reserve or left out, and with how much national funding. A scenario never changes a
    decision by itself: staff turn one into *prepared* decisions (funding.services.scenarios),
    which another staff member still approves."""

    call = models.ForeignKey("programmes.Call", on_delete=models.CASCADE, related_name="funding_scenarios",
                             verbose_name=_("call"))
    name = models.CharField(_("name"), max_length=120)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("turned into decisions by"))
    decided_at = models.DateTimeField(_("turned into decisions at"), null=True, blank=True)

    class Meta:
        ordering = ["call_id", "name"]
        constraints = [models.UniqueConstraint(fields=["call", "name"], name="one_scenario_name_per_call")]
        verbose_name = _("funding scenario")
        verbose_name_plural = _("funding scenarios")

    def __str__(self) -> str:
        return self.name


class ScenarioChoice(models.TextChoices):
    SELECT = "select", _("Select")
    RESERVE = "reserve", _("Reserve")
    NONE = "none", _("Not selected")


class ScenarioLine(models.Model):
    """One ranked proposal in a scenario: its choice and, when it differs from the request, the
    national funding over the pilot years the scenario gives it."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="lines",
                                 verbose_name=_("funding scenario"))
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("proposal"))
    choice = models.CharField(_("choice"), max_length=10, choices=ScenarioChoice.choices, default=ScenarioChoice.NONE)
    amount_won = models.BigIntegerField(_("national funding (override)"), null=True, blank=True,
                                        validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["scenario_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "proposal"], name="one_line_per_scenario_proposal"),
            models.CheckConstraint(condition=models.Q(amount_won__gte=0), name="scenario_amount_not_negative"),
        ]
        verbose_name = _("scenario line")
        verbose_name_plural = _("scenario lines")

    def __str__(self) -> str:
        return f"{self.scenario}: {self.proposal_id} {self.choice}"
