"""People administration: invitations and their link, the consent to the collection and use of
personal data, role and region, deactivation, the second-factor reset, regional administrators
and the access end date."""

import datetime
import hashlib
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import people
from accounts.models import Invitation, PersonalDataConsent, Role, User
from accounts.tasks import end_expired_access
from audit.models import AuditEvent
from tests.factories import PASSWORD, OfficialFactory, region
from tests.login import log_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "blue-river-lantern-42"


@pytest.fixture
def region_admin(db):
    return OfficialFactory(username="region-admin-gwangju", region=region("gwangju"), is_region_admin=True,
                           display_name="광주 관리 담당")


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def invite(client, django_capture_on_commit_callbacks, **data):
    form = {"email": "new.person@example.kr", "display_name": "새 담당자", "role": Role.OFFICIAL,
            "region": str(region("gwangju").pk), "language": "ko", "access_until": "", **data}
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("people_invite"), form)


def link_in(message) -> str:
    return re.search(r"https?://\S+/accounts/invitation/[^/\s]+/", message.body).group(0)


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


@pytest.fixture
def invited(client, admin_user, django_capture_on_commit_callbacks, settings):
    """An official invited by the administrator: (the user, the link's token)."""
    settings.PORTAL_BASE_URL = "https://portal.megaproject.test"
    log_in(client, admin_user)
    invite(client, django_capture_on_commit_callbacks)
    client.logout()
    return User.objects.get(email="new.person@example.kr"), token_of(link_in(mail.outbox[-1]))


def accept(client, token, **data):
    return client.post(reverse("invitation_accept", kwargs={"token": token}),
                       {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "consent": "on", **data})


def refusal_page(client, token) -> tuple[int, str]:
    """The status and the page of a link, the per-response CSRF token of the language form blanked."""
    response = client.get(reverse("invitation_accept", kwargs={"token": token}))
    return response.status_code, re.sub(r'value="[^"]{40,}"', 'value=""', response.content.decode())


# --- Invitations -------------------------------------------------------------------------------------------


def test_an_invitation_creates_an_inactive_account_and_mails_the_link_on_the_portal_address(
        client, admin_user, django_capture_on_commit_callbacks, settings, english):
    settings.PORTAL_BASE_URL = "https://portal.megaproject.test"
    log_in(client, admin_user)
    response = invite(client, django_capture_on_commit_callbacks, language="en")

    user = User.objects.get(email="new.person@example.kr")
    assert response.status_code == 302 and response["Location"] == reverse("person", kwargs={"pk": user.pk})
    assert (user.is_active, user.has_usable_password(), user.username, user.role, user.region.code) == (
        False, False, "new.person@example.kr", Role.OFFICIAL, "gwangju")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.kr"]
    assert message.subject == "Mega Project Portal: you are invited"  # the invitee's language
    link = link_in(message)
    assert link.startswith("https://portal.megaproject.test/accounts/invitation/")
    invitation = Invitation.objects.get(user=user)
    token = token_of(link)
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(Invitation.objects.values()))  # only its digest is stored
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=settings.INVITATION_VALID_DAYS)
    assert invitation.mailed_at is not None and invitation.created_by == admin_user
    assert AuditEvent.objects.filter(object_id=str(user.pk), summary__startswith="Invited").exists()


def test_the_invitation_is_valid_for_the_configured_number_of_days(
        client, admin_user, django_capture_on_commit_callbacks, settings):
    settings.INVITATION_VALID_DAYS = 3
    log_in(client, admin_user)
    invite(client, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=3)


def test_the_korean_mail_is_korean(client, admin_user, django_capture_on_commit_callbacks):
    log_in(client, admin_user)
    invite(client, django_capture_on_commit_callbacks, language="ko")
    assert mail.outbox[0].subject == "메가프로젝트 포털: 초대"
    assert "개인정보 수집·이용에 동의하면 계정이 활성화됩니다" in mail.outbox[0].body


def test_an_address_that_already_has_an_account_is_told_to_the_administrator(
        client, admin_user, official, django_capture_on_commit_callbacks, english):
    log_in(client, admin_user)
    response = invite(client, django_capture_on_commit_callbacks, email=official.email.upper())
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "A person with this e-mail address already has an account in the portal."]
    assert response.context["form"]["display_name"].value() == "새 담당자"  # what was typed stays
    assert (mail.outbox, Invitation.objects.count()) == ([], 0)


def test_an_official_needs_a_region(client, admin_user, django_capture_on_commit_callbacks, english):
    log_in(client, admin_user)
    response = invite(client, django_capture_on_commit_callbacks, region="")
    assert response.status_code == 200
    assert response.context["form"].errors["region"] == ["A regional official must belong to a region."]
    assert not User.objects.filter(email="new.person@example.kr").exists()


def test_accepting_sets_the_password_records_the_consent_and_logs_the_person_in(client, invited):
    user, token = invited
    page = client.get(reverse("invitation_accept", kwargs={"token": token}))
    assert page.status_code == 200
    assert "개인정보 수집·이용 동의" in page.content.decode()
    assert people.CONSENT_VERSION in page.content.decode()

    response = accept(client, token)

    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    user.refresh_from_db()
    assert (user.is_active, user.check_password(NEW_PASSWORD)) == (True, True)
    assert client.session[SESSION_KEY] == str(user.pk)
    consent = PersonalDataConsent.objects.get(user=user)
    assert (consent.version, consent.ip) == (people.CONSENT_VERSION, "127.0.0.1")
    assert Invitation.objects.get(user=user).accepted_at is not None
    assert AuditEvent.objects.filter(object_id=str(user.pk), summary__contains=people.CONSENT_VERSION).exists()
    # The password works on the log-in form too.
    log_in(Client(), user, password=NEW_PASSWORD)


def test_without_the_consent_the_account_stays_inactive(client, invited, english):
    user, token = invited
    response = accept(client, token, consent="")
    assert response.status_code == 200
    assert response.context["form"].errors["consent"] == [
        "You must consent to the collection and use of personal data to use the portal."]
    user.refresh_from_db()
    assert (user.is_active, PersonalDataConsent.objects.count()) == (False, 0)


def test_a_weak_or_mismatched_password_is_refused_at_its_field(client, invited, english):
    user, token = invited
    weak = accept(client, token, password1="12345678", password2="12345678")
    assert "This password is too common." in weak.context["form"].errors["password2"]
    mismatched = accept(client, token, password2=NEW_PASSWORD + "x")
    assert mismatched.context["form"].errors["password2"] == ["The two passwords are not the same."]
    user.refresh_from_db()
    assert user.is_active is False


def test_expired_used_revoked_replaced_tampered_and_unknown_links_get_the_same_page(
        client, invited, admin_user, django_capture_on_commit_callbacks):
    user, token = invited
    unknown = refusal_page(client, "x" * 43)
    assert unknown[0] == 410
    assert "This invitation link is not valid any more" in unknown[1] or "초대 링크" in unknown[1]
    tampered = refusal_page(client, token[:-1] + ("A" if token[-1] != "A" else "B"))

    # Replaced by a new one (re-sent), then revoked, then a fresh one expired, then one used.
    with django_capture_on_commit_callbacks(execute=True):
        people.invitation_resend(actor=admin_user, user=user)
    replaced = refusal_page(client, token)
    second = token_of(link_in(mail.outbox[-1]))
    assert refusal_page(client, second)[0] == 200
    people.invitation_revoke(actor=admin_user, user=user)
    revoked = refusal_page(client, second)
    with django_capture_on_commit_callbacks(execute=True):
        people.invitation_resend(actor=admin_user, user=user)
    third = token_of(link_in(mail.outbox[-1]))
    Invitation.objects.filter(token_hash=people.token_digest(third)).update(expires_at=timezone.now())
    expired = refusal_page(client, third)
    with django_capture_on_commit_callbacks(execute=True):
        people.invitation_resend(actor=admin_user, user=user)
    fourth = token_of(link_in(mail.outbox[-1]))
    assert accept(client, fourth).status_code == 302
    client.logout()
    used = refusal_page(client, fourth)

    assert {unknown, tampered, replaced, revoked, expired, used} == {unknown}
    # Posting to a link that is not valid changes nothing either.
    assert accept(client, third).status_code == 410
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and not user.check_password(NEW_PASSWORD + "x")


def test_an_invitation_cannot_be_accepted_twice_even_posted_again(client, invited):
    user, token = invited
    assert accept(client, token).status_code == 302
    again = accept(Client(), token, password1="other-pass-phrase-99", password2="other-pass-phrase-99")
    assert again.status_code == 410
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert PersonalDataConsent.objects.filter(user=user).count() == 1


def test_with_single_sign_on_the_person_consents_and_is_sent_to_the_organisation_sign_in(
        client, invited, settings, monkeypatch):
    from accounts import people_views

    settings.OIDC_ENABLED = True
    monkeypatch.setattr(people_views, "reverse", lambda name, **kw: "/oidc/authenticate/"
                        if name == "oidc_authentication_init" else reverse(name, **kw))
    user, token = invited
    page = client.get(reverse("invitation_accept", kwargs={"token": token}))
    assert 'id="sso-form"' in page.content.decode()

    response = client.post(reverse("invitation_accept", kwargs={"token": token}), {"with": "sso", "sso-consent": "on"})

    assert response.status_code == 302 and response["Location"] == "/oidc/authenticate/"
    user.refresh_from_db()
    assert (user.is_active, user.has_usable_password()) == (True, False)
    assert PersonalDataConsent.objects.filter(user=user, version=people.CONSENT_VERSION).exists()


def test_without_single_sign_on_configured_the_page_offers_only_the_password(client, invited):
    _user, token = invited
    page = client.get(reverse("invitation_accept", kwargs={"token": token}))
    assert 'id="sso-form"' not in page.content.decode() and 'id="accept-form"' in page.content.decode()


def test_a_failed_mail_is_shown_on_the_person_page(client, admin_user, django_capture_on_commit_callbacks,
                                                   settings, english):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    log_in(client, admin_user)
    response = invite(client, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get()
    assert (invitation.mailed_at, bool(invitation.mail_error)) == (None, True)
    page = client.get(response["Location"])
    assert "The mail could not be sent. Send the invitation again later." in page.content.decode()


# --- The list and the person page ---------------------------------------------------------------------------


def test_the_list_searches_and_filters(client, admin_user, official, outsider_official, expert, invited, english):
    log_in(client, admin_user)

    def names(**params):
        return {p.username for p in client.get(reverse("people"), params).context["page"].object_list}

    assert names(q="busan") == {"official-busan"}
    assert names(q="김민준") == {"expert1"}
    assert names(role="expert") == {"expert1"}
    assert names(region=str(region("busan").pk)) == {"official-busan"}
    assert names(status="invited") == {"new.person@example.kr"}
    assert "new.person@example.kr" not in names(status="active")
    assert names(status="inactive") == set()
    assert names(q="' OR 1=1 --") == set()


@pytest.mark.parametrize("count", [1, 3])
def test_the_list_costs_the_same_queries_whatever_the_number_of_people(client, admin_user, count,
                                                                       django_assert_num_queries):
    OfficialFactory.create_batch(count)
    log_in(client, admin_user)
    client.get(reverse("people"))  # warm the reference-data cache
    # Constant; one of them is django-otp reading the verified device the session names.
    with django_assert_num_queries(6):
        response = client.get(reverse("people"))
    assert len(response.context["page"].object_list) == count + 1


def test_the_person_page_says_whether_a_second_factor_is_set_up(client, admin_user, official, english):
    log_in(client, admin_user)
    url = reverse("person", kwargs={"pk": official.pk})
    assert client.get(url).context["second_factor"] is False
    TOTPDevice.objects.create(user=official, name="phone", confirmed=True)
    response = client.get(url)
    assert response.context["second_factor"] is True
    assert 'id="second-factor">Set up' in response.content.decode()


def test_the_menu_shows_people_to_those_who_administer_them(client, admin_user, official, region_admin):
    for who, shown in ((admin_user, True), (region_admin, True), (official, False)):
        log_in(client, who)
        assert (reverse("people") in client.get(reverse("profile")).content.decode()) is shown, who


# --- Role, region, activity ---------------------------------------------------------------------------------


def test_an_administrator_changes_role_and_region(client, admin_user, official, english):
    log_in(client, admin_user)
    url = reverse("person_role", kwargs={"pk": official.pk})
    response = client.post(url, {"role": Role.MINISTRY, "region": str(region("busan").pk)})
    assert response.status_code == 302
    official.refresh_from_db()
    assert (official.role, official.region) == (Role.MINISTRY, None)
    refused = client.post(url, {"role": Role.OFFICIAL, "region": ""})
    assert refused.context["form"].errors["region"] == ["A regional official must belong to a region."]
    client.post(url, {"role": Role.OFFICIAL, "region": str(region("busan").pk), "is_region_admin": "on"})
    official.refresh_from_db()
    assert (official.role, official.region.code, official.is_region_admin) == (Role.OFFICIAL, "busan", True)
    assert AuditEvent.objects.filter(object_id=str(official.pk), summary="Role or region changed.").count() == 2


def test_only_an_official_can_be_a_regional_administrator(client, admin_user, ministry, english):
    log_in(client, admin_user)
    response = client.post(reverse("person_role", kwargs={"pk": ministry.pk}),
                           {"role": Role.MINISTRY, "is_region_admin": "on"})
    assert response.context["form"].errors["is_region_admin"] == [
        "Only a regional official can be a regional administrator."]


def test_nobody_changes_their_own_role_or_deactivates_themselves(client, admin_user):
    log_in(client, admin_user)
    for name in ("person_role", "person_deactivate", "person_reset_second_factor", "person_access"):
        assert client.get(reverse(name, kwargs={"pk": admin_user.pk})).status_code == 403, name
    with pytest.raises(PermissionDenied):
        people.person_deactivate(actor=admin_user, user=admin_user)


def test_deactivation_asks_for_confirmation_and_ends_the_person_s_open_session(client, admin_user, official, english):
    theirs = log_in(Client(), official)
    assert theirs.get(reverse("profile")).status_code == 200
    log_in(client, admin_user)
    url = reverse("person_deactivate", kwargs={"pk": official.pk})

    unconfirmed = client.post(url, {})
    official.refresh_from_db()
    assert (unconfirmed.status_code, official.is_active) == (200, True)
    assert unconfirmed.context["form"].errors["confirm"] == ["Tick the box to confirm."]

    assert client.post(url, {"confirm": "on"}).status_code == 302
    official.refresh_from_db()
    assert official.is_active is False
    after = theirs.get(reverse("profile"))
    assert after.status_code == 302 and after["Location"].startswith(reverse("login"))
    assert AuditEvent.objects.filter(object_id=str(official.pk), summary="Account deactivated.").exists()
    # And they cannot log in again until reactivated.
    refused = Client().post(reverse("login"), {"username": official.username, "password": PASSWORD})
    assert refused.status_code == 200 and SESSION_KEY not in refused.wsgi_request.session
    client.post(reverse("person_reactivate", kwargs={"pk": official.pk}))
    official.refresh_from_db()
    assert official.is_active is True
    log_in(Client(), official)


# --- Second factor ---------------------------------------------------------------------------------------------


def test_resetting_the_second_factor_removes_every_device_records_the_reason_and_tells_the_person(
        client, admin_user, ministry, english):
    TOTPDevice.objects.create(user=ministry, name="phone", confirmed=True)  # a second one, beside the factory's
    devices = TOTPDevice.objects.filter(user=ministry).count()
    static = StaticDevice.objects.create(user=ministry, name="backup", confirmed=True)
    static.token_set.create(token="abcd1234")
    untouched = TOTPDevice.objects.create(user=admin_user, name="admin phone", confirmed=True)
    log_in(client, admin_user)
    url = reverse("person_reset_second_factor", kwargs={"pk": ministry.pk})

    no_reason = client.post(url, {"reason": "   ", "confirm": "on"})
    assert no_reason.context["form"].errors["reason"] == ["Say why the second factor is reset."]
    assert TOTPDevice.objects.filter(user=ministry).count() == devices == 2

    response = client.post(url, {"reason": "휴대전화 분실, 전화로 본인 확인", "confirm": "on"})

    assert response.status_code == 302
    assert (TOTPDevice.objects.filter(user=ministry).count(), StaticDevice.objects.filter(user=ministry).count()) == (0, 0)
    assert TOTPDevice.objects.filter(pk=untouched.pk).exists()
    event = AuditEvent.objects.get(object_id=str(ministry.pk), summary__startswith="Second factor reset")
    assert "휴대전화 분실, 전화로 본인 확인" in event.summary and event.actor == admin_user
    assert ministry.notifications.count() == 1


# --- Regional administrators -----------------------------------------------------------------------------------


def test_a_regional_administrator_sees_only_the_officials_of_their_region(
        client, region_admin, official, outsider_official, expert, ministry):
    log_in(client, region_admin)
    listed = {p.username for p in client.get(reverse("people")).context["page"].object_list}
    assert listed == {region_admin.username, official.username}
    assert client.get(reverse("person", kwargs={"pk": official.pk})).status_code == 200
    for other in (outsider_official, expert, ministry):
        assert client.get(reverse("person", kwargs={"pk": other.pk})).status_code == 404
        assert client.post(reverse("person_deactivate", kwargs={"pk": other.pk}), {"confirm": "on"}).status_code == 404
        other.refresh_from_db()
        assert other.is_active


def test_a_regional_administrator_invites_officials_of_their_own_region_only(
        client, region_admin, django_capture_on_commit_callbacks):
    log_in(client, region_admin)
    form = client.get(reverse("people_invite")).context["form"]
    assert "role" not in form.fields and "region" not in form.fields
    # A tampered post asking for an administrator of Busan makes a Gwangju official.
    invite(client, django_capture_on_commit_callbacks, role=Role.ADMIN, region=str(region("busan").pk))
    made = User.objects.get(email="new.person@example.kr")
    assert (made.role, made.region.code, made.is_region_admin) == (Role.OFFICIAL, "gwangju", False)
    with pytest.raises(PermissionDenied):
        people.invitation_create(actor=region_admin, email="x@example.kr", display_name="x", role=Role.MINISTRY)
    with pytest.raises(PermissionDenied):
        people.invitation_create(actor=region_admin, email="y@example.kr", display_name="y", role=Role.OFFICIAL,
                                 region=region("busan"))


def test_a_regional_administrator_manages_their_officials_but_not_roles_nor_themselves(
        client, region_admin, official, django_capture_on_commit_callbacks):
    TOTPDevice.objects.create(user=official, name="phone", confirmed=True)
    log_in(client, region_admin)
    assert client.get(reverse("person_role", kwargs={"pk": official.pk})).status_code == 403
    assert client.get(reverse("person_deactivate", kwargs={"pk": region_admin.pk})).status_code == 403
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert client.post(reverse("person_access", kwargs={"pk": official.pk}),
                       {"access_until": tomorrow.isoformat()}).status_code == 302
    assert client.post(reverse("person_reset_second_factor", kwargs={"pk": official.pk}),
                       {"reason": "분실", "confirm": "on"}).status_code == 302
    assert client.post(reverse("person_deactivate", kwargs={"pk": official.pk}), {"confirm": "on"}).status_code == 302
    official.refresh_from_db()
    assert (official.access_until, official.is_active, TOTPDevice.objects.filter(user=official).exists()) == (
        tomorrow, False, False)
    with pytest.raises(PermissionDenied):
        people.person_change_role(actor=region_admin, user=official, role=Role.OFFICIAL, region=official.region,
                                  is_region_admin=True)


def test_an_official_who_is_not_a_regional_administrator_gets_no_people_page(client, official, partner_official):
    log_in(client, official)
    assert client.get(reverse("people")).status_code == 403
    assert client.get(reverse("person", kwargs={"pk": official.pk})).status_code == 403
    assert client.get(reverse("people_invite")).status_code == 403


# --- Access end date ------------------------------------------------------------------------------------------


def test_after_the_access_end_date_log_in_is_refused_and_open_sessions_end(official):
    today = timezone.localdate()
    official.access_until = today
    official.save()
    session = log_in(Client(), official)  # the last day still works

    User.objects.filter(pk=official.pk).update(access_until=today - datetime.timedelta(days=1))

    after = session.get(reverse("profile"))
    assert after.status_code == 302 and after["Location"].startswith(reverse("login"))
    refused = Client().post(reverse("login"), {"username": official.username, "password": PASSWORD})
    assert refused.status_code == 200 and SESSION_KEY not in refused.wsgi_request.session


def test_the_daily_task_deactivates_the_accounts_whose_access_ended(official, partner_official, expert):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    User.objects.filter(pk=official.pk).update(access_until=yesterday)
    User.objects.filter(pk=partner_official.pk).update(access_until=timezone.localdate())

    assert end_expired_access() == 1

    assert {u.username: u.is_active for u in User.objects.filter(pk__in=[official.pk, partner_official.pk, expert.pk])} \
        == {official.username: False, partner_official.username: True, expert.username: True}
    assert AuditEvent.objects.filter(object_id=str(official.pk), summary__contains=yesterday.isoformat()).exists()
    assert end_expired_access() == 0  # idempotent


def test_an_access_end_date_in_the_past_is_refused(client, admin_user, official, english):
    log_in(client, admin_user)
    response = client.post(reverse("person_access", kwargs={"pk": official.pk}),
                           {"access_until": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()})
    assert response.context["form"].errors["access_until"] == ["The access end date cannot be in the past."]


def test_an_expert_is_invited_without_a_region(client, admin_user, django_capture_on_commit_callbacks):
    log_in(client, admin_user)
    invite(client, django_capture_on_commit_callbacks, role=Role.EXPERT, email="prof@example.ac.kr")
    made = User.objects.get(email="prof@example.ac.kr")
    assert (made.role, made.region) == (Role.EXPERT, None)


def test_a_session_made_by_any_backend_ends_once_the_account_may_not_log_in(client, official, settings):
    """The session's hash follows the account's state, so a single-sign-on session ends too."""
    from django.contrib.auth import BACKEND_SESSION_KEY

    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS,
                                        "django.contrib.auth.backends.AllowAllUsersModelBackend"]
    log_in(client, official)
    session = client.session
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.AllowAllUsersModelBackend"  # lets inactive users in
    session.save()
    assert client.get(reverse("profile")).status_code == 200
    active_hash = official.get_session_auth_hash()

    User.objects.filter(pk=official.pk).update(is_active=False)

    after = client.get(reverse("profile"))
    assert after.status_code == 302 and after["Location"].startswith(reverse("login"))
    official.refresh_from_db()
    assert official.get_session_auth_hash() != active_hash
    official.is_active = True
    assert official.get_session_auth_hash() == active_hash  # nothing changes for an active account


def test_the_database_refuses_a_regional_administrator_who_is_not_an_official(ministry):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=ministry.pk).update(is_region_admin=True)
