"""The trail reads as Korean: model and field names translated, a person picker for "who", no empty
"— →" rows, and an unambiguous CSV header."""

import csv
import io

import pytest
from django.conf import settings

from audit.models import AuditAction
from audit.services import record
from tests.login import log_in
from trail.selectors import diff_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def korean(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    return client


def test_a_value_empty_before_and_after_gives_no_row(ministry, call):
    event = record(actor=ministry, action=AuditAction.CALL_STATUS, obj=call, summary="마감",
                   before={"status": "open", "reason": ""}, after={"status": "closed", "reason": None})
    assert [row["before"] for row in diff_rows(event)] != [] and len(diff_rows(event)) == 1


def test_the_page_names_models_and_fields_in_korean_and_picks_people(korean, ministry, ministry2, call):
    record(actor=ministry2, action=AuditAction.CALL_STATUS, obj=call, summary="마감 처리",
           before={"status": "open", "reason": ""}, after={"status": "closed", "reason": ""})
    log_in(korean, ministry)
    html = korean.get("/audit/").content.decode()
    assert "공모" in html and ">상태<" in html
    assert "Award letter" not in html and "Assigned by" not in html
    # The person filter is a picker of the people with records, not free text.
    assert '<select id="id_actor" name="actor"' in html
    assert '<option value="ministry2">과기정통부 이사무관 (ministry2)</option>' in html
    picked = korean.get("/audit/", {"actor": "ministry2"})
    [(event, diff)] = picked.context["rows"]
    assert event.summary == "마감 처리"
    assert [row["field"] for row in diff] == ["상태"]  # the empty reason gives no "사유 — →" row


def test_the_type_filter_lists_korean_names(korean, ministry):
    log_in(korean, ministry)
    labels = dict(korean.get("/audit/").context["form"].fields["type"].choices)
    assert labels["funding.awardletter"] == "선정 통보서"
    assert labels["evaluations.assignment"] == "배정"
    assert labels["proposals.participation"] == "참여 지역"


def test_the_csv_header_names_the_record_kind(korean, ministry, call):
    record(actor=ministry, action=AuditAction.CALL_STATUS, obj=call, summary="마감",
           before={"status": "open"}, after={"status": "closed"})
    log_in(korean, ministry)
    data = b"".join(korean.get("/audit/export.csv").streaming_content).decode("utf-8").lstrip("\ufeff")
    header = next(csv.reader(io.StringIO(data)))
    assert header[3] == "기록 종류" and "기관 유형" not in header
