from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("", views.call_list, name="call_list"),
    path("new/", views.call_create, name="call_create"),
    path("<int:pk>/", views.call_detail, name="call_detail"),
    path("<int:pk>/edit/", views.call_edit, name="call_edit"),
    path("<int:pk>/status/", views.call_status, name="call_status"),
    path("<int:pk>/guidelines/new/", views.guideline_create, name="guideline_create"),
    path("guidelines/<int:pk>/", views.guideline_detail, name="guideline_detail"),
    path("guidelines/<int:pk>/revise/", views.guideline_revise, name="guideline_revise"),
    path("guidelines/<int:pk>/acknowledge/", views.guideline_acknowledge, name="guideline_acknowledge"),
    path("guidelines/<int:pk>/versions/<int:version>/file/", views.guideline_file, name="guideline_file"),
    path("institutions/", views.institutions, name="institutions"),
]
