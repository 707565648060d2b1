"""The calendar feed is valid iCalendar (RFC 5545) and names no applicant."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from core.ical import Event, calendar, escape, fold
from tests.clock import at
from tests.public_pages.conftest import SELECTED_TITLE, UNSELECTED_TITLE

SEOUL = datetime.timezone(datetime.timedelta(hours=9))


def test_text_is_escaped():
    assert escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_a_long_korean_line_is_folded_at_75_octets_never_inside_a_character():
    line = "SUMMARY:" + "지역혁신 메가프로젝트 공모 제출 마감" * 6
    folded = fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_all_day_events_end_the_day_after_and_the_deadline_is_in_utc():
    stamp = datetime.datetime(2026, 12, 3, 1, 2, 3, tzinfo=datetime.UTC)
    data = calendar([
        Event(uid="a@x", summary="창", start=datetime.date(2026, 10, 5), end=datetime.date(2026, 12, 31)),
        Event(uid="b@x", summary="마감", start=datetime.datetime(2027, 1, 29, 18, 0, tzinfo=SEOUL)),
    ], name="공모", stamp=stamp).decode("utf-8")
    assert data.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert data.endswith("END:VCALENDAR\r\n")
    assert "\n" not in data.replace("\r\n", "")
    assert "DTSTART;VALUE=DATE:20261005\r\nDTEND;VALUE=DATE:20270101\r\n" in data
    assert "DTSTART:20270129T090000Z\r\n" in data
    assert data.count("DTSTAMP:20261203T010203Z\r\n") == 2


@pytest.mark.django_db
def test_the_feed_has_every_published_call_s_phases_and_no_applicant(public_world):
    response = Client().get(reverse("public:calendar"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode("utf-8")
    lines = text.split("\r\n")
    assert lines[-1] == "" and all(len(line.encode("utf-8")) <= 75 for line in lines)
    unfolded = re.sub(r"\r\n ", "", text)
    call = public_world["call"]
    uids = re.findall(r"^UID:(.+?)\r$", unfolded, flags=re.M)
    assert sorted(uids) == sorted(f"call-{call.pk}-{k}@testserver" for k in
                                  ("consulting", "deadline", "review", "announcement"))
    assert unfolded.count("BEGIN:VEVENT") == unfolded.count("DTSTAMP:") == 4
    # The factory's deadline, 2027-01-29 18:00 in Seoul as written (tests/clock.py), in UTC.
    deadline = at(2027, 1, 29, 18, 0).astimezone(datetime.UTC)
    assert f"DTSTART:{deadline:%Y%m%dT%H%M%S}Z" in unfolded
    for secret in (SELECTED_TITLE, UNSELECTED_TITLE, public_world["draft"].title, "발표평가", "presentation"):
        assert secret not in unfolded
