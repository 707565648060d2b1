"""A small iCalendar (RFC 5545) writer: the public calendar of calls (public_pages) and each
expert's private file of presentation slots (evaluations.services.rounds); pure, tested by
tests/public_pages/test_ical.py.

Lines end in CRLF and are folded at 75 octets (never inside a UTF-8 character); text is
escaped (backslash, semicolon, comma, newline). Windows and days are all-day events (DATE
values, DTEND the day after the last); the submission deadline is a timed event in UTC.
"""

import datetime
from dataclasses import dataclass

PRODID = "-//MSIT//Regional Innovation Mega Project Portal//KO"


@dataclass(frozen=True)
class Event:
    uid: str
    summary: str
    start: datetime.date | datetime.datetime  # a date: all day; an aware datetime: that instant
    end: datetime.date | datetime.datetime | None = None  # a date: the last day (inclusive)
    description: str = ""
    url: str = ""
    location: str = ""
    busy: bool = False  # a meeting that takes the time (OPAQUE), not a notice (TRANSPARENT)


def escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """One content line, folded: at most 75 octets per physical line, continuation lines start
    with a space (which counts in the 75)."""
    out, current, size, limit = [], [], 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append("".join(current))
            current, size, limit = [" "], 1, 75
        current.append(char)
        size += width
    out.append("".join(current))
    return "\r\n".join(out)


def _utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _date(value: datetime.date) -> str:
    return value.strftime("%Y%m%d")


def _event_lines(event: Event, stamp: str) -> list[str]:
    lines = ["BEGIN:VEVENT", f"UID:{event.uid}", f"DTSTAMP:{stamp}"]
    if isinstance(event.start, datetime.datetime):
        lines.append(f"DTSTART:{_utc(event.start)}")
        lines.append(f"DTEND:{_utc(event.end or event.start)}")
    else:
        last = event.end or event.start
        lines.append(f"DTSTART;VALUE=DATE:{_date(event.start)}")
        lines.append(f"DTEND;VALUE=DATE:{_date(last + datetime.timedelta(days=1))}")
    lines.append(f"SUMMARY:{escape(event.summary)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{escape(event.location)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    lines += ["TRANSP:OPAQUE" if event.busy else "TRANSP:TRANSPARENT", "END:VEVENT"]
    return lines


def calendar(events: list[Event], *, name: str, stamp: datetime.datetime) -> bytes:
    """The whole VCALENDAR as UTF-8 bytes."""
    when = _utc(stamp)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{escape(name)}", "X-WR-TIMEZONE:Asia/Seoul"]
    for event in events:
        lines += _event_lines(event, when)
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
