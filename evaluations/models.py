"""Experts, conflicts of interest, consulting rounds, panels and scores.

An `Assignment` ties one expert to one proposal for one purpose (consulting or
evaluation). Before the expert sees any content, they declare on the
assignment that they have no conflict (or declare one, which withdraws them).
A `Scoresheet` belongs to one evaluation assignment: one score per rubric
criterion, saved as a draft, then submitted and locked.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.upload_holders import UploadHolder
from programmes.models import RubricCriterion, localized


class ExpertSector(models.TextChoices):
    """Where an expert works, for the panel's mix (a call's composition rules)."""

    INDUSTRY = "industry", _("Industry")
    ACADEMIA = "academia", _("Academia")
    RESEARCH = "research", _("Research institute")
    OTHER = "other", _("Other")


class ExpertProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile", verbose_name=_("user")
    )
    affiliation = models.CharField(_("affiliation"), max_length=200)
    # The affiliation matched to the institutions registry on save (programmes.institutions);
    # may be a department of its institution.
    institution = models.ForeignKey(
        "programmes.Institution", on_delete=models.SET_NULL, null=True, blank=True, related_name="experts",
        verbose_name=_("institution"))
    home_region = models.ForeignKey(
        "programmes.Region", on_delete=models.PROTECT, related_name="experts", verbose_name=_("home region")
    )
    industries = models.ManyToManyField(
        "programmes.StrategicIndustry", related_name="experts", blank=True, verbose_name=_("fields of expertise")
    )
    sector = models.CharField(_("sector"), max_length=20, choices=ExpertSector.choices, blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    available = models.BooleanField(_("available"), default=True)

    class Meta:
        verbose_name = _("expert profile")
        verbose_name_plural = _("expert profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.affiliation})"


class AssignmentKind(models.TextChoices):
    CONSULTING = "consulting", _("Consulting")
    EVALUATION = "evaluation", _("Evaluation")
    STAGE = "stage", _("Stage evaluation")
    # A new panel's evaluation of a proposal whose objection was upheld (see Objection); its
    # scores are kept apart from the original round's.
    REEVALUATION = "reevaluation", _("Re-evaluation after an objection")


class EvaluationRound(models.IntegerChoices):
    """A call with two rounds (Call.evaluation_rounds): the written review of every eligible
    proposal, then the presentation of the shortlisted ones. A one-round call uses round 1 only."""

    WRITTEN = 1, _("Written review")
    PRESENTATION = 2, _("Presentation")


class Assignment(models.Model):
    kind = models.CharField(pgettext_lazy("assignment", "kind"), max_length=20, choices=AssignmentKind.choices)
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("expert")
    )
    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.CASCADE, related_name="assignments", verbose_name=_("proposal")
    )
    # Set for kind "stage" only: the funded project's evaluation at the end of this stage
    # (one per project and stage; the project is the proposal's).
    stage_number = models.PositiveSmallIntegerField(_("stage evaluated"), null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("assigned by"))
    assigned_at = models.DateTimeField(auto_now_add=True, verbose_name=_("assigned at"))
    # Conflict-of-interest declaration, made before any content is shown.
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True)
    conflict_declared = models.BooleanField(_("conflict declared"), default=False)
    conflict_note = models.TextField(_("conflict"), blank=True)
    # The panel's chair (위원장), named by staff (services.composition.panel_set_chair).
    is_chair = models.BooleanField(_("chair"), default=False)
    # The call's declared grounds (programmes.ConflictGround) the expert answered yes to.
    conflict_grounds = models.JSONField(_("grounds declared"), default=list, blank=True)
    # Selection evaluations of a two-round call: 1 written, 2 presentation (other kinds: 1).
    round = models.PositiveSmallIntegerField(_("evaluation round"), choices=EvaluationRound.choices,
                                             default=EvaluationRound.WRITTEN)

    class Meta:
        ordering = ["proposal_id", "expert_id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "expert", "proposal", "round"],
                                    condition=models.Q(stage_number=None), name="one_assignment_per_purpose_and_round"),
            models.UniqueConstraint(fields=["expert", "proposal", "stage_number"],
                                    condition=models.Q(kind="stage"), name="one_assignment_per_stage_evaluation"),
            models.CheckConstraint(
                condition=models.Q(kind="stage", stage_number__isnull=False)
                | (~models.Q(kind="stage") & models.Q(stage_number__isnull=True)),
                name="stage_assignment_has_stage_number",
            ),
            models.UniqueConstraint(fields=["proposal", "round"], condition=models.Q(kind="evaluation", is_chair=True),
                                    name="one_chair_per_panel_and_round"),
        ]
        indexes = [models.Index(fields=["expert", "kind"])]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.expert} → {self.proposal_id}"

    def criteria(self):
        """The rubric this assignment scores against: the call's rubric for the
        evaluation of that stage for a stage evaluation, else the call's selection rubric."""
        if self.stage_number is not None:
            return RubricCriterion.objects.for_stage(call_id=self.proposal.call_id, stage_number=self.stage_number)
        return self.proposal.call.criteria.all()

    @property
    def is_active(self) -> bool:
        return not self.conflict_declared

    @property
    def is_cleared(self) -> bool:
        """Declared no conflict: the content may be shown."""
        return self.declared_at is not None and not self.conflict_declared


class ConfidentialityPledge(models.Model):
    """The expert's signed confidentiality pledge (보안서약) for one call: signed once, before
    any proposal content of the call is shown to them; separate from each assignment's
    conflict declaration. A pledge bound to a feasibility review (`theme_review`) covers that review
    only: signed before the candidate theme is shown (services.pledges, one text per scope)."""

    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pledges",
                               verbose_name=_("expert"))
    call = models.ForeignKey("programmes.Call", on_delete=models.CASCADE, related_name="pledges",
                             verbose_name=_("call"))
    theme_review = models.OneToOneField("ThemeReview", on_delete=models.CASCADE, null=True, blank=True,
                                        related_name="pledge", verbose_name=_("feasibility review"))
    signed_name = models.CharField(_("signed by (name)"), max_length=100)
    signed_at = models.DateTimeField(_("signed at"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["expert", "call"], condition=models.Q(theme_review__isnull=True),
                                               name="one_pledge_per_expert_and_call")]
        verbose_name = _("confidentiality pledge")
        verbose_name_plural = _("confidentiality pledges")

    def __str__(self) -> str:
        return f"{self.expert} · {self.call_id}"


class ConsultingRound(models.Model):
    """One round of the middle-out loop: experts comment on a frozen version."""

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="consulting_rounds",
                                 verbose_name=_("proposal"))
    number = models.PositiveSmallIntegerField(_("round"))
    version = models.ForeignKey("proposals.ProposalVersion", on_delete=models.PROTECT, related_name="+", verbose_name=_("version"))
    opened_at = models.DateTimeField(auto_now_add=True, verbose_name=_("opened at"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["proposal", "number"], name="one_round_number")]
        verbose_name = _("consulting round")
        verbose_name_plural = _("consulting rounds")

    def __str__(self) -> str:
        return f"{self.proposal_id} round {self.number}"


class PlanSection(models.TextChoices):
    OVERVIEW = "overview", _("Overview")
    GOALS = "goals", _("Goals and KPIs")
    ROADMAP = "roadmap", _("Stage roadmap")
    BUDGET = "budget", _("Budget plan")
    LINKS = "links", _("Linked projects")


class ConsultingComment(models.Model):
    round = models.ForeignKey(ConsultingRound, on_delete=models.CASCADE, related_name="comments", verbose_name=_("round"))
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="comments",
                                   verbose_name=pgettext_lazy("model field", "assignment"))
    section = models.CharField(_("section"), max_length=20, choices=PlanSection.choices)
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["round__number", "section", "created_at"]
        verbose_name = _("consulting comment")
        verbose_name_plural = _("consulting comments")

    def __str__(self) -> str:
        return self.text[:40]


class CommentAnswer(models.Model):
    comment = models.OneToOneField(ConsultingComment, on_delete=models.CASCADE, related_name="answer", verbose_name=_("comment"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author"))
    text = models.TextField(_("answer"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("answer to a comment")
        verbose_name_plural = _("answers to comments")

    def __str__(self) -> str:
        return self.text[:40]


class ScoresheetState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Confidence(models.IntegerChoices):
    """How sure the evaluator is of their scores; the weight of their total when the call weighs
    by confidence (services.aggregation). A sheet without one (scored before confidence was
    asked) counts as medium."""

    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")


class Scoresheet(models.Model):
    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="scoresheet",
                                      verbose_name=pgettext_lazy("model field", "assignment"))
    # Moved only by services.scoring.scoresheet_transition (its table: save a draft, submit, reopen).
    state = models.CharField(max_length=20, choices=ScoresheetState.choices, default=ScoresheetState.DRAFT, verbose_name=_("state"))
    overall_comment = models.TextField(_("overall comment"), blank=True)
    # Required at submission; empty on sheets submitted before it was asked (they count as medium).
    confidence = models.PositiveSmallIntegerField(_("confidence"), choices=Confidence.choices, null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("submitted at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("scoresheet")
        verbose_name_plural = _("scoresheets")

    def __str__(self) -> str:
        return f"scoresheet {self.assignment_id}"

    @property
    def is_locked(self) -> bool:
        return self.state == ScoresheetState.SUBMITTED


class Score(models.Model):
    scoresheet = models.ForeignKey(Scoresheet, on_delete=models.CASCADE, related_name="scores", verbose_name=_("scoresheet"))
    criterion = models.ForeignKey("programmes.RubricCriterion", on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion"))
    value = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scoresheet", "criterion"], name="one_score_per_criterion")]
        verbose_name = _("score")
        verbose_name_plural = _("scores")

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value}"


class ScoresheetEvent(models.Model):
    """Submissions and reopenings, with who and why (scores are never edited silently)."""

    scoresheet = models.ForeignKey(Scoresheet, on_delete=models.CASCADE, related_name="events", verbose_name=_("scoresheet"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("done by"))
    action = models.CharField(max_length=20, verbose_name=pgettext_lazy("model field", "action"))
    reason = models.TextField(blank=True, verbose_name=_("reason"))
    at = models.DateTimeField(auto_now_add=True, verbose_name=_("date and time"))

    class Meta:
        ordering = ["-at"]
        verbose_name = _("scoresheet event")
        verbose_name_plural = _("scoresheet events")

    def __str__(self) -> str:
        return self.action


class PanelResult(models.Model):
    """The panel's consensus comment and the decision's reason for one proposal."""

    proposal = models.OneToOneField("proposals.Proposal", on_delete=models.CASCADE, related_name="panel_result", verbose_name=_("proposal"))
    consensus_comment = models.TextField(_("panel's consensus comment"), blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("updated by"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("panel result")
        verbose_name_plural = _("panel results")

    def __str__(self) -> str:
        return f"panel result {self.proposal_id}"


class CommentRating(models.Model):
    """How useful an evaluator's comments were, 1 to 5: rated by the lead region's officials
    (after the announcement, anonymised) and by staff. One rating per person and scoresheet;
    rating again changes it."""

    scoresheet = models.ForeignKey(Scoresheet, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("scoresheet"))
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("rated by"))
    value = models.PositiveSmallIntegerField(_("usefulness"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    rated_at = models.DateTimeField(auto_now=True, verbose_name=_("rated at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scoresheet", "rater"], name="one_rating_per_rater"),
            models.CheckConstraint(condition=models.Q(value__gte=1, value__lte=5), name="rating_one_to_five"),
        ]
        verbose_name = _("comment rating")
        verbose_name_plural = _("comment ratings")

    def __str__(self) -> str:
        return f"{self.scoresheet_id}: {self.value}"


class ExpertExclusion(models.Model):
    """Staff left an expert out of later panels (evaluation and stage), for the reason given,
    after reading their quality record in `call`."""

    expert = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exclusion",
                                  verbose_name=_("expert"))
    call = models.ForeignKey("programmes.Call", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("call"))
    reason = models.TextField(_("reason"))
    excluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("excluded by"))
    excluded_at = models.DateTimeField(_("excluded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("expert exclusion")
        verbose_name_plural = _("expert exclusions")

    def __str__(self) -> str:
        return f"{self.expert}: {self.reason[:40]}"
# --- Objections (이의신청) -------------------------------------------------------------------


class ObjectionState(models.TextChoices):
    LODGED = "lodged", _("Lodged")
    UNDER_REVIEW = "under_review", _("Under review")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")
    RE_EVALUATED = "re_evaluated", _("Re-evaluated")


class ObjectionRemedy(models.TextChoices):
    RE_EVALUATION = "re_evaluation", _("Re-evaluation by a new panel")
    CORRECTION = "correction", _("Corrected decision")


class Objection(models.Model):
    """The lead region's objection to its proposal's result, within the call's objection
    period after the announcement; one per proposal. Moved only by
    services.objections.objection_transition (its table: review, uphold, dismiss, close
    the re-evaluation)."""

    proposal = models.OneToOneField("proposals.Proposal", on_delete=models.PROTECT, related_name="objection",
                                    verbose_name=_("proposal"))
    state = models.CharField(_("state"), max_length=20, choices=ObjectionState.choices,
                             default=ObjectionState.LODGED, db_index=True)
    grounds = models.TextField(_("grounds"))
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("lodged by"))
    lodged_at = models.DateTimeField(_("lodged at"))
    # The answer: for "dismissed" the reasons, for "upheld" what was found.
    answer = models.TextField(_("answer"), blank=True)
    remedy = models.CharField(_("remedy"), max_length=20, choices=ObjectionRemedy.choices, blank=True)
    correction = models.TextField(_("corrected decision"), blank=True)
    reevaluation_deadline = models.DateField(_("re-evaluation scores due"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("answered by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reevaluation_result = models.TextField(_("re-evaluation result"), blank=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["-lodged_at", "-id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        constraints = [
            models.CheckConstraint(condition=~models.Q(grounds=""), name="objection_has_grounds"),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.proposal_id}"

    @property
    def is_answered(self) -> bool:
        return self.state in {ObjectionState.UPHELD, ObjectionState.DISMISSED, ObjectionState.RE_EVALUATED}

    @property
    def is_reevaluation(self) -> bool:
        return self.remedy == ObjectionRemedy.RE_EVALUATION


def objection_attachment_path(instance, filename: str) -> str:
    # Never the user's file name on disk.
    return f"objections/{instance.objection.proposal_id}/{uuid.uuid4().hex}{instance.extension}"


class ObjectionAttachment(UploadHolder):
    """A file with an objection (the common fields: core's UploadHolder)."""

    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("objection"))
    file = models.FileField(upload_to=objection_attachment_path, max_length=300, verbose_name=_("file"))
    kind = models.CharField(_("file type"), max_length=20)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("objection attachment")
        verbose_name_plural = _("objection attachments")


class UnsuitableReviewer(models.Model):
    """A person the lead region considers unsuitable to evaluate its proposal, with its reason:
    an expert of the pool, or a name and institution. Never shown to experts. A pool expert
    named here is left out of the proposal's panel unless staff override, with a reason."""

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="unsuitable_reviewers",
                                 verbose_name=_("proposal"))
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("expert from the pool"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    reason = models.TextField(_("reason"))
    named_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("named by"))
    named_at = models.DateTimeField(auto_now_add=True, verbose_name=_("named at"))
    override_reason = models.TextField(_("reason for overriding"), blank=True)
    overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("overruled by"))
    overridden_at = models.DateTimeField(null=True, blank=True, verbose_name=_("overruled at"))

    class Meta:
        ordering = ["named_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "expert"], condition=models.Q(expert__isnull=False),
                                    name="one_unsuitable_entry_per_expert"),
            models.CheckConstraint(condition=models.Q(expert__isnull=False) | ~models.Q(name=""),
                                   name="unsuitable_names_someone"),
        ]
        verbose_name = _("unsuitable reviewer")
        verbose_name_plural = _("unsuitable reviewers")

    def __str__(self) -> str:
        return str(self.expert) if self.expert_id else self.name

    @property
    def is_overridden(self) -> bool:
        return bool(self.overridden_at)


class SuggestedField(models.Model):
    """A field of expertise the lead region suggests for its panel: one of the portal's
    strategic industries, or free text."""

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="suggested_fields",
                                 verbose_name=_("proposal"))
    industry = models.ForeignKey("programmes.StrategicIndustry", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("field of expertise"))
    text = models.CharField(_("field (free text)"), max_length=200, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("added by"))
    added_at = models.DateTimeField(auto_now_add=True, verbose_name=_("added at"))

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(industry__isnull=False) | ~models.Q(text=""),
                                   name="suggested_field_names_a_field"),
        ]
        verbose_name = _("suggested field of expertise")
        verbose_name_plural = _("suggested fields of expertise")

    def __str__(self) -> str:
        return str(self.industry) if self.industry_id else self.text


class ZonePanelMember(models.Model):
    """One expert of a zone's panel (권역 평가위원회, services.zones): the panel scores every
    proposal of its zone through the per-proposal Assignments its members get; a member
    conflicted on one proposal has no assignment (or a declared conflict) on that one.
    An expert sits on at most one zone panel of a call."""

    call = models.ForeignKey("programmes.Call", on_delete=models.CASCADE, related_name="zone_members",
                             verbose_name=_("call"))
    zone = models.ForeignKey("programmes.CallZone", on_delete=models.CASCADE, related_name="members",
                             verbose_name=_("zone"))
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="zone_panels",
                               verbose_name=_("expert"))
    is_chair = models.BooleanField(_("chair"), default=False)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("assigned by"))
    added_at = models.DateTimeField(auto_now_add=True, verbose_name=_("assigned at"))

    class Meta:
        ordering = ["zone_id", "-is_chair", "expert_id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "expert"], name="one_zone_panel_per_expert_and_call"),
            models.UniqueConstraint(fields=["zone"], condition=models.Q(is_chair=True), name="one_chair_per_zone"),
        ]
        verbose_name = _("zone panel member")
        verbose_name_plural = _("zone panel members")

    def __str__(self) -> str:
        return f"{self.zone}: {self.expert}"


class ShortlistEntry(models.Model):
    """A proposal invited to the presentation round of its two-round call, with its written-round
    place and score when the shortlist was taken (services.rounds.shortlist_take)."""

    proposal = models.OneToOneField("proposals.Proposal", on_delete=models.CASCADE, related_name="shortlist_entry",
                                    verbose_name=_("proposal"))
    call = models.ForeignKey("programmes.Call", on_delete=models.CASCADE, related_name="shortlist",
                             verbose_name=_("call"))
    written_rank = models.PositiveSmallIntegerField(_("place in the written round"))
    written_score = models.DecimalField(_("written round score"), max_digits=7, decimal_places=3)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("shortlisted by"))
    taken_at = models.DateTimeField(_("shortlisted at"), auto_now_add=True)

    class Meta:
        ordering = ["call_id", "written_rank"]
        constraints = [models.UniqueConstraint(fields=["call", "written_rank"], name="one_shortlist_place")]
        verbose_name = _("shortlisted proposal")
        verbose_name_plural = _("shortlisted proposals")

    def __str__(self) -> str:
        return f"{self.call_id} #{self.written_rank}: {self.proposal_id}"


class Attendance(models.TextChoices):
    ATTENDED = "attended", _("Attended")
    ABSENT = "absent", _("Absent")


class PresentationSlot(models.Model):
    """When and where a shortlisted proposal presents to its presentation panel (round 2), set by
    staff within the call's presentation dates (services.rounds.slot_set). The invitation is the
    one thing of the results a region learns before the announcement (proposals.disclosure)."""

    proposal = models.OneToOneField("proposals.Proposal", on_delete=models.CASCADE, related_name="presentation_slot",
                                    verbose_name=_("proposal"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    attendance = models.CharField(_("attendance"), max_length=10, choices=Attendance.choices, blank=True)
    uid = models.UUIDField(_("calendar event id"), default=uuid.uuid4, editable=False, unique=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("scheduled by"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"),
            models.CheckConstraint(condition=~models.Q(place="") | ~models.Q(online_link=""), name="slot_has_a_place"),
        ]
        verbose_name = _("presentation slot")
        verbose_name_plural = _("presentation slots")

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.starts_at:%Y-%m-%d %H:%M}"


# --- Middle-out planning, phase 2: the government's expert groups and feasibility reviews (issue 17) ------


class ExpertGroup(models.Model):
    """A named government expert group (전문가 그룹) of a call's planning period: its members review the
    feasibility of the regions' candidate themes; one of them chairs it."""

    call = models.ForeignKey("programmes.Call", on_delete=models.CASCADE, related_name="expert_groups",
                             verbose_name=_("call"))
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["call_id", "name_ko", "pk"]
        constraints = [models.UniqueConstraint(fields=["call", "name_ko"], name="one_expert_group_name_per_call")]
        verbose_name = _("expert group")
        verbose_name_plural = _("expert groups")

    def __str__(self) -> str:
        return localized(self.name_ko, self.name_en)


class ExpertGroupMember(models.Model):
    group = models.ForeignKey(ExpertGroup, on_delete=models.CASCADE, related_name="members",
                              verbose_name=_("expert group"))
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_groups",
                               verbose_name=_("expert"))
    is_chair = models.BooleanField(_("chair"), default=False)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("added by"))
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["group_id", "-is_chair", "expert__display_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["group", "expert"], name="one_membership_per_expert_and_group"),
            models.UniqueConstraint(fields=["group"], condition=models.Q(is_chair=True), name="one_chair_per_group"),
        ]
        verbose_name = _("expert group member")
        verbose_name_plural = _("expert group members")

    def __str__(self) -> str:
        return f"{self.group}: {self.expert}"


class Recommendation(models.TextChoices):
    RECOMMEND = "recommend", _("Recommend")
    WITH_CHANGES = "with_changes", _("Recommend with changes")
    NOT_RECOMMENDED = "not_recommended", _("Not recommended")


class ReviewState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for changes")
    UNASSIGNED = "unassigned", _("Unassigned by ministry staff")


class Grade(models.IntegerChoices):
    """A rubric item's short grade (5 best)."""

    EXCELLENT = 5, _("5 – excellent")
    GOOD = 4, _("4 – good")
    FAIR = 3, _("3 – fair")
    WEAK = 2, _("2 – weak")
    POOR = 1, _("1 – poor")


# The feasibility rubric: field prefix → label (each has `<prefix>_grade` and `<prefix>_comment`).
FEASIBILITY_RUBRIC = (
    ("feasibility", _("Feasibility of the strategic source research")),
    ("originality", _("Originality")),
    ("regional_fit", _("Regional fit")),
    ("application", _("Path to application")),
)


def _grade_field():
    return models.PositiveSmallIntegerField(_("grade"), choices=Grade.choices, null=True, blank=True)


class ThemeReview(models.Model):
    """One expert's feasibility review of one candidate theme (a kind of expert assignment: the conflict
    service decides who may take it, the expert declares before reading the theme). Moved only by
    services.feasibility.review_transition (its table: save a draft, submit, return)."""

    theme = models.ForeignKey("proposals.CandidateTheme", on_delete=models.CASCADE, related_name="feasibility_reviews",
                              verbose_name=_("candidate theme"))
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="theme_reviews",
                               verbose_name=_("expert"))
    group = models.ForeignKey(ExpertGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviews",
                              verbose_name=_("expert group"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("assigned by"))
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True)
    conflict_declared = models.BooleanField(_("conflict declared"), default=False)
    conflict_note = models.TextField(_("conflict"), blank=True)
    state = models.CharField(_("state"), max_length=20, choices=ReviewState.choices, default=ReviewState.DRAFT)
    feasibility_grade = _grade_field()
    feasibility_comment = models.TextField(_("comment"), blank=True)
    originality_grade = _grade_field()
    originality_comment = models.TextField(_("comment"), blank=True)
    regional_fit_grade = _grade_field()
    regional_fit_comment = models.TextField(_("comment"), blank=True)
    application_grade = _grade_field()
    application_comment = models.TextField(_("comment"), blank=True)
    recommendation = models.CharField(_("recommendation"), max_length=20, choices=Recommendation.choices, blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    returned_reason = models.TextField(_("why it was returned"), blank=True)
    unassigned_reason = models.TextField(_("why it was unassigned"), blank=True)
    unassigned_at = models.DateTimeField(_("unassigned at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["theme_id", "expert_id"]
        constraints = [
            models.UniqueConstraint(fields=["theme", "expert"], name="one_review_per_expert_and_theme"),
            models.CheckConstraint(condition=~models.Q(state="submitted") | (~models.Q(recommendation="")
                                                                               & ~models.Q(reasons="")),
                                   name="submitted_review_has_recommendation_and_reasons"),
        ]
        verbose_name = _("feasibility review")
        verbose_name_plural = _("feasibility reviews")

    def __str__(self) -> str:
        return f"{self.expert} → {self.theme_id}"

    @property
    def is_cleared(self) -> bool:
        """Pledged, declared no conflict and still assigned: the theme may be shown."""
        return (self.declared_at is not None and not self.conflict_declared and self.is_pledged
                and self.state != ReviewState.UNASSIGNED)

    @property
    def is_pledged(self) -> bool:
        """The confidentiality pledge bound to this review is signed."""
        try:
            return self.pledge is not None
        except ObjectDoesNotExist:
            return False

    @property
    def is_editable(self) -> bool:
        return self.is_cleared and self.state in (ReviewState.DRAFT, ReviewState.RETURNED)

    def rubric(self) -> list[dict]:
        return [{"key": key, "label": label, "grade": getattr(self, f"{key}_grade"),
                 "grade_display": getattr(self, f"get_{key}_grade_display")(),
                 "comment": getattr(self, f"{key}_comment")} for key, label in FEASIBILITY_RUBRIC]
