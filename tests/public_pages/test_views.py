"""The public pages, one by one: no log-in, Korean first, cached, emptied on a change."""

import pytest
from django.test import Client
from django.urls import reverse

from programmes.models import CallStatus
from programmes.services import call_change_status
from tests.clock import at
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db


def get(url, language=None, **params):
    client = Client()
    if language:
        from django.conf import settings

        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(url, params)


def test_the_home_lists_the_open_call_and_links_open_data_and_the_calendar(ministry):
    call = CallFactory(status=CallStatus.OPEN, title="열린 공모")
    text = get(reverse("public:home")).content.decode()
    assert call.title in text and 'id="open-calls"' in text
    assert reverse("public:open_data") in text and reverse("public:calendar") in text
    assert "공고·결과" in text  # Korean first


def test_the_call_notice_shows_rules_in_eok_the_rubric_and_the_timeline_in_korea_time(call):
    response = get(reverse("public:call", args=[call.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "22,000,000,000원 (220억원)" in text and "(55억원)" in text
    assert "초광역 협력형" in text and "지역혁신 도약형" in text
    assert f"{at(2027, 1, 29, 18):%Y-%m-%d %H:%M}" in text  # the deadline as Seoul reads it
    assert [c.name_ko for c in call.criteria.all()][0] in text
    assert "로그인" in text


def test_the_call_notice_in_english(call):
    text = get(reverse("public:call", args=[call.pk]), language="en").content.decode()
    assert "Rules of the call" in text and "KRW 22 billion" in text


def test_a_draft_call_has_no_public_page(draft_call):
    assert get(reverse("public:call", args=[draft_call.pk])).status_code == 404
    assert draft_call.title not in get(reverse("public:home")).content.decode()


def test_an_id_that_is_not_a_number_is_a_404():
    assert get("/public/calls/abc/").status_code == 404
    assert get("/public/calls/1x/results/").status_code == 404


def test_results_are_a_404_until_announced(call):
    assert get(reverse("public:results", args=[call.pk])).status_code == 404


def test_the_cached_notice_changes_as_soon_as_the_call_s_status_does(call, ministry):
    url = reverse("public:call", args=[call.pk])
    assert "status-review" in get(url).content.decode()
    assert "status-review" in get(url).content.decode()  # from the cache
    call_change_status(actor=ministry, call=call, status=CallStatus.ANNOUNCED)
    text = get(url).content.decode()
    assert "status-announced" in text and reverse("public:results", args=[call.pk]) in text


def test_a_cached_page_costs_two_queries_whatever_the_rubric(call, django_assert_max_num_queries):
    url = reverse("public:call", args=[call.pk])
    get(url)
    with django_assert_max_num_queries(1):  # the data version; the page part comes from the cache
        assert get(url).status_code == 200


def test_every_page_s_footer_links_the_privacy_policy_and_the_terms(call):
    for url in (reverse("public:home"), reverse("public:call", args=[call.pk]), reverse("login")):
        text = get(url).content.decode()
        assert reverse("public:privacy") in text and reverse("public:terms") in text, url
    assert reverse("public:home") in get(reverse("login")).content.decode()


def test_the_privacy_policy_names_the_officer_and_the_retention(settings):
    settings.PRIVACY_OFFICER_CONTACT = "개인정보 보호책임자 홍길동 · privacy@example.kr"
    text = get(reverse("public:privacy")).content.decode()
    assert "개인정보처리방침" in text and "홍길동" in text and "730일" in text
    assert "Privacy policy" in get(reverse("public:privacy"), language="en").content.decode()
    assert "이용약관" in get(reverse("public:terms")).content.decode()


def test_the_sitemap_lists_public_pages_only(call, draft_call):
    text = get(reverse("sitemap")).content.decode()
    assert f"/public/calls/{call.pk}/</loc>" in text and "/public/privacy/" in text
    assert f"/public/calls/{draft_call.pk}/" not in text
    assert f"/public/calls/{call.pk}/results/" not in text
    assert "/proposals/" not in text


def test_robots_allow_the_public_pages_and_nothing_else():
    text = get("/robots.txt").content.decode()
    assert "Allow: /public/" in text and "Disallow: /\n" in text and "Sitemap: http://testserver/sitemap.xml" in text


def test_the_results_page_shows_regions_type_and_yearly_funding(public_world, announce_results):
    announce_results(public_world["call"])
    response = get(reverse("public:results", args=[public_world["call"].pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "광주광역시" in text and "전라남도" in text and "초광역 협력형" in text
    assert text.count("1,800,000,000원 (18억원)") == 3 and "5,400,000,000원 (54억원)" in text
    assert "점수" not in text.split('id="report-heading"')[0]  # no score in the results table
