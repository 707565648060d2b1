"""The proposal pages: list (filters, sort, pages, query count), creation, steps, versions."""

import datetime
import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Notification
from proposals.models import Proposal, ProposalState
from proposals.services import (
    proposal_save_overview,
    proposal_send_to_consulting,
    proposal_start_revising,
    proposal_submit,
)
from proposals.views import STEP_KEYS
from tests.factories import industry, region
from tests.login import log_in
from tests.proposals.conftest import messages_of, sign_all

pytestmark = pytest.mark.django_db

LIST = reverse("proposals:list")


def titles(response) -> list[str]:
    """The Korean titles of the proposals the list shows, in order (its table may come from the cache: the
    rows are read from the page)."""
    ids = [int(pk) for pk in re.findall(r'<tr><td><a href="/proposals/(\d+)/">', response.content.decode())]
    shown = Proposal.objects.in_bulk(ids)
    return [shown[pk].title_ko for pk in ids]


@pytest.fixture
def three(make_proposal, official, partner_official, outsider_official):
    """가: Gwangju + Jeonnam, AI, draft · 나: Busan leap, mobility, consulting · 다: Gwangju leap, bio, submitted."""
    a = make_proposal(title_ko="가 뉴로모픽 감시정찰", title_en="Neuromorphic surveillance", partners=["jeonnam"],
                      industry=industry("artificial-intelligence"), summary="겹눈을 모사한다.")
    b = make_proposal(title_ko="나 해양 모빌리티", title_en="Marine mobility", cooperation_type="leap",
                      lead_region=region("busan"), industry=industry("advanced-mobility"),
                      state=ProposalState.CONSULTING, summary="자율운항 실증")
    c = make_proposal(title_ko="다 동물용 의약품", title_en="Veterinary materials", cooperation_type="leap",
                      industry=industry("advanced-bio"), state=ProposalState.SUBMITTED,
                      summary="뉴로모픽 센서로 가축 질병을 감시한다.")
    base = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)
    for i, p in enumerate((a, b, c)):  # 다 updated last, 가 first
        Proposal.objects.filter(pk=p.pk).update(updated_at=base + datetime.timedelta(days=i))
    return a, b, c


# --- Filters and sort -------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "expected"), [
    ({}, ["다 동물용 의약품", "나 해양 모빌리티", "가 뉴로모픽 감시정찰"]),
    ({"state": "consulting"}, ["나 해양 모빌리티"]),
    ({"state": "nonsense"}, ["다 동물용 의약품", "나 해양 모빌리티", "가 뉴로모픽 감시정찰"]),
    ({"type": "leap"}, ["다 동물용 의약품", "나 해양 모빌리티"]),
    ({"type": "super_regional"}, ["가 뉴로모픽 감시정찰"]),
    ({"region": "jeonnam"}, ["가 뉴로모픽 감시정찰"]),
    ({"region": "gwangju"}, ["다 동물용 의약품", "가 뉴로모픽 감시정찰"]),
    ({"industry": "advanced-mobility"}, ["나 해양 모빌리티"]),
    ({"q": "뉴로모픽"}, ["다 동물용 의약품", "가 뉴로모픽 감시정찰"]),
    ({"q": "  MARINE "}, ["나 해양 모빌리티"]),
    ({"q": "뉴로모픽", "type": "super_regional"}, ["가 뉴로모픽 감시정찰"]),
    ({"sort": "title"}, ["가 뉴로모픽 감시정찰", "나 해양 모빌리티", "다 동물용 의약품"]),
    ({"sort": "-title"}, ["다 동물용 의약품", "나 해양 모빌리티", "가 뉴로모픽 감시정찰"]),
    ({"sort": "state"}, ["나 해양 모빌리티", "가 뉴로모픽 감시정찰", "다 동물용 의약품"]),
    ({"sort": "-updated"}, ["가 뉴로모픽 감시정찰", "나 해양 모빌리티", "다 동물용 의약품"]),
    ({"sort": "bogus"}, ["다 동물용 의약품", "나 해양 모빌리티", "가 뉴로모픽 감시정찰"]),
])
def test_the_ministry_filters_and_sorts_the_list(client, ministry, three, query, expected):
    log_in(client, ministry)
    assert titles(client.get(LIST, query)) == expected


def test_an_official_filters_only_within_the_proposals_of_its_region(client, official, three):
    log_in(client, official)
    assert titles(client.get(LIST)) == ["다 동물용 의약품", "가 뉴로모픽 감시정찰"]
    assert titles(client.get(LIST, {"region": "busan"})) == []
    assert titles(client.get(LIST, {"region": "jeonnam"})) == ["가 뉴로모픽 감시정찰"]
    assert titles(client.get(LIST, {"q": "모빌리티"})) == []


def test_recently_submitted_lists_the_latest_submission_first_and_unsubmitted_proposals_last(client, ministry, three):
    a, b, c = three
    Proposal.objects.filter(pk=b.pk).update(submitted_at=datetime.datetime(2027, 1, 10, tzinfo=datetime.UTC))
    Proposal.objects.filter(pk=c.pk).update(submitted_at=datetime.datetime(2027, 1, 20, tzinfo=datetime.UTC))
    log_in(client, ministry)
    assert titles(client.get(LIST, {"sort": "submitted"})) == ["다 동물용 의약품", "나 해양 모빌리티", "가 뉴로모픽 감시정찰"]


def test_the_list_shows_how_many_regions_take_part_to_the_ministry(client, ministry, three):
    log_in(client, ministry)
    assert [(p["title_ko"], p["region_count"]) for p in client.get(LIST).context["page"].object_list] == [
        ("다 동물용 의약품", 1), ("나 해양 모빌리티", 1), ("가 뉴로모픽 감시정찰", 2)]


def test_the_list_shows_how_many_regions_take_part_to_an_official(client, official, three):
    log_in(client, official)
    assert [(p["title_ko"], p["region_count"]) for p in client.get(LIST).context["page"].object_list] == [
        ("다 동물용 의약품", 1), ("가 뉴로모픽 감시정찰", 2)]


# --- Pages and query count ------------------------------------------------------------------------


def test_the_list_is_paginated_by_25(client, ministry, make_proposal):
    for n in range(26):
        make_proposal(title_ko=f"과제 {n:02d}", cooperation_type="leap")
    log_in(client, ministry)
    first = client.get(LIST, {"sort": "title"})
    second = client.get(LIST, {"sort": "title", "page": 2})
    assert (first.context["page"].paginator.count, first.context["page"].paginator.num_pages) == (26, 2)
    assert titles(first) == [f"과제 {n:02d}" for n in range(25)]
    assert titles(second) == ["과제 25"]
    assert titles(client.get(LIST, {"sort": "title", "page": 99})) == ["과제 25"]
    assert 'href="?sort=title&amp;page=2"' in first.content.decode()


@pytest.mark.parametrize("who", ["ministry", "official"])
def test_the_list_needs_the_same_number_of_queries_for_1_proposal_as_for_12(
    request, client, make_proposal, partner_official, who
):
    log_in(client, request.getfixturevalue(who))
    make_proposal(partners=["jeonnam"])

    def queries(n):
        """(first view after the data changed, the next view): the header's to-do count is
        worked out on the first and read from the cache on the next."""
        counts = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as seen:
                assert len(titles(client.get(LIST))) == n
            counts.append(len(seen))
        return counts

    def forget():  # every cache, the figures' (the to-dos) included
        for store in caches.all():
            store.clear()

    forget()
    one = queries(1)
    partners = ["jeonnam", "busan", "daegu", "ulsan"]
    industries = ["marine-bio", "advanced-bio", "secondary-batteries"]
    for n in range(11):
        make_proposal(partners=[partners[n % 4]], industry=industry(industries[n % 3]))
    forget()
    assert queries(12) == one


# --- Creation ------------------------------------------------------------------------------------


def test_the_create_page_creates_a_super_regional_draft_with_a_partner(
    client, call, official, partner_official, industry_ai
):
    log_in(client, official)
    assert client.get(reverse("proposals:create")).status_code == 200
    response = client.post(reverse("proposals:create"), {
        "call": call.pk, "cooperation_type": "super_regional", "title_ko": "광주·전남 신규 과제",
        "title_en": "New Gwangju-Jeonnam project", "industry": industry_ai.pk,
        "partner_regions": [region("jeonnam").pk],
    })
    proposal = Proposal.objects.get()
    assert (response.status_code, response["Location"]) == (302, reverse("proposals:step", args=[proposal.pk, "overview"]))
    assert (proposal.state, proposal.cooperation_type, proposal.lead_region.code, proposal.created_by,
            proposal.title_ko, proposal.industry) == (
        ProposalState.DRAFT, "super_regional", "gwangju", official, "광주·전남 신규 과제", industry_ai)
    assert list(proposal.participations.values_list("region__code", "is_lead")) == [
        ("gwangju", True), ("jeonnam", False)]
    assert list(proposal.events.values_list("action", "to_state")) == [("created", "draft")]
    assert list(Notification.objects.values_list("user__username", "url")) == [
        ("official-jeonnam", f"/proposals/{proposal.pk}/")]


@pytest.mark.parametrize(("ctype", "partners", "error"), [
    ("super_regional", [], "Choose at least one partner region for a super-regional proposal."),
    ("leap", ["jeonnam"], "A regional innovation leap proposal has exactly one region."),
])
def test_the_create_page_refuses_a_consortium_that_does_not_fit_the_type(
    client, call, official, industry_ai, ctype, partners, error
):
    log_in(client, official)
    response = client.post(reverse("proposals:create"), {
        "call": call.pk, "cooperation_type": ctype, "title_ko": "과제", "industry": industry_ai.pk,
        "partner_regions": [region(code).pk for code in partners],
    })
    assert (response.status_code, response.context["form"].errors) == (200, {"partner_regions": [error]})
    assert Proposal.objects.count() == 0


def test_the_create_page_is_refused_to_the_ministry(client, ministry):
    log_in(client, ministry)
    assert client.get(reverse("proposals:create")).status_code == 403


# --- Steps ------------------------------------------------------------------------------------


@pytest.mark.parametrize("step", STEP_KEYS)
def test_every_step_renders_for_the_lead_region(client, complete_proposal, official, step):
    log_in(client, official)
    response = client.get(reverse("proposals:step", args=[complete_proposal.pk, step]))
    assert (response.status_code, response.context["step"]) == (200, step)


def test_the_overview_step_is_read_only_for_a_partner(client, proposal, partner_official):
    log_in(client, partner_official)
    response = client.get(reverse("proposals:step", args=[proposal.pk, "overview"]))
    assert response.status_code == 200
    assert response.context["can_edit_lead"] is False
    assert "Only the lead region edits the overview. You can read it here." in response.content.decode()


def test_the_budget_step_of_a_partner_is_its_own_regions_and_the_lead_regions_is_refused(
    client, proposal, partner_official
):
    log_in(client, partner_official)
    url = reverse("proposals:step", args=[proposal.pk, "budget"])
    assert client.get(url).context["region"] == region("jeonnam")
    assert client.get(url, {"region": "gwangju"}).status_code == 403


def test_a_submitted_proposal_sends_its_editor_back_to_the_detail_page(client, complete_proposal, official):
    Proposal.objects.filter(pk=complete_proposal.pk).update(state=ProposalState.SUBMITTED)
    log_in(client, official)
    response = client.get(reverse("proposals:step", args=[complete_proposal.pk, "overview"]))
    assert (response.status_code, response["Location"]) == (302, reverse("proposals:detail", args=[complete_proposal.pk]))


def test_an_unknown_step_is_a_404(client, proposal, official):
    log_in(client, official)
    assert client.get(reverse("proposals:step", args=[proposal.pk, "secrets"])).status_code == 404


@pytest.mark.parametrize("who", ["official", "partner_official", "ministry"])
def test_the_detail_page_renders_for_the_regions_and_the_ministry(request, client, complete_proposal, who):
    log_in(client, request.getfixturevalue(who))
    response = client.get(reverse("proposals:detail", args=[complete_proposal.pk]))
    assert (response.status_code, response.context["proposal"]) == (200, complete_proposal)


# --- Versions --------------------------------------------------------------------------------


@pytest.fixture
def two_versions(complete_proposal, official, ministry, industry_ai, before_deadline):
    """v1 sent to consulting; the summary changed (반도체 → 센서); v2 submitted."""
    p = proposal_send_to_consulting(actor=official, proposal=complete_proposal, now=before_deadline)
    p = proposal_start_revising(actor=ministry, proposal=p)
    p = proposal_save_overview(actor=official, proposal=p, expected_revision=0, data={
        "title_ko": p.title_ko, "title_en": p.title_en, "industry": industry_ai,
        "summary": p.summary.replace("반도체", "센서"), "problem": p.problem})
    sign_all(p)
    return proposal_submit(actor=official, proposal=p, now=before_deadline)


def test_a_version_page_shows_the_frozen_plan(client, two_versions, partner_official):
    log_in(client, partner_official)
    response = client.get(reverse("proposals:version", args=[two_versions.pk, 1]))
    assert response.status_code == 200
    assert (response.context["version"].number, response.context["snapshot"]["summary"]) == (
        1, "광주와 전남이 함께 뉴로모픽 반도체 기반 감시정찰 AI 기술을 개발한다.")


def test_a_missing_version_is_a_404(client, two_versions, official):
    log_in(client, official)
    assert client.get(reverse("proposals:version", args=[two_versions.pk, 3])).status_code == 404


def test_the_comparison_marks_the_changed_words_with_del_and_ins(client, two_versions, ministry):
    log_in(client, ministry)
    response = client.get(reverse("proposals:compare", args=[two_versions.pk]), {"a": 1, "b": 2})
    assert response.status_code == 200
    html = response.content.decode()
    assert "광주와 전남이 함께 뉴로모픽 <del>반도체</del> 기반 감시정찰 AI 기술을 개발한다." in html
    assert "광주와 전남이 함께 뉴로모픽 <ins>센서</ins> 기반 감시정찰 AI 기술을 개발한다." in html
    assert [(t["name"], t["changed"]) for t in response.context["diff"]["texts"]] == [
        ("title_ko", False), ("title_en", False), ("summary", True), ("problem", False), ("vision", False),
        ("goals", False)]


def test_the_comparison_escapes_the_text_it_marks(client, two_versions, official):
    Proposal.objects.filter(pk=two_versions.pk).update(summary="<script>alert(1)</script> 센서")
    log_in(client, official)
    html = client.get(reverse("proposals:compare", args=[two_versions.pk]), {"a": 2, "b": "current"}).content.decode()
    assert "<ins>&lt;script&gt;alert(1)&lt;/script&gt;</ins>" in html
    assert "<script>alert(1)" not in html


def test_the_comparison_without_a_version_sends_back_to_the_detail_page(client, proposal, official):
    log_in(client, official)
    response = client.get(reverse("proposals:compare", args=[proposal.pk]), follow=True)
    assert response.redirect_chain == [(reverse("proposals:detail", args=[proposal.pk]), 302)]
    assert messages_of(response) == ["There is no frozen version to compare yet."]
