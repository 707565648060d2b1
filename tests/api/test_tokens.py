"""Personal access tokens on the portal's pages: a digest only, the secret shown once, revoked at
any time, never more than the owner's role, a fresh second factor for staff and administrators."""

import datetime
import hashlib
import time

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import SecondFactorRefused
from accounts.twofactor import confirmed_totp_device, usable_code
from api.models import ApiToken
from api.scopes import Scope, scopes_for
from api.services import create_token
from audit.models import AuditAction, AuditEvent
from tests.api.tokens import bearer, token_for
from tests.login import csrf_token, log_in

pytestmark = pytest.mark.django_db

CALLS = "/api/v1/calls/"
LIST = reverse("api_tokens:list")
CREATE = reverse("api_tokens:create")


def in_days(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def create_on_page(client, **fields):
    page = client.get(CREATE)
    data = {"name": "분석 스크립트", "scopes": [Scope.CALLS], "expires_on": in_days(30), **fields}
    return client.post(CREATE, {**data, "csrfmiddlewaretoken": csrf_token(page)})


def secret_in(response) -> str:
    import re

    return re.search(rb'id="token-secret"[^>]*value="(mpt_[^"]+)"', response.content).group(1).decode()


def failures(user) -> int:
    return sum(AccessAttempt.objects.filter(username=user.username).values_list("failures_since_start", flat=True))


def wait_out_device_delay(user):
    """django-otp's delay after a wrong code (1, 2, 4 … s): the test waits as a person would."""
    for device in TOTPDevice.objects.filter(user=user):
        allowed, data = device.verify_is_allowed()
        if not allowed:
            time.sleep(max(0.0, (data["locked_until"] - timezone.now()).total_seconds()) + 0.05)


# --- storage and the secret shown once ------------------------------------------------------------


def test_only_a_digest_of_the_secret_is_stored(official):
    token, secret = create_token(
        by=official, owner=official, name="n", scopes=[Scope.CALLS], expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert row["digest"] == hashlib.sha256(secret.encode()).hexdigest()
    assert not any(secret in str(value) for value in row.values())
    assert row["hint"] == secret[:10] and len(secret) > 40


def test_the_secret_is_shown_once_in_the_answer_to_the_form_and_never_again(client, official):
    log_in(client, official)
    response = create_on_page(client, scopes=[Scope.CALLS, Scope.PROPOSALS])
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    secret = secret_in(response)
    assert secret not in str(dict(client.session))
    token = ApiToken.objects.get(owner=official)
    assert token.scopes == [Scope.CALLS, Scope.PROPOSALS] and token.name == "분석 스크립트"
    listing = client.get(LIST)
    assert secret not in listing.content.decode() and token.hint in listing.content.decode()
    assert client.get(CALLS, **bearer(secret)).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.API_TOKEN, actor=official).count() == 1


def test_the_list_shows_use_last_use_and_state(client, official):
    secret = token_for(official, name="대시보드")
    client.get(CALLS, **bearer(secret), REMOTE_ADDR="203.0.113.9")
    client.get(CALLS, **bearer(secret), REMOTE_ADDR="203.0.113.9")
    log_in(client, official)
    page = client.get(LIST).content.decode()
    assert "대시보드" in page and "203.0.113.9" in page
    token = ApiToken.objects.get(owner=official)
    assert token.uses_now == 2 and token.last_used_ip == "203.0.113.9" and token.state == "active"
    assert "2회 사용" in page


def test_the_form_offers_ninety_days_and_refuses_more_than_a_year(client, official):
    log_in(client, official)
    page = client.get(CREATE).content.decode()
    assert f'value="{in_days(90)}"' in page
    assert create_on_page(client, expires_on=in_days(367)).status_code == 400
    assert create_on_page(client, expires_on=in_days(0)).status_code == 400
    assert not ApiToken.objects.exists()


# --- revoked, expired, owner's access ended -------------------------------------------------------


def test_revoking_asks_first_then_the_token_is_refused(client, official):
    secret = token_for(official)
    token = ApiToken.objects.get(owner=official)
    log_in(client, official)
    url = reverse("api_tokens:revoke", args=[token.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and b"revoke-submit" in confirm.content
    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.post(url, {"csrfmiddlewaretoken": csrf_token(confirm)}).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == official and token.state == "revoked"
    assert client.get(CALLS, **bearer(secret)).status_code == 401


def test_nobody_revokes_another_person_s_token(client, official, partner_official, admin_user):
    token_for(official)
    token = ApiToken.objects.get(owner=official)
    for person in (partner_official, admin_user):
        log_in(client, person)
        assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_expired_token_is_refused(client, official):
    secret = token_for(official)
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(CALLS, **bearer(secret))
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"
    assert ApiToken.objects.get().state == "expired"


def test_a_token_stops_when_its_owner_s_access_ends_or_the_account_is_deactivated(client, official):
    secret = token_for(official)
    assert client.get(CALLS, **bearer(secret)).status_code == 200
    type(official).objects.filter(pk=official.pk).update(access_until=timezone.localdate() - datetime.timedelta(days=1))
    assert client.get(CALLS, **bearer(secret)).status_code == 401
    type(official).objects.filter(pk=official.pk).update(access_until=None, is_active=False)
    assert client.get(CALLS, **bearer(secret)).status_code == 401


# --- never more than the owner ----------------------------------------------------------------------


def test_the_scopes_offered_follow_the_role(official, expert, ministry):
    assert scopes_for(official) == list(Scope.values)
    assert scopes_for(expert) == [Scope.CALLS, Scope.PROPOSALS, Scope.EVALUATIONS]
    assert scopes_for(ministry) == list(Scope.values)


def test_an_expert_cannot_take_a_scope_beyond_the_role_on_the_page_or_through_the_service(client, expert):
    log_in(client, expert)
    page = client.get(CREATE).content.decode()
    assert Scope.EVALUATIONS.value in page and Scope.FUNDING.value not in page
    assert create_on_page(client, scopes=[Scope.FUNDING]).status_code == 400
    with pytest.raises(ValidationError):
        create_token(by=expert, owner=expert, name="n", scopes=[Scope.PROJECTS], expires_at=timezone.now() + datetime.timedelta(days=1))
    assert not ApiToken.objects.exists()


def test_a_token_reads_only_its_scopes(client, official):
    secret = token_for(official, scopes=[Scope.PROPOSALS])
    response = client.get(CALLS, **bearer(secret))
    assert response.status_code == 403 and Scope.CALLS.value in response.json()["detail"]


# --- a fresh second factor for staff and administrators ---------------------------------------------


def test_ministry_staff_type_a_current_code_to_create_a_token(client, ministry):
    log_in(client, ministry)  # the log-in used the current window's code
    assert b'name="code"' in client.get(CREATE).content
    missing = create_on_page(client, code="")
    assert missing.status_code == 400
    wrong = create_on_page(client, code="000000" if usable_code(confirmed_totp_device(ministry)) != "000000" else "111111")
    assert wrong.status_code == 400 and failures(ministry) == 1
    wait_out_device_delay(ministry)
    device = confirmed_totp_device(ministry)
    used = usable_code(device)  # the next window's code, accepted once …
    created = create_on_page(client, code=used)
    assert created.status_code == 201, created.content.decode()[:2000]
    reused = create_on_page(client, code=used)  # … and only once
    assert reused.status_code == 400 and failures(ministry) == 0 + 1  # the success forgot the earlier failure
    assert ApiToken.objects.filter(owner=ministry).count() == 1


def test_the_service_itself_refuses_a_staff_token_without_a_code(ministry, admin_user):
    for person in (ministry, admin_user):
        with pytest.raises(SecondFactorRefused):
            create_token(by=person, owner=person, name="n", scopes=[Scope.CALLS], expires_at=timezone.now() + datetime.timedelta(days=1))
    assert not ApiToken.objects.exists()


def test_wrong_codes_lock_out_and_log_out_like_the_log_in(client, ministry, settings):
    log_in(client, ministry)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        wait_out_device_delay(ministry)
        response = create_on_page(client, code="99999a")
    assert response.status_code == 429
    assert client.get(LIST).status_code == 302  # logged out
    assert not ApiToken.objects.exists()


def test_a_polling_script_writes_the_token_row_once_a_minute_and_every_use_is_counted(client, official):
    """A token's use is written to its row at most once a minute from one address (api.auth.record_use): the
    uses between are counted in the shared cache and added at the next write; the list shows them all."""
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from api import auth

    secret = token_for(official, name="폴링")
    client.get(CALLS, **bearer(secret), REMOTE_ADDR="203.0.113.9")
    with CaptureQueriesContext(connection) as seen:
        for _ in range(3):
            assert client.get(CALLS, **bearer(secret), REMOTE_ADDR="203.0.113.9").status_code == 200
    assert not [q for q in seen.captured_queries if q["sql"].startswith("UPDATE") and "api_apitoken" in q["sql"]]
    token = ApiToken.objects.get(owner=official)
    assert (token.use_count, token.uses_now) == (1, 4)
    # Another address is written at once, with the uses counted meanwhile.
    client.get(CALLS, **bearer(secret), REMOTE_ADDR="198.51.100.7")
    token.refresh_from_db()
    assert (token.use_count, token.uses_now, token.last_used_ip) == (5, 5, "198.51.100.7")
    # A minute later the same address is written again.
    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=token.last_used_at - datetime.timedelta(seconds=auth.USE_WRITE_SECONDS + 1))
    client.get(CALLS, **bearer(secret), REMOTE_ADDR="198.51.100.7")
    token.refresh_from_db()
    assert (token.use_count, token.uses_now) == (6, 6)
