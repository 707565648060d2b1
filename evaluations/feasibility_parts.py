"""What the proposals app shows of the experts' feasibility advice (proposals.advice): which themes were
advised, the consolidated advice on the region's phase-2 page, and on a proposal's origin section."""

from .services.feasibility import advised_theme_ids, consolidated_advice


def _show_names(user, call) -> bool:
    """Staff always; the regions only when the call reveals the panel's names."""
    return user.has_perm("evaluations.manage_feasibility") or bool(call.reveal_panel_names)


def selection_advice(*, user, call, themes) -> dict | None:
    """The consolidated advice on the themes the user may read it on (a region: its own themes)."""
    readable = [t for t in themes if user.has_perm("evaluations.view_theme_advice", t)]
    advice = consolidated_advice(readable, show_names=_show_names(user, call))
    if not advice:
        return None
    return {"template": "evaluations/_theme_advice.html", "advice": advice}


def origin_advice(*, user, proposal) -> dict | None:
    """For a proposal's origin section (proposals.page_parts' origin-advice slot): the advice on the theme it
    grew from (to whoever may read it)."""
    theme = proposal.origin_theme
    if theme is None or not user.has_perm("evaluations.view_theme_advice", theme):
        return None
    advice = consolidated_advice([theme], show_names=_show_names(user, theme.call))
    return {"template": "evaluations/_theme_advice.html", "advice": advice} if advice else None


def reviewed_theme_ids(user):
    """The candidate themes the expert reviews and may read now (proposals' theme selector asks): the pledge bound
    to the review signed, no conflict declared, not unassigned."""
    from .models import ReviewState, ThemeReview

    return (ThemeReview.objects.filter(expert=user, pledge__isnull=False, declared_at__isnull=False,
                                       conflict_declared=False).exclude(state=ReviewState.UNASSIGNED)
            .values("theme_id"))


def register() -> None:
    from proposals import advice, page_parts

    advice.register("advised_themes", advised_theme_ids)
    advice.register("selection_advice", selection_advice)
    advice.register("reviewed_themes", reviewed_theme_ids)
    page_parts.register_origin_advice(origin_advice)
