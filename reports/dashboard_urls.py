from django.urls import path

from . import dashboard_views

urlpatterns = [
    path("", dashboard_views.dashboard, name="dashboard"),
    path("todos/", dashboard_views.todo_page, name="todos"),
    path("dashboard/figures/<slug:slug>.csv", dashboard_views.dashboard_figure_csv, name="dashboard_figure_csv"),
]
