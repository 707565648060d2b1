"""Public pages, no log-in: call notices, questions and answers, notices, results, open data."""

from django.urls import path  # noqa: F401

app_name = "public"

urlpatterns: list = []
