"""The proposal page's note on its origin (proposals.page_parts): the planning period's final theme it
grew from, the themes considered beside it, and the reason of the selection."""

from .models import CandidateTheme, ThemeRegion


def origin_part(*, user, proposal) -> dict | None:
    theme = proposal.origin_theme
    if theme is None:
        return None
    regions = ThemeRegion.objects.filter(theme=theme).values("region_id")
    considered = (CandidateTheme.objects.filter(call_id=theme.call_id, regions__region_id__in=regions)
                  .exclude(pk=theme.pk).distinct().order_by("pk"))
    selection = getattr(theme, "selection", None)
    return {"template": "proposals/_origin.html", "theme": theme, "considered": list(considered),
            "selection": selection, "can_open": user.has_perm("proposals.view_theme", theme)}
