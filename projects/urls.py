from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/reports/start/", views.report_start, name="report_start"),
    path("<int:pk>/reports/<int:year>/", views.report_page, name="report"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("conditions/<int:pk>/close/", views.condition_close, name="condition_close"),
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("evaluations/<int:pk>/decide/", views.evaluation_decide, name="decide"),
    path("stage-reports/<int:pk>/status/", views.stage_report_status, name="stage_report_status"),
    path("stage-reports/<int:pk>/download/", views.stage_report_download, name="stage_report_download"),
    path("plans/<int:pk>/", views.plan_page, name="plan"),
]
