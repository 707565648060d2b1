"""Zone panels (issue 16): staff compose each zone's panel by hand or confirm the optimal plan."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role, User
from core.forms import perform
from core.params import posted_id
from core.permissions import require
from programmes.models import CallZone
from programmes.selectors import calls_visible_to

from .models import ZonePanelMember
from .services import zones as zone_services
from .services.quality import excluded_experts


def _staff_call(request, pk):
    require(request.user, "evaluations.manage_panels")
    return get_object_or_404(calls_visible_to(user=request.user).prefetch_related("zones__regions"), pk=pk)


@login_required
def zone_panels(request, pk):
    """The call's zones, each panel's members and chair, and the optimal plan to confirm."""
    call = _staff_call(request, pk)
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Tick the confirmation box to seat the zone panels."))
        elif perform(request, lambda: zone_services.zone_plan_confirm(
                actor=request.user, call=call, signature=request.POST.get("signature", "")),
                _("The zone panels were seated; their members were assigned and told.")):
            return redirect("evaluations:zone_panels", pk=call.pk)
    zones = list(call.zones.all())
    plan = zone_services.zone_plan(call=call) if zones else None
    # What each zone's panel evaluates or evaluated: the eligible proposals, and once the selection is
    # made those selected, on reserve, not selected or funded (they are no longer "eligible").
    by_zone = zone_services.zone_proposals(call, evaluated=True) if zones else {}
    seated = {}
    for m in ZonePanelMember.objects.filter(call=call).select_related("expert__expert_profile"):
        seated.setdefault(m.zone_id, []).append(m)
    taken = {m.expert_id for ms in seated.values() for m in ms}
    pool = (User.objects.filter(role=Role.EXPERT, is_active=True, expert_profile__available=True)
            .exclude(pk__in=excluded_experts()).exclude(pk__in=taken).select_related("expert_profile")
            .order_by("display_name", "pk"))
    planned = {row.zone.pk: row for row in plan.rows} if plan else {}
    return render(request, "evaluations/zone_panels.html", {
        "call": call, "plan": plan, "pool": pool,
        "zones": [{"zone": z, "members": seated.get(z.pk, []), "proposals": by_zone.get(z.pk, []),
                   "planned": planned.get(z.pk),
                   "scoring": [(p, planned[z.pk].scorers.get(p.pk), planned[z.pk].sit_outs.get(p.pk, []))
                               for p in planned[z.pk].proposals] if z.pk in planned else []} for z in zones],
        "new_count": sum(len(r.new_members) for r in plan.rows) if plan else 0,
    }, status=400 if request.method == "POST" else 200)


@require_POST
@login_required
def zone_member(request, pk):
    """By hand: seat an expert on a zone's panel, take a member off, or name the chair."""
    call = _staff_call(request, pk)
    action = request.POST.get("action", "")
    if action == "add":
        zone = get_object_or_404(CallZone, call=call, pk=posted_id(request, "zone"))
        expert = get_object_or_404(User, role=Role.EXPERT, pk=posted_id(request, "expert"))
        perform(request, lambda: zone_services.zone_member_add(actor=request.user, zone=zone, expert=expert),
                _("%(expert)s now sits on the panel of %(zone)s.") % {"expert": expert, "zone": zone})
    elif action in ("remove", "chair"):
        member = get_object_or_404(ZonePanelMember.objects.select_related("zone", "expert"), call=call,
                                   pk=posted_id(request, "member"))
        if action == "remove":
            perform(request, lambda: zone_services.zone_member_remove(actor=request.user, member=member),
                    _("%(expert)s left the panel of %(zone)s.") % {"expert": member.expert, "zone": member.zone})
        else:
            perform(request, lambda: zone_services.zone_set_chair(actor=request.user, member=member),
                    _("%(expert)s chairs the panel of %(zone)s.") % {"expert": member.expert, "zone": member.zone})
    else:
        messages.error(request, _("Unknown action."))
    return redirect("evaluations:zone_panels", pk=call.pk)
