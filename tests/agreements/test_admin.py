"""The agreements in the Django admin: every model listed for administrators, read-only."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.login import log_in

pytestmark = pytest.mark.django_db


def test_every_agreements_model_is_listed_read_only_for_an_administrator(client, admin_user, issued):
    log_in(client, admin_user)
    for model in apps.get_app_config("agreements").get_models():
        assert admin.site.is_registered(model), model.__name__
        name = f"admin:agreements_{model._meta.model_name}"
        assert client.get(reverse(f"{name}_changelist")).status_code == 200, model.__name__
        assert client.get(reverse(f"{name}_add")).status_code == 403, model.__name__
