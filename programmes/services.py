"""Every write to programmes and calls: check permission, validate, write in a
transaction, record who did it (simple-history keeps before/after)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import AuditAction, record
from core import josa
from core.permissions import require
from core.uploads import validate_upload

from .models import (
    Call,
    CallStatus,
    CallZone,
    Guideline,
    GuidelineAcknowledgement,
    GuidelineVersion,
    PlanningPhase,
    RubricCriterion,
)
from .signals import call_announced

RUBRIC_TOTAL = 100


def validate_rubric_weights(weights: list[int]) -> None:
    """The one place that says a rubric's weights sum to 100."""
    if not weights:
        raise ValidationError(_("Add at least one evaluation criterion."), code="rubric_empty")
    total = sum(weights)
    if total != RUBRIC_TOTAL:
        raise ValidationError(
            _("The criteria weights must sum to 100 (now %(total)s).") % {"total": total},
            code="rubric_total",
        )


@transaction.atomic
def call_save(
    *,
    actor,
    call: Call,
    eligible_regions,
    strategic_industries,
    criteria: list[dict],
    zones: list[dict] | None = None,
) -> Call:
    """Create or update a call with its rubric and zones. `criteria` items: id (optional),
    name_ko, name_en, description, weight, in display order. `zones` items: id (optional: an
    existing zone of the call), name_ko, name_en, regions, in display order ([]: no zones; None:
    the zones stay as they are)."""
    require(actor, "programmes.change_call" if call.pk else "programmes.add_call", call if call.pk else None)
    call.full_clean(exclude=["created_by", "updated_by"])
    validate_rubric_weights([c["weight"] for c in criteria])
    if zones is not None:
        validate_zones(zones, eligible_regions=eligible_regions)
    if call.pk is None:
        call.created_by = actor
    call.updated_by = actor
    call._history_user = actor
    call.save()
    call.eligible_regions.set(eligible_regions)
    call.strategic_industries.set(strategic_industries)

    kept = []
    for order, item in enumerate(criteria, start=1):
        fields = {
            "order": order,
            "name_ko": item["name_ko"],
            "name_en": item.get("name_en", ""),
            "description": item.get("description", ""),
            "weight": item["weight"],
            "max_score": item.get("max_score") or 10,
        }
        criterion_id = item.get("id")
        if criterion_id:
            RubricCriterion.objects.filter(call=call, pk=criterion_id).update(**fields)
            kept.append(criterion_id)
        else:
            kept.append(RubricCriterion.objects.create(call=call, **fields).pk)
    call.criteria.exclude(pk__in=kept).delete()
    if zones is not None:
        _zones_write(call, zones)
    return call


def stage_rubric_create(*, call: Call, stage_number: int, criteria: list[dict]) -> list[RubricCriterion]:
    """Write the call's rubric for the evaluation at the end of stage `stage_number`
    (items: name_ko, name_en, description, weight, max_score, in display order).
    Called by the app that opens the stage evaluation, inside its transaction, after
    its own permission check and before its audit event."""
    validate_rubric_weights([c["weight"] for c in criteria])
    # A rubric left by an earlier evaluation of this stage that no longer exists.
    RubricCriterion.objects.for_stage(call_id=call.pk, stage_number=stage_number).delete()
    return RubricCriterion.objects.bulk_create([
        RubricCriterion(stage_call=call, stage_number=stage_number, order=i, name_ko=c["name_ko"],
                        name_en=c.get("name_en", ""), description=c.get("description", ""), weight=c["weight"],
                        max_score=c.get("max_score", 10))
        for i, c in enumerate(criteria, start=1)])


@transaction.atomic
def call_change_status(*, actor, call: Call, status: str) -> Call:
    require(actor, "programmes.change_call_status", call)
    call = Call.objects.select_for_update().get(pk=call.pk)
    target = CallStatus(status)
    if target not in call.allowed_statuses():
        raise ValidationError(
            josa.format(_("A call cannot move from “%(current)s” to “%(target)s”."),
                        current=call.get_status_display(), target=target.label)
        )
    if target == CallStatus.OPEN:
        validate_rubric_weights([c.weight for c in call.criteria.all()])
        if not call.eligible_regions.exists():
            raise ValidationError(_("Choose at least one eligible region before opening the call."))
    previous = call.status
    call.status = target
    call.updated_by = actor
    call._history_user = actor
    update = ["status", "updated_by", "updated_at"]
    if target == CallStatus.ANNOUNCED:
        call.announced_at = timezone.now()
        update.append("announced_at")
    call.save(update_fields=update)
    record(actor=actor, action=AuditAction.CALL_STATUS, obj=call, summary=target.label,
           before={"status": previous}, after={"status": call.status})
    if target == CallStatus.ANNOUNCED:
        # The sealed results are told now (proposals subscribes: the regions' notifications).
        call_announced.send(sender=Call, call=call, actor=actor)
    return call


# --- Planning guidelines (issue 17) ------------------------------------------------------


def _guideline_file(*, text: str, upload) -> dict:
    """A version's text and file, checked (at least one; the file by its content) and the file
    stored — before any transaction: slow storage never holds a row lock."""
    text = (text or "").strip()
    if not text and not upload:
        raise ValidationError({"text": _("Write the guideline's text or attach its file (or both).")})
    fields = {"text": text}
    if upload:
        try:
            name, ext, _kind = validate_upload(upload)
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        holder = GuidelineVersion(original_name=name, extension=ext, size=upload.size)
        holder.file.save(name, upload, save=False)
        fields.update(file=holder.file.name, original_name=name, extension=ext, size=upload.size)
    return fields


def _guideline_version_new(*, actor, guideline: Guideline, fields: dict) -> GuidelineVersion:
    last = guideline.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return GuidelineVersion.objects.create(guideline=guideline, number=last + 1, published_by=actor, **fields)


def _forget_file(fields: dict) -> None:
    if fields.get("file"):
        GuidelineVersion._meta.get_field("file").storage.delete(fields["file"])


def guideline_publish(*, actor, call: Call, phase: str, title_ko: str, title_en: str = "", text: str = "",
                      upload=None) -> Guideline:
    """Staff publish a planning guideline for one phase of `call`'s planning period (version 1)."""
    require(actor, "programmes.manage_guidelines", call)
    errors = {}
    if not call.has_planning_period:
        errors["phase"] = _("This call has no planning period: add its dates to the call first.")
    elif phase not in PlanningPhase.values:
        errors["phase"] = _("Choose a planning phase.")
    if not (title_ko or "").strip():
        errors["title_ko"] = _("Give the guideline a Korean title.")
    try:
        fields = _guideline_file(text=text, upload=upload) if not errors else {}
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            guideline = Guideline.objects.create(call=call, phase=phase, title_ko=title_ko.strip(),
                                                 title_en=(title_en or "").strip(), created_by=actor)
            version = _guideline_version_new(actor=actor, guideline=guideline, fields=fields)
            record(actor=actor, action=AuditAction.PLANNING, obj=guideline,
                   summary=_("Guideline published: %(title)s (version %(n)s)") % {
                       "title": guideline.title_ko, "n": version.number})
    except Exception:
        _forget_file(fields)
        raise
    return guideline


def guideline_revise(*, actor, guideline: Guideline, text: str = "", upload=None) -> GuidelineVersion:
    """Staff publish a new version of a guideline: every region is asked to read it again."""
    require(actor, "programmes.manage_guidelines", guideline.call)
    fields = _guideline_file(text=text, upload=upload)
    try:
        with transaction.atomic():
            guideline = Guideline.objects.select_for_update().get(pk=guideline.pk)
            version = _guideline_version_new(actor=actor, guideline=guideline, fields=fields)
            record(actor=actor, action=AuditAction.PLANNING, obj=guideline,
                   summary=_("Guideline published: %(title)s (version %(n)s)") % {
                       "title": guideline.title_ko, "n": version.number})
    except Exception:
        _forget_file(fields)
        raise
    return version


@transaction.atomic
def guideline_acknowledge(*, actor, guideline: Guideline) -> GuidelineAcknowledgement:
    """A regional official has read the guideline's current version (once per version)."""
    require(actor, "programmes.acknowledge_guideline", guideline)
    version = guideline.versions.order_by("-number").first()
    if version is None:
        raise ValidationError(_("This guideline has no version to read yet."))
    acknowledgement, created = GuidelineAcknowledgement.objects.get_or_create(
        version=version, user=actor, defaults={"region_id": actor.region_id})
    if created:
        record(actor=actor, action=AuditAction.PLANNING, obj=guideline,
               summary=_("Guideline read: %(title)s (version %(n)s)") % {"title": guideline.title_ko,
                                                                         "n": version.number})
    return acknowledgement


# --- Zones (권역) -----------------------------------------------------------------------------


def zone_problems(zones: list[dict], *, eligible_regions) -> list[tuple[int | None, str, str]]:
    """What is wrong with a call's zones, each as (zone index or None for the zones as a whole,
    field, message): a zone without regions, a name used twice, a region in two zones, a region
    outside the call's eligible regions, an eligible region in no zone. No zones: nothing wrong."""
    if not zones:
        return []
    eligible = {r.pk: r for r in eligible_regions}
    problems: list[tuple[int | None, str, str]] = []
    seen: dict[int, int] = {}
    names: dict[str, int] = {}
    for i, zone in enumerate(zones):
        name = zone["name_ko"].strip()
        if name in names:
            problems.append((i, "name_ko", _("Another zone already has this name.")))
        names.setdefault(name, i)
        regions = list(zone["regions"])
        if not regions:
            problems.append((i, "regions", _("Choose at least one region for this zone.")))
        for region in regions:
            if region.pk in seen:
                problems.append((i, "regions", _("%(region)s is already in the zone “%(zone)s”.") % {
                    "region": region.name, "zone": zones[seen[region.pk]]["name_ko"]}))
            elif region.pk not in eligible:
                problems.append((i, "regions", _("%(region)s is not an eligible region of the call.") % {
                    "region": region.name}))
            seen.setdefault(region.pk, i)
    missing = [r.name for pk, r in sorted(eligible.items(), key=lambda kv: (kv[1].order, kv[0])) if pk not in seen]
    if missing:
        problems.append((None, "zones", _("Every eligible region belongs to one zone; not yet in a zone: "
                                          "%(regions)s.") % {"regions": ", ".join(missing)}))
    return problems


def validate_zones(zones: list[dict], *, eligible_regions) -> None:
    """Refuse zones that overlap, miss an eligible region or reach outside the call's regions."""
    problems = zone_problems(zones, eligible_regions=list(eligible_regions))
    if problems:
        raise ValidationError({"zones": [message for _i, _f, message in problems]})


def _zones_write(call: Call, zones: list[dict]) -> None:
    """Replace the call's zones with `zones` (validated) when they changed; the audit trail
    records each zone and its regions (programmes.watched)."""
    def shape(items):
        return [[z["name_ko"].strip(), z.get("name_en", "").strip(), sorted(r.pk for r in z["regions"])]
                for z in items]

    before = shape({"name_ko": z.name_ko, "name_en": z.name_en, "regions": list(z.regions.all())}
                   for z in call.zones.prefetch_related("regions"))
    if before == shape(zones):
        return
    # A zone keeps its id (and its panel) when renamed or regrouped: items name it by "id".
    existing = {z.pk: z for z in call.zones.all()}
    kept = {item.get("id") for item in zones} & set(existing)
    for pk, zone in existing.items():
        if pk not in kept:
            zone.delete()
    for order, item in enumerate(zones, start=1):
        zone = existing[item["id"]] if item.get("id") in kept else CallZone(call=call)
        zone.order, zone.name_ko, zone.name_en = order, item["name_ko"].strip(), item.get("name_en", "").strip()
        zone.save()
        zone.regions.set(item["regions"])
