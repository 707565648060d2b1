"""The access log of personal data on the trail's pages: administrators list, filter and export it
(the export on the audit trail); nobody else opens it, ministry staff included."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessChannel, AuditAction, AuditEvent
from audit.personal_data import record_personal_data_access
from tests.factories import ExpertFactory
from tests.login import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(ministry, admin_user):
    kim = ExpertFactory(username="kim", display_name="김하늘 교수")
    lee = ExpertFactory(username="lee", display_name="이바다 박사")
    record_personal_data_access(actor=ministry, subjects=[kim], items=["email", "phone"], purpose="recruiting",
                                channel=AccessChannel.PAGE, description="전문가 프로필")
    record_personal_data_access(actor=admin_user, subjects=[kim, lee], items=["email", "phone"],
                                purpose="other", purpose_detail="=HYPERLINK(\"x\")", channel=AccessChannel.EXPORT,
                                row_count=2, description="전문가 풀 CSV")
    return {"kim": kim, "lee": lee}


def entries(response) -> list:
    return [(e.accessor_name, e.purpose) for e in response.context["page"].object_list]


ROLES = ["anonymous", "official", "expert", "ministry", "admin_user"]


@pytest.mark.parametrize("name", ["personal_data", "personal_data_csv"])
@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_open_the_log_and_its_export(request, client, log, role, name):
    if role != "anonymous":
        log_in(client, request.getfixturevalue(role))
    exports = AuditEvent.objects.filter(action=AuditAction.EXPORT).count()
    response = client.get(reverse(f"audit:{name}"))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == (200 if role == "admin_user" else 403)
    assert ("김하늘 교수".encode() in body) == (role == "admin_user")
    if role != "admin_user":
        assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == exports


def test_the_log_lists_newest_first_with_who_why_and_whose(client, admin_user, log):
    log_in(client, admin_user)
    response = client.get(reverse("audit:personal_data"))
    assert entries(response) == [("관리자 (admin)", "other"), ("과기정통부 김주무관 (ministry)", "recruiting")]
    assert "김하늘 교수, 이바다 박사" in response.content.decode()


@pytest.mark.parametrize("query, expected", [
    ({"accessor": "ministry"}, ["recruiting"]),
    ({"accessor": "김주무관"}, ["recruiting"]),
    ({"subject": "lee"}, ["other"]),
    ({"subject": "김하늘"}, ["other", "recruiting"]),
    ({"purpose": "other"}, ["other"]),
    ({"channel": "page"}, ["recruiting"]),
    ({"date_from": "2000-01-01", "date_to": "2000-01-02"}, []),
    ({"purpose": "not-a-purpose"}, ["other", "recruiting"]),  # an invalid filter is ignored, and said so
])
def test_the_filters_narrow_the_log(client, admin_user, log, query, expected):
    log_in(client, admin_user)
    response = client.get(reverse("audit:personal_data"), query)
    assert [p for _n, p in entries(response)] == expected


def test_the_date_range_counts_whole_days_in_korea_time(client, admin_user, log):
    log_in(client, admin_user)
    today = timezone.localdate()
    response = client.get(reverse("audit:personal_data"), {"date_from": today.isoformat(),
                                                           "date_to": today.isoformat()})
    assert len(entries(response)) == 2
    response = client.get(reverse("audit:personal_data"),
                          {"date_to": (today - datetime.timedelta(days=1)).isoformat()})
    assert entries(response) == []


def test_the_log_pages_by_fifty(client, admin_user, ministry, log):
    for _ in range(50):
        record_personal_data_access(actor=ministry, subjects=[log["kim"]], items=["email"], purpose="scheduling",
                                    channel=AccessChannel.PAGE)
    log_in(client, admin_user)
    response = client.get(reverse("audit:personal_data"))
    assert (len(response.context["page"].object_list), response.context["page"].paginator.num_pages) == (50, 2)


def test_the_log_page_costs_the_same_queries_for_one_entry_or_many(client, admin_user, ministry, log,
                                                                   django_assert_max_num_queries):
    log_in(client, admin_user)
    client.get(reverse("audit:personal_data"))
    for _ in range(10):
        record_personal_data_access(actor=ministry, subjects=[log["kim"], log["lee"]], items=["email"],
                                    purpose="scheduling", channel=AccessChannel.PAGE)
    with django_assert_max_num_queries(8):
        client.get(reverse("audit:personal_data"))


def test_the_csv_holds_the_filtered_entries_made_harmless_and_its_export_is_recorded(client, admin_user, log):
    log_in(client, admin_user)
    response = client.get(reverse("audit:personal_data_csv"), {"channel": "export"})
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 2
    assert rows[1][4] == "'=HYPERLINK(\"x\")" and rows[1][7] == "김하늘 교수; 이바다 박사" and rows[1][8] == "2"
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).get()
    assert (event.actor, event.after) == (admin_user, {"filters": {"channel": "export"}})


def test_the_trail_links_to_the_log_for_administrators_only(client, admin_user, ministry):
    url = reverse("audit:personal_data")
    log_in(client, admin_user)
    assert url in client.get(reverse("audit:trail")).content.decode()
    log_in(client, ministry)
    assert url not in client.get(reverse("audit:trail")).content.decode()
