"""Who may open the audit trail, generated from trail.urls: ministry staff and
administrators; everyone else is refused (anonymous visitors are sent to log in)."""

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from audit.services import record
from tests.login import log_in
from trail import urls as audit_urls

pytestmark = pytest.mark.django_db

ALLOWED = {"ministry": 200, "admin_user": 200}
ROLES = ["anonymous", "official", "partner_official", "outsider_official", "expert", "ministry", "admin_user"]
# The personal data access log's pages (administrators only): tests/trail/test_personal_data_page.py.
NAMES = [p.name for p in audit_urls.urlpatterns if not p.name.startswith("personal_data")]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("role", ROLES)
def test_only_staff_open_the_trail_and_its_export(request, client, role, name, ministry, call):
    record(actor=ministry, action=AuditAction.CALL_STATUS, obj=call, summary="비밀 요약", after={"status": "closed"})
    if role != "anonymous":
        log_in(client, request.getfixturevalue(role))
    exports = AuditEvent.objects.filter(action=AuditAction.EXPORT).count()
    response = client.get(reverse(f"audit:{name}"))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == ALLOWED.get(role, 403)
    assert ("비밀 요약".encode() in body) == (role in ALLOWED)
    if role not in ALLOWED:
        assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == exports


def test_every_audit_url_is_in_the_matrix():
    assert sorted(NAMES) == ["export_csv", "trail"]
    assert sorted(p.name for p in audit_urls.urlpatterns) == ["export_csv", "personal_data", "personal_data_csv",
                                                               "trail"]
