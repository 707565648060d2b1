"""Ids read from a request's parameters: a tampered value is "no such object" (404), not a server error."""


def parse_id(raw: str) -> int | None:
    """`raw` as an id (a positive integer in ASCII digits), or None."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


def posted_id(request, name: str) -> int | None:
    """The id posted under `name`, or None."""
    return parse_id(request.POST.get(name, ""))


def posted_ids(request, name: str) -> set[int]:
    """The ids posted under `name` (a list of checkboxes); anything else posted there is left out."""
    return {pk for pk in map(parse_id, request.POST.getlist(name)) if pk is not None}
