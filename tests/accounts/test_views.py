"""Log-in, the dashboard of each role, log-out and password reset."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.forms import LoginForm
from tests.factories import PASSWORD
from tests.login import log_in, second_factor_code

pytestmark = pytest.mark.django_db

DASHBOARDS = [
    ("official", "reports/dashboard_official.html"),
    ("outsider_official", "reports/dashboard_official.html"),
    ("expert", "reports/dashboard_expert.html"),
    ("ministry", "reports/dashboard_ministry.html"),
    ("admin_user", "reports/dashboard_admin.html"),
]


def template_of(response) -> str:
    """The template the view rendered (the first one; the others are its parents and includes)."""
    return response.templates[0].name


def test_the_login_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert template_of(response) == "registration/login.html"


@pytest.mark.parametrize(("role", "template"), DASHBOARDS)
def test_each_role_logs_in_and_lands_on_its_own_dashboard(client, request, role, template):
    user = request.getfixturevalue(role)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True)
    if user.role in ("ministry", "admin"):  # their second step: the code of their authenticator
        verify = f"{reverse('login_verify')}?next=%2F"
        assert response.redirect_chain == [(verify, 302)]
        response = client.post(verify, {"code": second_factor_code(user)}, follow=True)
    assert response.redirect_chain == [(reverse("dashboard"), 302)]
    assert response.status_code == 200
    assert template_of(response) == template
    assert response.context["user"] == user


def test_a_superuser_lands_on_the_admin_dashboard_whatever_the_role(client, ministry):
    ministry.is_superuser = True
    ministry.save()
    log_in(client, ministry)
    assert template_of(client.get("/")) == "reports/dashboard_admin.html"


def test_the_official_dashboard_lists_the_calls_open_to_the_region(client, official, call):
    log_in(client, official)
    response = client.get("/")
    assert response.context["open_calls"] == [call]
    assert response.context["region"] == official.region


def test_a_wrong_password_is_refused_with_the_portal_message(client, official):
    response = client.post(reverse("login"), {"username": official.username, "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [str(LoginForm.error_messages["invalid_login"])]
    assert "_auth_user_id" not in client.session


def test_a_deactivated_account_cannot_log_in_even_with_the_right_password(client, ministry):
    ministry.is_active = False
    ministry.save()
    response = client.post(reverse("login"), {"username": ministry.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_logged_in_user_visiting_the_login_page_goes_to_the_dashboard(client, official):
    log_in(client, official)
    response = client.get(reverse("login"))
    assert (response.status_code, response["Location"]) == (302, reverse("dashboard"))


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, f"{reverse('login')}?next=/")


def test_logging_out_takes_a_post_and_ends_the_session(client, official):
    log_in(client, official)
    response = client.post(reverse("logout"))
    assert (response.status_code, response["Location"]) == (302, reverse("login"))
    assert client.get("/").status_code == 302


def test_logging_out_by_get_is_refused(client, official):
    log_in(client, official)
    assert client.get(reverse("logout")).status_code == 405
    assert client.get("/").status_code == 200


def test_password_reset_mails_one_working_link_on_the_portal_address(client, official, settings):
    settings.PORTAL_BASE_URL = "https://portal.megaproject.test"
    response = client.post(reverse("password_reset"), {"email": official.email})
    assert (response.status_code, response["Location"]) == (302, reverse("password_reset_done"))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [official.email]
    links = re.findall(r"https://portal\.megaproject\.test(/accounts/password/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert len(links) == 1

    # The link leads to the set-password form; the new password then works.
    form_page = client.get(links[0], follow=True)
    assert template_of(form_page) == "registration/password_reset_confirm.html"
    assert form_page.context["validlink"] is True
    new_password = "a-brand-new-passphrase-2027"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert (done.status_code, done["Location"]) == (302, reverse("password_reset_complete"))
    assert client.login(username=official.username, password=new_password) is True


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.kr"})
    assert (response.status_code, response["Location"]) == (302, reverse("password_reset_done"))
    assert mail.outbox == []


def test_the_profile_page_needs_a_login(client):
    response = client.get(reverse("profile"))
    assert (response.status_code, response["Location"]) == (302, f"{reverse('login')}?next={reverse('profile')}")


def test_the_profile_page_renders_for_a_logged_in_user(client, expert):
    log_in(client, expert)
    response = client.get(reverse("profile"))
    assert (response.status_code, template_of(response)) == (200, "accounts/profile.html")


def test_a_user_changes_their_password_and_stays_logged_in(client, official):
    log_in(client, official)
    new_password = "another-long-passphrase-2027"
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password,
    })
    assert (response.status_code, response["Location"]) == (302, reverse("password_change_done"))
    assert client.get("/").status_code == 200
    official.refresh_from_db()
    assert official.check_password(new_password) is True
