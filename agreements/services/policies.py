"""A call's amendment thresholds (AmendmentPolicy): which money moves are small enough for one staff
member to approve (agreements.services.amendments.is_small). Staff change them on the call's policy
page; the first change creates the call's row (until then the defaults apply). Every change is on the
audit trail with the values before and after, and the page lists them."""

from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import AuditAction, record
from core.permissions import require

from ..models import AmendmentPolicy

MAX_PCT = Decimal(100)
MAX_WON = 10**15


def pct_text(value) -> str:
    """A share as people write it: "7.5", "10" (never "7.50" or "1E+1")."""
    return f"{Decimal(value).normalize():f}"


def _values(policy: AmendmentPolicy) -> dict:
    return {"small_pct": pct_text(policy.small_pct), "small_max_won": int(policy.small_max_won)}


def amendment_policy_save(*, actor, call, small_pct, small_max_won) -> AmendmentPolicy:
    """Set the call's thresholds: a money move of at most `small_pct` per cent of the year's total and at
    most `small_max_won` won is small. Both are required; 0 makes every change large."""
    require(actor, "agreements.change_amendment_policy", call)
    errors = {}
    try:
        pct = None if small_pct in (None, "") else Decimal(str(small_pct))
    except InvalidOperation:
        pct = None
        errors["small_pct"] = _("Type a share in per cent, e.g. 10 or 12.5.")
    if pct is None and "small_pct" not in errors:
        errors["small_pct"] = _("Type the share of the year's total a small change may move (0 to 100 %).")
    elif pct is not None and not (0 <= pct <= MAX_PCT):
        errors["small_pct"] = _("The share is between 0 and 100 %.")
    elif pct is not None and pct.as_tuple().exponent < -2:
        errors["small_pct"] = _("At most two decimal places, e.g. 12.25.")
    if small_max_won is None:
        errors["small_max_won"] = _("Type the largest amount a small change may move (won).")
    elif not (0 <= int(small_max_won) <= MAX_WON):
        errors["small_max_won"] = _("The amount is between 0 and 1,000조 won.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        policy = AmendmentPolicy.objects.select_for_update().filter(call=call).first()
        before = _values(policy) if policy is not None else None
        if policy is None:
            policy = AmendmentPolicy(call=call)
            defaults = _values(policy)
        policy.small_pct, policy.small_max_won = pct, int(small_max_won)
        after = _values(policy)
        if (before or defaults) == after:
            return policy  # nothing changed: nothing to record
        policy.save()
        record(actor=actor, action=AuditAction.AMENDMENT_POLICY, obj=policy,
               summary=_("Amendment thresholds of %(call)s: at most %(pct)s%% of the year's total and %(won)s "
                         "won for one staff member's approval.") % {
                   "call": call.title, "pct": after["small_pct"], "won": f"{after['small_max_won']:,}"},
               before=before or {**defaults, "default": True}, after=after)
    return policy


def policy_history(call) -> list[AuditEvent]:
    """The changes of the call's thresholds, newest first (who, when, before and after)."""
    policy = AmendmentPolicy.objects.filter(call=call).first()
    if policy is None:
        return []
    return list(AuditEvent.objects.filter(
        action=AuditAction.AMENDMENT_POLICY, content_type=ContentType.objects.get_for_model(AmendmentPolicy),
        object_id=str(policy.pk)).select_related("actor"))
