from django.urls import path

from . import views

# No app namespace: the pages are reversed as "verify" and "verify_file", as printed URLs have always been.
urlpatterns = [
    path("verify/", views.verify_file, name="verify_file"),
    path("verify/<str:code>", views.verify, name="verify"),
]
