"""The browse page: filters, readable before → after, paging with flat queries,
and the CSV export of the same rows."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from audit.services import record
from programmes.models import Region
from tests.login import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(ministry, ministry2, call, official):
    """Three explicit events by two people, besides the field changes of the fixtures."""
    region = Region.objects.get(code="busan")
    return {
        "status": record(actor=ministry, action=AuditAction.CALL_STATUS, obj=call, summary="마감 처리",
                         before={"status": "open"}, after={"status": "closed"}),
        "export": record(actor=ministry2, action=AuditAction.EXPORT, obj=None, summary="제안서 목록 CSV",
                         after={"rows": 12}),
        "region": record(actor=ministry2, action=AuditAction.USER_ACCOUNT, obj=region, summary="지역 담당 변경"),
    }


def shown(client, **params) -> set[str]:
    """The summaries of the rows the page shows for these filters."""
    response = client.get("/audit/", params)
    assert response.status_code == 200
    return {e.summary for e, _diff in response.context["rows"] if e.summary}


def test_each_filter_narrows_the_trail(client, ministry, trail, call):
    log_in(client, ministry)
    assert {"마감 처리", "제안서 목록 CSV", "지역 담당 변경"} <= shown(client)
    assert shown(client, action="export") == {"제안서 목록 CSV"}
    assert shown(client, actor="ministry2") == {"제안서 목록 CSV", "지역 담당 변경"}
    assert shown(client, actor=str(ministry2_name(trail))) == {"제안서 목록 CSV", "지역 담당 변경"}
    assert shown(client, type="programmes.call", object=str(call.pk), source="event") == {"마감 처리"}
    assert shown(client, q="목록") == {"제안서 목록 CSV"}
    today = timezone.localdate()
    assert "마감 처리" in shown(client, date_from=today.isoformat(), date_to=today.isoformat())
    assert shown(client, date_to=(today - datetime.timedelta(days=1)).isoformat()) == set()
    assert shown(client, date_from=(today + datetime.timedelta(days=1)).isoformat()) == set()
    assert shown(client, source="fields") == set()  # field changes carry no summary
    assert AuditEvent.objects.filter(source="fields").exists()


def ministry2_name(trail) -> str:
    return trail["export"].actor_name


def test_a_malformed_filter_is_ignored_and_said_so(client, ministry, trail):
    log_in(client, ministry)
    response = client.get("/audit/", {"date_from": "어제", "action": "nonsense"})
    assert response.status_code == 200
    assert "마감 처리" in response.content.decode()
    assert response.context["form"].errors


def test_before_and_after_are_shown_side_by_side_with_labels(client, ministry, trail):
    log_in(client, ministry)
    html = client.get("/audit/", {"action": "call_status"}).content.decode()
    # The call's status field, its labels in place of the stored codes.
    assert "<del>" in html and "<ins>" in html
    [(event, [row])] = client.get("/audit/", {"action": "call_status"}).context["rows"]
    status = dict(event.content_type.model_class()._meta.get_field("status").flatchoices)
    assert (row["before"], row["after"], row["changed"]) == (status["open"], status["closed"], True)
    assert row["field"] in ("Status", "status", "상태")


def test_the_browse_page_needs_the_same_number_of_queries_for_3_records_as_for_60(client, ministry, call):
    log_in(client, ministry)

    def queries(n: int) -> int:
        for i in range(n - AuditEvent.objects.filter(action=AuditAction.CALL_STATUS).count()):
            record(actor=ministry, action=AuditAction.CALL_STATUS, obj=call, summary=f"#{i}",
                   before={"status": "open"}, after={"status": "closed"})
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/audit/", {"action": "call_status"}).status_code == 200
        return len(ctx.captured_queries)

    few = queries(3)
    assert queries(60) == few  # 60 rows: a full page of 50 and a second page


def test_the_csv_export_is_utf8_with_bom_streamed_and_holds_the_filtered_rows(client, ministry, trail):
    log_in(client, ministry)
    response = client.get("/audit/export.csv", {"action": "call_status"})
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    data = b"".join(response.streaming_content).decode("utf-8")
    assert data.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(data.lstrip("\ufeff"))))
    assert len(rows) == 2  # the header and the one changed field of the one status change
    assert rows[1][1] == trail["status"].actor_name and rows[1][7] == "마감 처리"
    assert rows[1][9:11] != ["", ""]


def test_the_proposal_page_links_staff_to_everything_recorded_about_the_proposal(client, ministry, official, prepared,
                                                                               ministry2, approve):
    approve(prepared, ministry2)
    proposal = prepared.proposal
    log_in(client, ministry)
    page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert f'href="/audit/?proposal={proposal.pk}"' in page
    actions = {e.action for e, _diff in client.get("/audit/", {"proposal": proposal.pk}).context["rows"]}
    assert {AuditAction.FUNDING_PREPARE, AuditAction.FUNDING_APPROVE, AuditAction.PROPOSAL_STATE} <= actions
    decision_page = client.get(f"/funding/proposals/{proposal.pk}/").content.decode()
    assert f"/audit/?type=funding.fundingdecision&amp;proposal={proposal.pk}" in decision_page
    only_decisions = client.get("/audit/", {"proposal": proposal.pk, "type": "funding.fundingdecision"}).context["rows"]
    assert {e.object_id for e, _diff in only_decisions} == {str(prepared.pk)}
    log_in(client, official)
    assert "/audit/" not in client.get(f"/proposals/{proposal.pk}/").content.decode()


def test_the_call_page_links_staff_to_the_call_history(client, ministry, call):
    log_in(client, ministry)
    page = client.get(f"/calls/{call.pk}/").content.decode()
    assert f"/audit/?type=programmes.call&amp;object={call.pk}" in page
