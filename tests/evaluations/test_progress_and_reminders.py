"""Scoring progress, the reminder task, and the query count of the staff pages.

Two eligible proposals of the call, P1 and P2, and their panel:
  Ahn   — P1 submitted                       (nothing left to do)
  Baek  — P1 declared, no scores; P2 draft    (two scoresheets pending)
  Cho   — P1 withdrew (declared a conflict)   (nothing left to do)
  Deok  — P2 not declared yet                 (one scoresheet pending)
  Eom   — pending on another call only        (not this call's business)
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Notification
from evaluations.models import PanelResult, Scoresheet, ScoresheetState
from evaluations.selectors import progress
from evaluations.services import assignment_declare, scoresheet_save, unsubmitted_evaluations
from evaluations.tasks import remind_all_calls_under_review, remind_unsubmitted
from programmes.models import CallStatus
from tests.clock import on
from tests.evaluations.conftest import assign, clear, make_expert, score_values, scored, sheet_in_db
from tests.factories import CallFactory
from tests.login import log_in

pytestmark = pytest.mark.django_db

REMINDER = f"Reminder: %(n)s scoresheet(s) of “%(call)s” are not submitted yet; the review closes on {on(2027, 3, 5)}."


@pytest.fixture
def panel(call, ministry, eligible_factory):
    p1 = eligible_factory(title_ko="과제 1")
    p2 = eligible_factory(title_ko="과제 2")
    people = {name: make_expert(name.lower(), display_name=name) for name in ("Ahn", "Baek", "Cho", "Deok", "Eom")}
    scored(p1, people["Ahn"], [8, 7, 6, 5, 4], by=ministry)
    clear(assign(p1, people["Baek"], by=ministry))
    draft = clear(assign(p2, people["Baek"], by=ministry))
    scoresheet_save(actor=people["Baek"], assignment=draft, values=score_values(call, [8, None, None, None, None]))
    withdrawn = assign(p1, people["Cho"], by=ministry)
    assignment_declare(actor=people["Cho"], assignment=withdrawn, conflict=True, note="공동연구 수행 중")
    assign(p2, people["Deok"], by=ministry)
    other_call = CallFactory(title="다른 공모")
    assign(eligible_factory(call=other_call), people["Eom"], by=ministry)
    return {"p1": p1, "p2": p2, "other_call": other_call, **people}


def test_progress_counts_per_proposal(call, panel):
    rows = [(r["proposal__title_ko"], r["assigned"], r["declared"], r["submitted"], r["withdrawn"])
            for r in progress(call=call)["per_proposal"]]
    #               assigned (active)  declared (no conflict)  submitted  withdrawn
    assert rows == [("과제 1", 2,                 2,                      1,         1),
                    ("과제 2", 2,                 1,                      0,         0)]


def test_progress_counts_per_expert(call, panel):
    rows = [(r["expert__display_name"], r["assigned"], r["submitted"]) for r in progress(call=call)["per_expert"]]
    assert rows == [("Ahn", 1, 1), ("Baek", 2, 0), ("Cho", 0, 0), ("Deok", 1, 0)]


def test_the_progress_page_shows_the_counts_and_the_pending_total(client, call, panel, ministry):
    log_in(client, ministry)
    response = client.get(reverse("evaluations:progress", args=[call.pk]))
    assert (response.status_code, response.context["pending"]) == (200, 3)
    assert "3 scoresheets are not submitted." in response.content.decode()


def test_the_pending_scoresheets_are_the_active_unsubmitted_evaluations_of_the_call(call, panel):
    pending = sorted((a.expert.display_name, a.proposal.title_ko) for a in unsubmitted_evaluations(call=call))
    assert pending == [("Baek", "과제 1"), ("Baek", "과제 2"), ("Deok", "과제 2")]


def test_the_reminder_tells_each_expert_with_pending_scores_once_and_nobody_else(call, panel):
    before = set(Notification.objects.values_list("pk", flat=True))
    assert remind_unsubmitted(call_id=call.pk) == 2
    sent = Notification.objects.exclude(pk__in=before).order_by("user__username")
    assert list(sent.values_list("user__display_name", "message", "url")) == [
        ("Baek", REMINDER % {"n": 2, "call": call.title}, "/evaluations/assignments/"),
        ("Deok", REMINDER % {"n": 1, "call": call.title}, "/evaluations/assignments/"),
    ]


def test_once_everything_is_submitted_nobody_is_reminded(call, panel, ministry):
    Scoresheet.objects.update(state=ScoresheetState.SUBMITTED)
    panel["Baek"].assignments.filter(proposal=panel["p1"]).get().delete()
    panel["Deok"].assignments.get().delete()
    before = Notification.objects.count()
    assert (remind_unsubmitted(call_id=call.pk), Notification.objects.count()) == (0, before)


def test_the_daily_task_reminds_for_every_call_under_review_only(call, panel):
    call.status = CallStatus.REVIEW
    call.save()  # the other call (open, with Eom pending) is not under review
    before = set(Notification.objects.values_list("pk", flat=True))
    assert remind_all_calls_under_review() == 2
    reminded = Notification.objects.exclude(pk__in=before).values_list("user__display_name", flat=True)
    assert sorted(reminded) == ["Baek", "Deok"]


# --- The N+1 guard ---------------------------------------------------------------------------


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_ranking_board_needs_as_many_queries_for_8_proposals_as_for_2(client, call, ministry, eligible_factory):
    judges = [make_expert(f"judge-{n}") for n in range(3)]
    regions = ["jeonnam", "busan", "daegu", "ulsan"]

    def add(n):
        p = eligible_factory(partners=[regions[n % 4]], submitted_at=datetime.datetime(2027, 1, 2, tzinfo=datetime.UTC))
        for judge in judges:
            sheet_in_db(p, judge, [n % 10, 5, 5, 5, 5], by=ministry)
        PanelResult.objects.create(proposal=p, consensus_comment=f"의견 {n}", updated_by=ministry)

    log_in(client, ministry)
    url = reverse("evaluations:ranking", args=[call.pk])
    for n in range(2):
        add(n)
    queries_of(client, url)  # warm-up
    two = queries_of(client, url)
    for n in range(2, 8):
        add(n)
    response = client.get(url)
    assert len(response.context["board"]["rows"]) == 8
    assert queries_of(client, url) == two


def test_the_expert_pool_needs_as_many_queries_for_8_experts_as_for_2(client, ministry, eligible_factory):
    codes = ["robotics", "semiconductors", "advanced-bio", "aerospace"]
    homes = ["daejeon", "seoul", "busan", "jeju"]

    def add(n):
        expert = make_expert(f"pool-{n}", home=homes[n % 4], industries=[codes[n % 4], codes[(n + 1) % 4]])
        assign(eligible_factory(), expert, by=ministry)

    log_in(client, ministry)
    url = reverse("evaluations:experts")
    for n in range(2):
        add(n)
    queries_of(client, url)  # warm-up
    two = queries_of(client, url)
    for n in range(2, 8):
        add(n)
    assert client.get(url).context["page"].paginator.count == 8
    assert queries_of(client, url) == two


def test_the_auto_assign_page_needs_as_many_queries_for_8_panels_as_for_2(client, call, ministry, eligible_factory):
    call.panel_size = 1
    call.save()

    def add(n):
        assign(eligible_factory(partners=["jeonnam"]), make_expert(f"panel-{n}"), by=ministry)

    log_in(client, ministry)
    url = reverse("evaluations:auto_assign", args=[call.pk])
    for n in range(2):
        add(n)
    queries_of(client, url)  # warm-up
    two = queries_of(client, url)
    for n in range(2, 8):
        add(n)
    assert len(client.get(url).context["plan"].rows) == 8
    assert queries_of(client, url) == two
