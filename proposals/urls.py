from django.urls import path

from . import views

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
]
