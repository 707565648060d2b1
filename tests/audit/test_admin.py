"""The Django admin: every model of our apps is there, and each list, search and
add page works for an administrator on demo-like data (no 500 from a bad
list_display, filter or search field). The admin is the portal rule
accounts.use_admin_site: other staff are kept out."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.evaluations.conftest import sheet_in_db
from tests.login import log_in

pytestmark = pytest.mark.django_db

OUR_APPS = ["accounts", "programmes", "proposals", "evaluations", "funding", "audit"]


@pytest.fixture
def world(approved, ministry, panel_expert):
    """A funded proposal (decision approved, letter built) with a submitted scoresheet."""
    sheet_in_db(approved.proposal, panel_expert, [8, 7, 9, 6, 5], by=ministry)
    return approved


@pytest.mark.parametrize("app_label", OUR_APPS)
def test_every_model_of_the_app_is_in_the_admin(app_label):
    missing = [m.__name__ for m in apps.get_app_config(app_label).get_models() if not admin.site.is_registered(m)]
    assert missing == []


def test_each_list_search_and_add_page_works_for_an_administrator(client, admin_user, world):
    log_in(client, admin_user)
    failures = []
    for model in [m for label in OUR_APPS for m in apps.get_app_config(label).get_models()]:
        model_admin = admin.site._registry[model]
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages = [reverse(f"{name}_changelist")]
        if model_admin.search_fields:
            pages.append(reverse(f"{name}_changelist") + "?q=광주")
        first = model._default_manager.first()
        if first is not None:
            pages.append(reverse(f"{name}_change", args=[first.pk]))
        if model_admin.has_add_permission(type("R", (), {"user": admin_user})()):
            pages.append(reverse(f"{name}_add"))
        for url in pages:
            status = client.get(url).status_code
            if status != 200:
                failures.append((url, status))
    assert failures == []


def test_a_rows_list_shows_its_rows(client, admin_user, world):
    log_in(client, admin_user)
    html = client.get(reverse("admin:funding_fundingdecision_changelist")).content.decode()
    assert str(world.proposal) in html and "54" in html


def test_money_and_events_cannot_be_edited_in_the_admin(client, admin_user, world):
    log_in(client, admin_user)
    for name in ["funding_fundingdecision", "evaluations_scoresheet", "proposals_proposalevent", "audit_auditevent"]:
        assert client.get(reverse(f"admin:{name}_add")).status_code == 403


@pytest.mark.parametrize("role", ["ministry", "official", "expert"])
def test_only_administrators_use_the_admin(request, client, role):
    log_in(client, request.getfixturevalue(role))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 302
