"""Staff and official dashboards: the programme's figures, as charts, tables and CSV.

The dataset (every figure below is worked out by hand from it):

call A (2027, open, envelope 220억, pilot 2027–2029)
  P1 Gwangju + Jeonnam, super-regional, AI, funded: national 20억 / 20억 / 14억 (54억), budget plan national
     3:1 Gwangju:Jeonnam, local 3억 a year Gwangju, 1억 a year Jeonnam (9억 + 3억).
     Split 3:1 → Gwangju 15 + 15 + 10.5 = 40.5억, Jeonnam 5 + 5 + 3.5 = 13.5억.
  P2 Busan, leap, secondary batteries, funded: national 10억 in 2027, local 3억 in 2027.
  P3 Gwangju, leap, submitted.   P4 Daegu, leap, draft.   P5 Busan, leap, not selected.
  P6 Gwangju + Jeonnam, selected, a decision of 30억 prepared (not approved).
call B (2025, announced, envelope 100억, pilot 2025–2027)
  P7 Daegu, leap, advanced bio, funded: national 5억 in 2025, local 1억 in 2025; two evaluators, one submitted.

Programme: 7 proposals; funnel 7 → 6 submitted → 5 eligible → 4 selected → 3 funded; committed 69억,
prepared 30억, envelope 320억, remaining 251억. By region: Busan 10/3, Daegu 5/1, Gwangju 40.5/9, Jeonnam 13.5/3.
By year: 2025 5/1, 2027 30/7, 2028 20/4, 2029 14/4. By industry: AI 54/12, batteries 10/3, bio 5/1.
"""

import csv
import datetime
import io
import re
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Assignment, AssignmentKind, Scoresheet, ScoresheetState
from funding.models import DecisionState, FundingDecision, FundingYear, LocalObligation
from funding.selectors import envelope_status
from programmes.models import Call, CallStatus, CooperationType, Region, StrategicIndustry
from proposals.models import BudgetLine, ProposalState
from reports import figures
from tests.factories import EOK, CallFactory, ExpertFactory
from tests.login import log_in
from tests.proposals.conftest import ProposalFactory

pytestmark = pytest.mark.django_db


def region(code):
    return Region.objects.get(code=code)


def industry(code):
    return StrategicIndustry.objects.get(code=code)


def decide(proposal, by, *, national: dict, local: dict, plan: dict, state=DecisionState.APPROVED):
    """An approved (or prepared) decision with its years, obligations and the plan's national per region."""
    for (code, year), won in plan.items():
        BudgetLine.objects.create(proposal=proposal, region=region(code), year=year, national_won=won, local_won=0)
    decision = FundingDecision.objects.create(proposal=proposal, prepared_by=by, state=state,
                                              national_total_won=sum(national.values()))
    FundingYear.objects.bulk_create(FundingYear(decision=decision, year=y, national_won=v) for y, v in national.items())
    LocalObligation.objects.bulk_create(LocalObligation(decision=decision, region=region(code), year=y, local_won=v)
                                        for (code, y), v in local.items())
    return decision


def proposal(call, lead, state, *, partners=(), ctype=CooperationType.LEAP, industry_code="artificial-intelligence",
             title=None):
    p = ProposalFactory(call=call, lead_region=region(lead), partners=list(partners), cooperation_type=ctype,
                        state=state, industry=industry(industry_code), **({"title_ko": title} if title else {}))
    return p


# The dashboards are read in the default language, Korean (the reports fixtures switch to English).
@pytest.fixture(autouse=True)
def _english():
    return None


@pytest.fixture
def client(db):
    from django.test import Client

    return Client()


@pytest.fixture
def world(ministry):
    call_a = CallFactory(created_by=ministry, year=2027, status=CallStatus.OPEN, title="공모 A")
    call_b = CallFactory(created_by=ministry, year=2025, status=CallStatus.ANNOUNCED, envelope_won=100 * EOK,
                         title="공모 B")
    p1 = proposal(call_a, "gwangju", ProposalState.FUNDED, partners=["jeonnam"], ctype=CooperationType.SUPER_REGIONAL,
                  title="광주 전남 뉴로모픽 반도체")
    decide(p1, ministry, national={2027: 20 * EOK, 2028: 20 * EOK, 2029: 14 * EOK},
           local={**{("gwangju", y): 3 * EOK for y in (2027, 2028, 2029)},
                  **{("jeonnam", y): 1 * EOK for y in (2027, 2028, 2029)}},
           plan={**{("gwangju", y): 15 * EOK for y in (2027, 2028, 2029)},
                 **{("jeonnam", y): 5 * EOK for y in (2027, 2028, 2029)}})
    p2 = proposal(call_a, "busan", ProposalState.FUNDED, industry_code="secondary-batteries", title="부산 이차전지 재활용")
    decide(p2, ministry, national={2027: 10 * EOK}, local={("busan", 2027): 3 * EOK}, plan={("busan", 2027): 10 * EOK})
    proposal(call_a, "gwangju", ProposalState.SUBMITTED, title="광주 제출 제안서")
    proposal(call_a, "daegu", ProposalState.DRAFT)
    proposal(call_a, "busan", ProposalState.NOT_SELECTED, title="부산 미선정 제안서")
    p6 = proposal(call_a, "gwangju", ProposalState.SELECTED, partners=["jeonnam"], ctype=CooperationType.SUPER_REGIONAL)
    decide(p6, ministry, national={2027: 30 * EOK}, local={("gwangju", 2027): 6 * EOK}, plan={},
           state=DecisionState.PREPARED)
    p7 = proposal(call_b, "daegu", ProposalState.FUNDED, industry_code="advanced-bio", title="대구 동물용 의약품")
    decide(p7, ministry, national={2025: 5 * EOK}, local={("daegu", 2025): 1 * EOK}, plan={("daegu", 2025): 5 * EOK})
    first, second = ExpertFactory(), ExpertFactory()
    for expert, submitted in ((first, True), (second, False)):
        a = Assignment.objects.create(kind=AssignmentKind.EVALUATION, expert=expert, proposal=p7, assigned_by=ministry,
                                      declared_at=timezone.now())
        if submitted:
            Scoresheet.objects.create(assignment=a, state=ScoresheetState.SUBMITTED, submitted_at=timezone.now())
    return {"call_a": call_a, "call_b": call_b, "p1": p1, "p2": p2, "p6": p6, "p7": p7}


def facts(user, **filters):
    return figures.Facts(figures.scope_for(user=user, **filters))


def as_dict(data):
    return {label: list(values) for label, values in zip(data.categories, data.values, strict=True)}


def section(html: str, slug: str) -> str:
    """The dashboard's panel of one figure."""
    match = re.search(rf'<section class="card chart-panel[^"]*"[^>]*data-figure="{slug}">(.*?)</section>', html, re.S)
    assert match, slug
    return match.group(1)


def svg_texts(html: str) -> str:
    return " ".join(re.findall(r"<text[^>]*>(?:<title>[^<]*</title>)?([^<]*)</text>", html))


def table_cells(html: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    return re.findall(r'<td class="num">([^<]*)</td>', body)


# --- Figures, worked out by hand --------------------------------------------------------------


def test_key_figures_of_the_programme(world, ministry):
    cards = {k["key"]: k["value"] for k in figures.key_figures(facts(ministry))}

    assert cards == {"envelope": 320 * EOK, "committed": 69 * EOK, "remaining": 251 * EOK, "proposals": 7, "selected": 4}


def test_committed_is_what_the_funding_envelope_counts(world, ministry):
    one_call = facts(ministry, call_id=world["call_a"].pk)
    status = envelope_status(world["call_a"])

    assert one_call.committed == {"committed": status["committed"], "prepared": status["prepared"]}
    assert {k["key"]: k["value"] for k in figures.key_figures(one_call)}["remaining"] == status["remaining"]


def test_funnel_counts_proposals_by_the_furthest_step_reached(world, ministry):
    data = figures.proposal_funnel(facts(ministry))

    assert [v[0] for v in data.values] == [7, 6, 5, 4, 3]


def test_funding_by_region_splits_consortium_money_by_the_budget_plan(world, ministry):
    data = figures.funding_by_region(facts(ministry))

    assert as_dict(data) == {
        "부산광역시": [10 * EOK, 3 * EOK],
        "대구광역시": [5 * EOK, 1 * EOK],
        "광주광역시": [40.5 * EOK, 9 * EOK],
        "전라남도": [13.5 * EOK, 3 * EOK],
    }
    assert sum(v[0] for v in data.values) == 69 * EOK  # the split loses no won


def test_funding_by_industry_type_and_year(world, ministry):
    f = facts(ministry)

    assert as_dict(figures.funding_by_industry(f)) == {
        "인공지능": [54 * EOK, 12 * EOK], "이차전지": [10 * EOK, 3 * EOK], "첨단바이오": [5 * EOK, 1 * EOK]}
    assert as_dict(figures.funding_by_cooperation_type(f)) == {
        str(CooperationType.SUPER_REGIONAL.label): [54 * EOK, 12 * EOK], str(CooperationType.LEAP.label): [15 * EOK, 4 * EOK]}
    assert as_dict(figures.funding_by_year(f)) == {
        "2025": [5 * EOK, 1 * EOK], "2027": [30 * EOK, 7 * EOK], "2028": [20 * EOK, 4 * EOK], "2029": [14 * EOK, 4 * EOK]}


def test_evaluation_progress_counts_the_latest_evaluated_call_per_lead_region(world, ministry):
    f = facts(ministry)
    data = figures.evaluation_progress(f)

    assert f.progress_call == world["call_b"]  # call A is still open
    assert as_dict(data) == {"대구광역시": [1, 1]}  # per lead region (the call's progress page lists proposals)
    assert data.labels == ["1 / 2 (50%)"]


def test_a_call_or_year_filter_narrows_every_figure(world, ministry):
    by_year = facts(ministry, year=2025)
    by_call = facts(ministry, call_id=world["call_a"].pk)

    assert {k["key"]: k["value"] for k in figures.key_figures(by_year)} == {
        "envelope": 100 * EOK, "committed": 5 * EOK, "remaining": 95 * EOK, "proposals": 1, "selected": 1}
    assert as_dict(figures.funding_by_region(by_year)) == {"대구광역시": [5 * EOK, 1 * EOK]}
    assert "대구광역시" not in as_dict(figures.funding_by_region(by_call))
    assert [v[0] for v in figures.proposal_funnel(by_call).values] == [6, 5, 4, 3, 2]


def results_announced() -> None:
    """Every call's results announced: a region then sees its share (before, its results are
    sealed: tests/megaproject/test_sealed_results.py)."""
    Call.objects.update(status=CallStatus.ANNOUNCED)


def test_an_official_sees_only_their_regions_share(world, official):
    results_announced()
    f = facts(official)  # Gwangju
    cards = {k["key"]: k["value"] for k in figures.key_figures(f)}

    assert cards == {"proposals": 3, "selected": 2, "national": 40.5 * EOK, "local": 9 * EOK}
    assert [v[0] for v in figures.proposal_funnel(f).values] == [3, 3, 2, 2, 1]
    assert as_dict(figures.funding_by_project(f)) == {"광주 전남 뉴로모픽 반도체": [40.5 * EOK, 9 * EOK]}
    assert as_dict(figures.funding_by_year(f)) == {
        "2027": [15 * EOK, 3 * EOK], "2028": [15 * EOK, 3 * EOK], "2029": [10.5 * EOK, 3 * EOK]}
    assert figures.figure_data(f, "regions") is None  # no programme-wide chart for an official


def test_without_a_budget_plan_a_consortium_is_split_evenly_also_for_an_official(ministry, official):
    call = CallFactory(created_by=ministry)
    p = proposal(call, "gwangju", ProposalState.FUNDED, partners=["jeonnam"], ctype=CooperationType.SUPER_REGIONAL)
    decide(p, ministry, national={2027: 10 * EOK}, local={("gwangju", 2027): EOK, ("jeonnam", 2027): EOK}, plan={})
    results_announced()

    assert as_dict(figures.funding_by_region(facts(ministry))) == {"광주광역시": [5 * EOK, EOK], "전라남도": [5 * EOK, EOK]}
    mine = {k["key"]: k["value"] for k in figures.key_figures(facts(official))}
    assert (mine["national"], mine["local"]) == (5 * EOK, EOK)


def test_apportion_keeps_every_won_and_splits_evenly_without_a_plan():
    assert figures.apportion(10, {1: 1, 2: 1, 3: 1}) == {1: 4, 2: 3, 3: 3}
    assert figures.apportion(7, {1: 0, 2: 0}) == {1: 4, 2: 3}
    assert figures.apportion(100, {1: 3, 2: 1}) == {1: 75, 2: 25}


# --- Pages ----------------------------------------------------------------------------------------


def test_staff_dashboard_shows_cards_charts_and_the_same_figures_as_tables(world, client, ministry):
    log_in(client, ministry)
    html = client.get(reverse("dashboard")).content.decode()

    for slug in ("proposals", "regions", "industries", "types", "years", "evaluation"):
        panel = section(html, slug)
        assert 'role="img"' in panel and "<details" in panel and "<caption" in panel
        drawn = svg_texts(panel)
        for cell in table_cells(panel):
            assert cell in drawn, (slug, cell)
    regions = section(html, "regions")
    assert table_cells(regions) == ["10억원", "3억원", "5억원", "1억원", "40.5억원", "9억원", "13.5억원", "3억원"]
    assert "251억원" in html and "25,100,000,000" in html  # remaining, in 억원 and in full


def test_the_filter_keeps_to_calls_the_user_may_see_and_is_carried_to_the_csv_links(world, client, ministry):
    log_in(client, ministry)
    html = client.get(reverse("dashboard"), {"call": world["call_b"].pk}).content.decode()

    assert f"?call={world['call_b'].pk}" in section(html, "regions")
    assert table_cells(section(html, "regions")) == ["5억원", "1억원"]
    unknown = client.get(reverse("dashboard"), {"call": "999999", "year": "1999"}).content.decode()
    assert "40.5억원" in unknown  # an unknown filter shows everything rather than failing


def test_official_dashboard_holds_their_region_only(world, client, official):
    results_announced()
    log_in(client, official)
    html = client.get(reverse("dashboard")).content.decode()

    assert "광주 전남 뉴로모픽 반도체" in html and "40.5억원" in html
    assert "부산 이차전지 재활용" not in html and "부산 미선정 제안서" not in html and "대구 동물용 의약품" not in html
    assert "54억원" not in html  # the project's whole national total is not Gwangju's share
    assert 'data-figure="regions"' not in html


def test_another_regions_official_does_not_see_gwangju(world, client, outsider_official):
    results_announced()
    log_in(client, outsider_official)  # Busan
    html = client.get(reverse("dashboard")).content.decode()

    assert "부산 이차전지 재활용" in html and "10억원" in html
    assert "광주 전남 뉴로모픽 반도체" not in html and "40.5억원" not in html


def test_expert_dashboard_has_no_programme_figures_and_the_csv_is_refused(world, client, expert):
    log_in(client, expert)
    html = client.get(reverse("dashboard")).content.decode()

    assert 'data-dashboard="expert"' in html and "chart-panel" not in html and "40.5억원" not in html
    assert client.get(reverse("dashboard_figure_csv", args=["regions"])).status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    for url in (reverse("dashboard"), reverse("dashboard_figure_csv", args=["regions"])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_csv_of_a_figure_holds_the_raw_numbers_with_a_bom(world, client, ministry):
    log_in(client, ministry)
    response = client.get(reverse("dashboard_figure_csv", args=["regions"]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[1:] == [["부산광역시", "1000000000", "300000000"], ["대구광역시", "500000000", "100000000"],
                        ["광주광역시", "4050000000", "900000000"], ["전라남도", "1350000000", "300000000"]]


def test_csv_follows_the_filter_and_an_officials_scope(world, client, ministry, official):
    results_announced()
    log_in(client, ministry)
    by_year = client.get(reverse("dashboard_figure_csv", args=["years"]), {"year": 2025}).content.decode()
    assert list(csv.reader(io.StringIO(by_year[1:])))[1:] == [["2025", "500000000", "100000000"]]

    log_in(client, official)
    assert client.get(reverse("dashboard_figure_csv", args=["regions"])).status_code == 404  # staff-only figure
    mine = client.get(reverse("dashboard_figure_csv", args=["projects"])).content.decode()
    assert list(csv.reader(io.StringIO(mine[1:])))[1:] == [["광주 전남 뉴로모픽 반도체", "4050000000", "900000000"]]


@pytest.mark.skipif(not apps.is_installed("audit"), reason="the audit app is not installed")
def test_a_csv_download_is_recorded_in_the_audit_trail(world, client, ministry):
    from audit.models import AuditEvent

    log_in(client, ministry)
    before = AuditEvent.objects.filter(action="export").count()
    client.get(reverse("dashboard_figure_csv", args=["industries"]), {"year": 2027})

    event = AuditEvent.objects.filter(action="export").latest("pk")
    assert AuditEvent.objects.filter(action="export").count() == before + 1
    assert event.actor == ministry
    assert event.after["figure"] == "industries" and event.after["year"] == 2027


def test_empty_programme_shows_empty_states_not_broken_charts(client, ministry):
    log_in(client, ministry)
    html = client.get(reverse("dashboard")).content.decode()

    assert html.count('class="chart-empty"') == 6
    assert "<svg" not in html.split('id="charts-heading"')[1].split("overdue-heading")[0]


def test_overdue_reports_block_says_so_when_the_projects_app_offers_none(world, client, ministry, monkeypatch, settings):
    monkeypatch.setattr(figures, "overdue_reports", lambda *, user: None)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    log_in(client, ministry)
    html = client.get(reverse("dashboard")).content.decode()

    assert "Annual reports of funded projects will be listed here when one is late." in html


def test_overdue_reports_are_listed_from_the_projects_selector(world, client, official, monkeypatch):
    late = SimpleNamespace(project=SimpleNamespace(title="광주 전남 뉴로모픽 반도체"), year=2027,
                           due_on=datetime.date(2028, 2, 28), get_state_display="작성 중")
    seen = []
    monkeypatch.setattr(figures, "overdue_reports", lambda *, user: seen.append(user) or [late])
    log_in(client, official)
    overdue = client.get(reverse("dashboard")).content.decode().split('id="overdue-heading"')[1]

    assert seen == [official]
    assert "광주 전남 뉴로모픽 반도체" in overdue and "2028-02-28" in overdue


# --- Queries stay flat ----------------------------------------------------------------------------


def dashboard_queries(client, user) -> int:
    """Queries of a dashboard built from nothing (cold cache: the worst case)."""
    from django.core.cache import caches

    log_in(client, user)
    # Reference data (regions for the header) is cached for the whole process: warm it, so the
    # count is the same whether this test runs alone or after others; then the figures start cold.
    client.get(reverse("dashboard"))
    caches["figures"].clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("dashboard")).status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["ministry", "admin_user", "official"])
def test_dashboard_query_count_does_not_grow_with_the_data(world, client, request, who):
    user = request.getfixturevalue(who)
    small = dashboard_queries(client, user)
    ministry = request.getfixturevalue("ministry")
    for n in range(6):
        p = proposal(world["call_a"], "gwangju", ProposalState.FUNDED, partners=["jeonnam", "busan"],
                     industry_code="robotics")
        decide(p, ministry, national={2027: (n + 1) * EOK, 2028: EOK},
               local={("gwangju", 2027): EOK, ("jeonnam", 2027): EOK, ("busan", 2028): EOK},
               plan={("gwangju", 2027): EOK, ("jeonnam", 2027): 2 * EOK})
        Assignment.objects.create(kind=AssignmentKind.EVALUATION, expert=ExpertFactory(), proposal=world["p7"],
                                  assigned_by=ministry)

    assert dashboard_queries(client, user) == small
    # The frame (session, user, unread count), the calls, state counts, envelope, three money aggregates,
    # evaluation progress or the official's lists, overdue reports, the data version; cold, the to-do
    # providers too (one query per kind of to-do, whatever the data: core.todos).
    assert small <= 22
    # Warm (the figures and the to-dos cached for this data version), as `make bench` measures.
    with CaptureQueriesContext(connection) as warm:
        client.get(reverse("dashboard"))
    assert len(warm) <= 12


def test_cached_figures_follow_every_recorded_change(world, client, ministry):
    """The figures are cached per data version: a new approved decision shows at once."""
    log_in(client, ministry)
    before = client.get(reverse("dashboard")).context["key_figures"]
    again = client.get(reverse("dashboard")).context["key_figures"]
    assert again == before  # served from the cache, same figures
    p = proposal(world["call_a"], "gwangju", ProposalState.FUNDED, industry_code="robotics")
    decide(p, ministry, national={2027: 2 * EOK}, local={("gwangju", 2027): EOK}, plan={("gwangju", 2027): EOK})
    after = {k["key"]: k["value"] for k in client.get(reverse("dashboard")).context["key_figures"]}
    assert after["committed"] == {k["key"]: k["value"] for k in before}["committed"] + 2 * EOK


def test_a_year_written_with_other_digits_is_no_filter_not_a_server_error(world, client, ministry):
    log_in(client, ministry)
    for year in ("²⁰²⁷", "２０２７", "-1", "9" * 40):
        response = client.get(reverse("dashboard"), {"year": year})
        assert (response.status_code, response.context["filter"]["year"]) == (200, None)
