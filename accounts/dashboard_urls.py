from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboard/figures/<slug:slug>.csv", views.dashboard_figure_csv, name="dashboard_figure_csv"),
]
