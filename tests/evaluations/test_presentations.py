"""The presentation round's schedule: slots inside the round's dates, no panel member in two
places at once, the invitation told to the region and the panel (the one disclosure before the
results), each member's private iCalendar file, attendance by staff.

Presentation round 2027-03-10 – 2027-03-20 (Korea time, as written: tests/clock.py); A and B shortlisted, C not.
"""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from audit.models import AuditAction, AuditEvent
from evaluations.models import Attendance, PresentationSlot
from evaluations.services import panel_assign, presentations_calendar, shortlist_take, slot_attendance, slot_set
from proposals.disclosure import disclosure_for, presentation_invitation_shown
from tests.clock import at as written_at
from tests.clock import on
from tests.evaluations.conftest import make_expert, sheet_in_db
from tests.factories import CallFactory
from tests.login import log_in
from tests.proposals.conftest import messages_of, text_of

pytestmark = pytest.mark.django_db

ROUNDS = {"evaluation_rounds": 2, "written_weight": 40, "presentation_weight": 60, "shortlist_size": 2,
          "presentation_start": on(2027, 3, 10), "presentation_end": on(2027, 3, 20)}


def at(day, hour, minute=0):
    return written_at(2027, 3, day, hour, minute)


def local(day, hour, minute=0) -> str:
    """The moment as a form field or the page shows it (Korea time)."""
    return f"{at(day, hour, minute):%Y-%m-%dT%H:%M}"


def utc(day, hour, minute=0) -> str:
    """The moment as a calendar file writes it."""
    return f"{at(day, hour, minute).astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}"


@pytest.fixture
def shortlisted(ministry, eligible_factory):
    call = CallFactory(criteria=[100], created_by=ministry, **ROUNDS)
    judges = [make_expert("w-1"), make_expert("w-2")]
    made = {}
    for name, score in (("A", 9), ("B", 8), ("C", 6)):
        made[name] = eligible_factory(call=call, title_en=name, title_ko=f"과제 {name}")
        for j in judges:
            sheet_in_db(made[name], j, [score], by=ministry)
    shortlist_take(actor=ministry, call=call)
    return made


@pytest.fixture
def member(shortlisted, ministry):
    """One presentation-panel member sitting on both A's and B's panels."""
    expert = make_expert("presenter", display_name="발표 심사위원")
    for name in ("A", "B"):
        panel_assign(actor=ministry, proposal=shortlisted[name], expert=expert, round=2)
    return expert


def test_a_slot_is_set_inside_the_round_and_told_to_the_region_and_the_panel(shortlisted, member, ministry,
                                                                           official, django_capture_on_commit_callbacks):
    Notification.objects.all().delete()
    slot = slot_set(actor=ministry, proposal=shortlisted["A"], starts_at=at(12, 10), ends_at=at(12, 10, 40),
                    place="정부세종청사 6동 회의실")
    assert (slot.starts_at, slot.ends_at, slot.place) == (at(12, 10), at(12, 10, 40), "정부세종청사 6동 회의실")
    told = {n.user for n in Notification.objects.all()}
    assert official in told and member in told
    message = Notification.objects.get(user=official).message
    assert "정부세종청사 6동 회의실" in message and "score" not in message.lower()
    assert AuditEvent.objects.filter(action=AuditAction.EVALUATION_ROUND, actor=ministry).count() == 2  # + shortlist


def test_a_slot_outside_the_round_or_without_a_place_is_refused_at_its_field(shortlisted, ministry):
    with pytest.raises(ValidationError) as refused:
        slot_set(actor=ministry, proposal=shortlisted["A"], starts_at=at(9, 23, 30), ends_at=at(21, 0, 30),
                 place="")
    assert refused.value.message_dict == {
        "place": ["Give a place or an online link."],
        "starts_at": [f"It is not the presentation round ({on(2027, 3, 10)} – {on(2027, 3, 20)})."],
        "ends_at": [f"It is not the presentation round ({on(2027, 3, 10)} – {on(2027, 3, 20)})."]}
    with pytest.raises(ValidationError) as refused:
        slot_set(actor=ministry, proposal=shortlisted["A"], starts_at=at(12, 11), ends_at=at(12, 10),
                 online_link="https://meet.example.kr/a")
    assert refused.value.message_dict == {"ends_at": ["The presentation ends after it starts."]}
    assert not PresentationSlot.objects.exists()


def test_a_member_cannot_be_in_two_presentations_at_once(shortlisted, member, ministry):
    slot_set(actor=ministry, proposal=shortlisted["A"], starts_at=at(12, 10), ends_at=at(12, 11), place="회의실 1")
    with pytest.raises(ValidationError) as refused:
        slot_set(actor=ministry, proposal=shortlisted["B"], starts_at=at(12, 10, 30), ends_at=at(12, 11, 30),
                 place="회의실 2")
    assert list(refused.value.message_dict) == ["starts_at"]
    assert "“A”" in refused.value.message_dict["starts_at"][0]
    # Back to back is fine: one ends when the next starts.
    slot_set(actor=ministry, proposal=shortlisted["B"], starts_at=at(12, 11), ends_at=at(12, 12), place="회의실 2")
    assert PresentationSlot.objects.count() == 2


def test_only_shortlisted_proposals_are_scheduled_and_only_by_staff(shortlisted, ministry, official):
    with pytest.raises(ValidationError, match="Only shortlisted"):
        slot_set(actor=ministry, proposal=shortlisted["C"], starts_at=at(12, 10), ends_at=at(12, 11), place="x")
    with pytest.raises(PermissionDenied):
        slot_set(actor=official, proposal=shortlisted["A"], starts_at=at(12, 10), ends_at=at(12, 11), place="x")


def test_attendance_is_recorded_by_staff_once_the_presentation_started(shortlisted, ministry):
    slot = slot_set(actor=ministry, proposal=shortlisted["A"], starts_at=at(12, 10), ends_at=at(12, 11), place="x")
    with pytest.raises(ValidationError) as refused:
        slot_attendance(actor=ministry, slot=slot, attendance=Attendance.ATTENDED)  # 2027 is still to come
    assert refused.value.message_dict == {"attendance": ["Attendance is recorded once the presentation has started."]}
    PresentationSlot.objects.filter(pk=slot.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=1),
                                                       ends_at=timezone.now())
    with pytest.raises(ValidationError):
        slot_attendance(actor=ministry, slot=slot, attendance="late")
    assert slot_attendance(actor=ministry, slot=slot, attendance=Attendance.ABSENT).attendance == "absent"


# --- The one disclosure before the results -------------------------------------------------


def test_the_region_sees_its_invitation_but_no_score_or_place(client, shortlisted, ministry, official,
                                                           outsider_official):
    proposal = shortlisted["A"]
    slot_set(actor=ministry, proposal=proposal, starts_at=at(12, 10), ends_at=at(12, 11),
             online_link="https://meet.example.kr/a")
    assert presentation_invitation_shown(user=official, proposal=proposal) == (
        "starts_at", "ends_at", "place", "online_link")
    assert disclosure_for(user=official, proposal=proposal).results is False  # the results stay sealed
    log_in(client, official)
    page = client.get(reverse("evaluations:presentation", args=[proposal.pk]))
    assert page.status_code == 200
    invitation = text_of(page, "invitation")
    assert "https://meet.example.kr/a" in invitation and local(12, 10).replace("T", " ") in invitation
    # The written score (90) is nowhere in what the page shows (its random CSRF tokens and nonces left out: one may hold "90").
    body = re.sub(r'(name="csrfmiddlewaretoken" value|content|nonce)="[^"]*"', "", page.content.decode())
    assert "90" not in body.replace("https://meet.example.kr/a", "")
    assert client.get(reverse("evaluations:ranking", args=[proposal.call_id])).status_code == 403
    client.logout()
    log_in(client, outsider_official)
    assert client.get(reverse("evaluations:presentation", args=[proposal.pk])).status_code == 404


# --- The panel's calendar --------------------------------------------------------------------


def unfold(data: str) -> list[str]:
    return data.replace("\r\n ", "").split("\r\n")


def events_of(data: bytes) -> list[dict]:
    events, current = [], None
    for line in unfold(data.decode("utf-8")):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None and ":" in line:
            name, _, value = line.partition(":")
            current[name] = value
    return events


def test_each_member_downloads_a_private_calendar_of_their_slots(client, shortlisted, member, ministry):
    slot_set(actor=ministry, proposal=shortlisted["A"], starts_at=at(12, 10), ends_at=at(12, 10, 40),
             place="세종청사, 6동; 회의실")
    slot_set(actor=ministry, proposal=shortlisted["B"], starts_at=at(13, 14), ends_at=at(13, 14, 40),
             online_link="https://meet.example.kr/b")
    events = events_of(presentations_calendar(expert=member))
    assert [(e["DTSTART"], e["DTEND"], e["TRANSP"]) for e in events] == [
        (utc(12, 10), utc(12, 10, 40), "OPAQUE"), (utc(13, 14), utc(13, 14, 40), "OPAQUE")]
    assert events[0]["LOCATION"] == "세종청사\\, 6동\\; 회의실"
    assert events[1]["URL"] == "https://meet.example.kr/b"
    assert events[0]["SUMMARY"].startswith("Presentation: ")
    # Someone else's calendar has none of them; the download is the expert's own.
    assert events_of(presentations_calendar(expert=make_expert("other"))) == []
    log_in(client, member)
    response = client.get(reverse("evaluations:presentations_ics"))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert len(events_of(response.content)) == 2
    assert 'id="presentations-ics"' in client.get(reverse("evaluations:assignments")).content.decode()


# --- The schedule page ---------------------------------------------------------------------------


def test_the_schedule_page_keeps_what_was_typed_and_marks_the_field(client, shortlisted, ministry):
    log_in(client, ministry)
    proposal = shortlisted["A"]
    url = reverse("evaluations:presentation_slot", args=[proposal.pk])
    response = client.post(url, {"starts_at": local(25, 10), "ends_at": local(25, 11), "place": "회의실"})
    assert response.status_code == 400
    assert text_of(response, f"slot-{proposal.pk}-starts_at-error") == (
        f"It is not the presentation round ({on(2027, 3, 10)} – {on(2027, 3, 20)}).")
    assert 'value="회의실"' in response.content.decode()
    response = client.post(url, {"starts_at": local(12, 10), "ends_at": local(12, 11), "place": "회의실"},
                           follow=True)
    assert messages_of(response) == ["The presentation was scheduled; the region and the panel were told."]
    assert PresentationSlot.objects.get(proposal=proposal).starts_at == at(12, 10)
