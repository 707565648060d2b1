"""The funded-project pages: what each person sees and what each form does.

Built on the fixtures of tests/projects/conftest.py (a Gwangju + Jeonnam project
of the 2023 call, funded the real way). Writes go through the pages; the
assertions read the database or the page.
"""

import pytest
from django.urls import reverse

from projects.models import (
    AnnualReport,
    Condition,
    ConditionState,
    Outcome,
    PlanState,
    RoundState,
    StageEvaluation,
    StageRound,
)
from projects.services import plans, reports, stages
from tests.evaluations.conftest import make_expert
from tests.login import log_in

from .conftest import (
    YEAR,
    decide,
    evaluation_of,
    fill_plan,
    open_round,
    score,
    seat,
    text_of,
)

pytestmark = pytest.mark.django_db


def report_url(report) -> str:
    return reverse("projects:report", args=[report.project_id, report.year])


# --- The list -----------------------------------------------------------------------------


def test_an_official_lists_the_projects_of_their_region_and_nobody_else_s(client, project, official,
                                                                         outsider_official):
    log_in(client, official)
    response = client.get(reverse("projects:list"))
    assert [p.pk for p in response.context["page"].object_list] == [project.pk]
    log_in(client, outsider_official)
    response = client.get(reverse("projects:list"))
    assert list(response.context["page"].object_list) == []
    assert "No funded project yet." in response.content.decode()


def test_the_list_flags_overdue_reports_and_filters_by_status(client, project, official, ministry):
    reports.report_open(actor=official, project=project, year=YEAR)  # due 2024-02-29: long overdue
    log_in(client, ministry)
    response = client.get(reverse("projects:list"))
    row = response.context["page"].object_list[0]
    assert row.overdue_count == 1
    assert "1 overdue" in response.content.decode()
    response = client.get(reverse("projects:list"), {"status": "terminated"})
    assert list(response.context["page"].object_list) == []
    assert "No project matches these filters." in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_the_list_makes_the_same_number_of_queries_for_one_or_three_projects(
        client, make_project, ministry, django_assert_max_num_queries, count):
    for i in range(count):
        make_project(title_ko=f"과제 {i}")
    log_in(client, ministry)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("projects:list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == count


# --- The workspace ----------------------------------------------------------------------------


def test_the_workspace_draws_the_timeline_as_an_accessible_image_with_a_table(client, project, official):
    log_in(client, official)
    response = client.get(reverse("projects:detail", args=[project.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'role="img"' in body and "<title id=" in body and "<desc id=" in body
    assert "Y10" in body  # the axis runs to the call's ten years
    assert 'id="timeline-table"' in body and 'id="funding-table"' in body
    # The pilot's money from the approved decision (18억 national a year).
    rows = response.context["rows"]
    assert [(r.year, r.national_planned) for r in rows] == [(2023, 18 * 10**8), (2024, 18 * 10**8),
                                                            (2025, 18 * 10**8)]


def test_the_lead_region_starts_a_year_s_report_from_the_workspace(client, project, official):
    log_in(client, official)
    response = client.post(reverse("projects:report_start", args=[project.pk]), {"year": YEAR})
    assert response.status_code == 302
    report = AnnualReport.objects.get(project=project, year=YEAR)
    assert response["Location"] == report_url(report)
    assert report.parts.count() == 2


def test_staff_close_a_condition_from_the_workspace(client, ready, ministry):
    decide(ready, by=ministry, outcome=Outcome.CONDITIONS, conditions=[{"text": "기업 유치 실적 보완"}])
    condition = Condition.objects.get(evaluation=ready)
    log_in(client, ministry)
    client.post(reverse("projects:condition_close", args=[condition.pk]), {"evidence": "3개 기업 유치 협약"})
    condition.refresh_from_db()
    assert (condition.state, condition.evidence) == (ConditionState.MET, "3개 기업 유치 협약")


# --- Stage evaluation rounds -----------------------------------------------------------------


def test_staff_open_a_round_with_the_default_rubric_prefilled(client, project, call, ministry):
    log_in(client, ministry)
    response = client.get(reverse("projects:round_create"), {"call": call.pk, "stage_number": 1})
    assert [p.pk for p in response.context["due"]] == [project.pk]
    formset = response.context["formset"]
    data = {"call": call.pk, "stage_number": 1, "title": "시범사업 종료 평가", "year": 2025,
            "envelope_won": 10**10, "next_stage_years": 3, "panel_size": 3, "projects": [project.pk],
            "criteria-TOTAL_FORMS": len(formset.forms), "criteria-INITIAL_FORMS": formset.initial_form_count()}
    for i, form in enumerate(formset.forms):
        for name in ("name_ko", "name_en", "weight", "max_score"):
            value = form[name].value()  # what the page shows in the field
            data[f"criteria-{i}-{name}"] = "" if value is None else value
    response = client.post(reverse("projects:round_create"), data)
    assert response.status_code == 302, (response.context["form"].errors, response.context["formset"].errors)
    rnd = StageRound.objects.get()
    assert response["Location"] == reverse("projects:round", args=[rnd.pk])
    assert [c.weight for c in rnd.criteria.order_by("order")] == [35, 20, 25, 20]
    assert rnd.evaluations.get().project == project


def test_the_round_page_greys_out_conflicted_experts(client, project, call, ministry):
    rnd = open_round(call, by=ministry)
    make_expert("clear-expert", home="daejeon")
    make_expert("gwangju-expert", home="gwangju")
    log_in(client, ministry)
    response = client.get(reverse("projects:round", args=[rnd.pk]))
    body = response.content.decode()
    row = response.context["rows"][0]
    reasons = {x["user"].username: x["reasons"] for x in row["experts"]}
    assert reasons["clear-expert"] == []
    assert reasons["gwangju-expert"]
    gwangju = next(x for x in row["experts"] if x["user"].username == "gwangju-expert")
    assert f'value="{gwangju["user"].pk}" disabled' in body


def test_staff_assign_an_expert_and_start_scoring_after_confirming(client, project, call, ministry, stage_expert):
    rnd = open_round(call, by=ministry)
    evaluation = evaluation_of(rnd, project)
    log_in(client, ministry)
    client.post(reverse("projects:round_assign", args=[rnd.pk]), {"evaluation": evaluation.pk,
                                                                  "expert": stage_expert.pk})
    assert evaluation.assignments.filter(expert=stage_expert).exists()
    url = reverse("projects:round_start", args=[rnd.pk])
    client.post(url, {})
    rnd.refresh_from_db()
    assert rnd.state == RoundState.PREPARING
    client.post(url, {"confirm": "yes"})
    rnd.refresh_from_db()
    assert rnd.state == RoundState.SCORING


def test_the_round_page_s_forms_post_to_their_own_urls_and_the_page_takes_no_post(client, project, call, ministry,
                                                                                 stage_expert):
    rnd = open_round(call, by=ministry)
    seat(evaluation_of(rnd, project), stage_expert, by=ministry)
    make_expert("clear-expert", home="daejeon")  # one more to choose from
    log_in(client, ministry)
    url = reverse("projects:round", args=[rnd.pk])
    body = client.get(url).content.decode()
    for action in ("assign", "unassign", "start"):
        assert f'action="{reverse(f"projects:round_{action}", args=[rnd.pk])}"' in body
    assert 'name="op"' not in body
    assert client.post(url, {"op": "start", "confirm": "yes"}).status_code == 405
    rnd.refresh_from_db()
    assert rnd.state == RoundState.PREPARING


def test_an_expert_id_that_is_not_an_expert_s_is_a_404(client, project, call, ministry, official):
    rnd = open_round(call, by=ministry)
    evaluation = evaluation_of(rnd, project)
    log_in(client, ministry)
    url = reverse("projects:round_assign", args=[rnd.pk])
    for expert in ("abc", "", "-1", "²", str(official.pk)):
        assert client.post(url, {"evaluation": evaluation.pk, "expert": expert}).status_code == 404
    assert not evaluation.assignments.exists()


def test_the_round_results_never_name_an_evaluator(client, project, call, ministry, stage_expert):
    rnd = open_round(call, by=ministry)
    assignment = seat(evaluation_of(rnd, project), stage_expert, by=ministry)
    stages.round_start_scoring(actor=ministry, rnd=rnd)
    score(assignment, (8, 7, 8, 9))
    log_in(client, ministry)
    response = client.get(reverse("projects:round", args=[rnd.pk]))
    evaluation = evaluation_of(rnd, project)
    results = text_of(response, f"results-{evaluation.pk}")
    assert "8.00" in results and stage_expert.display_name not in results


def test_deciding_continue_with_conditions_records_them_after_the_confirmation(client, ready, ministry):
    log_in(client, ministry)
    url = reverse("projects:decide", args=[ready.pk])
    data = {"outcome": Outcome.CONDITIONS, "panel_comment": "성과 우수", "reason": "점수 81점",
            "conditions-TOTAL_FORMS": 3, "conditions-INITIAL_FORMS": 0,
            "conditions-0-text": "기업 유치 실적 보완", "conditions-0-due_on": "2026-06-30"}
    response = client.post(url, data)
    assert response.status_code == 400
    ready.refresh_from_db()
    assert ready.outcome == ""
    response = client.post(url, {**data, "confirm": "on"})
    assert response.status_code == 302
    ready.refresh_from_db()
    assert ready.outcome == Outcome.CONDITIONS
    assert list(ready.conditions.values_list("text", "due_on")) == [
        ("기업 유치 실적 보완", __import__("datetime").date(2026, 6, 30))]


def test_terminating_without_a_wind_down_date_is_refused_on_the_form(client, ready, ministry):
    log_in(client, ministry)
    response = client.post(reverse("projects:decide", args=[ready.pk]), {
        "outcome": Outcome.TERMINATE, "reason": "목표 미달", "confirm": "on",
        "conditions-TOTAL_FORMS": 3, "conditions-INITIAL_FORMS": 0})
    assert response.status_code == 400
    assert "Give the wind-down date." in response.content.decode()
    assert StageEvaluation.objects.get(pk=ready.pk).outcome == ""


# --- The expert's stage assignment ------------------------------------------------------------


def test_a_stage_evaluator_reads_the_stage_and_no_other_evaluator(client, project, call, ministry, stage_expert):
    rnd = open_round(call, by=ministry)
    evaluation = evaluation_of(rnd, project)
    mine = seat(evaluation, stage_expert, by=ministry)
    other = make_expert("other-expert", display_name="최다른 교수")
    seat(evaluation, other, by=ministry)
    log_in(client, stage_expert)
    response = client.get(reverse("evaluations:assignment", args=[mine.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="stage-kpis"' in body and 'id="stage-budget"' in body
    assert "최다른 교수" not in body
    assert [r["criterion"].weight for r in response.context["rows"]] == [35, 20, 25, 20]


# --- Follow-up plans --------------------------------------------------------------------------


def test_a_region_saves_only_its_own_row_of_the_plan(client, continued, partner_official, jeonnam_id, gwangju_id):
    log_in(client, partner_official)
    url = reverse("projects:plan_save", args=[continued.pk])
    data = {"revision": continued.revision}
    for year in continued.year_list:
        data[f"national-{jeonnam_id}-{year}"] = "500000000"
        data[f"local-{jeonnam_id}-{year}"] = "100000000"
        data[f"national-{gwangju_id}-{year}"] = "999"
    client.post(url, data)
    lines = {(x.region_id, x.year): x.national_won for x in continued.lines.all()}
    assert all(lines[(jeonnam_id, y)] == 500_000_000 for y in continued.year_list)
    assert all(lines[(gwangju_id, y)] == 0 for y in continued.year_list)


def test_a_refused_plan_save_shows_back_what_was_typed_with_each_error_at_its_cell(client, continued,
                                                                                 partner_official, jeonnam_id):
    log_in(client, partner_official)
    year = continued.year_list[0]
    before = list(continued.lines.order_by("pk").values_list("national_won", "local_won"))
    response = client.post(reverse("projects:plan_save", args=[continued.pk]), {
        "revision": continued.revision, f"national-{jeonnam_id}-{year}": "12abc", f"local-{jeonnam_id}-{year}": "-5"})
    assert response.status_code == 400
    row = next(r for r in response.context["rows"] if r["region"].pk == jeonnam_id)
    cell = next(c for c in row["cells"] if c["year"] == year)
    assert (cell["national"], cell["local"], cell["problem"]) == ("12abc", "-5", "Enter a whole number of won.")
    assert [str(m) for m in response.context["messages"]] == ["Enter a whole number of won. Amounts cannot be negative."]
    assert list(continued.lines.order_by("pk").values_list("national_won", "local_won")) == before


def test_the_plan_page_s_forms_post_to_their_own_urls_and_the_page_takes_no_post(client, continued, official):
    log_in(client, official)
    url = reverse("projects:plan", args=[continued.pk])
    body = client.get(url).content.decode()
    assert f'action="{reverse("projects:plan_save", args=[continued.pk])}"' in body
    assert 'name="op"' not in body
    assert client.post(url, {"op": "save", "goals": "x", "revision": continued.revision}).status_code == 405
    continued.refresh_from_db()
    assert continued.goals == ""


def test_the_plan_is_endorsed_by_one_staff_member_and_approved_by_another(client, continued, official, ministry,
                                                                         ministry2):
    plan = fill_plan(continued)
    plans.plan_submit(actor=official, plan=plan)
    log_in(client, ministry)
    url = reverse("projects:plan", args=[plan.pk])
    approve = reverse("projects:plan_approve", args=[plan.pk])
    client.post(reverse("projects:plan_endorse", args=[plan.pk]))
    response = client.get(url)
    assert response.context["can_approve"] is False
    assert "four eyes" in response.content.decode()
    client.post(approve, {"confirm": "yes"})
    plan.refresh_from_db()
    assert plan.state == PlanState.ENDORSED
    log_in(client, ministry2)
    client.post(approve, {"confirm": "yes"})
    plan.refresh_from_db()
    assert plan.state == PlanState.APPROVED
    assert plan.project.stages.count() == 2


def test_the_plan_page_marks_the_year_whose_local_funds_are_short(client, continued, official, partner_official,
                                                                  gwangju_id, jeonnam_id):
    plan = fill_plan(continued, local=0)
    log_in(client, official)
    response = client.get(reverse("projects:plan", args=[plan.pk]))
    year = plan.year_list[0]
    assert "Local funds must be at least" in text_of(response, f"year-problem-{year}")
    assert response.context["can_submit"] is False


def test_the_dashboards_list_the_overdue_reports_a_user_sees_with_their_address(project, official,
                                                                               outsider_official, ministry):
    from projects.selectors import overdue_reports

    report = reports.report_open(actor=official, project=project, year=YEAR)
    mine = overdue_reports(official)
    assert [(r.pk, r.get_absolute_url()) for r in mine] == [(report.pk, report_url(report))]
    assert overdue_reports(outsider_official) == []
    assert [r.pk for r in overdue_reports(ministry)] == [report.pk]


def test_kpi_figures_read_as_plain_numbers(client, submitted_report, official):
    log_in(client, official)
    body = client.get(reverse("projects:detail", args=[submitted_report.project_id])).content.decode()
    table = body[body.index('id="kpi-table"'):body.index("</table>", body.index('id="kpi-table"'))]
    assert ">10 <" in table and "E+" not in table
    response = client.get(report_url(submitted_report))
    assert "E+" not in response.content.decode()
