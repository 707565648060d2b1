from django.urls import path

from . import patent_views, theme_views, views

app_name = "proposals"

urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("new/", views.proposal_create, name="create"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/edit/<slug:step>/", views.proposal_step, name="step"),
    path("<int:pk>/consortium/invite/", views.consortium_invite, name="consortium_invite"),
    path("<int:pk>/consortium/remove/", views.consortium_remove, name="consortium_remove"),
    path("<int:pk>/action/", views.proposal_action, name="action"),
    path("<int:pk>/sign-off/", views.proposal_sign_off, name="sign_off"),
    path("<int:pk>/versions/<int:number>/", views.version_detail, name="version"),
    path("<int:pk>/compare/", views.version_compare, name="compare"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("<int:pk>/pdf/", views.pdf_request, name="pdf_request"),
    path("<int:pk>/pdf/status/", views.pdf_status, name="pdf_status"),
    path("<int:pk>/pdf/download/", views.pdf_download, name="pdf_download"),
    path("<int:pk>/attachments/<int:attachment_id>/remove/", views.attachment_remove, name="attachment_remove"),
    # Candidate themes: phase 1 of a call's planning period (issue 17)
    path("themes/", theme_views.theme_list, name="theme_list"),
    path("themes/new/<int:call_pk>/", theme_views.theme_create, name="theme_create"),
    path("themes/<int:pk>/", theme_views.theme_detail, name="theme_detail"),
    path("themes/<int:pk>/edit/", theme_views.theme_edit, name="theme_edit"),
    path("themes/<int:pk>/attach/", theme_views.theme_attach, name="theme_attach"),
    path("themes/<int:pk>/attachments/<int:attachment_id>/", theme_views.theme_attachment, name="theme_attachment"),
    path("themes/<int:pk>/draft/", theme_views.theme_draft, name="theme_draft"),
    path("themes/<int:pk>/sign-off/", theme_views.selection_sign_off, name="selection_sign_off"),
    path("themes/selection/<int:call_pk>/", theme_views.selection, name="selection"),
    path("themes/selection/<int:call_pk>/opinion/", theme_views.opinion_add, name="opinion_add"),
    path("themes/selection/<int:call_pk>/select/", theme_views.theme_select, name="theme_select"),
    path("themes/opinions/<int:pk>/minutes/", theme_views.opinion_minutes, name="opinion_minutes"),
    path("themes/status/<int:call_pk>/", theme_views.planning_status, name="planning_status"),
    path("themes/status/<int:call_pk>/csv/", theme_views.planning_status_csv, name="planning_status_csv"),
    path("themes/<int:pk>/drop/", theme_views.theme_drop, name="theme_drop"),
    # The patent analysis of a draft grown from a final theme (phase 3)
    path("<int:pk>/patents/", patent_views.patent_analysis, name="patents"),
    path("<int:pk>/patents/edit/", patent_views.patent_analysis_edit, name="patents_edit"),
    path("<int:pk>/patents/answer/", patent_views.patent_analysis_answer, name="patents_answer"),
    path("<int:pk>/patents/file/", patent_views.patent_analysis_file, name="patents_file"),
]
