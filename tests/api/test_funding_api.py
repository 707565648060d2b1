"""The funding endpoints: the decisions as the decision page shows them (staff every version, a
region only the approved ones of its own proposals once the call's results are announced), and an
award letter's verification facts exactly as /verify/<code> shows them.

The world (tests/funding/conftest.py): a Gwangju (lead) + Jeonnam proposal in an open 2027 call,
selected; its decision prepared by `ministry` (18억 national a year, 2억 local per region and year)
and, in `approved`, approved by `ministry2` with its Korean letter built."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.scopes import Scope, scopes_for
from funding import services
from funding.models import DecisionState, FundingDecision
from funding.selectors import decisions_visible_to
from programmes.models import CallStatus
from tests.api.tokens import bearer, token_for
from tests.factories import EOK
from tests.funding import conftest as funding_fixtures
from tests.funding.conftest import announce, plan, selected_proposal

# The funding tests' fixtures, made this module's so that pytest finds them here.
globals().update(
    {
        name: getattr(funding_fixtures, name)
        for name in (
            "_english",
            "_media_root",
            "approve",
            "approved",
            "build_letter",
            "client",
            "complete_proposal",
            "letter",
            "make_proposal",
            "prepared",
            "proposal",
            "selected",
        )
    }
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/funding/decisions/"


def get(client, user, url, scopes=None):
    return client.get(url, **bearer(token_for(user, scopes=scopes)))


def ids(client, user, url=LIST) -> list[int]:
    response = get(client, user, url)
    assert response.status_code == 200
    return [d["id"] for d in response.json()["items"]]


# --- Who sees which decision -------------------------------------------------------------------


def test_ministry_sees_a_prepared_decision_with_who_prepared_it_and_the_envelope(client, ministry, prepared):
    assert ids(client, ministry) == [prepared.pk]
    body = get(client, ministry, f"{LIST}{prepared.pk}").json()
    assert body["state"]["code"] == "prepared"
    assert body["prepared_by"] == "과기정통부 김주무관"
    assert body["approved_by"] is None
    assert body["prepared_at"].endswith("+09:00")
    assert body["envelope"] == {"envelope_won": 220 * EOK, "committed_won": 0, "remaining_won": 220 * EOK, "prepared_won": 54 * EOK}


def test_a_prepared_but_unapproved_decision_is_never_a_region_s_even_after_the_announcement(client, official, partner_official, prepared):
    announce(prepared.proposal.call)
    for person in (official, partner_official):
        assert ids(client, person) == []
        assert get(client, person, f"{LIST}{prepared.pk}").status_code == 404


def test_a_region_sees_nothing_of_an_approved_decision_before_the_announcement(client, official, approved):
    assert approved.proposal.call.status == CallStatus.OPEN
    assert ids(client, official) == []
    response = get(client, official, f"{LIST}{approved.pk}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_after_the_announcement_both_regions_read_the_approved_decision_another_region_nothing(
    client, official, partner_official, outsider_official, approved
):
    announce(approved.proposal.call)
    for person in (official, partner_official):
        assert ids(client, person) == [approved.pk]
        assert get(client, person, f"{LIST}{approved.pk}").status_code == 200
    assert ids(client, outsider_official) == []
    assert get(client, outsider_official, f"{LIST}{approved.pk}").status_code == 404


def test_a_region_reads_no_envelope(client, official, approved):
    announce(approved.proposal.call)
    assert get(client, official, f"{LIST}{approved.pk}").json()["envelope"] is None


def test_an_expert_cannot_hold_the_funding_scope_and_reads_no_decision(client, expert, approved):
    announce(approved.proposal.call)
    assert Scope.FUNDING not in scopes_for(expert)
    assert get(client, expert, LIST).status_code == 403
    assert get(client, expert, f"{LIST}{approved.pk}").status_code == 403


@pytest.fixture
def versions(prepared, ministry, ministry2, approve):
    """Version 1 withdrawn (prepared again with 17억 a year), version 2 approved."""
    years, obligations = plan(prepared.proposal, national=17 * EOK)
    newer = services.funding_prepare(actor=ministry, proposal=prepared.proposal, years=years, obligations=obligations)
    decision, _letter = approve(newer, ministry2)
    prepared.refresh_from_db()
    assert prepared.state == DecisionState.WITHDRAWN
    return decision, prepared


def test_an_administrator_sees_every_version_newest_first(client, admin_user, versions):
    approved_v2, withdrawn_v1 = versions
    assert ids(client, admin_user) == [approved_v2.pk, withdrawn_v1.pk]
    assert get(client, admin_user, f"{LIST}{withdrawn_v1.pk}").json()["state"]["code"] == "withdrawn"


@pytest.mark.parametrize("who", ["ministry", "official", "partner_official", "outsider_official"])
def test_the_list_holds_what_the_decision_page_shows_for_each_proposal(request, client, who, versions):
    """The API's queryset and the page's selector (decisions_visible_to) agree, person by person."""
    proposal = versions[0].proposal
    announce(proposal.call)
    person = request.getfixturevalue(who)
    on_pages = {d.pk for d in decisions_visible_to(user=person, proposal=proposal)}
    if who == "outsider_official":
        on_pages = set()  # the page itself is a 404 to them (proposals.selectors.proposal_for)
    assert set(ids(client, person)) == on_pages
    assert len(on_pages) == {"ministry": 2, "official": 1, "partner_official": 1}.get(who, 0)


# --- What a decision carries --------------------------------------------------------------------


def test_amounts_are_integers_of_won_per_year_region_and_source(client, official, approved):
    announce(approved.proposal.call)
    body = get(client, official, f"{LIST}{approved.pk}").json()
    assert body["national_total_won"] == 54 * EOK
    assert body["local_total_won"] == 12 * EOK
    assert [y["year"] for y in body["years"]] == [2027, 2028, 2029]
    first = body["years"][0]
    assert first["national_won"] == 18 * EOK
    assert [(c["region"]["code"], c["local_won"]) for c in first["local"]] == [("gwangju", 2 * EOK), ("jeonnam", 2 * EOK)]
    assert first["local_total_won"] == 4 * EOK
    assert [(r["code"], r["lead"]) for r in body["regions"]] == [("gwangju", True), ("jeonnam", False)]
    assert body["reference"] == approved.reference
    assert body["approved_by"] == "과기정통부 이사무관"
    assert body["letters"][0]["verification_code"] == approved.letters.get(language="ko").verification_code


def test_labels_follow_accept_language(client, ministry, prepared):
    korean = client.get(f"{LIST}{prepared.pk}", HTTP_ACCEPT_LANGUAGE="ko", **bearer(token_for(ministry))).json()
    english = client.get(f"{LIST}{prepared.pk}", HTTP_ACCEPT_LANGUAGE="en", **bearer(token_for(ministry))).json()
    assert korean["state"]["code"] == english["state"]["code"] == "prepared"
    assert english["state"]["label"] == "Prepared (awaiting approval)"


# --- Filters ------------------------------------------------------------------------------------


def test_filters_by_call_state_and_region(client, ministry, approved):
    call = approved.proposal.call
    assert ids(client, ministry, f"{LIST}?call={call.pk}") == [approved.pk]
    assert ids(client, ministry, f"{LIST}?call={call.pk + 1000}") == []
    assert ids(client, ministry, f"{LIST}?state=approved") == [approved.pk]
    assert ids(client, ministry, f"{LIST}?state=prepared") == []
    assert ids(client, ministry, f"{LIST}?region=jeonnam") == [approved.pk]
    assert ids(client, ministry, f"{LIST}?region=busan") == []


@pytest.mark.parametrize("query", ["state=granted", "call=abc", "page_size=100000"])
def test_a_bad_filter_is_a_problem_not_a_500(client, ministry, prepared, query):
    response = get(client, ministry, f"{LIST}?{query}")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


def test_an_id_too_large_for_the_database_is_a_problem_not_a_500(client, ministry, prepared):
    assert get(client, ministry, f"{LIST}{10**20}").status_code == 422
    assert get(client, ministry, f"{LIST}?call={10**20}").status_code == 422
    assert get(client, ministry, f"{LIST}{2**62}").status_code == 404


# --- Queries ------------------------------------------------------------------------------------


def _prepare_many(make_proposal, ministry, n):
    for i in range(n):
        subject = selected_proposal(make_proposal, title_ko=f"과제 {i}")
        years, obligations = plan(subject, national=10 * EOK)
        services.funding_prepare(actor=ministry, proposal=subject, years=years, obligations=obligations)


def _queries(client, user) -> int:
    secret = token_for(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, **bearer(secret))
    assert response.status_code == 200
    return len(queries), response.json()["count"]


def test_the_list_costs_the_same_queries_for_one_decision_and_for_four(client, ministry, make_proposal):
    _prepare_many(make_proposal, ministry, 1)
    few, count = _queries(client, ministry)
    assert count == 1
    _prepare_many(make_proposal, ministry, 3)
    many, count = _queries(client, ministry)
    assert count == 4
    assert many == few


def test_a_region_s_list_costs_the_same_queries_for_one_decision_and_for_three(
    client, official, ministry, ministry2, make_proposal, approve
):
    def approve_one(i):
        subject = selected_proposal(make_proposal, title_ko=f"과제 {i}")
        years, obligations = plan(subject, national=10 * EOK)
        approve(services.funding_prepare(actor=ministry, proposal=subject, years=years, obligations=obligations), ministry2)

    approve_one(0)
    announce(FundingDecision.objects.first().proposal.call)
    few, count = _queries(client, official)
    assert count == 1
    approve_one(1)
    approve_one(2)
    many, count = _queries(client, official)
    assert count == 3
    assert many == few


# --- Tokens -------------------------------------------------------------------------------------


def test_a_token_without_read_funding_is_refused_with_403(client, ministry, prepared):
    for url in (LIST, f"{LIST}{prepared.pk}", "/api/v1/funding/letters/ABCDEFGHJKMN"):
        response = get(client, ministry, url, scopes=[Scope.CALLS, Scope.PROJECTS])
        assert response.status_code == 403
        assert Scope.FUNDING.value in response.json()["detail"]
    assert client.get(LIST).status_code == 401


# --- The letters' verification facts -------------------------------------------------------------


def test_the_letter_endpoint_says_exactly_what_the_verify_page_shows(client, outsider_official, letter):
    """Anyone with read:funding (here another region's official) reads the public facts, no more."""
    page = client.get(f"/verify/{letter.verification_code}")
    assert page.status_code == 200
    shown = page.context
    body = get(client, outsider_official, f"/api/v1/funding/letters/{letter.verification_code}").json()
    assert body == {
        "verification_code": shown["letter"].verification_code,
        "reference": shown["decision"].reference,
        "issued_on": shown["letter"].issued_on.isoformat(),
        "project_title_ko": shown["proposal"].title_ko,
        "project_title_en": shown["proposal"].title_en,
        "regions": [str(r) for r in shown["regions"]],
        "years": [{"year": y.year, "national_won": y.national_won} for y in shown["years"]],
        "national_total_won": shown["decision"].national_total_won,
        "signed_by": shown["letter"].signed_by or None,
        "demo_certificate": shown["letter"].signed_with_demo_certificate,
        "sha256": shown["letter"].checksum,
    }
    assert body["regions"] == ["Gwangju", "Jeonnam"]
    assert len(body["sha256"]) == 64


def test_a_code_is_read_as_the_page_reads_it_trimmed_and_in_upper_case(client, ministry, letter):
    response = get(client, ministry, f"/api/v1/funding/letters/{letter.verification_code.lower()}")
    assert response.status_code == 200
    assert response.json()["verification_code"] == letter.verification_code


def test_an_unknown_code_is_a_404_as_on_the_page(client, ministry, letter):
    assert client.get("/verify/ZZZZZZZZZZZZ").status_code == 404
    response = get(client, ministry, "/api/v1/funding/letters/ZZZZZZZZZZZZ")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_a_letter_not_built_yet_is_not_verified(client, ministry, letter):
    type(letter).objects.filter(pk=letter.pk).update(status="pending")
    assert get(client, ministry, f"/api/v1/funding/letters/{letter.verification_code}").status_code == 404


def test_an_overlong_code_is_a_problem_not_a_500(client, ministry, letter):
    response = get(client, ministry, "/api/v1/funding/letters/" + "A" * 500)
    assert response.status_code == 422


def test_the_decision_state_filter_offers_the_decision_states(client, ministry):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["components"]["schemas"]["DecisionState"]["enum"] == list(DecisionState.values)
