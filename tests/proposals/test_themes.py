"""Phase 1 of the planning period: candidate themes registered by a region or a consortium, edited
until theme discovery closes (Korea time), seen only by the regions taking part and staff."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from programmes.models import Region
from proposals.models import CandidateTheme, ThemeAttachment
from proposals.services import themes
from tests.factories import CallFactory
from tests.login import log_in
from tests.proposals.conftest import PDF

pytestmark = pytest.mark.django_db
SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def planning_call(*, discovery_end):
    start = discovery_end - datetime.timedelta(days=30)
    return CallFactory(planning_start=start, discovery_end=discovery_end,
                       selection_end=discovery_end + datetime.timedelta(days=30),
                       planning_end=discovery_end + datetime.timedelta(days=60),
                       consulting_start=start, consulting_end=discovery_end + datetime.timedelta(days=70),
                       submission_deadline=datetime.datetime.combine(
                           discovery_end + datetime.timedelta(days=80), datetime.time(18), tzinfo=SEOUL),
                       review_start=discovery_end + datetime.timedelta(days=90),
                       review_end=discovery_end + datetime.timedelta(days=100),
                       announcement_date=discovery_end + datetime.timedelta(days=110))


@pytest.fixture
def call():
    return planning_call(discovery_end=timezone.localdate() + datetime.timedelta(days=10))


FIELDS = {"title_ko": "뉴로모픽 반도체 소자", "title_en": "Neuromorphic devices", "rationale": "AI 집적단지 연계",
          "source_technology": "저항변화 메모리", "path_to_application": "2030 실증, 2033 사업화",
          "capacity_institutions": "GIST, 전남대", "capacity_companies": "팹리스 12개사",
          "capacity_workforce": "석박사 300명", "capacity_projects": "AI 데이터센터 사업"}


def english(client, user):
    log_in(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_gwangju_registers_a_consortium_theme_with_jeonnam_through_the_form(client, official, partner_official, call):
    english(client, official)
    response = client.post(reverse("proposals:theme_create", args=[call.pk]),
                           {**FIELDS, "partners": [str(Region.objects.get(code="jeonnam").pk)]})
    theme = CandidateTheme.objects.get()
    assert response["Location"] == reverse("proposals:theme_detail", args=[theme.pk])
    assert [(r.region.code, r.is_lead) for r in theme.regions.all()] == [("gwangju", True), ("jeonnam", False)]
    assert (theme.capacity_workforce, theme.path_to_application) == ("석박사 300명", "2030 실증, 2033 사업화")
    assert AuditEvent.objects.filter(action=AuditAction.PLANNING, object_id=str(theme.pk)).exists()
    english(client, partner_official)
    assert client.get(reverse("proposals:theme_detail", args=[theme.pk])).status_code == 200


def test_a_theme_without_a_title_is_refused_at_the_field_and_what_was_typed_is_kept(client, official, call):
    english(client, official)
    response = client.post(reverse("proposals:theme_create", args=[call.pk]), {**FIELDS, "title_ko": ""})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["title_ko"]
    assert response.context["form"]["capacity_companies"].value() == "팹리스 12개사"
    assert CandidateTheme.objects.count() == 0


def test_any_number_of_themes_per_region(official, call):
    for n in range(3):
        themes.theme_create(actor=official, call=call, fields={**FIELDS, "title_ko": f"후보 {n}"})
    assert CandidateTheme.objects.filter(lead_region__code="gwangju").count() == 3


def test_another_region_gets_a_404_and_does_not_see_it_in_the_list(client, official, outsider_official, call):
    theme = themes.theme_create(actor=official, call=call, fields=FIELDS)
    english(client, outsider_official)
    assert client.get(reverse("proposals:theme_detail", args=[theme.pk])).status_code == 404
    assert client.get(reverse("proposals:theme_edit", args=[theme.pk])).status_code == 404
    assert list(client.get(reverse("proposals:theme_list")).context["page"].object_list) == []


def test_staff_see_every_theme_and_experts_none(client, official, ministry, expert, call):
    theme = themes.theme_create(actor=official, call=call, fields=FIELDS)
    english(client, ministry)
    assert list(client.get(reverse("proposals:theme_list")).context["page"].object_list) == [theme]
    english(client, expert)
    assert client.get(reverse("proposals:theme_list")).status_code == 403
    assert client.get(reverse("proposals:theme_detail", args=[theme.pk])).status_code == 404


def test_the_partner_edits_while_discovery_is_open_but_cannot_change_the_regions(partner_official, official, call):
    theme = themes.theme_create(actor=official, call=call, fields=FIELDS,
                                partners=[Region.objects.get(code="jeonnam")])
    themes.theme_save(actor=partner_official, theme=theme, fields={**FIELDS, "rationale": "전남 보완"},
                      partners=[])
    theme.refresh_from_db()
    assert theme.rationale == "전남 보완"
    assert sorted(r.region.code for r in theme.regions.all()) == ["gwangju", "jeonnam"]


def test_after_discovery_closes_the_theme_is_read_only_for_the_regions(client, official):
    call = planning_call(discovery_end=datetime.date(2026, 5, 31))
    theme = themes.theme_create(actor=official, call=call, fields=FIELDS,
                                now=datetime.datetime(2026, 5, 31, 23, 59, tzinfo=SEOUL))
    with pytest.raises(ValidationError):
        themes.theme_create(actor=official, call=call, fields=FIELDS,
                            now=datetime.datetime(2026, 6, 1, 0, 0, tzinfo=SEOUL))
    if timezone.now() >= datetime.datetime(2026, 6, 1, tzinfo=SEOUL):
        with pytest.raises(PermissionDenied):
            themes.theme_save(actor=official, theme=theme, fields={**FIELDS, "title_ko": "바뀐 제목"})
        english(client, official)
        page = client.get(reverse("proposals:theme_detail", args=[theme.pk])).content.decode()
        assert "The theme is read-only now." in page and 'id="theme-edit"' not in page
        assert client.get(reverse("proposals:theme_edit", args=[theme.pk])).status_code == 403
    assert CandidateTheme.objects.get().title_ko == FIELDS["title_ko"]


def test_an_analysis_file_that_lies_about_its_type_is_refused(client, official, call):
    theme = themes.theme_create(actor=official, call=call, fields=FIELDS)
    english(client, official)
    url = reverse("proposals:theme_attach", args=[theme.pk])
    refused = client.post(url, {"file": SimpleUploadedFile("역량분석.pdf", b"MZ\x90\x00 program"), "description": "분석"})
    assert refused.status_code == 400
    assert refused.context["attach_form"].errors == {"file": ["The file’s content is not a PDF file; it was not accepted."]}
    assert client.post(url, {"file": SimpleUploadedFile("역량분석.pdf", PDF)}).status_code == 302
    attachment = ThemeAttachment.objects.get()
    download = client.get(reverse("proposals:theme_attachment", args=[theme.pk, attachment.pk]))
    assert b"".join(download.streaming_content) == PDF


def test_the_call_page_lists_the_region_s_themes_and_offers_a_new_one(client, official, call):
    theme = themes.theme_create(actor=official, call=call, fields=FIELDS)
    english(client, official)
    page = client.get(reverse("programmes:call_detail", args=[call.pk])).content.decode()
    assert reverse("proposals:theme_detail", args=[theme.pk]) in page
    assert 'id="call-new-theme"' in page
