"""Every write to programmes and calls: check permission, validate, write in a
transaction, record who did it (simple-history keeps before/after)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import AuditAction, record
from core import josa
from core.permissions import require

from .models import Call, CallStatus, RubricCriterion
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
) -> Call:
    """Create or update a call with its rubric. `criteria` items: id (optional),
    name_ko, name_en, description, weight, in display order."""
    require(actor, "programmes.change_call" if call.pk else "programmes.add_call", call if call.pk else None)
    call.full_clean(exclude=["created_by", "updated_by"])
    validate_rubric_weights([c["weight"] for c in criteria])
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
