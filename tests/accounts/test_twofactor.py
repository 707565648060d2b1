"""The second factor: ministry staff and administrators enrol an authenticator before any page;
experts and officials may; a call may require it of its experts. A wrong code, a code used
twice and a used recovery code are refused and counted by the log-in throttle."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import twofactor
from accounts.models import User
from audit.models import AuditAction, AuditEvent
from evaluations.models import Assignment, AssignmentKind
from tests.factories import PASSWORD, CallFactory, ExpertFactory, MinistryFactory, OfficialFactory
from tests.login import csrf_token, enrol_on_page, log_in, second_factor_code, secret_on_page
from tests.proposals.conftest import ProposalFactory

pytestmark = pytest.mark.django_db


def password_step(client, user, **extra):
    """The log-in form alone: where it sends the person."""
    page = client.get(reverse("login"), **extra)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD,
                                              "csrfmiddlewaretoken": csrf_token(page)}, **extra)
    assert response.status_code == 302
    return response["Location"]


def type_code(client, code: str, *, kind: str = "app", next_url: str = "/", **extra):
    return client.post(reverse("login_verify"), {"code": code, "kind": kind, "next": next_url}, **extra)


def wait_out_device_delay(user):
    """django-otp's own delay after a wrong code (1, 2, 4 … s), which stays on: the test waits as a person would."""
    import time

    from django.utils import timezone

    for device in TOTPDevice.objects.filter(user=user):
        allowed, data = device.verify_is_allowed()
        if not allowed:
            time.sleep(max(0.0, (data["locked_until"] - timezone.now()).total_seconds()) + 0.05)


def failures(user) -> int:
    return sum(AccessAttempt.objects.filter(username=user.username).values_list("failures_since_start", flat=True))


@pytest.fixture
def newcomer(db):
    """A ministry staff member who has not enrolled yet."""
    return MinistryFactory(username="ministry-new", second_factor=False)


# --- who is sent where -----------------------------------------------------------------------


def test_staff_without_an_authenticator_are_sent_to_enrol_from_every_page(client, newcomer):
    assert password_step(client, newcomer) == f"{reverse('twofactor_enrol')}?next=%2F"
    for url in ["/", reverse("profile"), reverse("programmes:call_list"), reverse("notifications"),
                reverse("password_change"), reverse("login_verify"), "/admin/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("twofactor_enrol") + "?next="), url
    posted = client.post(reverse("notifications_read"))
    assert posted["Location"] == f"{reverse('twofactor_enrol')}?next={reverse('notifications_read')}"
    # What stays open: the enrolment page itself, the language switch, the health check, logging out.
    assert client.get(reverse("twofactor_enrol")).status_code == 200
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    assert client.get("/healthz/live").status_code == 200
    assert client.post(reverse("logout"))["Location"] != reverse("twofactor_enrol")


def test_a_person_with_an_authenticator_reaches_no_page_before_the_code(client, ministry):
    assert password_step(client, ministry) == f"{reverse('login_verify')}?next=%2F"
    for url in ["/", reverse("profile"), reverse("twofactor_enrol"), reverse("twofactor_codes_renew")]:
        assert client.get(url)["Location"].startswith(reverse("login_verify") + "?next="), url


def test_next_is_kept_through_both_steps(client, ministry):
    target = reverse("programmes:call_list")
    page = client.get(f"{reverse('login')}?next={target}")
    response = client.post(reverse("login"), {"username": ministry.username, "password": PASSWORD, "next": target,
                                              "csrfmiddlewaretoken": csrf_token(page)})
    assert response["Location"] == f"{reverse('login_verify')}?next=%2Fcalls%2F"
    assert type_code(client, second_factor_code(ministry), next_url=target)["Location"] == target
    assert client.get(target).status_code == 200


def test_an_official_without_an_authenticator_is_not_asked_for_one(client, official):
    assert password_step(client, official) == "/"
    assert client.get("/").status_code == 200


def test_an_expert_on_a_call_that_requires_it_is_sent_to_enrol_and_one_on_another_call_is_not(client, ministry):
    strict = CallFactory(experts_require_second_factor=True)
    relaxed = CallFactory()
    on_strict, on_relaxed, withdrew = ExpertFactory(), ExpertFactory(), ExpertFactory()
    for expert, call, conflict in [(on_strict, strict, False), (on_relaxed, relaxed, False), (withdrew, strict, True)]:
        proposal = ProposalFactory(call=call, created_by=ministry)
        Assignment.objects.create(kind=AssignmentKind.EVALUATION, expert=expert, proposal=proposal,
                                  assigned_by=ministry, conflict_declared=conflict)
    assert [twofactor.requires_second_factor(e) for e in (on_strict, on_relaxed, withdrew)] == [True, False, False]
    assert password_step(client, on_strict).startswith(reverse("twofactor_enrol"))
    assert client.get(reverse("evaluations:assignments"))["Location"].startswith(reverse("twofactor_enrol"))
    assert password_step(Client(), on_relaxed) == "/"
    assert password_step(Client(), withdrew) == "/"


def test_the_requirement_is_read_at_log_in_in_two_queries_at_most_and_not_on_each_page(
        client, django_assert_max_num_queries):
    expert = User.objects.get(pk=ExpertFactory().pk)
    with django_assert_max_num_queries(2):
        assert twofactor.second_step_for(expert) == twofactor.NONE
    log_in(client, expert)
    assert client.session[twofactor.SESSION_KEY] == twofactor.NONE


# --- enrolment, then logging in with the code --------------------------------------------------


def test_enrolment_shows_the_key_and_a_qr_code_then_ten_recovery_codes_once_and_the_next_log_in_asks_the_code(
        client, newcomer):
    location = password_step(client, newcomer)
    page = client.get(location)
    body = page.content.decode()
    assert "<svg" in body and 'id="totp-secret"' in body and "지역혁신 메가프로젝트 포털" in body
    key = secret_on_page(page)
    assert TOTPDevice.objects.get(user=newcomer, confirmed=False).key == key
    assert client.get(location).content == page.content or secret_on_page(client.get(location)) == key  # stable

    enrolled = enrol_on_page(client, location)
    assert enrolled["Location"] == f"{reverse('twofactor_codes')}?next=%2F"
    shown = client.get(enrolled["Location"])
    codes = [c.replace("-", "") for c in shown.context["codes"]]
    assert len(codes) == 10 and sorted(codes) == sorted(StaticToken.objects.filter(
        device__user=newcomer).values_list("token", flat=True))
    assert "no-store" in shown["Cache-Control"]
    assert client.get(enrolled["Location"]).context["codes"] == []  # shown once
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.SECOND_FACTOR, actor=newcomer).count() == 1

    client.post(reverse("logout"))
    newcomer.refresh_from_db()
    fresh = Client()
    assert password_step(fresh, newcomer).startswith(reverse("login_verify"))
    assert fresh.get("/").status_code == 302
    newcomer.recovery_codes = codes
    assert type_code(fresh, second_factor_code(newcomer))["Location"] == "/"
    assert fresh.get("/").status_code == 200


def test_the_session_key_changes_at_the_password_and_at_the_code(client, ministry):
    client.get(reverse("login"))
    password_step(client, ministry)
    after_password = client.session.session_key
    type_code(client, second_factor_code(ministry))
    assert client.session.session_key != after_password
    assert client.get("/").status_code == 200


# --- refusals, counted by the log-in throttle ---------------------------------------------------


def test_a_wrong_code_is_refused_with_a_message_and_counted(client, ministry):
    password_step(client, ministry)
    right = second_factor_code(ministry)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = type_code(client, wrong)
    assert response.status_code == 400
    assert "올바르지 않거나 이미 사용한 코드" in response.content.decode()
    assert failures(ministry) == 1
    assert client.get("/")["Location"].startswith(reverse("login_verify"))


def test_a_code_used_once_is_refused_the_second_time_and_counted(client, ministry):
    password_step(client, ministry)
    device = twofactor.confirmed_totp_device(ministry)
    code = twofactor.usable_code(device)
    assert type_code(client, code)["Location"] == "/"
    again = Client()
    password_step(again, ministry)
    assert type_code(again, code).status_code == 400
    assert failures(ministry) == 1


def test_a_used_recovery_code_is_refused_and_counted(client, ministry):
    code = ministry.recovery_codes[0]
    password_step(client, ministry)
    assert type_code(client, code[:5] + "-" + code[5:], kind="recovery")["Location"] == "/"
    assert StaticToken.objects.filter(device__user=ministry).count() == 9
    again = Client()
    password_step(again, ministry)
    response = type_code(again, code, kind="recovery")
    assert response.status_code == 400 and failures(ministry) == 1


def test_wrong_codes_up_to_the_limit_lock_the_account_out_and_a_right_password_does_not_wipe_them(
        client, ministry):
    limit = settings.AXES_FAILURE_LIMIT
    password_step(client, ministry)
    for _ in range(limit - 2):
        assert type_code(client, "000000").status_code == 400
    # Typing the password again does not start the count afresh.
    again = Client()
    password_step(again, ministry)
    assert failures(ministry) == limit - 2
    assert type_code(again, "000000").status_code == 400
    locked = type_code(again, "000000")
    assert locked.status_code == 429
    assert "로그인" in locked.content.decode()
    assert "_auth_user_id" not in again.session  # logged out
    # Locked: even the right password and the right code do not get in.
    wait_out_device_delay(ministry)
    third = Client()
    page = third.get(reverse("login"))
    refused = third.post(reverse("login"), {"username": ministry.username, "password": PASSWORD,
                                            "csrfmiddlewaretoken": csrf_token(page)})
    assert refused.status_code == 429


def test_a_right_code_after_the_device_delay_clears_the_failures(client, ministry):
    password_step(client, ministry)
    assert type_code(client, "000000").status_code == 400
    wait_out_device_delay(ministry)
    assert type_code(client, second_factor_code(ministry))["Location"] == "/"
    assert failures(ministry) == 0


def test_hostile_codes_get_a_message_at_the_field(client, ministry):
    password_step(client, ministry)
    for hostile in ["<script>alert(1)</script>", "1" * 40, "١٢٣٤٥٦", "12;34"]:  # a NUL: the portal-wide 400
        response = type_code(client, hostile)
        assert response.status_code == 400, hostile
        assert "is-invalid" in response.content.decode(), hostile
    assert client.get("/")["Location"].startswith(reverse("login_verify"))


# --- optional for officials and experts; renewal and removal ------------------------------------


def test_an_official_may_enrol_then_must_give_the_code_and_may_remove_it(client, official):
    log_in(client, official)
    enrolled = enrol_on_page(client, reverse("twofactor_enrol"))
    assert enrolled.status_code == 302
    client.post(reverse("logout"))
    assert password_step(client, official).startswith(reverse("login_verify"))
    official.refresh_from_db()
    assert type_code(client, second_factor_code(official))["Location"] == "/"

    page = client.get(reverse("twofactor_remove"))
    assert page.status_code == 200
    removed = client.post(reverse("twofactor_remove"), {"code": second_factor_code(official)})
    assert removed["Location"] == reverse("profile")
    assert not TOTPDevice.objects.filter(user=official).exists()
    assert not StaticToken.objects.filter(device__user=official).exists()
    client.post(reverse("logout"))
    assert password_step(client, official) == "/"


def test_staff_cannot_remove_their_second_factor(client, ministry):
    log_in(client, ministry)
    response = client.post(reverse("twofactor_remove"), {"code": second_factor_code(ministry)}, follow=True)
    assert response.redirect_chain == [(reverse("profile"), 302)]
    assert TOTPDevice.objects.filter(user=ministry, confirmed=True).exists()
    assert "해제할 수 없습니다" in response.content.decode()


def test_new_recovery_codes_need_a_current_code_and_replace_the_old_ones(client, ministry):
    log_in(client, ministry)
    old = set(ministry.recovery_codes)
    assert client.post(reverse("twofactor_codes_renew"), {"code": "000000"}).status_code == 400
    wait_out_device_delay(ministry)
    response = client.post(reverse("twofactor_codes_renew"), {"code": second_factor_code(ministry)})
    assert response["Location"].startswith(reverse("twofactor_codes"))
    new = {c.replace("-", "") for c in client.get(response["Location"]).context["codes"]}
    assert len(new) == 10 and not new & old
    assert set(StaticToken.objects.filter(device__user=ministry).values_list("token", flat=True)) == new


def test_the_profile_page_says_whether_the_second_factor_is_on(client, ministry, official):
    log_in(client, ministry)
    body = client.get(reverse("profile")).content.decode()
    assert "second-factor" in body and reverse("twofactor_codes_renew") in body
    assert reverse("twofactor_remove") not in body
    other = log_in(Client(), official)
    assert reverse("twofactor_enrol") in other.get(reverse("profile")).content.decode()


def test_the_code_printer_is_refused_when_debug_is_off(settings, ministry):
    from django.core.management import CommandError, call_command

    settings.ALLOW_DEMO_DATA = False
    with pytest.raises(CommandError):
        call_command("totp_code", ministry.username)


def test_the_code_printer_prints_what_the_app_shows(settings, ministry, capsys):
    from django.core.management import call_command

    settings.ALLOW_DEMO_DATA = True
    call_command("totp_code", ministry.username)
    assert capsys.readouterr().out.strip() == twofactor.usable_code(twofactor.confirmed_totp_device(ministry))


def test_the_demo_staff_log_in_with_the_published_key(db, client):
    from base64 import b32decode

    from accounts import demo

    users = demo.seed()
    for username in ("admin", "ministry", "ministry2"):
        device = twofactor.confirmed_totp_device(users[username])
        assert device.key == b32decode(demo.DEMO_TOTP_SECRET).hex()
    ministry = users["ministry"]
    password_step_client = Client()
    page = password_step_client.get(reverse("login"))
    password_step_client.post(reverse("login"), {"username": "ministry", "password": demo.DEMO_PASSWORD,
                                                  "csrfmiddlewaretoken": csrf_token(page)})
    code = twofactor.current_code(b32decode(demo.DEMO_TOTP_SECRET).hex())
    assert type_code(password_step_client, code)["Location"] == "/"
    assert ministry.pk == int(password_step_client.session["_auth_user_id"])


def test_an_unexpected_official_factory_user_stays_optional(db):
    assert twofactor.requires_second_factor(OfficialFactory()) is False
