"""Phase 1 of the planning period (theme discovery): the regions' candidate themes.

Every write checks permission, refuses after the discovery phase has closed (its last day's end in
Korea), writes in a transaction and records who did it (audit: AuditAction.PLANNING)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import AuditAction, record
from core.moves import Move, move_of
from core.permissions import require
from core.uploads import validate_upload
from programmes.models import Call, PlanningPhase, Region

from .. import advice
from ..models import (
    AdviceFollowed,
    CandidateTheme,
    OpinionGathering,
    OpinionKind,
    ThemeAttachment,
    ThemeRegion,
    ThemeSelection,
    ThemeStatus,
)

# What a region writes on a candidate theme (besides its regions).
THEME_FIELDS = ("title_ko", "title_en", "industry", "rationale", "source_technology", "path_to_application",
                "capacity_institutions", "capacity_companies", "capacity_workforce", "capacity_projects")


def _check_discovery_open(call: Call, now=None) -> None:
    refusal = call.planning_phase_refusal(PlanningPhase.DISCOVERY, now=now or timezone.now())
    if refusal:
        raise ValidationError(refusal)


def _check_fields(call: Call, fields: dict) -> None:
    errors = {}
    if not (fields.get("title_ko") or "").strip():
        errors["title_ko"] = _("Give the theme a Korean title.")
    if fields.get("industry") is not None and not call.allows_industry(fields["industry"]):
        errors["industry"] = _("The call does not offer this strategic industry.")
    if errors:
        raise ValidationError(errors)


def _check_partners(call: Call, lead: Region, partners) -> list:
    partners = [r for r in partners if r.pk != lead.pk]
    eligible = set(call.eligible_regions.values_list("pk", flat=True))
    outside = [r for r in partners if r.pk not in eligible]
    if outside:
        raise ValidationError({"partners": _("Not eligible for this call: %(regions)s.") % {
            "regions": ", ".join(str(r) for r in outside)}})
    return partners


def theme_create(*, actor, call: Call, fields: dict, partners=(), now=None) -> CandidateTheme:
    """A region registers a candidate theme (its lead region is the actor's), with partner regions
    for a consortium."""
    require(actor, "proposals.create_theme")
    if not call.eligible_regions.filter(pk=actor.region_id).exists():
        raise ValidationError(_("Your region is not eligible for this call."))
    _check_discovery_open(call, now)
    _check_fields(call, fields)
    lead = Region.objects.get(pk=actor.region_id)
    partners = _check_partners(call, lead, partners)
    with transaction.atomic():
        theme = CandidateTheme.objects.create(
            call=call, lead_region=lead, created_by=actor,
            **{name: (fields.get(name) or "") if name != "industry" else fields.get(name) for name in THEME_FIELDS})
        ThemeRegion.objects.create(theme=theme, region=lead, is_lead=True)
        ThemeRegion.objects.bulk_create([ThemeRegion(theme=theme, region=r) for r in partners])
        record(actor=actor, action=AuditAction.PLANNING, obj=theme,
               summary=_("Candidate theme registered: %(title)s") % {"title": theme.title_ko})
    return theme


def theme_save(*, actor, theme: CandidateTheme, fields: dict, partners=None, now=None) -> CandidateTheme:
    """A taking-part region edits a candidate theme while discovery is open; the lead region may change
    the partner regions (`partners`; None leaves them)."""
    with transaction.atomic():
        theme = CandidateTheme.objects.select_for_update().select_related("call").get(pk=theme.pk)
        require(actor, "proposals.edit_theme", theme)
        _check_discovery_open(theme.call, now)
        _check_fields(theme.call, fields)
        before = {name: str(getattr(theme, name) or "") for name in THEME_FIELDS}
        for name in THEME_FIELDS:
            setattr(theme, name, fields.get(name) if name == "industry" else (fields.get(name) or ""))
        theme.save()
        if partners is not None and actor.has_perm("proposals.manage_theme_regions", theme):
            kept = _check_partners(theme.call, theme.lead_region, partners)
            theme.regions.filter(is_lead=False).exclude(region__in=kept).delete()
            have = set(theme.regions.values_list("region_id", flat=True))
            ThemeRegion.objects.bulk_create([ThemeRegion(theme=theme, region=r) for r in kept if r.pk not in have])
        after = {name: str(getattr(theme, name) or "") for name in THEME_FIELDS}
        record(actor=actor, action=AuditAction.PLANNING, obj=theme,
               summary=_("Candidate theme changed: %(title)s") % {"title": theme.title_ko},
               before={k: v for k, v in before.items() if after[k] != v},
               after={k: v for k, v in after.items() if before[k] != v})
    return theme


def theme_attachment_add(*, actor, theme: CandidateTheme, upload, description: str = "",
                         now=None) -> ThemeAttachment:
    """A file of the theme's analysis: checked by content, stored before the row is written."""
    require(actor, "proposals.edit_theme", theme)
    _check_discovery_open(theme.call, now)
    try:
        name, ext, kind = validate_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    attachment = ThemeAttachment(theme=theme, kind=kind, description=(description or "")[:200], uploaded_by=actor)
    attachment.take(upload, name=name, ext=ext)
    try:
        with transaction.atomic():
            locked = CandidateTheme.objects.select_for_update().get(pk=theme.pk)
            require(actor, "proposals.edit_theme", locked)
            attachment.save()
            record(actor=actor, action=AuditAction.PLANNING, obj=locked,
                   summary=_("File added to a candidate theme: %(name)s") % {"name": name})
    except Exception:
        attachment.discard_file()
        raise
    return attachment


# --- Phase 2: opinions and the final theme ---------------------------------------------------------


def _check_selection_open(call: Call, now=None) -> None:
    refusal = call.planning_phase_refusal(PlanningPhase.SELECTION, now=now or timezone.now())
    if refusal:
        raise ValidationError(refusal)


def opinion_record(*, actor, call: Call, kind: str, held_on, participants: str, summary: str, upload=None,
                   now=None) -> OpinionGathering:
    """A region records a meeting or survey that gathered opinions on its candidate themes (minutes
    attached, checked by content)."""
    require(actor, "proposals.record_opinion")
    if not call.eligible_regions.filter(pk=actor.region_id).exists():
        raise ValidationError(_("Your region is not eligible for this call."))
    _check_selection_open(call, now)
    errors = {}
    if kind not in OpinionKind.values:
        errors["kind"] = _("Choose a meeting or a survey.")
    if held_on is None:
        errors["held_on"] = _("Give the date.")
    if not (participants or "").strip():
        errors["participants"] = _("Say who took part.")
    if not (summary or "").strip():
        errors["summary"] = _("Summarise the opinions gathered.")
    checked = None
    if upload and not errors:
        try:
            checked = validate_upload(upload)
        except ValidationError as exc:
            errors["minutes"] = exc.messages
    if errors:
        raise ValidationError(errors)
    gathering = OpinionGathering(call=call, region_id=actor.region_id, kind=kind, held_on=held_on,
                                 participants=participants.strip(), summary=summary.strip(), recorded_by=actor)
    if checked:
        gathering.minutes_name, gathering.extension = checked[0], checked[1]
        gathering.minutes.save(checked[0], upload, save=False)
    try:
        with transaction.atomic():
            gathering.save()
            record(actor=actor, action=AuditAction.PLANNING, obj=gathering,
                   summary=_("Opinions gathered: %(kind)s of %(day)s") % {
                       "kind": gathering.get_kind_display(), "day": held_on})
    except Exception:
        if gathering.minutes:
            gathering.minutes.delete(save=False)
        raise
    return gathering


def theme_select(*, actor, call: Call, theme: CandidateTheme | None, reason: str, followed_advice: str = "",
                 advice_reason: str = "", now=None) -> ThemeSelection:
    """The lead region selects its final theme among its candidate themes (one per region and call); the
    lead's sign-off is recorded with it, every partner region signs off after. When the government's
    feasibility advice was given on any of the lead region's candidate themes of the call (proposals.advice),
    the selection says whether it followed the advice (yes / partly / no) and why."""
    if theme is None:
        raise ValidationError({"theme": _("Choose the final theme among your candidate themes.")})
    with transaction.atomic():
        theme = CandidateTheme.objects.select_for_update().select_related("call").get(pk=theme.pk)
        require(actor, "proposals.select_theme", theme)
        if theme.call_id != call.pk:
            raise ValidationError({"theme": _("Choose the final theme among your candidate themes.")})
        _check_selection_open(call, now)
        errors = {}
        if theme.status != ThemeStatus.CANDIDATE:
            errors["theme"] = _("Only a candidate theme can be selected.")
        regions = list(theme.regions.values_list("region_id", flat=True))
        taken = (CandidateTheme.objects.select_for_update().filter(call=call, status=ThemeStatus.SELECTED,
                                                                    regions__region_id__in=regions)
                 .exclude(pk=theme.pk).first())
        if taken is not None:
            errors["theme"] = _("A region of this theme already selected its final theme: “%(title)s”.") % {
                "title": taken.title}
        if not (reason or "").strip():
            errors["reason"] = _("Say why this theme was selected.")
        advice_errors, followed_advice, advice_reason = _check_advice(call, actor, followed_advice, advice_reason)
        errors |= advice_errors
        if errors:
            raise ValidationError(errors)
        theme_transition(actor=actor, theme=theme, action="select")
        selection = ThemeSelection.objects.create(theme=theme, reason=reason.strip(), selected_by=actor,
                                                  followed_advice=followed_advice, advice_reason=advice_reason)
        theme.regions.filter(region_id=actor.region_id).update(signed_off_by=actor, signed_off_at=timezone.now())
    return selection


def advice_exists(call: Call, region_id) -> bool:
    """Was feasibility advice given on a candidate theme of the call the region takes part in?"""
    ids = CandidateTheme.objects.filter(call=call, regions__region_id=region_id).values_list("pk", flat=True)
    return bool(advice.advised_themes(ids))


def _check_advice(call: Call, actor, followed_advice: str, advice_reason: str) -> tuple[dict, str, str]:
    """(errors, followed_advice, advice_reason) to store: both asked only when advice exists."""
    if not advice_exists(call, actor.region_id):
        return {}, "", ""
    errors = {}
    if followed_advice not in AdviceFollowed.values:
        errors["followed_advice"] = _("The experts gave advice on your candidate themes: say whether the "
                                      "selection followed it.")
    if not (advice_reason or "").strip():
        errors["advice_reason"] = _("Say why the selection followed the advice, or why not.")
    return errors, followed_advice, (advice_reason or "").strip()


def selection_sign_off(*, actor, theme: CandidateTheme, now=None) -> ThemeRegion:
    """A partner region signs off the consortium's final theme."""
    with transaction.atomic():
        theme = CandidateTheme.objects.select_for_update().select_related("call").get(pk=theme.pk)
        require(actor, "proposals.sign_off_selection", theme)
        _check_selection_open(theme.call, now)
        if theme.status != ThemeStatus.SELECTED:
            raise ValidationError(_("The theme has not been selected as the final theme."))
        mine = theme.regions.get(region_id=actor.region_id)
        if mine.signed_off_at is None:
            mine.signed_off_by, mine.signed_off_at = actor, timezone.now()
            mine.save(update_fields=["signed_off_by", "signed_off_at"])
            record(actor=actor, action=AuditAction.PLANNING, obj=theme,
                   summary=_("Final theme signed off: %(title)s") % {"title": theme.title_ko})
    return mine


# --- Phase 3: the final theme becomes the proposal draft ------------------------------------------


def proposal_from_theme(*, actor, theme: CandidateTheme):
    """The lead region opens the proposal draft from its final theme once every region signed it off:
    title, industry and regions carried over, the rationale and source technology as the overview,
    the theme linked as the proposal's origin (its analysis and files stay on the theme)."""
    from programmes.models import CooperationType

    from .editing import proposal_create

    with transaction.atomic():
        theme = CandidateTheme.objects.select_for_update().select_related("call").get(pk=theme.pk)
        require(actor, "proposals.draft_from_theme", theme)
        if theme.status != ThemeStatus.SELECTED:
            raise ValidationError(_("Only the selected final theme becomes a proposal draft."))
        if hasattr(theme, "proposal"):
            raise ValidationError(_("This theme already has its proposal draft."))
        regions = list(theme.regions.select_related("region"))
        if any(r.signed_off_at is None for r in regions):
            raise ValidationError(_("Every region of the theme must sign off the final theme first."))
        partners = [r.region for r in regions if not r.is_lead]
        kind = CooperationType.SUPER_REGIONAL if partners else CooperationType.LEAP
        proposal = proposal_create(actor=actor, call=theme.call, cooperation_type=kind, title_ko=theme.title_ko,
                                   title_en=theme.title_en, industry=theme.industry, partner_regions=partners)
        proposal.origin_theme = theme
        proposal.summary = theme.rationale
        proposal.problem = "\n\n".join(part for part in (theme.source_technology, theme.path_to_application) if part)
        proposal.save(update_fields=["origin_theme", "summary", "problem", "updated_at"])
        record(actor=actor, action=AuditAction.PLANNING, obj=proposal,
               summary=_("Proposal draft opened from the final theme: %(title)s") % {"title": theme.title_ko})
    return proposal


def theme_drop(*, actor, theme: CandidateTheme, reason: str, now=None) -> CandidateTheme:
    """The lead region drops one of its candidate themes (not the selected one), saying why, while theme
    discovery or selection is open; the theme stays on record among the themes considered."""
    now = now or timezone.now()
    with transaction.atomic():
        theme = CandidateTheme.objects.select_for_update().select_related("call").get(pk=theme.pk)
        require(actor, "proposals.drop_theme", theme)
        refusal = theme.call.planning_phase_refusal(PlanningPhase.SELECTION, now=now)
        if refusal is not None:
            raise ValidationError({"status": refusal})
        errors = {}
        if theme.status not in THEME_MOVES["drop"].sources:
            errors["status"] = str(THEME_MOVES["drop"].not_now)
        if not (reason or "").strip():
            errors["status_reason"] = _("Say why the theme is dropped.")
        if errors:
            raise ValidationError(errors)
        return theme_transition(actor=actor, theme=theme, action="drop", reason=reason)


# --- A candidate theme's moves: candidate → selected (the final theme) or dropped ---------------------
#
# The table beside the one function that writes a theme's status; theme_select and theme_drop check
# their own phase and fields, then make their move here.

THEME_MOVES = {
    "select": Move(gettext_lazy("Select as the final theme"), frozenset({ThemeStatus.CANDIDATE}),
                   ThemeStatus.SELECTED, "proposals.select_theme", gettext_lazy("Only a candidate theme can be selected.")),
    "drop": Move(gettext_lazy("Drop the theme"), frozenset({ThemeStatus.CANDIDATE}), ThemeStatus.DROPPED,
                 "proposals.drop_theme", gettext_lazy("Only a candidate theme can be dropped.")),
}


def theme_transition(*, actor, theme: CandidateTheme, action: str, reason: str = "") -> CandidateTheme:
    """Make one move of the table on a theme locked by the caller (inside its transaction); a drop keeps
    its reason on the theme. Audited with the status before and after."""
    move = move_of(THEME_MOVES, action)
    if theme.status not in move.sources:
        raise ValidationError({"status": str(move.not_now)})
    require(actor, move.permission, theme)
    before = theme.status
    theme.status = move.target
    update = ["status", "updated_at"]
    if move.target == ThemeStatus.DROPPED:
        theme.status_reason = reason.strip()
        update.append("status_reason")
    theme.save(update_fields=update)
    summary = (_("Final theme selected: %(title)s") if action == "select"
               else _("Candidate theme dropped: %(title)s")) % {"title": theme.title_ko}
    record(actor=actor, action=AuditAction.PLANNING, obj=theme, summary=summary,
           before={"status": before}, after={"status": theme.status})
    return theme
