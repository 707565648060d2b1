"""Reference data in templates (a template builtin): a region's name from its id."""

from django import template

from programmes.selectors import region_by_id

register = template.Library()


@register.filter
def region(region_id) -> str:
    """A region's name from its id, from the cached reference data (no query per page)."""
    found = region_by_id(region_id)
    return found.name if found else ""
