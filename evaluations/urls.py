from django.urls import path

from . import views

app_name = "evaluations"

urlpatterns = [
    path("experts/", views.expert_pool, name="experts"),
    path("experts/import/", views.expert_import, name="expert_import"),
    path("experts/export.csv", views.expert_export, name="expert_export"),
    path("experts/<int:pk>/", views.expert_profile, name="expert_profile"),
    path("assignments/", views.my_assignments, name="assignments"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path("assignments/<int:pk>/declare/", views.assignment_declare, name="declare"),
    path("assignments/<int:pk>/scores/", views.scoresheet_save, name="score"),
    path("assignments/<int:pk>/comments/", views.comment_add, name="comment"),
    path("proposals/<int:pk>/panel/", views.proposal_panel, name="panel"),
    path("proposals/<int:pk>/panel/assign/", views.panel_assign, name="panel_assign"),
    path("proposals/<int:pk>/panel/unassign/", views.panel_unassign, name="panel_unassign"),
    path("proposals/<int:pk>/panel/reopen/", views.panel_reopen, name="panel_reopen"),
    path("proposals/<int:pk>/panel/chair/", views.panel_chair, name="panel_chair"),
    path("proposals/<int:pk>/panel/override/", views.panel_override, name="panel_override"),
    path("proposals/<int:pk>/reviewers/", views.reviewers, name="reviewers"),
    path("proposals/<int:pk>/reviewers/remove/", views.reviewers_remove, name="reviewers_remove"),
    path("proposals/<int:pk>/panel-result/", views.panel_result_edit, name="panel_result"),
    path("proposals/<int:pk>/consulting/", views.proposal_consulting, name="consulting"),
    path("proposals/<int:pk>/feedback/", views.feedback, name="feedback"),
    path("calls/<int:pk>/pledge/", views.pledge, name="pledge"),
    path("proposals/<int:pk>/feedback/rate/", views.feedback_rate, name="feedback_rate"),
    path("calls/<int:pk>/auto-assign/", views.auto_assign, name="auto_assign"),
    path("calls/<int:pk>/ranking/", views.ranking, name="ranking"),
    path("calls/<int:pk>/progress/", views.progress, name="progress"),
    path("calls/<int:pk>/quality/", views.quality, name="quality"),
    path("calls/<int:pk>/quality/rules/", views.quality_rules, name="quality_rules"),
    path("calls/<int:pk>/quality/exclude/", views.quality_exclude, name="quality_exclude"),
    path("calls/<int:pk>/objections/", views.call_objections, name="objections"),
    path("proposals/<int:pk>/objection/", views.proposal_objection, name="objection"),
    path("objections/<int:pk>/", views.objection_detail, name="objection_detail"),
    path("objections/<int:pk>/review/", views.objection_review, name="objection_review"),
    path("objections/<int:pk>/answer/", views.objection_answer, name="objection_answer"),
    path("objections/<int:pk>/close/", views.objection_close, name="objection_close"),
    path("objections/<int:pk>/assign/", views.objection_assign, name="objection_assign"),
    path("objection-files/<int:pk>/", views.objection_attachment, name="objection_attachment"),
]
