from django.urls import path

from . import views

# The namespace stays "audit": every page links to {% url 'audit:trail' %} (/audit/).
app_name = "audit"

urlpatterns = [
    path("", views.trail, name="trail"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("personal-data/", views.personal_data, name="personal_data"),
    path("personal-data/export.csv", views.personal_data_csv, name="personal_data_csv"),
]
