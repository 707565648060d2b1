"""The proposals endpoints: the same proposals, states and sections as the proposal pages.

The world: the Gwangju (lead) + Jeonnam proposal, complete, submitted (v1) and eligible while its
call is under review, and a Busan proposal of the same call (the other region's own, a draft).
"""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from api.scopes import Scope
from programmes.models import CallStatus, CooperationType
from proposals.models import Proposal, ProposalState
from tests.api.tokens import bearer, token_for
from tests.evaluations.conftest import (  # noqa: F401  (fixtures)
    _english,
    _media_root,
    before_deadline,
    complete_proposal,
    make_eligible,
    make_proposal,
    proposal,
)
from tests.factories import EOK

pytestmark = pytest.mark.django_db

LIST = "/api/v1/proposals/"
REASON = "상위 2개 과제 선정: 지역 간 역할 분담이 명확함"


def get(client, user, url, scopes=None, **params):
    # English labels: the language switcher's cookie (the API answers in Korean otherwise, like the pages).
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE="en", **bearer(token_for(user, scopes=scopes)))


@pytest.fixture
def world(call, proposal, make_proposal, ministry, official, partner_official, outsider_official, expert, before_deadline):  # noqa: F811
    eligible = make_eligible(proposal, ministry=ministry, now=before_deadline)
    busan = make_proposal(
        lead_region=outsider_official.region,
        cooperation_type=CooperationType.LEAP,
        title_ko="부산 해양 바이오",
        title_en="Busan marine bio",
        created_by=outsider_official,
    )
    call.status = CallStatus.REVIEW
    call.save()
    return {"call": call, "eligible": eligible, "busan": busan}


def select(world):
    """Staff selected the eligible proposal (with a reason), results not yet announced."""
    Proposal.objects.filter(pk=world["eligible"].pk).update(state=ProposalState.SELECTED, state_reason=REASON)


def announce(world):
    world["call"].status = CallStatus.ANNOUNCED
    world["call"].save()


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [p["title_ko"] for p in response.json()["items"]]


# --- Who sees which proposals ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("official", ["겹눈 모사 뉴로모픽 반도체 기반 감시정찰 AI"]),
        ("partner_official", ["겹눈 모사 뉴로모픽 반도체 기반 감시정찰 AI"]),
        ("outsider_official", ["부산 해양 바이오"]),
        ("expert", []),
        ("ministry", ["부산 해양 바이오", "겹눈 모사 뉴로모픽 반도체 기반 감시정찰 AI"]),
        ("admin_user", ["부산 해양 바이오", "겹눈 모사 뉴로모픽 반도체 기반 감시정찰 AI"]),
    ],
)
def test_each_role_lists_the_proposals_of_the_list_page(client, request, world, who, expected):
    assert titles(get(client, request.getfixturevalue(who), LIST)) == expected


def test_a_listed_proposal_carries_its_call_regions_type_industry_and_submission_in_korea_time(client, world, official):
    item = get(client, official, LIST).json()["items"][0]
    call = world["call"]
    assert item["call"] == {"id": call.pk, "title": call.title, "year": call.year}
    assert [(r["code"], r["lead"]) for r in item["regions"]] == [("gwangju", True), ("jeonnam", False)]
    assert item["lead_region"]["code"] == "gwangju"
    assert item["cooperation_type"]["code"] == CooperationType.SUPER_REGIONAL
    assert item["industry"]["code"] == "artificial-intelligence"
    assert item["submitted_at"].endswith("+09:00") and item["updated_at"].endswith("+09:00")


@pytest.mark.parametrize("who", ["outsider_official", "expert"])
def test_a_proposal_the_person_cannot_open_in_the_browser_is_a_404_problem(client, request, world, who):
    for url in (f"{LIST}{world['eligible'].pk}", f"{LIST}{world['eligible'].pk}/versions/1"):
        response = get(client, request.getfixturevalue(who), url)
        assert (response.status_code, response["Content-Type"]) == (404, "application/problem+json")


def test_an_unknown_proposal_and_an_out_of_range_id_are_refused_cleanly(client, world, ministry):
    assert get(client, ministry, f"{LIST}999999").status_code == 404
    assert get(client, ministry, f"{LIST}{10**30}").status_code == 422
    assert get(client, ministry, f"{LIST}{world['eligible'].pk}/versions/7").status_code == 404


# --- One proposal -----------------------------------------------------------------------------------


def test_the_detail_has_the_plans_sections_the_regions_sign_offs_and_the_versions(client, world, partner_official):
    body = get(client, partner_official, f"{LIST}{world['eligible'].pk}").json()
    plan = body["plan"]
    assert (plan["vision"], plan["goals"]) == ("세계 수준의 지능형 센서 거점", "10년 내 핵심기술 자립")
    assert [(s["order"], s["kind"]["code"], s["years"]) for s in plan["stages"]] == [
        (1, "basic", 3),
        (2, "demonstration", 3),
        (3, "application", 4),
    ]
    assert plan["kpis"] == [{"name": "특허 출원", "unit": "건", "baseline": "0.00", "targets": ["20", "50", "100"]}]
    assert [x["ministry"] for x in plan["linked_projects"]] == ["과학기술정보통신부"]
    assert sorted(o["region"] for o in plan["organisations"]) == ["gwangju", "jeonnam"]
    assert [(p["region"]["code"], p["lead"], p["signed_current_revision"]) for p in body["participations"]] == [
        ("gwangju", True, True),
        ("jeonnam", False, True),
    ]
    assert [(v["number"], v["kind"]["code"]) for v in body["versions"]] == [(1, "submission")]
    assert body["versions"][0]["created_at"].endswith("+09:00")


def test_the_budget_is_by_year_region_and_source_in_won(client, world, official):
    budget = get(client, official, f"{LIST}{world['eligible'].pk}").json()["budget"]
    pilot = [row for row in budget["rows"] if row["pilot"]]
    # fill(): 9억 national + 2억 local per region and pilot year, two regions, three pilot years.
    assert [(r["year"], r["national_won"], r["local_won"], r["total_won"]) for r in pilot] == [
        (world["call"].year + i, 18 * EOK, 4 * EOK, 22 * EOK) for i in range(3)
    ]
    assert [(c["region"]["code"], c["national_won"], c["local_won"], c["other_won"]) for c in pilot[0]["regions"]] == [
        ("gwangju", 9 * EOK, 2 * EOK, 0),
        ("jeonnam", 9 * EOK, 2 * EOK, 0),
    ]
    assert budget["total"] == {"national_won": 54 * EOK, "local_won": 12 * EOK, "other_won": 0, "total_won": 66 * EOK}
    assert (budget["pilot_national_won"], budget["cap_won"]) == (54 * EOK, world["call"].cap_won)


def test_a_frozen_version_has_its_own_plan_and_budget_lines(client, world, official):
    Proposal.objects.filter(pk=world["eligible"].pk).update(vision="바뀐 비전")
    version = get(client, official, f"{LIST}{world['eligible'].pk}/versions/1").json()
    assert (version["number"], version["kind"]["code"], version["plan"]["vision"]) == (1, "submission", "세계 수준의 지능형 센서 거점")
    assert len(version["budget"]) == 6 and {b["national_won"] for b in version["budget"]} == {9 * EOK}
    assert get(client, official, f"{LIST}{world['eligible'].pk}").json()["plan"]["vision"] == "바뀐 비전"


# --- Sealed results -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["official", "partner_official"])
def test_before_the_announcement_a_region_reads_under_review_and_no_reason(client, request, world, who):
    select(world)
    user = request.getfixturevalue(who)
    body = get(client, user, f"{LIST}{world['eligible'].pk}").json()
    assert (body["state"]["code"], body["state_reason"], body["sealed"], body["results_disclosed"]) == ("under_review", "", True, False)
    assert REASON not in str(body)
    assert [p["state"]["code"] for p in get(client, user, LIST).json()["items"]] == ["under_review"]


def test_staff_read_the_result_at_once(client, world, ministry):
    select(world)
    body = get(client, ministry, f"{LIST}{world['eligible'].pk}").json()
    assert (body["state"]["code"], body["state_reason"], body["sealed"]) == ("selected", REASON, False)


def test_after_the_announcement_the_region_reads_the_result_and_its_reason(client, world, official):
    select(world)
    announce(world)
    body = get(client, official, f"{LIST}{world['eligible'].pk}").json()
    assert (body["state"]["code"], body["state_reason"], body["sealed"], body["results_disclosed"]) == ("selected", REASON, False, True)


def test_filtering_by_a_sealed_result_finds_nothing_before_the_announcement(client, world, official):
    select(world)
    assert titles(get(client, official, LIST, state="selected")) == []
    assert titles(get(client, official, LIST, state="under_review")) == ["겹눈 모사 뉴로모픽 반도체 기반 감시정찰 AI"]
    announce(world)
    assert titles(get(client, official, LIST, state="selected")) == ["겹눈 모사 뉴로모픽 반도체 기반 감시정찰 AI"]
    assert titles(get(client, official, LIST, state="under_review")) == []


# --- Filters, ordering, pagination -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "부산"}, ["부산 해양 바이오"]),
        ({"q": "Compound-eye"}, ["겹눈 모사 뉴로모픽 반도체 기반 감시정찰 AI"]),
        ({"type": "leap"}, ["부산 해양 바이오"]),
        ({"region": "jeonnam"}, ["겹눈 모사 뉴로모픽 반도체 기반 감시정찰 AI"]),
        ({"state": "draft"}, ["부산 해양 바이오"]),
        ({"industry": "marine-bio"}, []),
        ({"sort": "title"}, ["겹눈 모사 뉴로모픽 반도체 기반 감시정찰 AI", "부산 해양 바이오"]),
        ({"sort": "-title"}, ["부산 해양 바이오", "겹눈 모사 뉴로모픽 반도체 기반 감시정찰 AI"]),
    ],
)
def test_the_list_pages_filters_and_orders(client, world, ministry, params, expected):
    assert titles(get(client, ministry, LIST, **params)) == expected


def test_the_call_filter(client, world, ministry):
    assert len(titles(get(client, ministry, LIST, call=world["call"].pk))) == 2
    assert titles(get(client, ministry, LIST, call=world["call"].pk + 1000)) == []


@pytest.mark.parametrize(
    "params",
    [
        {"type": "mega"},
        {"state": "approved"},
        {"state": "under_review"},
        {"region": "atlantis"},
        {"industry": "nope"},
        {"sort": "budget"},
        {"page_size": 201},
        {"page": 0},
        {"call": "abc"},
    ],
)
def test_an_unknown_filter_value_is_a_422_problem_never_silently_ignored(client, world, ministry, params):
    """Staff never see "under_review": for them it is an unknown state."""
    response = get(client, ministry, LIST, **params)
    assert (response.status_code, response["Content-Type"]) == (422, "application/problem+json")
    assert next(iter(params)) in response.json()["detail"]


def test_pages_are_stable_and_cover_the_list_once(client, call, ministry, make_proposal):  # noqa: F811
    made = [make_proposal(title_ko=f"과제 {n}") for n in range(5)]
    Proposal.objects.update(updated_at=made[0].updated_at)  # all equal: the id decides
    pages = [get(client, ministry, LIST, page=n, page_size=2).json() for n in (1, 2, 3)]
    assert [p["count"] for p in pages] == [5, 5, 5]
    assert [item["id"] for p in pages for item in p["items"]] == sorted((p.pk for p in made), reverse=True)


def test_the_list_costs_the_same_queries_for_3_and_30_proposals(client, call, ministry, official, make_proposal):  # noqa: F811
    secret = token_for(ministry)

    def queries(n: int) -> int:
        while Proposal.objects.count() < n:
            make_proposal(partners=["jeonnam", "jeonbuk"])
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(LIST, {"page_size": 50}, **bearer(secret))
        assert len(response.json()["items"]) == n
        return len(ctx)

    client.get(LIST, {"page_size": 1}, **bearer(secret))  # the token's use written (then at most once a minute)
    few, many = queries(3), queries(30)
    # The token, the data version, the count, the page, the page's regions: nothing per row.
    assert few == many <= 6
    # The same page again: from the cache (the token and the data version only).
    with CaptureQueriesContext(connection) as ctx:
        assert len(client.get(LIST, {"page_size": 50}, **bearer(secret)).json()["items"]) == 30
    assert len(ctx) <= 2


# --- Language and refusals ---------------------------------------------------------------------------------


def test_labels_are_korean_first_and_english_when_asked(client, world, official):
    korean = Client(HTTP_ACCEPT_LANGUAGE="ko")
    item = korean.get(LIST, **bearer(token_for(official))).json()["items"][0]
    assert (item["cooperation_type"]["label"], item["state"]["label"]) == ("초광역 협력형", "검토 중")
    item = get(client, official, LIST).json()["items"][0]
    assert (item["cooperation_type"]["label"], item["state"]["label"]) == ("Super-regional cooperation type", "Under review")


def test_no_token_and_a_token_without_the_scope_are_refused(client, world, official):
    assert client.get(LIST).status_code == 401
    for url in (LIST, f"{LIST}{world['eligible'].pk}"):
        response = get(client, official, url, scopes=[Scope.CALLS, Scope.EVALUATIONS])
        assert response.status_code == 403
        assert Scope.PROPOSALS.value in response.json()["detail"]


def test_a_refused_filter_is_explained_in_korean_too(world, official):
    korean = Client(HTTP_ACCEPT_LANGUAGE="ko")
    response = korean.get(LIST, {"region": "atlantis"}, **bearer(token_for(official)))
    assert response.status_code == 422
    assert "region: 이 코드의 지역이 없습니다." in response.json()["detail"]
