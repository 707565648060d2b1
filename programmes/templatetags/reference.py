"""Reference data in templates (a template builtin): a region's name from its id."""

from django import template

from programmes.selectors import region_by_id

register = template.Library()


@register.filter
def region(region_id) -> str:
    """A region's name from its id, from the cached reference data (no query per page)."""
    found = region_by_id(region_id)
    return found.name if found else ""


@register.inclusion_tag("programmes/_institution_datalist.html")
def institution_datalist(list_id: str = "institution-names") -> dict:
    """A <datalist> of the registry's names, for a free-text institution field (list="…")."""
    from programmes.institutions import institution_names

    return {"list_id": list_id, "names": institution_names()}
