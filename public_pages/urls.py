"""Public pages, no log-in: call notices, questions and answers, notices, results, open data."""

from django.urls import path

from . import board_views, views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("calls/<int:pk>/", views.call_notice, name="call"),
    path("calls/<int:pk>/results/", views.call_results, name="results"),
    path("open-data/", views.open_data, name="open_data"),
    path("open-data/funded-projects.csv", views.open_data_csv, name="open_data_csv"),
    path("open-data/funded-projects.json", views.open_data_json, name="open_data_json"),
    path("calendar.ics", views.calendar, name="calendar"),
    path("privacy/", views.privacy, name="privacy"),
    path("terms/", views.terms, name="terms"),
    # Questions and answers per call (public/board_views.py): the board is public, asking needs a log-in.
    path("calls/<int:pk>/questions/", board_views.call_questions, name="call_questions"),
    path("calls/<int:pk>/questions/ask/", board_views.ask_question, name="ask_question"),
    path("questions/mine/", board_views.my_questions, name="my_questions"),
    path("questions/<int:pk>/edit/", board_views.question_edit, name="question_edit"),
    path("questions/<int:pk>/withdraw/", board_views.question_withdraw, name="question_withdraw"),
    path("questions/queue/", board_views.question_queue, name="question_queue"),
    path("questions/<int:pk>/answer/", board_views.answer_question, name="answer_question"),
    # The notices board (공지사항): public list and pages, staff write.
    path("notices/", board_views.notices, name="notices"),
    path("notices/new/", board_views.notice_create, name="notice_create"),
    path("notices/<int:pk>/", board_views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/file/", board_views.notice_attachment, name="notice_attachment"),
    path("notices/<int:pk>/edit/", board_views.notice_edit, name="notice_edit"),
    path("notices/<int:pk>/publish/", board_views.notice_publish, name="notice_publish"),
    path("notices/<int:pk>/pin/", board_views.notice_pin, name="notice_pin"),
]
