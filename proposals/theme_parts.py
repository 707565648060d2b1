"""The proposal page's origin section ("이 제안서의 기원", a proposals.page_parts entry): the candidate themes
its regions considered in the call's planning period (the final one marked, the dropped ones with their
reasons), the opinions they gathered, the selection's reason, the feasibility advice (the `origin_advice`
slot of page_parts, filled by evaluations) and the patent analysis with the region's answer.

Who reads it: whoever reads the proposal (the page asks its selector first); of the themes considered, each
person sees only those the themes' own rule lets them see (a region: the themes it took part in)."""

from . import page_parts
from .models import OpinionGathering, ThemeRegion, ThemeStatus
from .selectors import patent_analysis_of, themes_visible_to


def origin_part(*, user, proposal, compact: bool = False) -> dict | None:
    theme = proposal.origin_theme
    if theme is None:
        return None
    region_ids = list(ThemeRegion.objects.filter(theme=theme).values_list("region_id", flat=True))
    considered = list(themes_visible_to(user=user).filter(call_id=theme.call_id, regions__region_id__in=region_ids)
                      .exclude(pk=theme.pk).distinct().order_by("status", "pk"))
    staff = user.has_perm("proposals.view_all_opinions")
    opinions = [] if compact else [
        {"gathering": g, "can_open": bool(g.minutes) and (staff or g.region_id == getattr(user, "region_id", None))}
        for g in OpinionGathering.objects.filter(call_id=theme.call_id, region_id__in=region_ids)
        .select_related("region").order_by("held_on", "pk")]
    return {"template": "proposals/_origin.html", "theme": theme, "considered": considered,
            "dropped": ThemeStatus.DROPPED, "opinions": opinions, "compact": compact,
            "selection": getattr(theme, "selection", None), "proposal": proposal,
            "can_open": user.has_perm("proposals.view_theme", theme),
            "analysis": patent_analysis_of(proposal),
            "can_open_patents": user.has_perm("proposals.view_patent_analysis", proposal),
            "can_write_patents": user.has_perm("proposals.write_patent_analysis", proposal),
            "advice": page_parts.origin_advice(user=user, proposal=proposal)}
