"""A call's optional planning period: three phases (discovery, selection, planning) before the
submission window, refused at the field when out of order, shown on the call page."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from programmes.models import Call, PlanningPhase
from tests.factories import CallFactory
from tests.login import log_in
from tests.programmes.test_call_validation import NEW_CALL, call_form_data, form_values, staff_client  # noqa: F401

pytestmark = pytest.mark.django_db
SEOUL = ZoneInfo("Asia/Seoul")

PERIOD = {"planning_start": "2027-04-01", "discovery_end": "2027-05-31",
          "selection_end": "2027-07-15", "planning_end": "2027-09-30"}


def test_a_call_with_a_planning_period_is_saved_with_its_phases(staff_client):  # noqa: F811
    response = staff_client.post(NEW_CALL, call_form_data(**PERIOD))
    assert response.status_code == 302
    call = Call.objects.get()
    assert [(p["phase"], p["start"], p["end"]) for p in call.planning_phases()] == [
        (PlanningPhase.DISCOVERY, datetime.date(2027, 4, 1), datetime.date(2027, 5, 31)),
        (PlanningPhase.SELECTION, datetime.date(2027, 6, 1), datetime.date(2027, 7, 15)),
        (PlanningPhase.PLANNING, datetime.date(2027, 7, 16), datetime.date(2027, 9, 30)),
    ]


def test_a_call_without_a_planning_period_works_as_before(staff_client):  # noqa: F811
    response = staff_client.post(NEW_CALL, call_form_data())
    assert response.status_code == 302
    call = Call.objects.get()
    assert (call.has_planning_period, call.planning_phases()) == (False, [])
    assert call.planning_phase_refusal(PlanningPhase.DISCOVERY) == "This call has no planning period."


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"discovery_end": "2027-03-31"}, "discovery_end", "This date must be after “planning period opens”."),
        ({"selection_end": "2027-05-31"}, "selection_end", "This date must be after “theme discovery closes”."),
        ({"planning_end": "2027-07-01"}, "planning_end", "This date must be after “theme selection closes”."),
        ({"planning_end": "2028-01-28"}, "planning_end",
         "The planning period must close before the day of the submission deadline (2028-01-28)."),
        ({"selection_end": ""}, "selection_end", "Give every date of the planning period, or none of them."),
    ],
)
def test_it_refuses_planning_dates_out_of_order_at_the_field_and_keeps_them(staff_client, overrides, field,  # noqa: F811
                                                                             message):
    response = staff_client.post(NEW_CALL, call_form_data(**{**PERIOD, **overrides}))
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    typed = form_values(response)
    assert {name: typed[name] for name in PERIOD} == {**PERIOD, **overrides}
    assert Call.objects.count() == 0


def test_a_phase_closes_at_the_end_of_its_last_day_in_korea():
    call = CallFactory(planning_start=datetime.date(2026, 4, 1), discovery_end=datetime.date(2026, 5, 31),
                       selection_end=datetime.date(2026, 7, 15), planning_end=datetime.date(2026, 9, 30))
    last_minute = datetime.datetime(2026, 5, 31, 23, 59, tzinfo=SEOUL)
    closed = datetime.datetime(2026, 6, 1, 0, 0, tzinfo=SEOUL)
    assert call.planning_phase_refusal(PlanningPhase.DISCOVERY, now=last_minute) is None
    with translation.override("en"):
        assert call.planning_phase_refusal(PlanningPhase.DISCOVERY, now=closed) == (
            "Theme discovery closed at the end of 2026-05-31 (Korea time).")
    assert call.current_planning_phase(now=closed) == PlanningPhase.SELECTION
    assert call.current_planning_phase(now=datetime.datetime(2026, 3, 31, 12, tzinfo=SEOUL)) is None


def test_the_call_page_shows_the_phases_in_its_timeline(client, official):
    call = CallFactory(planning_start=datetime.date(2026, 4, 1), discovery_end=datetime.date(2026, 5, 31),
                       selection_end=datetime.date(2026, 7, 15), planning_end=datetime.date(2026, 9, 30))
    log_in(client, official)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("programmes:call_detail", args=[call.pk])).content.decode()
    assert "1. Theme discovery</strong><br>2026-04-01 – 2026-05-31" in page
    assert "3. Theme planning</strong><br>2026-07-16 – 2026-09-30" in page
    assert page.index('id="phase-planning"') < page.index("Consulting window")


def test_the_call_page_says_when_a_call_has_no_planning_period(client, official, call):
    log_in(client, official)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("programmes:call_detail", args=[call.pk])).content.decode()
    assert "None: regions write their proposals directly." in page
    assert 'id="phase-discovery"' not in page
