"""What the call page shows staff about agreements (programmes.call_page): the call's amendment
thresholds and the way to change them."""

from .services.amendments import policy_for


def amendment_policy_part(*, user, call) -> dict | None:
    if not user.has_perm("agreements.change_amendment_policy", call):
        return None
    policy = policy_for(call)
    return {"slot": "side", "template": "agreements/_call_amendment_policy.html", "call_pk": call.pk,
            "policy": policy, "is_default": policy.pk is None}
