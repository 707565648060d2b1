from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/reports/start/", views.report_start, name="report_start"),
    path("<int:pk>/reports/<int:year>/", views.report_page, name="report"),
    path("<int:pk>/reports/<int:year>/part/", views.report_part_save, name="report_part"),
    path("<int:pk>/reports/<int:year>/save/", views.report_save, name="report_save"),
    path("<int:pk>/reports/<int:year>/submit/", views.report_submit, name="report_submit"),
    path("<int:pk>/reports/<int:year>/accept/", views.report_accept, name="report_accept"),
    path("<int:pk>/reports/<int:year>/return/", views.report_return, name="report_return"),
    path("<int:pk>/reports/<int:year>/attach/", views.report_attach, name="report_attach"),
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
