"""The projects endpoints: the projects the project list shows each person (staff every one, a
region's official its own region's once the call's results are announced, nobody else), each with
what its workspace shows: funding per year planned and spent, stages and their evaluations'
outcomes, annual reports, follow-up plans and KPIs.

The world (tests/projects/conftest.py): the standard Gwangju (lead) + Jeonnam project of the
announced 2023 call, funded 18억 national a year with 2억 local per region and year."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.scopes import Scope, scopes_for
from programmes.models import CallStatus
from projects.models import Outcome, Project
from projects.selectors import project_list
from tests.api.tokens import bearer, token_for
from tests.factories import EOK, CallFactory
from tests.projects import conftest as project_fixtures
from tests.projects.conftest import YEAR, approve_plan, decide, fill_plan, project_straight

# The funded-project tests' fixtures, made this module's so that pytest finds them here.
globals().update(
    {
        name: getattr(project_fixtures, name)
        for name in (
            "_english",
            "_media_root",
            "call",
            "client",
            "complete_proposal",
            "continued",
            "make_project",
            "make_proposal",
            "project",
            "proposal",
            "ready",
            "report",
            "stage_expert",
            "submitted_report",
        )
    }
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/projects/"


def get(client, user, url, scopes=None):
    return client.get(url, **bearer(token_for(user, scopes=scopes)))


def ids(client, user, url=LIST) -> list[int]:
    response = get(client, user, url)
    assert response.status_code == 200
    return [p["id"] for p in response.json()["items"]]


# --- Who sees which project ---------------------------------------------------------------------


def test_both_regions_and_staff_see_the_project_another_region_and_an_expert_do_not(
    client, project, official, partner_official, outsider_official, expert, ministry, admin_user
):
    for person in (official, partner_official, ministry, admin_user):
        assert ids(client, person) == [project.pk]
        assert get(client, person, f"{LIST}{project.pk}").status_code == 200
    response = get(client, outsider_official, f"{LIST}{project.pk}")
    assert ids(client, outsider_official) == []
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    # An expert cannot even hold the scope (api.scopes.scopes_for): their token is refused whole.
    assert Scope.PROJECTS not in scopes_for(expert)
    assert get(client, expert, LIST).status_code == 403


def test_before_the_announcement_a_region_sees_no_project_staff_do(client, project, official, ministry):
    project.proposal.call.status = CallStatus.REVIEW
    project.proposal.call.save()
    assert ids(client, official) == []
    assert get(client, official, f"{LIST}{project.pk}").status_code == 404
    assert ids(client, ministry) == [project.pk]


@pytest.mark.parametrize("who", ["official", "partner_official", "outsider_official", "ministry"])
def test_the_list_is_the_project_list_page_s(request, client, project, who):
    person = request.getfixturevalue(who)
    assert ids(client, person) == list(project_list(user=person).values_list("pk", flat=True))


# --- What a project carries ---------------------------------------------------------------------


def test_the_summary_names_call_regions_period_stage_and_status(client, project, official):
    item = get(client, official, LIST).json()["items"][0]
    assert item["proposal_id"] == project.proposal_id
    assert item["call"]["year"] == YEAR
    assert item["status"]["code"] == "active"
    assert item["current_stage"] == 1
    assert (item["start_year"], item["end_year"]) == (2023, 2025)
    assert item["lead_region"]["code"] == "gwangju"
    assert [(r["code"], r["lead"]) for r in item["regions"]] == [("gwangju", True), ("jeonnam", False)]


def test_funding_per_year_is_planned_in_won_and_spent_once_reported(client, submitted_report, partner_official):
    project = submitted_report.project
    body = get(client, partner_official, f"{LIST}{project.pk}").json()
    rows = {r["year"]: r for r in body["funding"]}
    assert sorted(rows) == [2023, 2024, 2025]
    assert rows[2023]["national_planned_won"] == 18 * EOK
    assert rows[2023]["national_spent_won"] == 17 * EOK  # 9억 + 8억 reported
    assert [(c["region"]["code"], c["planned_won"], c["spent_won"]) for c in rows[2023]["local"]] == [
        ("gwangju", 2 * EOK, 2 * EOK),
        ("jeonnam", 2 * EOK, 2 * EOK),
    ]
    assert rows[2024]["national_spent_won"] is None
    assert rows[2024]["local"][0]["spent_won"] is None
    report = next(r for r in body["annual_reports"] if r["year"] == 2023)
    assert report["state"]["code"] == "submitted"
    assert report["submitted_at"].endswith("+09:00")
    assert report["accepted_at"] is None
    assert (report["national_spent_won"], report["local_spent_won"]) == (17 * EOK, 4 * EOK)


def test_kpis_carry_the_pilot_targets_and_the_reported_values(client, submitted_report, official):
    body = get(client, official, f"{LIST}{submitted_report.project_id}").json()
    kpis = {k["name"]: k for k in body["kpis"]}
    assert kpis["기업 유치"]["target"] == "3"
    assert kpis["기업 유치"]["targets"] == ["3", "6", "10"]
    assert kpis["기업 유치"]["achieved_year"] == 2023
    assert kpis["기업 유치"]["achieved"] is not None


def test_a_stage_evaluation_s_outcome_conditions_and_the_follow_up_plan(client, ready, ministry, ministry2, official):
    decide(ready, by=ministry, outcome=Outcome.CONDITIONS, conditions=[{"text": "기업 3곳 유치", "due_on": "2026-12-31"}])
    plan = fill_plan(ready.plan)
    approve_plan(plan, endorser=ministry, approver=ministry2)
    body = get(client, official, f"{LIST}{ready.project_id}").json()
    pilot = body["stages"][0]
    assert pilot["number"] == 1
    evaluation = pilot["evaluations"][0]
    assert evaluation["outcome"]["code"] == "conditions"
    assert evaluation["outcome_reason"] == "평가 점수에 따른 결정"
    assert [(c["text"], c["due_on"], c["state"]["code"]) for c in evaluation["conditions"]] == [("기업 3곳 유치", "2026-12-31", "open")]
    assert [s["number"] for s in body["stages"]] == [1, 2]
    assert body["current_stage"] == 2
    [follow_up] = body["plans"]
    assert follow_up["state"]["code"] == "approved"
    assert follow_up["stage_number"] == 2
    assert follow_up["national_total_won"] == 2 * 5 * EOK * 3
    assert follow_up["local_total_won"] == 2 * 1 * EOK * 3
    assert {line["region"]["code"] for line in follow_up["lines"]} == {"gwangju", "jeonnam"}
    assert follow_up["approved_at"].endswith("+09:00")
    # The page's fields, not the panel's: no comment, score or grade of the panel.
    assert set(evaluation) == {"id", "round", "outcome", "outcome_reason", "wind_down_on", "conditions"}


def test_an_undecided_evaluation_has_no_outcome(client, ready, official):
    evaluation = get(client, official, f"{LIST}{ready.project_id}").json()["stages"][0]["evaluations"][0]
    assert evaluation["outcome"] is None


# --- Filters ------------------------------------------------------------------------------------


def test_filters_by_status_region_call_stage_and_title(client, project, ministry):
    call = project.proposal.call
    assert ids(client, ministry, f"{LIST}?status=active") == [project.pk]
    assert ids(client, ministry, f"{LIST}?status=terminated") == []
    assert ids(client, ministry, f"{LIST}?region=jeonnam") == [project.pk]
    assert ids(client, ministry, f"{LIST}?region=busan") == []
    assert ids(client, ministry, f"{LIST}?call={call.pk}") == [project.pk]
    assert ids(client, ministry, f"{LIST}?stage=1") == [project.pk]
    assert ids(client, ministry, f"{LIST}?stage=2") == []
    assert ids(client, ministry, f"{LIST}?q=뉴로모픽") == [project.pk]
    assert ids(client, ministry, f"{LIST}?q=nothing-like-it") == []


@pytest.mark.parametrize("query", ["status=paused", "stage=x", "call=0", f"call={10**20}", "page_size=201"])
def test_a_bad_filter_is_a_problem_not_a_500(client, project, ministry, query):
    response = get(client, ministry, f"{LIST}?{query}")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


# --- Queries ------------------------------------------------------------------------------------


def _queries(client, user) -> tuple[int, int]:
    secret = token_for(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, **bearer(secret))
    assert response.status_code == 200
    return len(queries), response.json()["count"]


def test_the_list_costs_the_same_queries_for_one_project_and_for_four(client, official, make_proposal, ministry):
    """Projects written straight to the models (outside the envelope), all of Gwangju + Jeonnam."""
    call = CallFactory(year=YEAR, status=CallStatus.ANNOUNCED, created_by=ministry, updated_by=ministry)
    project_straight(make_proposal(call=call, partners=["jeonnam"], title_ko="과제 0"))
    few, count = _queries(client, official)
    assert count == 1
    for i in range(1, 4):
        project_straight(make_proposal(call=call, partners=["jeonnam"], title_ko=f"과제 {i}"))
    many, count = _queries(client, official)
    assert count == 4
    assert many == few


# --- Tokens -------------------------------------------------------------------------------------


def test_a_token_without_read_projects_is_refused_with_403(client, project, official):
    for url in (LIST, f"{LIST}{project.pk}"):
        response = get(client, official, url, scopes=[Scope.FUNDING])
        assert response.status_code == 403
        assert Scope.PROJECTS.value in response.json()["detail"]
    assert client.get(LIST).status_code == 401


def test_a_project_id_too_large_for_the_database_is_a_problem_and_an_unknown_one_a_404(client, project, ministry):
    assert get(client, ministry, f"{LIST}{10**20}").status_code == 422
    assert get(client, ministry, f"{LIST}{Project.objects.order_by('-pk').first().pk + 1}").status_code == 404
