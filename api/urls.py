"""The pages around the API (mounted at /api/ by megaproject/urls.py; the API itself is /api/v1/)."""

from django.urls import path

from . import views

app_name = "api_tokens"

urlpatterns = [
    path("", views.about, name="about"),
    path("tokens/", views.token_list, name="list"),
    path("tokens/new/", views.token_create, name="create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="revoke"),
    path("service-accounts/", views.service_account_list, name="service_accounts"),
    path("service-accounts/new/", views.service_account_create, name="service_account_create"),
    path("service-accounts/<int:pk>/", views.service_account_detail, name="service_account"),
    path("service-accounts/<int:pk>/tokens/new/", views.service_account_token_create, name="service_account_token_create"),
]
