from django.urls import path

from . import views

# No app namespace: the page is reversed as "verify", as printed URLs have always been.
urlpatterns = [
    path("verify/<str:code>", views.verify, name="verify"),
]
