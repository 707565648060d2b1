"""The government side of theme selection (issue 17, phase 2): expert groups and feasibility reviews.

Staff name expert groups per call (a chair among the members) and assign members to review the
feasibility of the regions' candidate themes — one by one, or the whole group on every candidate theme of
the call at once, by a plan that leaves out every conflicted pair. Who may review a theme is decided by the
one conflict-of-interest service (services.conflicts.theme_conflicts): the theme's regions and the
institutions its analysis names. The expert declares first, then reads the theme and writes the review
(the rubric, a recommendation, the reasons); they submit it once; staff may return it with a reason.
Reviews are written until the selection phase closes (Korea time), its end being their deadline.

A review's state moves only through `review_transition` and its table `MOVES`. Every write checks the
rules, runs in a transaction and is recorded in the audit trail (AuditAction.FEASIBILITY); experts are
told when assigned, the regions when advice on one of their themes is readable.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.services import notify
from audit.services import AuditAction, record
from core.permissions import require
from programmes.institutions import registry
from programmes.models import Call, PlanningPhase
from proposals.models import CandidateTheme, ThemeStatus

from ..models import (
    FEASIBILITY_RUBRIC,
    ExpertGroup,
    ExpertGroupMember,
    ExpertProfile,
    Grade,
    Recommendation,
    ReviewState,
    ThemeReview,
)
from .conflicts import theme_conflicts, theme_facts

REASONS_MAX = 4000  # characters of each text


def _check_window(call: Call, now=None) -> None:
    """Reviews are assigned and written until the selection phase closes."""
    refusal = call.planning_phase_refusal(PlanningPhase.SELECTION, now=now or timezone.now())
    if refusal:
        raise ValidationError(refusal)


# --- Expert groups -------------------------------------------------------------------------------


def group_save(*, actor, call: Call, name_ko: str, name_en: str = "", group: ExpertGroup | None = None) -> ExpertGroup:
    """Create a call's expert group, or rename one."""
    require(actor, "evaluations.manage_feasibility")
    if not call.has_planning_period:
        raise ValidationError(_("This call has no planning period."))
    name_ko, name_en = (name_ko or "").strip(), (name_en or "").strip()
    if not name_ko:
        raise ValidationError({"name_ko": _("Give the group a Korean name.")})
    if ExpertGroup.objects.filter(call=call, name_ko=name_ko).exclude(pk=getattr(group, "pk", None)).exists():
        raise ValidationError({"name_ko": _("The call already has a group of this name.")})
    with transaction.atomic():
        if group is None:
            group = ExpertGroup.objects.create(call=call, name_ko=name_ko, name_en=name_en, created_by=actor)
            summary = _("Expert group created: %(name)s")
        else:
            group = ExpertGroup.objects.select_for_update().get(pk=group.pk, call=call)
            group.name_ko, group.name_en = name_ko, name_en
            group.save(update_fields=["name_ko", "name_en"])
            summary = _("Expert group renamed: %(name)s")
        record(actor=actor, action=AuditAction.FEASIBILITY, obj=group, summary=summary % {"name": name_ko})
    return group


def group_member_add(*, actor, group: ExpertGroup, expert: User) -> ExpertGroupMember:
    require(actor, "evaluations.manage_feasibility")
    if expert.role != Role.EXPERT or not ExpertProfile.objects.filter(user=expert).exists():
        raise ValidationError({"expert": _("%(user)s is not an expert.") % {"user": expert}})
    try:
        with transaction.atomic():
            member = ExpertGroupMember.objects.create(group=group, expert=expert, added_by=actor)
            record(actor=actor, action=AuditAction.FEASIBILITY, obj=group,
                   summary=_("%(expert)s joined the expert group %(group)s.") % {"expert": expert, "group": group})
    except IntegrityError:
        raise ValidationError({"expert": _("%(expert)s is already a member of this group.") % {
            "expert": expert}}) from None
    return member


@transaction.atomic
def group_member_remove(*, actor, member: ExpertGroupMember) -> None:
    """A member leaves the group; the reviews they were assigned stay theirs."""
    require(actor, "evaluations.manage_feasibility")
    member = ExpertGroupMember.objects.select_for_update().select_related("group", "expert").get(pk=member.pk)
    member.delete()
    record(actor=actor, action=AuditAction.FEASIBILITY, obj=member.group,
           summary=_("%(expert)s left the expert group %(group)s.") % {"expert": member.expert, "group": member.group})


@transaction.atomic
def group_set_chair(*, actor, member: ExpertGroupMember) -> ExpertGroupMember:
    """Name the group's chair (the former chair, if any, stays a member)."""
    require(actor, "evaluations.manage_feasibility")
    member = ExpertGroupMember.objects.select_for_update().select_related("group", "expert").get(pk=member.pk)
    list(ExpertGroupMember.objects.select_for_update().filter(group=member.group))
    ExpertGroupMember.objects.filter(group=member.group, is_chair=True).exclude(pk=member.pk).update(is_chair=False)
    if not member.is_chair:
        member.is_chair = True
        member.save(update_fields=["is_chair"])
    record(actor=actor, action=AuditAction.FEASIBILITY, obj=member.group,
           summary=_("%(expert)s chairs the expert group %(group)s.") % {"expert": member.expert, "group": member.group})
    return member


# --- Assigning reviews ---------------------------------------------------------------------------


def reviewable_themes(call: Call):
    """The call's candidate themes that may still be reviewed (neither dropped nor selected yet)."""
    return (CandidateTheme.objects.filter(call=call, status=ThemeStatus.CANDIDATE)
            .select_related("call", "lead_region").prefetch_related("regions__region").order_by("lead_region__order", "pk"))


def _profile(expert: User):
    return ExpertProfile.objects.filter(user=expert).select_related("home_region").first()


def _notify_assigned(reviews: list[ThemeReview]) -> None:
    for r in reviews:
        notify(users=[r.expert], url=f"/evaluations/theme-reviews/{r.pk}/",
               message=_("You were asked to review the feasibility of a candidate theme of the call “%(call)s”.") % {
                   "call": r.theme.call.title})


def review_assign(*, actor, theme: CandidateTheme, expert: User, group: ExpertGroup | None = None,
                  now=None) -> ThemeReview:
    """Staff ask `expert` to review `theme`'s feasibility: refused, with the reasons, when the conflict
    service finds a conflict."""
    require(actor, "evaluations.manage_feasibility")
    with transaction.atomic():
        theme = CandidateTheme.objects.select_for_update().select_related("call").get(pk=theme.pk)
        _check_window(theme.call, now)
        if theme.status != ThemeStatus.CANDIDATE:
            raise ValidationError(_("Only a candidate theme (not dropped, not yet selected) is reviewed."))
        profile = _profile(expert)
        if expert.role != Role.EXPERT or profile is None:
            raise ValidationError({"expert": _("%(user)s is not an expert.") % {"user": expert}})
        reasons = theme_conflicts(profile=profile, theme=theme)
        if reasons:
            raise ValidationError({"expert": _("%(expert)s may not review this theme: %(reasons)s") % {
                "expert": expert, "reasons": " ".join(reasons)}})
        if ThemeReview.objects.filter(theme=theme, expert=expert, state=ReviewState.UNASSIGNED).exists():
            raise ValidationError({"expert": _("%(expert)s was unassigned from this theme and is not asked again.") % {
                "expert": expert}})
        if ThemeReview.objects.filter(theme=theme, expert=expert).exists():
            raise ValidationError({"expert": _("%(expert)s is already assigned to this theme.") % {"expert": expert}})
        review = ThemeReview.objects.create(theme=theme, expert=expert, group=group, assigned_by=actor)
        record(actor=actor, action=AuditAction.FEASIBILITY, obj=theme,
               summary=_("%(expert)s asked to review the feasibility of “%(title)s”.") % {
                   "expert": expert, "title": theme.title_ko})
        _notify_assigned([review])
    return review


@dataclass
class PlanRow:
    theme: CandidateTheme
    assign: list = field(default_factory=list)  # members to assign
    already: list = field(default_factory=list)  # members assigned before
    conflicted: list = field(default_factory=list)  # (member, reasons)


def group_plan(group: ExpertGroup) -> list[PlanRow]:
    """Assign the group: per reviewable candidate theme of its call, the members to assign, those already
    assigned, and those the conflict service keeps out (with why)."""
    members = list(group.members.select_related("expert__expert_profile__home_region", "expert__expert_profile"))
    themes = list(reviewable_themes(group.call))
    taken = set(ThemeReview.objects.filter(theme__in=themes).values_list("theme_id", "expert_id"))
    reg = registry()
    rows = []
    for theme in themes:
        row = PlanRow(theme=theme)
        facts = theme_facts(theme, reg=reg)
        for m in members:
            reasons = theme_conflicts(profile=getattr(m.expert, "expert_profile", None), theme=theme, facts=facts)
            if (theme.pk, m.expert_id) in taken:
                row.already.append(m)
            elif reasons:
                row.conflicted.append((m, reasons))
            else:
                row.assign.append(m)
        rows.append(row)
    return rows


def group_assign(*, actor, group: ExpertGroup, now=None) -> list[ThemeReview]:
    """Confirm the group's plan: every member without a conflict reviews every reviewable theme of the call."""
    require(actor, "evaluations.manage_feasibility")
    with transaction.atomic():
        group = ExpertGroup.objects.select_for_update().select_related("call").get(pk=group.pk)
        _check_window(group.call, now)
        rows = group_plan(group)
        new = [ThemeReview(theme=row.theme, expert=m.expert, group=group, assigned_by=actor)
               for row in rows for m in row.assign]
        if not new:
            raise ValidationError(_("Nothing to assign: every member without a conflict already reviews every "
                                    "candidate theme."))
        created = ThemeReview.objects.bulk_create(new)
        record(actor=actor, action=AuditAction.FEASIBILITY, obj=group,
               summary=_("Expert group %(group)s assigned to the call's candidate themes.") % {"group": group},
               after={"assigned": [f"{r.expert} → {r.theme.title_ko}" for r in created],
                      "conflicts": [f"{m.expert} × {row.theme.title_ko}" for row in rows for m, _r in row.conflicted]})
        _notify_assigned(created)
    return created


# --- The expert's declaration and review ---------------------------------------------------------


@transaction.atomic
def review_declare(*, actor, review: ThemeReview, conflict: bool, note: str = "") -> ThemeReview:
    """Before reading the theme, the expert declares whether they have a conflict with it; declaring one
    withdraws them (staff are told)."""
    review = ThemeReview.objects.select_for_update().select_related("theme__call").get(pk=review.pk)
    if review.expert_id != actor.pk:
        raise PermissionDenied
    if review.state == ReviewState.UNASSIGNED:
        raise ValidationError(_("This review was unassigned by ministry staff."))
    if not review.is_pledged:
        raise ValidationError(_("Sign the confidentiality pledge for this review first."))
    if review.declared_at is not None:
        raise ValidationError(_("You already made your declaration for this assignment."))
    if conflict and not (note or "").strip():
        raise ValidationError({"note": _("Describe the conflict briefly (e.g. same department, former student).")})
    review.declared_at, review.conflict_declared, review.conflict_note = timezone.now(), conflict, (note or "").strip()
    review.save(update_fields=["declared_at", "conflict_declared", "conflict_note", "updated_at"])
    record(actor=actor, action=AuditAction.FEASIBILITY, obj=review.theme,
           summary=(_("Conflict declared on the feasibility review of “%(title)s”: %(note)s") if conflict
                    else _("No conflict declared on the feasibility review of “%(title)s”.")) % {
               "title": review.theme.title_ko, "note": review.conflict_note})
    if conflict:
        notify(users=User.objects.filter(role=Role.MINISTRY, is_active=True),
               message=_("%(expert)s declared a conflict of interest and withdrew from a feasibility review: "
                         "%(note)s") % {"expert": actor, "note": review.conflict_note},
               url=f"/evaluations/themes/{review.theme_id}/reviews/")
    return review


# Moves: action → (states it leaves, state it reaches, permission).
MOVES = {
    "save": ({ReviewState.DRAFT, ReviewState.RETURNED}, None, "evaluations.write_theme_review"),
    "submit": ({ReviewState.DRAFT, ReviewState.RETURNED}, ReviewState.SUBMITTED, "evaluations.write_theme_review"),
    "return": ({ReviewState.SUBMITTED}, ReviewState.RETURNED, "evaluations.manage_feasibility"),
    # staff take a review that is not submitted off its expert, with the reason (a submitted one is advice given)
    "unassign": ({ReviewState.DRAFT, ReviewState.RETURNED}, ReviewState.UNASSIGNED, "evaluations.manage_feasibility"),
}
TEXT_FIELDS = [f"{key}_comment" for key, _label in FEASIBILITY_RUBRIC] + ["reasons"]
GRADE_FIELDS = [f"{key}_grade" for key, _label in FEASIBILITY_RUBRIC]


def _clean_review(data: dict, *, submit: bool) -> tuple[dict, dict]:
    values, errors = {}, {}
    for name in GRADE_FIELDS:
        raw = data.get(name)
        if raw in (None, ""):
            values[name] = None
            if submit:
                errors[name] = _("Give a grade.")
            continue
        try:
            grade = int(raw)
        except (TypeError, ValueError):
            grade = None
        if grade not in Grade.values:
            errors[name] = _("Choose a grade from 1 to 5.")
        values[name] = grade
    for name in TEXT_FIELDS:
        text = (data.get(name) or "").strip()
        if len(text) > REASONS_MAX:
            errors[name] = _("At most %(n)d characters.") % {"n": REASONS_MAX}
        values[name] = text
    recommendation = data.get("recommendation") or ""
    if recommendation and recommendation not in Recommendation.values:
        errors["recommendation"] = _("Choose a recommendation.")
    values["recommendation"] = recommendation
    if submit:
        if not recommendation:
            errors["recommendation"] = _("Choose a recommendation.")
        if not values["reasons"]:
            errors["reasons"] = _("Give the reasons for your recommendation.")
    return values, errors


@transaction.atomic
def review_transition(*, actor, review: ThemeReview, action: str, data: dict | None = None, reason: str = "",
                      now=None) -> ThemeReview:
    """The one way a review's state moves (MOVES): the expert saves a draft and submits it (once; again
    only after staff return it), staff return a submitted review with the reason."""
    if action not in MOVES:
        raise ValidationError(_("Unknown action."))
    sources, target, perm = MOVES[action]
    review = ThemeReview.objects.select_for_update().select_related("theme__call", "expert").get(pk=review.pk)
    require(actor, perm, review)
    if action == "unassign" and review.state == ReviewState.SUBMITTED:
        raise ValidationError(_("A submitted review cannot be unassigned: its advice was given. Return it first if "
                                "it must change."))
    if review.state not in sources:
        raise ValidationError(_("This review cannot be changed now: it is “%(state)s”.") % {
            "state": review.get_state_display()})
    _check_window(review.theme.call, now)
    before = review.state
    if action == "return":
        if not (reason or "").strip():
            raise ValidationError({"returned_reason": _("Say why the review is returned.")})
        review.returned_reason = reason.strip()
    elif action == "unassign":
        if not (reason or "").strip():
            raise ValidationError({"unassigned_reason": _("Say why the review is unassigned.")})
        review.unassigned_reason, review.unassigned_at = reason.strip(), timezone.now()
    else:
        values, errors = _clean_review(data or {}, submit=action == "submit")
        if errors:
            raise ValidationError(errors)
        for name, value in values.items():
            setattr(review, name, value)
        if action == "submit":
            review.submitted_at = timezone.now()
    if target is not None:
        review.state = target
    review.save()
    if action != "save":
        record(actor=actor, action=AuditAction.FEASIBILITY, obj=review.theme,
               summary=_("Feasibility review of “%(title)s” by %(expert)s: %(action)s") % {
                   "title": review.theme.title_ko, "expert": review.expert, "action": action},
               before={"state": before},
               after={"state": review.state, "reason": review.unassigned_reason if action == "unassign"
                      else review.returned_reason})
    if action == "submit":
        _notify_advice(review)
    elif action == "return":
        notify(users=[review.expert], url=f"/evaluations/theme-reviews/{review.pk}/",
               message=_("Your feasibility review of “%(title)s” was returned: %(reason)s") % {
                   "title": review.theme.title_ko, "reason": review.returned_reason})
    elif action == "unassign":
        notify(users=[review.expert], url="/evaluations/theme-reviews/",
               message=_("You were unassigned from the feasibility review of a candidate theme of the call "
                         "“%(call)s”: %(reason)s") % {"call": review.theme.call.title,
                                                      "reason": review.unassigned_reason})
    return review


def _notify_advice(review: ThemeReview) -> None:
    """The theme's regions may read the advice now (on their theme-selection page)."""
    officials = User.objects.filter(role=Role.OFFICIAL, is_active=True,
                                    region_id__in=review.theme.regions.values("region_id"))
    notify(users=officials, url=f"/proposals/calls/{review.theme.call_id}/selection/",
           message=_("The experts' feasibility advice on “%(title)s” can be read.") % {"title": review.theme.title_ko})


# --- The consolidated advice ----------------------------------------------------------------------


def advised_theme_ids(theme_ids) -> set:
    """Of `theme_ids`, those with at least one submitted review (advice given)."""
    return set(ThemeReview.objects.filter(theme_id__in=list(theme_ids), state=ReviewState.SUBMITTED)
               .values_list("theme_id", flat=True))


def consolidated_advice(themes, *, show_names: bool) -> list[dict]:
    """Per theme with advice: the recommendations counted (in the order of Recommendation) and each
    submitted review's recommendation and reasons — with the expert's name only when `show_names`."""
    themes = list(themes)
    reviews = (ThemeReview.objects.filter(theme__in=themes, state=ReviewState.SUBMITTED)
               .select_related("expert").order_by("theme_id", "submitted_at", "pk"))
    by_theme: dict[int, list[ThemeReview]] = {}
    for r in reviews:
        by_theme.setdefault(r.theme_id, []).append(r)
    out = []
    for theme in themes:
        mine = by_theme.get(theme.pk)
        if not mine:
            continue
        counts = Counter(r.recommendation for r in mine)
        out.append({
            "theme": theme,
            "counts": [(choice, counts.get(choice.value, 0)) for choice in Recommendation],
            "reviews": [{"recommendation": r.get_recommendation_display(), "reasons": r.reasons,
                         "rubric": r.rubric(), "expert": r.expert if show_names else None} for r in mine],
        })
    return out
