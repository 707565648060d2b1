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
    path("rounds/<int:pk>/assign/", views.round_assign, name="round_assign"),
    path("rounds/<int:pk>/unassign/", views.round_unassign, name="round_unassign"),
    path("rounds/<int:pk>/auto-assign/", views.round_auto_assign, name="round_auto_assign"),
    path("rounds/<int:pk>/start/", views.round_start, name="round_start"),
    path("rounds/<int:pk>/report/", views.round_report, name="round_report"),
    path("evaluations/<int:pk>/decide/", views.evaluation_decide, name="decide"),
    path("evaluations/<int:pk>/good-faith/", views.good_faith, name="good_faith"),
    path("stage-reports/<int:pk>/status/", views.stage_report_status, name="stage_report_status"),
    path("stage-reports/<int:pk>/download/", views.stage_report_download, name="stage_report_download"),
    path("plans/<int:pk>/", views.plan_page, name="plan"),
    path("plans/<int:pk>/save/", views.plan_save, name="plan_save"),
    path("plans/<int:pk>/submit/", views.plan_submit, name="plan_submit"),
    path("plans/<int:pk>/endorse/", views.plan_endorse, name="plan_endorse"),
    path("plans/<int:pk>/return/", views.plan_return, name="plan_return"),
    path("plans/<int:pk>/approve/", views.plan_approve, name="plan_approve"),
]
