"""The ranking board's per-zone ranking (issue 16), read by its own include so the board's view
and template stay as they are: `{% zone_ranking call normalised type as zones %}`."""

from django import template

from ..selectors import zone_ranking as zone_ranking_rows

register = template.Library()


@register.simple_tag
def zone_ranking(call, normalised=False, cooperation_type=""):
    return zone_ranking_rows(call=call, normalised=bool(normalised), cooperation_type=cooperation_type or "")
