from django.urls import path

from . import dashboard_views

urlpatterns = [
    path("", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/figures/<slug:slug>.csv", dashboard_views.dashboard_figure_csv, name="dashboard_figure_csv"),
]
