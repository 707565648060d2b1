"""Planning guidelines: staff publish them per phase in versions, every region's officials
acknowledge the current version, a new version asks again; a file that lies about its type is refused."""

import datetime

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from programmes import services
from programmes.models import Guideline, GuidelineAcknowledgement, PlanningPhase, Region
from tests.factories import CallFactory
from tests.login import log_in
from tests.proposals.conftest import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def planning_call(ministry):
    return CallFactory(
        planning_start=datetime.date(2026, 4, 1), discovery_end=datetime.date(2026, 5, 31),
        selection_end=datetime.date(2026, 7, 15), planning_end=datetime.date(2026, 9, 30),
        eligible_regions=list(Region.objects.filter(code__in=["gwangju", "jeonnam"])),
    )


@pytest.fixture
def guideline(planning_call, ministry):
    return services.guideline_publish(actor=ministry, call=planning_call, phase=PlanningPhase.DISCOVERY,
                                      title_ko="주제 발굴 기획지침", title_en="Theme discovery guideline",
                                      text="지역 혁신역량을 분석하여 후보 주제를 발굴하십시오.")


def english(client, user):
    log_in(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_staff_publish_a_guideline_with_its_file_and_it_is_recorded(client, ministry, planning_call):
    english(client, ministry)
    response = client.post(reverse("programmes:guideline_create", args=[planning_call.pk]), {
        "phase": "selection", "title_ko": "주제 선정 지침", "title_en": "Selection guideline", "text": "의견 수렴 방법",
        "file": SimpleUploadedFile("선정지침.pdf", PDF)})
    guideline = Guideline.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:guideline_detail", args=[guideline.pk])
    version = guideline.current_version()
    assert (guideline.phase, version.number, version.original_name, version.text) == (
        "selection", 1, "선정지침.pdf", "의견 수렴 방법")
    assert AuditEvent.objects.filter(action=AuditAction.PLANNING, object_id=str(guideline.pk)).count() == 1
    download = client.get(reverse("programmes:guideline_file", args=[guideline.pk, version.pk]))
    assert b"".join(download.streaming_content) == PDF


def test_a_file_that_lies_about_its_type_is_refused_at_the_field_and_the_text_kept(client, ministry, planning_call):
    english(client, ministry)
    response = client.post(reverse("programmes:guideline_create", args=[planning_call.pk]), {
        "phase": "discovery", "title_ko": "발굴 지침", "text": "본문",
        "file": SimpleUploadedFile("지침.pdf", b"MZ\x90\x00 not a pdf at all")})
    assert response.status_code == 400
    assert response.context["form"].errors == {"file": ["The file’s content is not a PDF file; it was not accepted."]}
    assert response.context["form"]["title_ko"].value() == "발굴 지침"
    assert Guideline.objects.count() == 0


def test_a_guideline_needs_a_text_or_a_file(client, ministry, planning_call):
    english(client, ministry)
    response = client.post(reverse("programmes:guideline_create", args=[planning_call.pk]), {
        "phase": "discovery", "title_ko": "빈 지침"})
    assert response.context["form"].errors == {"text": ["Write the guideline's text or attach its file (or both)."]}


def test_a_call_without_a_planning_period_takes_no_guideline(ministry, call):
    with pytest.raises(services.ValidationError) as refused:
        services.guideline_publish(actor=ministry, call=call, phase="discovery", title_ko="지침", text="본문")
    assert list(refused.value.message_dict) == ["phase"]


def test_an_official_cannot_publish_a_guideline(client, official, planning_call):
    log_in(client, official)
    assert client.get(reverse("programmes:guideline_create", args=[planning_call.pk])).status_code == 403


def test_the_call_page_lists_the_guidelines_for_an_official_as_to_read(client, official, guideline):
    english(client, official)
    page = client.get(reverse("programmes:call_detail", args=[guideline.call_id])).content.decode()
    assert "Theme discovery guideline" in page
    assert "To read" in page


def test_an_official_acknowledges_and_a_new_version_asks_again(client, official, ministry, guideline):
    english(client, official)
    url = reverse("programmes:guideline_acknowledge", args=[guideline.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # twice: still one acknowledgement
    ack = GuidelineAcknowledgement.objects.get()
    assert (ack.user, ack.region.code, ack.version.number) == (official, "gwangju", 1)
    detail = client.get(reverse("programmes:guideline_detail", args=[guideline.pk])).content.decode()
    assert "You have read version 1." in detail

    services.guideline_revise(actor=ministry, guideline=guideline, text="개정된 지침")
    detail = client.get(reverse("programmes:guideline_detail", args=[guideline.pk])).content.decode()
    assert "Version 2 waits for your acknowledgement." in detail
    assert 'id="guideline-acknowledge"' in detail


def test_staff_see_which_regions_have_read_the_current_version(client, official, ministry, guideline):
    services.guideline_acknowledge(actor=official, guideline=guideline)
    english(client, ministry)
    response = client.get(reverse("programmes:guideline_detail", args=[guideline.pk]))
    rows = {row["region"].code: ([a.user for a in row["current"]], row["latest_read"])
            for row in response.context["readers"]}
    assert rows == {"gwangju": ([official], 1), "jeonnam": ([], None)}
    assert "Not read yet" in response.content.decode()


def test_an_official_of_an_ineligible_region_reads_but_cannot_acknowledge(client, outsider_official, guideline):
    english(client, outsider_official)
    assert client.get(reverse("programmes:guideline_detail", args=[guideline.pk])).status_code == 200
    client.post(reverse("programmes:guideline_acknowledge", args=[guideline.pk]))
    assert GuidelineAcknowledgement.objects.count() == 0


def test_the_readers_table_is_for_staff_only(client, official, guideline):
    english(client, official)
    response = client.get(reverse("programmes:guideline_detail", args=[guideline.pk]))
    assert response.context["readers"] is None
    assert 'id="guideline-readers"' not in response.content.decode()


def test_a_guideline_of_a_draft_call_is_a_404_for_an_official(client, official, ministry):
    draft = CallFactory(status="draft", planning_start=datetime.date(2026, 4, 1),
                        discovery_end=datetime.date(2026, 5, 31), selection_end=datetime.date(2026, 7, 15),
                        planning_end=datetime.date(2026, 9, 30))
    g = services.guideline_publish(actor=ministry, call=draft, phase="discovery", title_ko="지침", text="본문")
    log_in(client, official)
    assert client.get(reverse("programmes:guideline_detail", args=[g.pk])).status_code == 404
    assert client.get(reverse("programmes:guideline_file", args=[g.pk, g.current_version().pk])).status_code == 404
