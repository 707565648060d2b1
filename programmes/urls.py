from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("", views.call_list, name="call_list"),
    path("new/", views.call_create, name="call_create"),
    path("<int:pk>/", views.call_detail, name="call_detail"),
    path("<int:pk>/edit/", views.call_edit, name="call_edit"),
    path("<int:pk>/status/", views.call_status, name="call_status"),
    path("institutions/", views.institutions, name="institutions"),
]
