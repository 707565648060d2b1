from django.urls import path

from . import views

# The namespace stays "audit": every page links to {% url 'audit:trail' %} (/audit/).
app_name = "audit"

urlpatterns = [
    path("", views.trail, name="trail"),
    path("export.csv", views.export_csv, name="export_csv"),
]
