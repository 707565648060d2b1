"""Ids read from a request's parameters: a tampered value is "no such object" (404), not a server error."""


def posted_id(request, name: str) -> int | None:
    """The id posted under `name` (a positive integer in ASCII digits), or None."""
    raw = request.POST.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None
