"""What the proposal list page shows, read from its HTML: its table may come from the cache (the view
renders it once per person, query string, language and data version), so the template context of a
repeated request does not hold the rows."""

import re

ROW = re.compile(r'<tr><td><a href="/proposals/(\d+)/">.*?</a></td><td><span class="badge status-badge pstate-([\w-]+)">')


def listed(response) -> list[tuple[int, str]]:
    """(proposal id, the state the reader is shown) per row, in order."""
    return [(int(pk), state) for pk, state in ROW.findall(response.content.decode())]


def listed_ids(response) -> list[int]:
    return [pk for pk, _state in listed(response)]
