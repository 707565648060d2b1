from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("exports/", views.exports_page, name="exports"),
    path("exports/<str:dataset>.<str:fmt>", views.export_download, name="export"),
    path("exports/jobs/<int:pk>/", views.job_page, name="job"),
    path("exports/jobs/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("exports/jobs/<int:pk>/download/", views.job_download, name="job_download"),
    path("calls/<int:pk>/result-report/", views.call_report_page, name="call_report"),
    path("calls/<int:pk>/result-report/status/", views.call_report_status, name="call_report_status"),
    path("calls/<int:pk>/result-report/download/", views.call_report_download, name="call_report_download"),
]
