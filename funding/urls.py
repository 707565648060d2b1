from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("calls/<int:pk>/selection/", views.selection_board, name="selection"),
    path("proposals/<int:pk>/selection/", views.selection_decide, name="select"),
    path("calls/<int:pk>/letters/", views.letters_page, name="letters"),
    path("calls/<int:pk>/scenarios/", views.scenarios, name="scenarios"),
    path("calls/<int:pk>/scenarios/compare/", views.scenario_compare, name="scenario_compare"),
    path("scenarios/<int:pk>/", views.scenario, name="scenario"),
    path("scenarios/<int:pk>/decide/", views.scenario_decide, name="scenario_decide"),
    path("proposals/<int:pk>/", views.decision_page, name="decision"),
    path("proposals/<int:pk>/prepare/", views.decision_prepare, name="decision_prepare"),
    path("proposals/<int:pk>/approve/", views.decision_approve, name="decision_approve"),
    path("proposals/<int:pk>/letter/", views.decision_letter, name="decision_letter"),
    path("batches/<int:pk>/progress/", views.batch_progress, name="batch_progress"),
    path("letters/<int:pk>/status/", views.letter_status, name="letter_status"),
    path("letters/<int:pk>/download/", views.letter_download, name="letter_download"),
    path("letters/<int:pk>/retry/", views.letter_retry, name="letter_retry"),
]
