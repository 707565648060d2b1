"""Regions, strategic industries, programmes and calls.

A call holds every rule of the programme that is a number (envelope, cap, pilot
and total years, local matching), so ministry staff can change them per call.
Money is an integer number of won; ratios are Decimals.
"""

import datetime
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

SEOUL = ZoneInfo("Asia/Seoul")


def localized(ko: str, en: str) -> str:
    """The English text when English is active and there is one; Korean otherwise."""
    if (get_language() or "ko").startswith("en") and en:
        return en
    return ko


def _as_local_date(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _end_of_day(day: datetime.date) -> datetime.datetime:
    """The instant `day` ends in Korea (the next day's midnight, Asia/Seoul)."""
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tzinfo=SEOUL)


def _window_day(day: datetime.date) -> str:
    """A window's day as written in Korean official text ("2027. 3. 1.") or in English (2027-03-01)."""
    if (get_language() or "ko").startswith("en"):
        return day.isoformat()
    return f"{day.year}. {day.month}. {day.day}."


class BilingualName(models.Model):
    """A Korean name first and an English one; `name` follows the active language."""

    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_ko, self.name_en)


class Region(BilingualName):
    """One of Korea's 17 metropolitan local governments (loaded by migration)."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class StrategicIndustry(BilingualName):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name_ko"]
        verbose_name = _("strategic industry")
        verbose_name_plural = _("strategic industries")


class Programme(BilingualName):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")


class CooperationType(models.TextChoices):
    SUPER_REGIONAL = "super_regional", _("Super-regional cooperation type")
    LEAP = "leap", _("Regional innovation leap type")


class MatchingBasis(models.TextChoices):
    NATIONAL = "national", _("Local funds ≥ a share of national funding")
    TOTAL = "total", _("Local funds ≥ a share of total project cost")


class CallStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    # "Open" and "Closed" say different things elsewhere (a round, a stage): the call's own context.
    OPEN = "open", pgettext_lazy("call status", "Open")
    CLOSED = "closed", pgettext_lazy("call status", "Closed")
    REVIEW = "review", _("Under review")
    ANNOUNCED = "announced", _("Results announced")


class PlanningPhase(models.TextChoices):
    """The three planning phases before the submission window (middle-out planning)."""

    DISCOVERY = "discovery", _("Theme discovery")
    SELECTION = "selection", _("Theme selection")
    PLANNING = "planning", _("Theme planning")


# The planning period's fields on a call, in order: when it opens and when each phase closes.
PLANNING_FIELDS = ("planning_start", "discovery_end", "selection_end", "planning_end")


class ConflictGround(models.TextChoices):
    """The national guideline's exclusion grounds for evaluators; each is on or off per call
    (`Call.coi_<value>`). The portal checks the first three itself; the expert declares the rest."""

    SAME_INSTITUTION = "same_institution", _("Same institution")
    SAME_DEPARTMENT = "same_department", _("Same department")
    COACHED = "coached", _("Coached the proposal")
    RELATIVES = "relatives", _("Relatives")
    TEACHER_STUDENT = "teacher_student", _("Teacher and student")
    MUTUAL_EVALUATION = "mutual_evaluation", _("Evaluated each other")
    PUBLIC_OFFICIAL = "public_official", _("Public official or agency staff")


AUTOMATIC_GROUNDS = (ConflictGround.SAME_INSTITUTION, ConflictGround.SAME_DEPARTMENT, ConflictGround.COACHED)
DECLARED_GROUNDS = (ConflictGround.RELATIVES, ConflictGround.TEACHER_STUDENT, ConflictGround.MUTUAL_EVALUATION,
                    ConflictGround.PUBLIC_OFFICIAL)


# Allowed moves of a call's status; anything else is refused by the service.
CALL_TRANSITIONS = {
    CallStatus.DRAFT: {CallStatus.OPEN},
    CallStatus.OPEN: {CallStatus.CLOSED, CallStatus.DRAFT},
    CallStatus.CLOSED: {CallStatus.REVIEW, CallStatus.OPEN},
    CallStatus.REVIEW: {CallStatus.ANNOUNCED},
    CallStatus.ANNOUNCED: set(),
}


MAX_SHORTLIST = 200  # a sensible bound for a presentation round; the eligible proposals bound it again


class Call(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="calls", verbose_name=_("programme")
    )
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CallStatus.choices, default=CallStatus.DRAFT, db_index=True
    )
    description = models.TextField(_("description"), blank=True)

    allows_super_regional = models.BooleanField(_("super-regional cooperation type allowed"), default=True)
    allows_leap = models.BooleanField(_("regional innovation leap type allowed"), default=True)
    eligible_regions = models.ManyToManyField(
        Region, related_name="calls", verbose_name=_("eligible regions"),
        help_text=_("Regions whose officials may apply."),
    )
    strategic_industries = models.ManyToManyField(
        StrategicIndustry, related_name="calls", blank=True, verbose_name=_("strategic industries")
    )

    envelope_won = models.BigIntegerField(
        _("national envelope (KRW)"), validators=[MinValueValidator(1)],
        help_text=_("Total national funding available to the call, in won."),
    )
    cap_won = models.BigIntegerField(
        _("per-project national cap (KRW)"), validators=[MinValueValidator(1)],
        help_text=_("Maximum national funding per project over the pilot, in won."),
    )
    pilot_years = models.PositiveSmallIntegerField(
        _("pilot years"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    max_total_years = models.PositiveSmallIntegerField(
        _("maximum total years"), default=10, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    min_local_matching_pct = models.DecimalField(
        _("minimum local matching (%)"), max_digits=5, decimal_places=2, default=Decimal("20.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Between 0 and 100."),
    )
    matching_basis = models.CharField(
        _("matching basis"), max_length=20, choices=MatchingBasis.choices, default=MatchingBasis.NATIONAL
    )
    carry_over_max_pct = models.DecimalField(
        _("carry-over limit (%)"), max_digits=5, decimal_places=2, default=Decimal("20.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Unspent national funds a project may carry into the next year, at most this share of the "
                    "year's national funds (0: no carry-over)."),
    )
    # Spending in the annual reports (projects.services.spending): the indirect costs never above this
    # share of the other costs, whatever an institution's approved rate; an equipment line above the
    # threshold only if the agreement in force approves equipment for that year.
    indirect_cap_pct = models.DecimalField(
        _("indirect costs cap (%)"), max_digits=5, decimal_places=2, default=Decimal("20.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Indirect costs may be at most this share of a region's other costs, per source and year, "
                    "even where an institution's approved rate is higher."),
    )
    equipment_threshold_won = models.BigIntegerField(
        _("equipment threshold (KRW)"), default=30_000_000, validators=[MinValueValidator(0)],
        help_text=_("Equipment spending above this amount needs equipment approved in the agreement for that year."),
    )
    reveal_expert_names = models.BooleanField(
        _("show consultant names to regions"), default=False,
        help_text=_("If off, regional officials see consulting comments without the experts' names."),
    )

    panel_size = models.PositiveSmallIntegerField(
        _("evaluators per proposal"), default=5, validators=[MinValueValidator(1), MaxValueValidator(15)]
    )
    score_comment_min_length = models.PositiveSmallIntegerField(
        _("minimum comment length per criterion"), default=20, validators=[MaxValueValidator(2000)],
        help_text=_("Characters an evaluator must write to justify each criterion's score."),
    )
    reveal_panel_names = models.BooleanField(
        _("show the panel's names with the results"), default=True,
        help_text=_("After the announcement, regions see who sat on the panel (never which score is whose)."),
    )

    objection_days = models.PositiveSmallIntegerField(
        _("objection period (days)"), default=14, validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("After the results are announced, the lead region may object until the end of this many "
                    "days (Korea time)."),
    )
    # Applicants naming reviewers, and the mix a panel must have (evaluations.services.composition).
    unsuitable_reviewers_max = models.PositiveSmallIntegerField(
        _("unsuitable reviewers a region may name"), default=3, validators=[MaxValueValidator(20)],
        help_text=_("Before the panels are formed, the lead region may name up to this many people it considers "
                    "unsuitable to evaluate its proposal (0: none)."),
    )
    panel_min_industry = models.PositiveSmallIntegerField(
        _("minimum panel members from industry"), default=0, validators=[MaxValueValidator(15)])
    panel_min_academia = models.PositiveSmallIntegerField(
        _("minimum panel members from academia"), default=0, validators=[MaxValueValidator(15)])
    panel_min_research = models.PositiveSmallIntegerField(
        _("minimum panel members from research institutes"), default=0, validators=[MaxValueValidator(15)])
    panel_max_per_institution = models.PositiveSmallIntegerField(
        _("maximum panel members from one institution"), default=0, validators=[MaxValueValidator(15)],
        help_text=_("0: no limit."),
    )
    panel_chair_required = models.BooleanField(
        _("each panel names a chair"), default=True,
    )
    # Zones (권역, CallZone): a call may evaluate its proposals by zone, one fixed panel per zone
    # (evaluations.services.zones). Read only when the call defines zones.
    zone_panel_size = models.PositiveSmallIntegerField(
        _("zone panel size"), default=7, validators=[MinValueValidator(1), MaxValueValidator(25)],
        help_text=_("Experts on each zone's panel (used only when the call defines zones)."),
    )
    zone_min_scorers = models.PositiveSmallIntegerField(
        _("minimum scorers per proposal"), default=5, validators=[MinValueValidator(1), MaxValueValidator(25)],
        help_text=_("A zone panel member conflicted on a proposal sits it out; each proposal keeps at least this "
                    "many scorers."),
    )
    zone_normalise = models.BooleanField(
        _("normalise scores within each zone"), default=True,
        help_text=_("Evaluators' totals are normalised against their own zone's scores instead of the whole call's."),
    )
    # Two evaluation rounds (evaluations.services.rounds): written (서면평가), then a presentation
    # (발표평가) of the shortlisted proposals; the final score combines both by these weights.
    evaluation_rounds = models.PositiveSmallIntegerField(
        _("evaluation rounds"), choices=[(1, _("One round")), (2, _("Written, then presentation"))], default=1)
    written_weight = models.PositiveSmallIntegerField(
        _("written round weight (%)"), default=40, validators=[MaxValueValidator(100)])
    presentation_weight = models.PositiveSmallIntegerField(
        _("presentation round weight (%)"), default=60, validators=[MaxValueValidator(100)],
        help_text=_("The two weights add up to 100."))
    shortlist_size = models.PositiveSmallIntegerField(
        _("proposals invited to present"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SHORTLIST)],
        help_text=_("The best proposals of the written round that go on to the presentation round."))
    presentation_start = models.DateField(_("presentation round opens"), null=True, blank=True)
    presentation_end = models.DateField(_("presentation round closes"), null=True, blank=True)
    # Read by evaluations.services.aggregation: the proposal's score is the confidence-weighted mean.
    weight_by_confidence = models.BooleanField(
        _("weigh scores by the evaluators' confidence"), default=False,
        help_text=_("The proposal's score becomes the mean of its evaluators' totals weighted 1, 2, 3 by their "
                    "stated confidence (low, medium, high) instead of the trimmed mean."),
    )
    # Read by evaluations (its requirement in accounts.twofactor): the call's experts log in with a second factor.
    experts_require_second_factor = models.BooleanField(
        _("experts log in with a second factor"), default=False,
        help_text=_("The experts assigned to this call's proposals must enrol an authenticator app and type its "
                    "code at every log-in."),
    )
    # Exclusion grounds (ConflictGround): the guideline's defaults; a ministry may waive some in narrow fields.
    coi_same_institution = models.BooleanField(
        _("exclude experts of a participating institution"), default=True,
        help_text=_("A foundation and its university count as one institution."))
    coi_same_department = models.BooleanField(
        _("exclude experts of a participating department"), default=False,
        help_text=_("Compares departments registered in the institutions registry."))
    coi_coached = models.BooleanField(
        _("exclude experts who coached the proposal"), default=True,
        help_text=_("A consultant on any version of a proposal never evaluates it."))
    coi_coached_stage = models.BooleanField(
        _("coaches also excluded from the project's stage evaluations"), default=True)
    coi_relatives = models.BooleanField(_("experts declare relatives"), default=True)
    coi_teacher_student = models.BooleanField(_("experts declare teacher–student relationships"), default=True)
    coi_mutual_evaluation = models.BooleanField(_("experts declare having evaluated each other"), default=True)
    coi_public_official = models.BooleanField(
        _("experts declare being a public official or agency staff"), default=True)

    # The optional planning period (three phases) before the submission window: all four dates or none.
    # Each phase closes at the end of its last day, Korea time.
    planning_start = models.DateField(_("planning period opens"), null=True, blank=True)
    discovery_end = models.DateField(_("theme discovery closes"), null=True, blank=True)
    selection_end = models.DateField(_("theme selection closes"), null=True, blank=True)
    planning_end = models.DateField(_("theme planning closes"), null=True, blank=True)
    consulting_start = models.DateField(_("consulting window opens"))
    consulting_end = models.DateField(_("consulting window closes"))
    submission_deadline = models.DateTimeField(_("submission deadline"))
    review_start = models.DateField(_("review window opens"))
    review_end = models.DateField(_("review window closes"))
    announcement_date = models.DateField(_("announcement date"))
    # Set when the status moves to "announced" (programmes.services.call_change_status).
    announced_at = models.DateTimeField(_("results announced at"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cap_won__lte=models.F("envelope_won")), name="call_cap_within_envelope"
            ),
            models.CheckConstraint(
                condition=models.Q(pilot_years__lte=models.F("max_total_years")), name="call_pilot_within_total"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def matching_rule(self) -> str:
        """The call's local matching rule in a plain sentence: "지방비는 국비의 20% 이상"."""
        pct = f"{Decimal(self.min_local_matching_pct):f}"
        pct = (pct.rstrip("0").rstrip(".") if "." in pct else pct) + "%"
        if self.matching_basis == MatchingBasis.TOTAL:
            return _("Local funds at least %(pct)s of the total project cost") % {"pct": pct}
        return _("Local funds at least %(pct)s of national funding") % {"pct": pct}

    def clean(self):
        errors = {}
        if self.envelope_won and self.cap_won and self.cap_won > self.envelope_won:
            errors["cap_won"] = _("The per-project cap cannot exceed the call's envelope.")
        if self.pilot_years and self.max_total_years and self.pilot_years > self.max_total_years:
            errors["pilot_years"] = _("The pilot cannot be longer than the maximum total years.")
        minimums = (self.panel_min_industry or 0) + (self.panel_min_academia or 0) + (self.panel_min_research or 0)
        if self.panel_size and minimums > self.panel_size:
            errors["panel_min_industry"] = _(
                "The minimum members from industry, academia and research institutes add up to %(sum)s, "
                "more than the %(size)s evaluators per proposal.") % {"sum": minimums, "size": self.panel_size}
        if self.zone_panel_size and self.zone_min_scorers and self.zone_min_scorers > self.zone_panel_size:
            errors["zone_min_scorers"] = _(
                "The minimum scorers per proposal (%(min)s) cannot exceed the zone panel size (%(size)s).") % {
                "min": self.zone_min_scorers, "size": self.zone_panel_size}
        errors.update(self._rounds_errors())
        if not (self.allows_super_regional or self.allows_leap):
            errors["allows_leap"] = _("Allow at least one cooperation type.")
        # The timeline must run forward: each date on or after the one before.
        order = [
            ("consulting_start", self.consulting_start),
            ("consulting_end", self.consulting_end),
            ("submission_deadline", self.submission_deadline),
            ("review_start", self.review_start),
            ("review_end", self.review_end),
            ("announcement_date", self.announcement_date),
        ]
        previous_name, previous = None, None
        for name, value in order:
            if value is None:
                continue
            day = _as_local_date(value)
            if previous is not None and day < previous:
                errors.setdefault(
                    name,
                    _("This date must be on or after “%(previous)s”.")
                    % {"previous": self._meta.get_field(previous_name).verbose_name},
                )
            previous_name, previous = name, day
        self._clean_planning_period(errors)
        if errors:
            raise ValidationError(errors)

    def _clean_planning_period(self, errors: dict) -> None:
        """All four planning dates or none; each phase lasts at least a day after the one before;
        the period ends before the submission deadline's day."""
        given = {name: getattr(self, name) for name in PLANNING_FIELDS}
        if not any(given.values()):
            return
        for name, value in given.items():
            if value is None:
                errors.setdefault(name, _("Give every date of the planning period, or none of them."))
        if any(value is None for value in given.values()):
            return
        previous_name = None
        for name in PLANNING_FIELDS:
            if previous_name is not None:
                earlier, later = given[previous_name], given[name]
                too_early = later < earlier if previous_name == "planning_start" else later <= earlier
                if too_early:
                    errors.setdefault(name, _("This date must be after “%(previous)s”.") % {
                        "previous": self._meta.get_field(previous_name).verbose_name})
            previous_name = name
        if self.submission_deadline and given["planning_end"] >= _as_local_date(self.submission_deadline):
            errors.setdefault("planning_end", _(
                "The planning period must close before the day of the submission deadline (%(day)s).")
                % {"day": _window_day(_as_local_date(self.submission_deadline))})

    @property
    def has_planning_period(self) -> bool:
        return self.planning_start is not None and self.planning_end is not None

    def planning_phases(self) -> list[dict]:
        """The planning period's phases in order — phase, first and last day, the instant it closes
        (end of the last day, Korea time) — or [] for a call without one."""
        if not self.has_planning_period:
            return []
        ends = [self.discovery_end, self.selection_end, self.planning_end]
        starts = [self.planning_start, self.discovery_end + datetime.timedelta(days=1),
                  self.selection_end + datetime.timedelta(days=1)]
        return [
            {"phase": phase, "start": start, "end": end, "closes_at": _end_of_day(end)}
            for phase, start, end in zip(PlanningPhase, starts, ends, strict=True)
        ]

    def planning_phase(self, phase: str) -> dict | None:
        return next((p for p in self.planning_phases() if p["phase"] == phase), None)

    def current_planning_phase(self, *, now=None) -> str | None:
        """The planning phase running now (Korea time), or None (before, after, or no period)."""
        today = timezone.localdate(now) if now is not None else timezone.localdate()
        for p in self.planning_phases():
            if p["start"] <= today <= p["end"]:
                return p["phase"]
        return None

    def planning_phase_refusal(self, phase: str, *, now=None) -> str | None:
        """Why a region cannot act in `phase` now: the call has no planning period, or the phase
        has closed (its last day has ended in Korea); None while it is open. A phase may be
        worked on before it starts (a region prepares early)."""
        info = self.planning_phase(phase)
        if info is None:
            return _("This call has no planning period.")
        now = now or timezone.now()
        if now >= info["closes_at"]:
            return _("%(phase)s closed at the end of %(day)s (Korea time).") % {
                "phase": PlanningPhase(phase).label, "day": _window_day(info["end"])}
        return None

    def _rounds_errors(self) -> dict:
        """Two rounds: weights adding up to 100, a shortlist, presentation dates after the written
        review and before the announcement."""
        if self.evaluation_rounds != 2:
            return {}
        errors = {}
        if (self.written_weight or 0) + (self.presentation_weight or 0) != 100:
            errors["presentation_weight"] = _("The two rounds' weights must add up to 100 (now %(sum)s).") % {
                "sum": (self.written_weight or 0) + (self.presentation_weight or 0)}
        if not self.shortlist_size:
            errors["shortlist_size"] = _("Say how many proposals go on to the presentation round.")
        for name in ("presentation_start", "presentation_end"):
            if getattr(self, name) is None:
                errors[name] = _("Give the presentation round's dates.")
        if self.presentation_start and self.presentation_end:
            if self.presentation_end < self.presentation_start:
                errors["presentation_end"] = _("The presentation round cannot close before it opens.")
            elif self.review_end and self.presentation_start <= self.review_end:
                errors["presentation_start"] = _("The presentation round opens after the written review closes.")
            elif self.announcement_date and self.presentation_end > self.announcement_date:
                errors["presentation_end"] = _("The presentation round closes by the announcement date.")
        return errors

    @property
    def has_two_rounds(self) -> bool:
        return self.evaluation_rounds == 2

    @property
    def cooperation_types(self) -> list:
        types = []
        if self.allows_super_regional:
            types.append(CooperationType.SUPER_REGIONAL)
        if self.allows_leap:
            types.append(CooperationType.LEAP)
        return types

    def industry_choices(self) -> models.QuerySet:
        """The strategic industries a proposal to this call may choose: the call's own (when it
        lists any), else every active one."""
        if self.pk and self.strategic_industries.exists():
            return self.strategic_industries.filter(active=True)
        return StrategicIndustry.objects.filter(active=True)

    def allows_industry(self, industry) -> bool:
        """A proposal's industry is one the call offers (None: not chosen yet, allowed)."""
        return industry is None or self.industry_choices().filter(pk=industry.pk).exists()

    def window_refusal(self, window: str, *, now=None) -> str | None:
        """Why acting now falls outside the call's `window` ("consulting" or "review"), with its
        dates as Korea reads them (Asia/Seoul); None inside it (both ends included)."""
        start, end = getattr(self, f"{window}_start"), getattr(self, f"{window}_end")
        today = timezone.localdate(now) if now is not None else timezone.localdate()
        if start is None or end is None:  # a presentation round without dates is never open
            return _("The presentation round has no dates yet.")
        if start <= today <= end:
            return None
        dates = {"start": _window_day(start), "end": _window_day(end)}
        if window == "consulting":
            return _("It is not the consulting period (%(start)s – %(end)s).") % dates
        if window == "presentation":
            return _("It is not the presentation round (%(start)s – %(end)s).") % dates
        return _("It is not the review period (%(start)s – %(end)s).") % dates

    def check_window(self, window: str, *, now=None) -> None:
        """Refuse (ValidationError) acting outside the call's `window`."""
        refusal = self.window_refusal(window, now=now)
        if refusal:
            raise ValidationError(refusal)

    def ground_on(self, ground: str) -> bool:
        return bool(getattr(self, f"coi_{ground}"))

    def grounds_on(self) -> list:
        """Every exclusion ground the call applies, in order."""
        return [g for g in ConflictGround if self.ground_on(g)]

    def declared_grounds(self) -> list:
        """The grounds an expert must answer on this call's declarations, in order."""
        return [g for g in DECLARED_GROUNDS if self.ground_on(g)]

    def allowed_statuses(self) -> set:
        return CALL_TRANSITIONS[CallStatus(self.status)]

    def announced_on(self) -> datetime.date | None:
        """The day (Korea time) the results were announced: when the status moved, or the
        planned announcement date for a call announced before that was recorded."""
        if self.status != CallStatus.ANNOUNCED:
            return None
        return timezone.localdate(self.announced_at) if self.announced_at else self.announcement_date

    @property
    def results_announced(self) -> bool:
        """The ministry announced the call's results: from now on the regions may know them
        (proposals.disclosure decides what they see before)."""
        return self.status == CallStatus.ANNOUNCED

    def rubric_total(self) -> int:
        return sum(c.weight for c in self.criteria.all())

    @property
    def has_zones(self) -> bool:
        return bool(self.pk) and any(True for _z in self.zones.all())

    def zone_by_region(self) -> dict:
        """{region id: its CallZone} (empty for a call without zones). A proposal's zone is its
        lead region's zone."""
        if not self.pk:
            return {}
        return {region.pk: zone for zone in self.zones.all() for region in zone.regions.all()}


class RubricQuerySet(models.QuerySet):
    def for_stage(self, *, call_id: int, stage_number: int) -> "RubricQuerySet":
        """The call's rubric for the evaluation at the end of stage `stage_number`."""
        return self.filter(stage_call_id=call_id, stage_number=stage_number)


class RubricCriterion(models.Model):
    """One criterion of a rubric whose weights sum to 100: either a call's selection
    rubric (`call`, read as `call.criteria`) or the call's rubric for the evaluation
    at the end of one stage (`stage_call` and `stage_number`, read as
    `call.stage_criteria`) — exactly one of the two."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("call"),
                             null=True, blank=True)
    stage_call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="stage_criteria",
                                   null=True, blank=True, verbose_name=_("call (stage evaluation)"))
    stage_number = models.PositiveSmallIntegerField(_("stage evaluated"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_ko = models.CharField(_("criterion (Korean)"), max_length=200)
    name_en = models.CharField(_("criterion (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    max_score = models.PositiveSmallIntegerField(
        _("highest score"), default=10, validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Evaluators score this criterion from 0 to this number."),
    )

    objects = RubricQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(call__isnull=False, stage_call__isnull=True, stage_number__isnull=True)
                | models.Q(call__isnull=True, stage_call__isnull=False, stage_number__isnull=False),
                name="criterion_of_call_or_stage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight})"

    @property
    def name(self) -> str:
        return localized(self.name_ko, self.name_en)


class CallZone(models.Model):
    """A zone (권역) of a call: a named group of its eligible regions. A call's zones cover each
    eligible region exactly once (programmes.services.zone_problems); a proposal belongs to
    its lead region's zone."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="zones", verbose_name=_("call"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_ko = models.CharField(_("zone (Korean)"), max_length=100)
    name_en = models.CharField(_("zone (English)"), max_length=100, blank=True)
    regions = models.ManyToManyField(Region, related_name="call_zones", verbose_name=_("regions"))

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_ko, self.name_en)


class InstitutionKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    FOUNDATION = "foundation", _("Industry-cooperation foundation")
    INSTITUTE = "institute", _("Research institute")
    COMPANY = "company", _("Company")
    AGENCY = "agency", _("Public agency")
    DEPARTMENT = "department", _("Department")
    OTHER = "other", _("Other")


class Institution(models.Model):
    """One entry of the institutions registry. Experts' affiliations and participating
    organisations are matched to it (programmes.institutions), and conflict checks compare
    its entries: a foundation's or department's parent is its institution, so both count
    as that institution."""

    name_ko = models.CharField(_("name (Korean)"), max_length=200, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    aliases = models.TextField(
        _("aliases"), blank=True, help_text=_("Other names and abbreviations, separated by “;”."))
    kind = models.CharField(_("kind"), max_length=20, choices=InstitutionKind.choices, default=InstitutionKind.OTHER)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("belongs to"),
        help_text=_("A foundation's university, a department's institution."))
    # 간접비 고시비율: the indirect-cost rate approved for the institution (projects.services.spending).
    indirect_rate_pct = models.DecimalField(
        _("approved indirect-cost rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("간접비 고시비율. Blank: not recorded (the call's cap applies)."))

    class Meta:
        ordering = ["name_ko"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    def __str__(self) -> str:
        return localized(self.name_ko, self.name_en)

    @property
    def alias_list(self) -> list[str]:
        return [a.strip() for a in self.aliases.split(";") if a.strip()]


class QualityRules(models.Model):
    """The thresholds of a call's evaluator quality record (evaluations.services.quality):
    an expert is flagged when they exceed a maximum or fall below a minimum. At the
    threshold itself nobody is flagged."""

    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="quality_rules",
                                verbose_name=_("call"))
    max_late_submissions = models.PositiveSmallIntegerField(
        _("late scoresheets allowed"), default=0, validators=[MaxValueValidator(50)],
        help_text=_("Flag an expert with more scoresheets submitted after the review deadline (0 to 50)."))
    max_reopens = models.PositiveSmallIntegerField(
        _("reopened scoresheets allowed"), default=1, validators=[MaxValueValidator(50)],
        help_text=_("Flag an expert whose scoresheets were reopened more often (0 to 50)."))
    max_mean_abs_z = models.DecimalField(
        _("largest mean distance from the panel"), max_digits=3, decimal_places=2, default=Decimal("1.50"),
        validators=[MinValueValidator(Decimal("0.10")), MaxValueValidator(Decimal("5.00"))],
        help_text=_("Mean |z| of the expert's normalised totals from their panels' consensus (0.10 to 5.00)."))
    min_comment_length = models.PositiveSmallIntegerField(
        _("shortest mean comment"), default=20, validators=[MaxValueValidator(2000)],
        help_text=_("Flag an expert whose comments per criterion are shorter on average, in characters (0 to 2000)."))
    min_average_rating = models.DecimalField(
        _("lowest average rating"), max_digits=3, decimal_places=2, default=Decimal("2.50"),
        validators=[MinValueValidator(Decimal("1.00")), MaxValueValidator(Decimal("5.00"))],
        help_text=_("Flag an expert whose comments were rated lower on average (1.00 to 5.00)."))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("updated by"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("evaluator quality rules")
        verbose_name_plural = _("evaluator quality rules")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name}: {self.call}"

    @classmethod
    def for_call(cls, call) -> "QualityRules":
        """The call's rules, or the defaults (unsaved) while staff have set none."""
        return cls.objects.filter(call=call).first() or cls(call=call)


# --- Planning guidelines (issue 17) ------------------------------------------------------


def guideline_file_path(instance, filename: str) -> str:
    # Never the user's file name on disk: a random name (stored before the version's row exists).
    return f"guidelines/{uuid.uuid4().hex}{instance.extension}"


class Guideline(models.Model):
    """A planning guideline the ministry issues to the regions for one phase of a call's planning
    period; its text and file change by new versions, each acknowledged again by the regions."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="guidelines", verbose_name=_("call"))
    phase = models.CharField(_("planning phase"), max_length=20, choices=PlanningPhase.choices)
    title_ko = models.CharField(_("title (Korean)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["call", "phase", "id"]
        verbose_name = _("planning guideline")
        verbose_name_plural = _("planning guidelines")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self.title_ko, self.title_en)

    def phase_order(self) -> int:
        return list(PlanningPhase).index(PlanningPhase(self.phase))

    def current_version(self) -> "GuidelineVersion | None":
        """The newest version (the prefetched list when there is one)."""
        versions = list(self.versions.all())
        return max(versions, key=lambda v: v.number) if versions else None


class GuidelineVersion(models.Model):
    """One published version of a guideline: its text and (optionally) its file. Read-only once
    published; a change is a new version."""

    guideline = models.ForeignKey(Guideline, on_delete=models.CASCADE, related_name="versions",
                                  verbose_name=_("planning guideline"))
    number = models.PositiveSmallIntegerField(_("version"))
    text = models.TextField(_("text"), blank=True)
    file = models.FileField(_("file"), upload_to=guideline_file_path, max_length=300, blank=True)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    extension = models.CharField(_("file extension"), max_length=10, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("published by"))
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        ordering = ["guideline", "-number"]
        verbose_name = _("guideline version")
        verbose_name_plural = _("guideline versions")
        constraints = [models.UniqueConstraint(fields=["guideline", "number"], name="guideline_version_once")]

    def __str__(self) -> str:
        return f"{self.guideline} v{self.number}"


class GuidelineAcknowledgement(models.Model):
    """A regional official read a guideline version ("I have read it")."""

    version = models.ForeignKey(GuidelineVersion, on_delete=models.CASCADE, related_name="acknowledgements",
                                verbose_name=_("guideline version"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("official"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), auto_now_add=True)

    class Meta:
        ordering = ["region__order", "acknowledged_at"]
        verbose_name = _("guideline acknowledgement")
        verbose_name_plural = _("guideline acknowledgements")
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="guideline_read_once")]

    def __str__(self) -> str:
        return f"{self.version} · {self.region}"
