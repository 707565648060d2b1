"""The audit trail: one append-only table that answers "who changed this, and when".

Two sources write to it:
- explicit events (`audit.services.record`) where a service knows the intent:
  a proposal submitted, a selection, a funding decision approved, scores
  reopened with a reason, an export;
- field-level changes seen by django-auditlog on the registered models (its
  LogEntry rows are copied here, see `audit.registry`), so edits made anywhere,
  the Django admin included, are on the same trail.

Rows are never changed or deleted: `save()` refuses an update, `delete()` and
the queryset's `update()`/`delete()` raise, and on PostgreSQL a trigger refuses
UPDATE and DELETE of the table (migration 0002).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    # Explicit events (intent)
    PROPOSAL_STATE = "proposal_state", _("Proposal state change")
    ELIGIBILITY = "eligibility", _("Eligibility check")
    SELECTION = "selection", _("Selection decision")
    FUNDING_PREPARE = "funding_prepare", _("Funding decision prepared")
    FUNDING_APPROVE = "funding_approve", _("Funding decision approved")
    SCORE_SUBMIT = "score_submit", _("Scores submitted")
    SCORE_REOPEN = "score_reopen", _("Scores reopened")
    PANEL_ASSIGN = "panel_assign", _("Expert assigned")
    PANEL_UNASSIGN = "panel_unassign", _("Expert unassigned")
    OBJECTION = "objection", _("Objection lodged, answered or re-evaluated")
    CALL_STATUS = "call_status", _("Call status change")
    USER_ACCOUNT = "user_account", _("User role, region or activity change")
    PERMISSIONS = "permissions", _("Permission or group change")
    EXPORT = "export", _("Export")
    REVIEWER_LIST = "reviewer_list", _("Applicant's reviewer list changed")
    PANEL_RULE = "panel_rule", _("Panel chair named or applicant's exclusion overridden")
    # Funded projects (projects app)
    REPORT_STATE = "report_state", _("Annual report submitted, accepted or returned")
    STAGE_ROUND = "stage_round", _("Stage evaluation round opened or started")
    STAGE_OUTCOME = "stage_outcome", _("Stage evaluation outcome decided")
    CONDITION = "condition", _("Condition closed")
    PLAN_STATE = "plan_state", _("Follow-up plan submitted, returned, endorsed or approved")
    # Evaluator quality record and stage grades (issue 15)
    EXPERT_EXCLUDE = "expert_exclude", _("Expert excluded from later panels")
    STAGE_GRADE = "stage_grade", _("Stage evaluation graded")
    GOOD_FAITH = "good_faith", _("Good-faith review opened or decided")
    SANCTION = "sanction", _("Sanction recorded")
    OUTCOME = "outcome", _("Project outcome reported, confirmed or rejected")
    # Identity (issue 14)
    SECOND_FACTOR = "second_factor", _("Second factor enrolled, renewed or removed")
    # Log-in sessions (accounts): a person ended their other sessions from "My sessions".
    SESSION_END = "session_end", _("Log-in session ended by its owner")
    # Identity (issue 14): single sign-on and the break-glass administrator
    SSO_BINDING = "sso_binding", _("Single sign-on identity bound to an account")
    BREAK_GLASS = "break_glass", _("Break-glass administrator named or removed")
    BREAK_GLASS_LOGIN = "break_glass_login", _("Break-glass administrator logged in")
    # Access log of personal data (audit.personal_data): its entries deleted after the retention period
    PERSONAL_DATA_PURGE = "personal_data_purge", _("Personal data access log purged")
    # The read API (issue 19): personal access tokens and service accounts
    API_TOKEN = "api_token", _("API token created or revoked")
    # Public pages (issue 19): applicants' questions answered, notices published
    PUBLIC_BOARD = "public_board", _("Public question answered or notice published")
    # Grant agreements and amendments (issue 18, agreements app)
    AGREEMENT_STATE = "agreement_state", _("Grant agreement prepared, issued, accepted or in force")
    AMENDMENT_STATE = "amendment_state", _("Agreement amendment requested, approved or refused")
    PAYMENT = "payment", _("Payment schedule set or payment recorded")
    CARRY_OVER = "carry_over", _("Carry-over requested, approved or refused")
    SETTLEMENT = "settlement", _("Year-end settlement opened, proposed, answered, confirmed, repaid or sanctioned")
    AMENDMENT_POLICY = "amendment_policy", _("Amendment thresholds of a call changed")
    # Middle-out planning (issue 17): guidelines published and read, candidate themes, opinions, the selection
    PLANNING = "planning", _("Planning guideline, candidate theme or theme selection")
    # Middle-out planning (issue 17): expert groups, feasibility reviews of candidate themes and their advice
    FEASIBILITY = "feasibility", _("Expert group or feasibility review of a candidate theme")
    # Two evaluation rounds (issue 16): the shortlist taken, presentation slots and attendance
    EVALUATION_ROUND = "evaluation_round", _("Presentation shortlist, slot or attendance recorded")
    # Cut-line scenarios (issue 16): a funding scenario saved or turned into prepared decisions
    FUNDING_SCENARIO = "funding_scenario", _("Funding scenario saved or turned into decisions")
    # Field-level changes seen by django-auditlog
    CREATED = "created", _("Record created")
    CHANGED = "changed", _("Record changed")
    DELETED = "deleted", _("Record deleted")

    @classmethod
    def for_proposal_move(cls, move: str) -> "AuditAction":
        """The action code of a proposals lifecycle move (proposals.services.lifecycle.MOVES)."""
        if move in {"pass_eligibility", "fail_eligibility"}:
            return cls.ELIGIBILITY
        if move in {"select", "reserve", "not_select"}:
            return cls.SELECTION
        return cls.PROPOSAL_STATE

    @classmethod
    def field_level(cls) -> set:
        return {cls.CREATED, cls.CHANGED, cls.DELETED}


class AuditSource(models.TextChoices):
    EVENT = "event", _("Decision or event")
    FIELDS = "fields", _("Field change")


class AuditImmutable(Exception):
    """An audit record was about to be changed or deleted."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditImmutable("audit records cannot be changed")

    def delete(self):
        raise AuditImmutable("audit records cannot be deleted")

    _raw_delete = delete


class AuditEvent(models.Model):
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    # No database FK constraint and no cascade: the trail outlives users and objects.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
                              null=True, blank=True, related_name="+", verbose_name=_("who"))
    actor_name = models.CharField(_("who (name at the time)"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=AuditAction.choices, db_index=True)
    source = models.CharField(_("source"), max_length=10, choices=AuditSource.choices, default=AuditSource.EVENT)
    content_type = models.ForeignKey(ContentType, on_delete=models.DO_NOTHING, db_constraint=False,
                                     null=True, blank=True, related_name="+", verbose_name=_("object type"))
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    log_entry_id = models.BigIntegerField(_("auditlog entry"), null=True, blank=True, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or '-'} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AuditImmutable("audit records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutable("audit records cannot be deleted")

    def diff(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every key of either side, in a stable order."""
        before = self.before if isinstance(self.before, dict) else ({} if self.before is None else {"": self.before})
        after = self.after if isinstance(self.after, dict) else ({} if self.after is None else {"": self.after})
        keys = list(dict.fromkeys([*before, *after]))
        return [(k, before.get(k), after.get(k)) for k in keys]


# --- Access to personal data (Korea's Personal Information Protection Act) ----------------------
# Every time someone other than the person reads an expert's contact details (a page's
# "show contact details", an export with contact details) one PersonalDataAccess row says
# who, when, why (a purpose from the list), what (which items), through which channel and
# whose details (PersonalDataSubject rows, one per person; an export has many). Rows are
# never changed; the schedule deletes them after PERSONAL_DATA_LOG_RETENTION_DAYS
# (audit.personal_data.personal_data_log_purge), and the purge itself is on the audit trail.


class AccessPurpose(models.TextChoices):
    RECRUITING = "recruiting", _("Recruiting for a panel")
    SCHEDULING = "scheduling", _("Evaluation scheduling")
    CONFLICT_CHECK = "conflict_check", _("Conflict-of-interest check")
    DOCUMENT_REQUEST = "document_request", _("Document request")
    OTHER = "other", _("Other")


class AccessChannel(models.TextChoices):
    PAGE = "page", _("Shown on a page")
    EXPORT = "export", _("Export")


class ContactItem(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")


class PersonalDataAccessQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditImmutable("personal data access records cannot be changed")


class PersonalDataAccess(models.Model):
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    # Like the audit trail: no database constraint, the record outlives the account.
    accessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
                                 null=True, blank=True, related_name="+", verbose_name=_("who"))
    accessor_name = models.CharField(_("who (name at the time)"), max_length=200, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=AccessChannel.choices)
    purpose = models.CharField(_("purpose"), max_length=20, choices=AccessPurpose.choices, db_index=True)
    purpose_detail = models.CharField(_("purpose (details)"), max_length=200, blank=True)
    items = models.JSONField(_("items"), default=list)
    description = models.CharField(_("what was read"), max_length=300, blank=True)
    row_count = models.PositiveIntegerField(_("rows exported"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = PersonalDataAccessQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data access log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.accessor_name or '-'} {self.get_purpose_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AuditImmutable("personal data access records cannot be changed")
        super().save(*args, **kwargs)

    def item_labels(self) -> list[str]:
        return [str(ContactItem(i).label) if i in ContactItem.values else i for i in self.items]


class PersonalDataSubject(models.Model):
    """One person whose details an access read (a page: one; an export: each row's expert)."""

    access = models.ForeignKey(PersonalDataAccess, on_delete=models.CASCADE, related_name="subjects",
                               verbose_name=_("access"))
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
                                null=True, blank=True, related_name="+", verbose_name=_("whose details"))
    subject_name = models.CharField(_("whose details (name at the time)"), max_length=200, blank=True)

    class Meta:
        ordering = ["access_id", "id"]
        verbose_name = _("person whose details were read")
        verbose_name_plural = _("people whose details were read")
        indexes = [models.Index(fields=["subject", "access"])]

    def __str__(self) -> str:
        return self.subject_name
