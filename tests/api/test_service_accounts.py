"""Service accounts: created by administrators for other systems, read the API with the tokens an
administrator makes for them, never log in through the web, and show as such in the people list."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.backends import may_log_in
from accounts.models import Role, User
from api import services
from api.models import ApiToken
from api.scopes import Scope
from audit.models import AuditAction, AuditEvent
from programmes.models import CallStatus
from tests.api.tokens import bearer, fresh_code
from tests.factories import PASSWORD, CallFactory, region
from tests.login import csrf_token, log_in

pytestmark = pytest.mark.django_db

CALLS = "/api/v1/calls/"


@pytest.fixture
def account(admin_user):
    return services.service_account_create(by=admin_user, username="ntis-reader", display_name="NTIS 연계", role=Role.MINISTRY)


def admin_creates_token(client, admin_user, account, **fields):
    url = reverse("api_tokens:service_account_token_create", args=[account.pk])
    page = client.get(url)
    data = {
        "name": "NTIS",
        "scopes": [Scope.CALLS],
        "code": fresh_code(admin_user),
        "expires_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        **fields,
    }
    return client.post(url, {**data, "csrfmiddlewaretoken": csrf_token(page)})


def test_an_administrator_creates_a_service_account_on_the_page(client, admin_user):
    log_in(client, admin_user)
    url = reverse("api_tokens:service_account_create")
    page = client.get(url)
    response = client.post(
        url,
        {
            "username": "busan-planning",
            "display_name": "부산 기획실",
            "role": Role.OFFICIAL,
            "region": region("busan").pk,
            "csrfmiddlewaretoken": csrf_token(page),
        },
    )
    assert response.status_code == 302
    account = User.objects.get(username="busan-planning")
    assert account.is_service_account and not account.has_usable_password()
    assert account.role == Role.OFFICIAL and account.region == region("busan")
    assert AuditEvent.objects.filter(action=AuditAction.API_TOKEN, actor=admin_user, object_id=str(account.pk)).exists()


def test_a_service_account_is_ministry_or_a_region_never_an_administrator(admin_user):
    with pytest.raises(ValidationError):
        services.service_account_create(by=admin_user, username="root-reader", display_name="x", role=Role.ADMIN)
    with pytest.raises(ValidationError):  # an official without a region
        services.service_account_create(by=admin_user, username="nowhere", display_name="x", role=Role.OFFICIAL)


def test_only_administrators_create_service_accounts_or_open_their_pages(client, ministry, official, account):
    with pytest.raises(PermissionDenied):
        services.service_account_create(by=ministry, username="mine", display_name="x", role=Role.MINISTRY)
    log_in(client, ministry)
    assert client.get(reverse("api_tokens:service_accounts")).status_code == 403
    assert client.get(reverse("api_tokens:service_account", args=[account.pk])).status_code == 403


def test_the_administrator_s_token_for_it_reads_as_its_role(client, admin_user, account):
    CallFactory(status=CallStatus.DRAFT, title="초안 공모")
    log_in(client, admin_user)
    response = admin_creates_token(client, admin_user, account)
    assert response.status_code == 201
    secret = re.search(rb'value="(mpt_[^"]+)"', response.content).group(1).decode()
    token = ApiToken.objects.get(owner=account)
    assert token.created_by == admin_user
    body = client.get(CALLS, **bearer(secret)).json()
    assert [c["title"] for c in body["items"]] == ["초안 공모"]  # ministry staff see drafts


def test_the_administrator_types_a_code_for_a_service_account_s_token(client, admin_user, account):
    log_in(client, admin_user)
    assert admin_creates_token(client, admin_user, account, code="").status_code == 400
    assert not ApiToken.objects.exists()


def test_the_administrator_sees_and_revokes_its_tokens(client, admin_user, account):
    token, secret = services.create_token(
        by=admin_user,
        owner=account,
        name="NTIS",
        scopes=[Scope.CALLS],
        expires_at=timezone.now() + datetime.timedelta(days=5),
        second_factor_code=fresh_code(admin_user),
    )
    log_in(client, admin_user)
    page = client.get(reverse("api_tokens:service_account", args=[account.pk]))
    assert token.hint in page.content.decode()
    url = reverse("api_tokens:revoke", args=[token.pk])
    confirm = client.get(url)
    assert client.post(url, {"csrfmiddlewaretoken": csrf_token(confirm)})["Location"] == reverse(
        "api_tokens:service_account", args=[account.pk]
    )
    assert client.get(CALLS, **bearer(secret)).status_code == 401


def test_an_administrator_creates_tokens_for_service_accounts_only(admin_user, official):
    with pytest.raises(PermissionDenied):
        services.create_token(
            by=admin_user,
            owner=official,
            name="x",
            scopes=[Scope.CALLS],
            expires_at=timezone.now() + datetime.timedelta(days=5),
            second_factor_code=fresh_code(admin_user),
        )


def test_a_service_account_never_logs_in_through_the_web(client, account):
    assert not may_log_in(account)
    account.set_password(PASSWORD)  # even if someone gave it a password in the admin site
    account.save()
    page = client.get(reverse("login"))
    response = client.post(reverse("login"), {"username": account.username, "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(page)})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_a_session_of_a_service_account_is_dropped(client, account):
    client.force_login(account)
    assert client.get(reverse("profile")).status_code == 302  # the session's hash no longer matches


def test_single_sign_on_refuses_a_service_account(settings, account):
    from accounts.sso import NoAccount, PortalOIDCBackend

    settings.OIDC_USERNAME_CLAIM = "preferred_username"
    with pytest.raises(NoAccount):
        PortalOIDCBackend().find_account({"iss": "https://idp.example", "sub": "s-1", "preferred_username": account.username})
    account.refresh_from_db()
    assert account.oidc_subject is None


def test_the_people_list_marks_service_accounts(client, settings, admin_user, account):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    log_in(client, admin_user)
    page = client.get(reverse("people"), {"q": "ntis"}).content.decode()
    assert "NTIS 연계" in page and 'text-bg-dark">Service account' in page


def test_a_deactivated_service_account_is_never_sent_an_invitation(admin_user, account):
    from accounts import people

    type(account).objects.filter(pk=account.pk).update(is_active=False, email="ntis@example.kr")
    account.refresh_from_db()
    with pytest.raises(ValidationError):
        people.invitation_resend(actor=admin_user, user=account)
    assert not account.invitations.exists()
