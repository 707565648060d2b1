from django.urls import path

from . import views

app_name = "agreements"

urlpatterns = [
    path("projects/<int:pk>/prepare/", views.agreement_prepare, name="prepare"),
    path("versions/<int:pk>/", views.version_page, name="version"),
    path("versions/<int:pk>/issue/", views.version_issue, name="issue"),
    path("versions/<int:pk>/accept/", views.version_accept, name="accept"),
    path("documents/<int:pk>/download/", views.document_download, name="download"),
    path("<int:pk>/amend/", views.amendment_request, name="amend"),
    path("<int:pk>/compare/", views.version_compare, name="compare"),
    path("amendments/<int:pk>/", views.amendment_page, name="amendment"),
    path("amendments/<int:pk>/decide/", views.amendment_decide, name="amendment_decide"),
    path("amendments/attachments/<int:pk>/", views.amendment_attachment, name="amendment_attachment"),
]
