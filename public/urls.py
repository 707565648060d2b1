"""Public pages, no log-in: call notices, questions and answers, notices, results, open data."""

from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("calls/<int:pk>/", views.call_notice, name="call"),
    path("calls/<int:pk>/results/", views.call_results, name="results"),
    path("open-data/", views.open_data, name="open_data"),
    path("open-data/funded-projects.csv", views.open_data_csv, name="open_data_csv"),
    path("open-data/funded-projects.json", views.open_data_json, name="open_data_json"),
    path("calendar.ics", views.calendar, name="calendar"),
    path("privacy/", views.privacy, name="privacy"),
    path("terms/", views.terms, name="terms"),
]
