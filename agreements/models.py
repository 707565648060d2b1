"""The grant agreement (협약) of a funded project and its versions.

- `Agreement`: one per funded project, made by staff from the approved funding decision.
- `AgreementVersion`: version 1 is the original; each approved amendment makes the next one.
  Its life (agreements.services.lifecycle): draft → issued → in force (every party accepted)
  → superseded (a later version came into force).
- `AgreementLine`: the money of a version, per year × region × source × spending category
  (national funds go to the lead research institution: no region; local funds per region; the
  category from programmes.categories — "unclassified" for money not yet put in one).
- `AgreementParty`: who must accept a version — the ministry, each participating region and
  the lead research institution. An acceptance is a stamp on the party row of that one
  version, so it can never count for another version.
- `AgreementDocument`: the version's signed Korean PDF, built by a worker (core.documents).
"""

import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.documents.models import OfficialDocument
from core.upload_holders import UploadHolder
from programmes.categories import SpendingCategory


class Agreement(models.Model):
    project = models.OneToOneField("projects.Project", on_delete=models.PROTECT, related_name="agreement",
                                   verbose_name=pgettext_lazy("model field", "project"))
    decision = models.ForeignKey("funding.FundingDecision", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=pgettext_lazy("model field", "funding decision"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["project_id"]
        verbose_name = _("grant agreement")
        verbose_name_plural = _("grant agreements")

    def __str__(self) -> str:
        return str(self.project)

    @property
    def reference(self) -> str:
        """The agreement's number, e.g. MEGA-2023-0003-A (each version adds -v1, -v2, …)."""
        return f"MEGA-{self.project.proposal.call.year}-{self.project.proposal_id:04d}-A"


class AgreementState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("agreement state", "Draft")
    ISSUED = "issued", _("Issued (awaiting acceptance)")
    IN_FORCE = "in_force", _("In force")
    SUPERSEDED = "superseded", _("Superseded")


class AgreementVersion(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions",
                                  verbose_name=_("grant agreement"))
    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=20, choices=AgreementState.choices, default=AgreementState.DRAFT)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    conditions = models.TextField(_("conditions"), blank=True)
    stage_rule = models.TextField(_("stage-evaluation rule"), blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("prepared by"))
    prepared_at = models.DateTimeField(_("prepared at"), auto_now_add=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("issued by"))
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    in_force_at = models.DateTimeField(_("in force since"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        ordering = ["agreement_id", "number"]
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="one_agreement_version_number"),
            models.UniqueConstraint(fields=["agreement"], condition=models.Q(state="in_force"),
                                    name="one_agreement_version_in_force"),
            models.UniqueConstraint(fields=["agreement"], condition=models.Q(state__in=["draft", "issued"]),
                                    name="one_open_agreement_version"),
            models.CheckConstraint(condition=models.Q(end_year__gte=models.F("start_year")),
                                   name="agreement_period_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} v{self.number}"

    @property
    def reference(self) -> str:
        return f"{self.agreement.reference}-v{self.number}"

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))


class FundSource(models.TextChoices):
    NATIONAL = "national", _("National funds")
    LOCAL = "local", _("Local funds")


class AgreementLine(models.Model):
    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="lines",
                                verbose_name=_("agreement version"))
    year = models.PositiveSmallIntegerField(_("year"))
    # National funds: none (paid to the lead research institution); local funds: the paying region.
    region = models.ForeignKey("programmes.Region", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("region"))
    source = models.CharField(_("source"), max_length=20, choices=FundSource.choices)
    category = models.CharField(_("spending category"), max_length=20, choices=SpendingCategory.choices,
                                default=SpendingCategory.UNCLASSIFIED)
    amount_won = models.BigIntegerField(_("amount"), validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["year", "source", "region__order", "category"]
        verbose_name = _("agreement amount")
        verbose_name_plural = _("agreement amounts")
        constraints = [
            models.UniqueConstraint(fields=["version", "year", "source", "region", "category"],
                                    name="one_agreement_line_per_category", condition=models.Q(region__isnull=False)),
            models.UniqueConstraint(fields=["version", "year", "source", "category"],
                                    name="one_national_agreement_line_per_category",
                                    condition=models.Q(region__isnull=True)),
            models.CheckConstraint(condition=models.Q(amount_won__gte=0), name="agreement_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.source} {self.region_id or '-'} {self.category}: {self.amount_won}"


class PartyKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    REGION = "region", _("Participating region")
    INSTITUTION = "institution", _("Lead research institution")


class AgreementParty(models.Model):
    """A party to one version. The institution's row names the lead region: its official
    accepts on the institution's behalf once the institution's head has signed (the
    acceptance records that declaration)."""

    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="parties",
                                verbose_name=_("agreement version"))
    kind = models.CharField(_("party"), max_length=20, choices=PartyKind.choices)
    region = models.ForeignKey("programmes.Region", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("region"))
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("accepted by"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        ordering = ["version_id", "order", "id"]
        verbose_name = _("party to an agreement")
        verbose_name_plural = _("parties to an agreement")
        constraints = [
            models.UniqueConstraint(fields=["version", "kind", "region"], name="one_party_per_version"),
            models.UniqueConstraint(fields=["version", "kind"], condition=models.Q(region__isnull=True),
                                    name="one_ministry_party_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.version} · {self.name}"

    @property
    def has_accepted(self) -> bool:
        return self.accepted_at is not None


class AgreementDocument(OfficialDocument):
    """The version's PDF: one per version (the one-to-one key makes the task idempotent)."""

    upload_dir = "agreements/"

    version = models.OneToOneField(AgreementVersion, on_delete=models.PROTECT, related_name="document",
                                   verbose_name=_("agreement version"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(auto_now_add=True, verbose_name=_("requested at"))

    class Meta:
        verbose_name = _("agreement document")
        verbose_name_plural = _("agreement documents")

    def __str__(self) -> str:
        return f"{self.version.reference} (PDF)"


class AmendmentKind(models.TextChoices):
    ORGANISATIONS = "organisations", _("Organisations")
    LEAD_RESEARCHER = "lead_researcher", _("The lead researcher")
    MONEY_CATEGORIES = "money_categories", _("Moving money between spending categories")
    MONEY_YEARS = "money_years", _("Moving money between years")
    PERIOD = "period", _("The period")


# The kinds that change money: each moves one amount.
MONEY_KINDS = frozenset({AmendmentKind.MONEY_CATEGORIES, AmendmentKind.MONEY_YEARS})


class AmendmentState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ENDORSED = "endorsed", _("Endorsed (awaiting a second staff member)")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    RETURNED = "returned", _("Returned to the region")


class AmendmentPolicy(models.Model):
    """A call's thresholds for amendments: a money move of at most `small_pct` per cent of the year's total
    and at most `small_max_won` won is small (one staff member approves); anything larger, and every
    change of organisations, lead researcher or period, needs a second staff member. A call without a
    row uses the defaults."""

    call = models.OneToOneField("programmes.Call", on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("call"))
    small_pct = models.DecimalField(_("small change: at most this share of the year's total (%)"), max_digits=5,
                                    decimal_places=2, default=10, validators=[MinValueValidator(0)])
    small_max_won = models.BigIntegerField(_("small change: at most this amount (won)"), default=100_000_000,
                                           validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("amendment policy")
        verbose_name_plural = _("amendment policies")

    def __str__(self) -> str:
        return f"{self.call}: {self.small_pct}% / {self.small_max_won}"


def amendment_attachment_path(instance, filename):
    return f"amendments/{instance.amendment.agreement_id}/{secrets.token_hex(16)}{instance.extension}"


class Amendment(models.Model):
    """A change to the agreement (변경 협약) the lead region's official requests, against the version in
    force (`base_version`). Money kinds move one amount (`from_*` → `to_*`); the period kind extends the
    last year (within the call's maximum total years); the organisations and lead-researcher kinds
    describe the change in `description`."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="amendments",
                                  verbose_name=_("grant agreement"))
    base_version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("version amended"))
    kind = models.CharField(_("kind of change"), max_length=20, choices=AmendmentKind.choices)
    state = models.CharField(_("state"), max_length=20, choices=AmendmentState.choices,
                             default=AmendmentState.REQUESTED)
    reasons = models.TextField(_("reasons"))
    description = models.TextField(_("the change"), blank=True)
    new_end_year = models.PositiveSmallIntegerField(_("new last year"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=FundSource.choices, blank=True)
    region = models.ForeignKey("programmes.Region", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("region"))
    from_year = models.PositiveSmallIntegerField(_("from year"), null=True, blank=True)
    from_category = models.CharField(_("from category"), max_length=20, choices=SpendingCategory.choices,
                                     blank=True)
    to_year = models.PositiveSmallIntegerField(_("to year"), null=True, blank=True)
    to_category = models.CharField(_("to category"), max_length=20, choices=SpendingCategory.choices, blank=True)
    amount_won = models.BigIntegerField(_("amount moved"), null=True, blank=True, validators=[MinValueValidator(1)])
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    endorsed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("endorsed by"))
    endorsed_at = models.DateTimeField(_("endorsed at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("reasons for the decision"), blank=True)
    new_version = models.OneToOneField(AgreementVersion, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="amendment", verbose_name=_("new version"))

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("agreement amendment")
        verbose_name_plural = _("agreement amendments")

    def __str__(self) -> str:
        return f"{self.agreement} · {self.get_kind_display()}"


class AmendmentAttachment(UploadHolder):
    """A file with an amendment request (the common fields: core's UploadHolder). Its table was made with
    a 32-bit size and no verbose names on the extension and the time: kept as they are."""

    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="attachments",
                                  verbose_name=_("agreement amendment"))
    file = models.FileField(_("file"), upload_to=amendment_attachment_path, max_length=300)
    extension = models.CharField(max_length=10)
    kind = models.CharField(max_length=10)
    size = models.PositiveIntegerField(_("size"))
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("amendment attachment")
        verbose_name_plural = _("amendment attachments")


# --- Payments (issue 18): the schedule, the disbursements, carry-over (agreements.services.payments) ---------


class Instalment(models.Model):
    """One instalment of the payment schedule: money of one year × source (× region for local funds) due on a
    date. National funds are disbursed by the ministry to the lead research institution; local funds are paid
    by each region. The amounts of a year × source × region add up to the agreement in force (`version`: the
    version they were last set from). What was paid is the sum of its `Payment` rows; an instalment with a
    payment never changes again."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="instalments",
                                  verbose_name=_("grant agreement"))
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("agreement version"))
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=20, choices=FundSource.choices)
    region = models.ForeignKey("programmes.Region", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("region"))
    number = models.PositiveSmallIntegerField(_("instalment"))
    due_date = models.DateField(_("due date"))
    amount_won = models.BigIntegerField(_("amount scheduled"), validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["agreement_id", "year", "source", "region__order", "number"]
        verbose_name = _("payment instalment")
        verbose_name_plural = _("payment instalments")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "year", "source", "region", "number"],
                                    name="one_local_instalment_number", condition=models.Q(region__isnull=False)),
            models.UniqueConstraint(fields=["agreement", "year", "source", "number"],
                                    name="one_national_instalment_number", condition=models.Q(region__isnull=True)),
            models.CheckConstraint(condition=models.Q(amount_won__gte=0), name="instalment_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} {self.year} {self.source} {self.region_id or '-'} #{self.number}"

    @property
    def group(self) -> tuple:
        return (self.year, self.source, self.region_id)


class Payment(models.Model):
    """A disbursement recorded against an instalment: staff for national funds, the paying region's official
    for its local funds."""

    instalment = models.ForeignKey(Instalment, on_delete=models.PROTECT, related_name="payments",
                                   verbose_name=_("payment instalment"))
    paid_on = models.DateField(_("date paid"))
    amount_won = models.BigIntegerField(_("amount paid"), validators=[MinValueValidator(1)])
    reference = models.CharField(_("reference"), max_length=100)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["instalment_id", "paid_on", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [models.CheckConstraint(condition=models.Q(amount_won__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.instalment} {self.paid_on}: {self.amount_won}"


class CarryOverState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class CarryOver(models.Model):
    """The lead region's request to carry unspent national funds of `year` into the next year (이월), within
    the call's limit (`Call.carry_over_max_pct` of the year's national funds) and the unspent amount; one staff
    member approves or refuses it. Approved, it raises the next year's available national funds."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="carry_overs",
                                  verbose_name=_("grant agreement"))
    year = models.PositiveSmallIntegerField(_("from year"))
    amount_won = models.BigIntegerField(_("amount carried over"), validators=[MinValueValidator(1)])
    reasons = models.TextField(_("reasons"))
    state = models.CharField(_("state"), max_length=20, choices=CarryOverState.choices,
                             default=CarryOverState.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("reasons for the decision"), blank=True)

    class Meta:
        ordering = ["agreement_id", "year", "id"]
        verbose_name = _("carry-over")
        verbose_name_plural = _("carry-overs")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_won__gt=0), name="carry_over_amount_positive"),
            models.UniqueConstraint(fields=["agreement", "year"], condition=models.Q(state="requested"),
                                    name="one_open_carry_over_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} {self.year}→{self.year + 1}: {self.amount_won}"

    @property
    def to_year(self) -> int:
        return self.year + 1


# --- Year-end settlement (정산, issue 18): agreements.services.settlement, docs/settlement.md -------------


class SettlementState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("settlement state", "Draft")
    PROPOSED = "proposed", _("Proposed to the region")
    DISPUTED = "disputed", _("Disputed by the region")
    ACCEPTED = "accepted", _("Accepted by the region")
    CONFIRMED = "confirmed", _("Confirmed (repayment due)")
    CLOSED = "closed", _("Closed")


class Settlement(models.Model):
    """The settlement of one project year: staff open it once the year's annual report is accepted, mark the
    disallowed items, propose it to the lead region; the region accepts or disputes (back to staff); a second
    staff member confirms it (four eyes: not the one who proposed it). The amounts are fixed when proposed
    (`*_due_won`); repayments are recorded until the amount due is paid in full (closed)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="settlements",
                                  verbose_name=_("grant agreement"))
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(_("state"), max_length=20, choices=SettlementState.choices,
                             default=SettlementState.DRAFT)
    national_due_won = models.BigIntegerField(_("national funds to return"), default=0,
                                              validators=[MinValueValidator(0)])
    local_due_won = models.BigIntegerField(_("local funds to return"), default=0, validators=[MinValueValidator(0)])
    due_on = models.DateField(_("repayment due date"), null=True, blank=True)
    answer_text = models.TextField(_("the region's answer"), blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("opened by"))
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("proposed by"))
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("answered by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["agreement_id", "year"]
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "year"], name="one_settlement_per_year"),
            models.CheckConstraint(condition=models.Q(national_due_won__gte=0, local_due_won__gte=0),
                                   name="settlement_due_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} {self.year}"

    @property
    def reference(self) -> str:
        return f"{self.agreement.reference}-S{self.year}"

    @property
    def amount_due_won(self) -> int:
        return self.national_due_won + self.local_due_won

    @property
    def is_editable(self) -> bool:
        """Staff change the items while it is a draft or disputed."""
        return self.state in (SettlementState.DRAFT, SettlementState.DISPUTED)


class SettlementItem(models.Model):
    """A disallowed item (불인정 금액): spending of the year staff do not recognise, with the reasons. Local funds
    name the region that spent them (returned to that region's account)."""

    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="items",
                                   verbose_name=_("settlement"))
    source = models.CharField(_("source"), max_length=20, choices=FundSource.choices)
    region = models.ForeignKey("programmes.Region", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("region"))
    category = models.CharField(_("spending category"), max_length=20, choices=SpendingCategory.choices)
    amount_won = models.BigIntegerField(_("amount disallowed"), validators=[MinValueValidator(1)])
    reason = models.TextField(_("reasons"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("added by"))
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["settlement_id", "id"]
        verbose_name = _("disallowed item")
        verbose_name_plural = _("disallowed items")
        constraints = [models.CheckConstraint(condition=models.Q(amount_won__gt=0),
                                              name="settlement_item_amount_positive")]

    def __str__(self) -> str:
        return f"{self.settlement} {self.source} {self.category}: {self.amount_won}"


# The timeline's names of the steps, read in the reader's language (the stored `label` is the writer's).
SETTLEMENT_STEP_LABELS = {
    "open": _("Opened"), "item_remove": _("Disallowed item taken back"), "propose": _("Propose to the region"),
    "accept": _("Accept"), "dispute": _("Dispute"), "confirm": _("Confirm"), "close": _("Close (repaid in full)"),
    "repayment": _("Repayment recorded"), "sanction": _("Sanction decided"),
}


class SettlementStep(models.Model):
    """One step of the settlement's timeline: who did what, when (with the region's or staff's text)."""

    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="steps",
                                   verbose_name=_("settlement"))
    action = models.CharField(_("step"), max_length=20)
    label = models.CharField(_("step"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["settlement_id", "at", "id"]
        verbose_name = _("settlement step")
        verbose_name_plural = _("settlement steps")

    def __str__(self) -> str:
        return f"{self.settlement} {self.action}"

    @property
    def shown_label(self) -> str:
        return str(SETTLEMENT_STEP_LABELS.get(self.action, self.label))


class SettlementRepayment(models.Model):
    """Money returned against a confirmed settlement (recovery): national funds to the ministry's account, local
    funds to the region's. Never more than is still due for the source."""

    settlement = models.ForeignKey(Settlement, on_delete=models.PROTECT, related_name="repayments",
                                   verbose_name=_("settlement"))
    source = models.CharField(_("source"), max_length=20, choices=FundSource.choices)
    paid_on = models.DateField(_("date paid"))
    amount_won = models.BigIntegerField(_("amount repaid"), validators=[MinValueValidator(1)])
    reference = models.CharField(_("reference"), max_length=100)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["settlement_id", "paid_on", "id"]
        verbose_name = _("repayment")
        verbose_name_plural = _("repayments")
        constraints = [models.CheckConstraint(condition=models.Q(amount_won__gt=0), name="repayment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.settlement} {self.paid_on}: {self.amount_won}"


class SettlementSanction(models.Model):
    """A decision taken on a confirmed settlement: the next year's national funding reduced by `amount_won`, with
    the reasons. Its own record (projects.Sanction belongs to a stage evaluation's good-faith review)."""

    settlement = models.ForeignKey(Settlement, on_delete=models.PROTECT, related_name="sanctions",
                                   verbose_name=_("settlement"))
    year = models.PositiveSmallIntegerField(_("year reduced"))
    amount_won = models.BigIntegerField(_("reduction of national funds"), validators=[MinValueValidator(1)])
    reasons = models.TextField(_("reasons"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["settlement_id", "recorded_at"]
        verbose_name = _("settlement sanction")
        verbose_name_plural = _("settlement sanctions")
        constraints = [models.CheckConstraint(condition=models.Q(amount_won__gt=0), name="sanction_amount_positive")]

    def __str__(self) -> str:
        return f"{self.settlement} → {self.year}: −{self.amount_won}"


class SettlementDocumentKind(models.TextChoices):
    STATEMENT = "statement", _("Settlement statement")
    NOTICE = "notice", _("Repayment notice")


class SettlementDocument(OfficialDocument):
    """The settlement statement (정산 결과서) and, when money is due, the repayment notice (반환 통지서): one row per
    settlement × kind (the key makes the task idempotent), built by a worker when the settlement is confirmed."""

    upload_dir = "settlements/"

    settlement = models.ForeignKey(Settlement, on_delete=models.PROTECT, related_name="documents",
                                   verbose_name=_("settlement"))
    kind = models.CharField(_("kind"), max_length=20, choices=SettlementDocumentKind.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(auto_now_add=True, verbose_name=_("requested at"))

    class Meta:
        ordering = ["settlement_id", "kind"]
        verbose_name = _("settlement document")
        verbose_name_plural = _("settlement documents")
        constraints = [models.UniqueConstraint(fields=["settlement", "kind"], name="one_settlement_document_kind")]

    def __str__(self) -> str:
        return f"{self.settlement.reference} {self.kind} (PDF)"
