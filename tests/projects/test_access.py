"""Who may reach what in the projects app, generated from the URL configuration.

The world: the Gwangju + Jeonnam project of the 2023 call with its 2023 report
submitted (and an attachment), its pilot-end round decided "continue with
conditions" (one condition, the stage 2 plan in draft) and a built stage
report. Every URL of projects.urls is requested with GET and POST by a Busan
official, an unassigned expert and an anonymous visitor: none gets a page or
changes anything. Controls show the project's own officials do get their pages
(and not the staff ones), so the refusals are not vacuous.
"""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from evaluations.models import Assignment
from projects import urls as project_urls
from projects.models import (
    AnnualReport,
    Condition,
    Outcome,
    ReportAttachment,
    ReportPart,
    ReportStatus,
    SpendingLine,
    StageEvaluation,
    StagePlan,
    StageReport,
    StageRound,
)
from tests.login import log_in
from tests.proposals.conftest import PDF

from .conftest import YEAR, decide

pytestmark = pytest.mark.django_db

ROUND_ACTIONS = ("assign", "unassign", "start", "report")
PLAN_ACTIONS = ("save", "submit", "endorse", "return", "approve")
FILL = {
    "list": lambda w: [], "detail": lambda w: [w["project"]], "report_start": lambda w: [w["project"]],
    "report": lambda w: [w["project"], YEAR], "attachment": lambda w: [w["attachment"]],
    "condition_close": lambda w: [w["condition"]], "rounds": lambda w: [], "round_create": lambda w: [],
    "round": lambda w: [w["round"]], "decide": lambda w: [w["evaluation"]], "good_faith": lambda w: [w["evaluation"]],
    "stage_report_status": lambda w: [w["stage_report"]], "stage_report_download": lambda w: [w["stage_report"]],
    "plan": lambda w: [w["plan"]],
    # The report page's actions, one URL each (POST only).
    **{f"report_{action}": lambda w: [w["project"], YEAR]
       for action in ("part", "save", "submit", "accept", "return", "attach")},
    "spending_import": lambda w: [w["project"], YEAR],
    # The round page's and the plan page's actions, one URL each (POST only).
    **{f"round_{action}": lambda w: [w["round"]] for action in ROUND_ACTIONS},
    **{f"plan_{action}": lambda w: [w["plan"]] for action in PLAN_ACTIONS},
    "round_auto_assign": lambda w: [w["round"]],  # the round's automatic plan (staff)
}
POST_ONLY = {"report_start", "condition_close", "report_part", "report_save", "report_submit", "report_accept",
             "report_return", "report_attach", "spending_import", *(f"round_{a}" for a in ROUND_ACTIONS),
             *(f"plan_{a}" for a in PLAN_ACTIONS)}
# Every operation the pages accept, in one payload (whatever a POST would try).
PAYLOAD = {"op": "accept", "action": "grade", "year": YEAR + 1, "evidence": "증빙", "comment": "의견", "confirm": "yes",
           "outcome": Outcome.TERMINATE, "reason": "이유", "wind_down_on": "2026-01-01", "national": "1",
           "local": "1", "national-personnel": "1", "local-indirect": "1", "narrative": "x", "call": "",
           "stage_number": 2, "title": "t", "envelope_won": 1}


@pytest.fixture
def world(submitted_report, ready, ministry, partner_official):
    # The report is submitted (attachments only while editable): attach straight to the model.
    attachment = ReportAttachment(report=submitted_report, region_id=partner_official.region_id,
                                  original_name="실적.pdf", extension="pdf", size=len(PDF),
                                  uploaded_by=partner_official)
    attachment.file.save("evidence.pdf", ContentFile(PDF), save=False)
    attachment.save()
    decide(ready, by=ministry, outcome=Outcome.CONDITIONS, conditions=[{"text": "기업 유치 실적 보완"}])
    stage_report = StageReport(evaluation=ready, status=ReportStatus.DONE, requested_by=ministry, size=len(PDF))
    stage_report.file.save("stage.pdf", ContentFile(PDF), save=False)
    stage_report.save()
    return {"project": ready.project_id, "attachment": attachment.pk, "round": ready.round_id,
            "evaluation": ready.pk, "condition": Condition.objects.get(evaluation=ready).pk,
            "stage_report": stage_report.pk, "plan": StagePlan.objects.get(evaluation=ready).pk,
            "call": ready.round.call_id}


def state() -> list:
    return [
        list(AnnualReport.objects.order_by("pk").values_list("pk", "year", "state", "narrative", "review_comment")),
        list(ReportPart.objects.order_by("pk").values_list("pk", "national_spent_won", "narrative")),
        list(SpendingLine.objects.order_by("pk").values_list("pk", "source", "category", "amount_won")),
        list(ReportAttachment.objects.order_by("pk").values_list("pk")),
        list(Condition.objects.order_by("pk").values_list("pk", "state", "evidence")),
        list(StageRound.objects.order_by("pk").values_list("pk", "state")),
        list(StageEvaluation.objects.order_by("pk").values_list("pk", "outcome", "grade")),
        list(StagePlan.objects.order_by("pk").values_list("pk", "state", "revision", "goals")),
        list(StageReport.objects.order_by("pk").values_list("pk", "status", "attempts")),
        list(Assignment.objects.order_by("pk").values_list("pk", "expert_id")),
    ]


# The outcomes registry's pages (projects.outcome_views: the dashboard of every project, a project's outcomes,
# their evidence and review) have their rows for every role in the portal-wide matrix
# (tests/megaproject/test_access_matrix.py) and their rules in tests/projects/test_outcomes_views.py.
PROJECT_PATTERNS = [p for p in project_urls.urlpatterns if p.callback.__module__ != "projects.outcome_views"]


def urls(world) -> list[tuple[str, str]]:
    return [(p.name, reverse(f"projects:{p.name}", args=FILL[p.name](world))) for p in PROJECT_PATTERNS]


def test_the_matrix_covers_every_url_of_the_projects_app():
    assert {p.name for p in PROJECT_PATTERNS} == set(FILL)
    assert len(PROJECT_PATTERNS) < len(project_urls.urlpatterns)  # the outcome pages are set aside, no more


@pytest.mark.parametrize("who", ["outsider_official", "expert", "anonymous"])
def test_nobody_outside_the_project_gets_a_project_page_or_changes_anything(request, world, who):
    client = Client()
    if who != "anonymous":
        log_in(client, request.getfixturevalue(who))
    before = state()
    for name, url in urls(world):
        for method in ("get", "post"):
            payload = {**PAYLOAD, "call": world["call"]} if method == "post" else None
            response = getattr(client, method)(url, payload)
            if who == "anonymous":
                assert response.status_code == 405 or (response.status_code == 302 and response[
                    "Location"].startswith(reverse("login"))), (name, method, response.status_code)
            elif name == "list" and method == "get":
                # The list page itself opens for an official, and is empty.
                if who == "outsider_official":
                    assert response.status_code == 200 and list(response.context["page"].object_list) == []
                else:
                    assert response.status_code == 403, (name, method)
            else:
                assert response.status_code in (403, 404, 405), (name, method, response.status_code)
    assert state() == before


STAFF_ONLY = {"rounds", "round_create", "round", "decide", "condition_close", "good_faith",
              "round_auto_assign"}


@pytest.mark.parametrize("who", ["official", "partner_official"])
def test_the_project_s_own_officials_read_their_pages_but_not_the_staff_ones(request, client, world, who):
    log_in(client, request.getfixturevalue(who))
    for name, url in urls(world):
        response = client.get(url)
        if name in STAFF_ONLY:
            assert response.status_code in (403, 405), (name, response.status_code)
        elif name not in POST_ONLY:
            assert response.status_code == 200, (name, response.status_code)
    # The stage report is released to the regions once the outcome is decided: it is a PDF.
    response = client.get(reverse("projects:stage_report_download", args=[world["stage_report"]]))
    assert response["Content-Type"] == "application/pdf"


def test_staff_reach_every_page(client, world, ministry):
    log_in(client, ministry)
    for name, url in urls(world):
        if name in POST_ONLY:
            continue
        expected = 302 if name == "decide" else 200  # decided in this world: back to the round
        assert client.get(url).status_code == expected, name
