"""Phase 2 of the planning period: a region records how it gathered opinions and selects one final
theme; for a consortium the lead region selects and every partner signs off."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from programmes.models import PlanningPhase, Region
from proposals.models import CandidateTheme, OpinionGathering, ThemeStatus
from proposals.services import themes
from tests.factories import CallFactory
from tests.login import log_in
from tests.proposals.conftest import PDF
from tests.proposals.test_themes import FIELDS, SEOUL

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def call():
    """Discovery open until the day after tomorrow, selection open for a month after it."""
    today = timezone.localdate()

    def day(n):
        return today + datetime.timedelta(days=n)

    return CallFactory(planning_start=day(-10), discovery_end=day(2), selection_end=day(30), planning_end=day(40),
                       consulting_start=day(-10), consulting_end=day(45),
                       submission_deadline=datetime.datetime.combine(day(50), datetime.time(18), tzinfo=SEOUL),
                       review_start=day(55), review_end=day(60), announcement_date=day(70))


@pytest.fixture
def two_themes(official, call):
    jeonnam = Region.objects.get(code="jeonnam")
    return [themes.theme_create(actor=official, call=call, fields={**FIELDS, "title_ko": title}, partners=[jeonnam])
            for title in ("뉴로모픽 소자", "AI 반도체 패키징")]


def english(client, user):
    log_in(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_an_opinion_meeting_is_recorded_with_its_minutes(client, official, call):
    english(client, official)
    response = client.post(reverse("proposals:opinion_add", args=[call.pk]), {
        "kind": "meeting", "held_on": "2026-11-20", "participants": "도민 40명, 전문가 5명", "summary": "AI 반도체 선호",
        "minutes": SimpleUploadedFile("회의록.pdf", PDF)})
    assert response["Location"] == reverse("proposals:selection", args=[call.pk])
    gathering = OpinionGathering.objects.get()
    assert (gathering.region.code, gathering.kind, gathering.minutes_name) == ("gwangju", "meeting", "회의록.pdf")
    assert b"".join(client.get(reverse("proposals:opinion_minutes", args=[gathering.pk])).streaming_content) == PDF


def test_an_opinion_without_a_summary_is_refused_at_the_field_and_the_rest_kept(client, official, call):
    english(client, official)
    response = client.post(reverse("proposals:opinion_add", args=[call.pk]), {
        "kind": "survey", "held_on": "2026-11-20", "participants": "온라인 설문 312명", "summary": ""})
    assert response.status_code == 400
    assert list(response.context["opinion_form"].errors) == ["summary"]
    assert response.context["opinion_form"]["participants"].value() == "온라인 설문 312명"
    assert OpinionGathering.objects.count() == 0


def test_the_lead_selects_one_theme_and_the_partner_signs_off(client, official, partner_official, call, two_themes):
    english(client, official)
    response = client.post(reverse("proposals:theme_select", args=[call.pk]),
                           {"theme": str(two_themes[1].pk), "reason": "설문 결과와 산업 집적도"})
    assert response.status_code == 302
    chosen = two_themes[1]
    chosen.refresh_from_db()
    assert (chosen.status, chosen.selection.reason) == (ThemeStatus.SELECTED, "설문 결과와 산업 집적도")
    assert [(r.region.code, r.signed_off_at is not None) for r in chosen.regions.all()] == [
        ("gwangju", True), ("jeonnam", False)]
    english(client, partner_official)
    assert client.post(reverse("proposals:selection_sign_off", args=[chosen.pk])).status_code == 302
    assert all(r.signed_off_at for r in chosen.regions.all())


def test_a_selection_without_a_candidate_is_refused_at_the_field(client, official, call, two_themes):
    english(client, official)
    response = client.post(reverse("proposals:theme_select", args=[call.pk]), {"theme": "", "reason": "이유"})
    assert response.status_code == 400
    assert response.context["select_form"].errors == {
        "theme": ["Choose the final theme among your candidate themes."]}
    assert response.context["select_form"]["reason"].value() == "이유"


def test_a_second_final_theme_is_refused(official, call, two_themes):
    themes.theme_select(actor=official, call=call, theme=two_themes[0], reason="첫 선택")
    with pytest.raises(ValidationError) as refused:
        themes.theme_select(actor=official, call=call, theme=two_themes[1], reason="두 번째")
    assert list(refused.value.message_dict) == ["theme"]


def test_a_partner_cannot_select_for_the_consortium(partner_official, call, two_themes):
    with pytest.raises(PermissionDenied):
        themes.theme_select(actor=partner_official, call=call, theme=two_themes[0], reason="전남이 고름")


def test_after_selection_closes_nothing_can_be_selected(official, call, two_themes):
    after = datetime.datetime.combine(call.selection_end + datetime.timedelta(days=1), datetime.time(),
                                      tzinfo=SEOUL)
    with pytest.raises(ValidationError):
        themes.opinion_record(actor=official, call=call, kind="meeting", held_on=datetime.date(2026, 11, 1),
                              participants="x", summary="y", now=after)
    # The window is the service's, at the instant of the act (the rule says who, not when).
    with pytest.raises(ValidationError) as refused:
        themes.theme_select(actor=official, call=call, theme=two_themes[0], reason="늦은 선택", now=after)
    assert refused.value.messages == [call.planning_phase_refusal(PlanningPhase.SELECTION, now=after)]
    assert official.has_perm("proposals.select_theme", two_themes[0])
    assert not CandidateTheme.objects.filter(pk=two_themes[0].pk, status=ThemeStatus.SELECTED).exists()


def test_once_selection_closed_the_page_offers_no_selection(client, official):
    today = timezone.localdate()

    def day(n):
        return today + datetime.timedelta(days=n)

    call = CallFactory(planning_start=day(-60), discovery_end=day(-30), selection_end=day(-2), planning_end=day(30),
                       consulting_start=day(-60), consulting_end=day(35),
                       submission_deadline=datetime.datetime.combine(day(40), datetime.time(18), tzinfo=SEOUL),
                       review_start=day(45), review_end=day(50), announcement_date=day(60))
    discovering = datetime.datetime.combine(day(-40), datetime.time(10), tzinfo=SEOUL)
    theme = themes.theme_create(actor=official, call=call, fields=FIELDS, partners=[], now=discovering)
    english(client, official)
    html = client.get(reverse("proposals:selection", args=[call.pk])).content.decode()
    assert 'id="selection-closed"' in html and 'id="theme-select"' not in html
    assert official.has_perm("proposals.select_theme", theme)  # who may; the window says when


def test_another_region_cannot_open_the_selection_page_of_a_call_it_is_not_eligible_for(client, outsider_official,
                                                                                        official):
    call = CallFactory(eligible_regions=[Region.objects.get(code="gwangju")], planning_start=datetime.date(2026, 4, 1),
                       discovery_end=datetime.date(2026, 5, 31), selection_end=datetime.date(2026, 7, 15),
                       planning_end=datetime.date(2026, 9, 30))
    english(client, outsider_official)
    assert client.get(reverse("proposals:selection", args=[call.pk])).status_code == 404
