"""Where every region stands in a call's planning period (issue 17): the staff page per call, its CSV,
the official's row on the dashboard and the planning to-dos."""

import csv
import io

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.todos import todos_for
from programmes.models import PlanningPhase, Region
from programmes.services import guideline_acknowledge, guideline_publish
from proposals.models import ThemeStatus
from proposals.planning_status import region_standings
from proposals.services import themes
from tests.login import log_in
from tests.proposals.conftest import official_of
from tests.proposals.test_theme_selection import call  # noqa: F401  (fixture)
from tests.proposals.test_themes import FIELDS

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(call, ministry, official, partner_official):  # noqa: F811
    """Gwangju + Jeonnam: two themes (one dropped), the other selected by Gwangju, Jeonnam not signed off
    yet; Busan one theme of its own; a guideline Gwangju has read."""
    jeonnam, busan = Region.objects.get(code="jeonnam"), Region.objects.get(code="busan")
    guideline = guideline_publish(actor=ministry, call=call, phase=PlanningPhase.DISCOVERY, title_ko="발굴 지침",
                                  text="지침")
    guideline_acknowledge(actor=official, guideline=guideline)
    kept, dropped = [themes.theme_create(actor=official, call=call, fields={**FIELDS, "title_ko": t},
                                         partners=[jeonnam]) for t in ("뉴로모픽 소자", "AI 반도체 패키징")]
    themes.theme_drop(actor=official, theme=dropped, reason="수요 부족")
    themes.opinion_record(actor=official, call=call, kind="meeting", held_on=call.planning_start,
                          participants="도민 40명", summary="소자 선호")
    themes.theme_select(actor=official, call=call, theme=kept, reason="역량 집중")
    themes.theme_create(actor=official_of(busan), call=call, fields={**FIELDS, "title_ko": "수소 선박"})
    return {"call": call, "kept": kept, "guideline": guideline}


def by_code(standings):
    return {s.region.code: s for s in standings}


def test_each_region_s_row_counts_its_themes_opinions_selection_and_sign_offs(world):
    rows = by_code(region_standings(world["call"]))
    gwangju, jeonnam, busan, seoul = rows["gwangju"], rows["jeonnam"], rows["busan"], rows["seoul"]
    assert (gwangju.guidelines, gwangju.guidelines_read, jeonnam.guidelines_read) == (1, 1, 0)
    assert (gwangju.themes, gwangju.dropped, jeonnam.themes, busan.themes, seoul.themes) == (2, 1, 2, 1, 0)
    assert (gwangju.opinions, jeonnam.opinions) == (1, 0)
    assert gwangju.final_theme == jeonnam.final_theme == world["kept"] and busan.final_theme is None
    assert (gwangju.is_lead, gwangju.signed_off, jeonnam.signed_off, gwangju.all_signed) == (True, True, False, False)
    assert [r.code for r in gwangju.waiting_for] == ["jeonnam"]
    assert jeonnam.open_work(PlanningPhase.SELECTION) and not gwangju.open_work(PlanningPhase.SELECTION)
    assert seoul.open_work(PlanningPhase.DISCOVERY) and not gwangju.open_work(PlanningPhase.DISCOVERY)


def test_the_number_of_queries_does_not_grow_with_the_regions(world, ministry):
    one = list(Region.objects.filter(code__in=["gwangju"]))
    with CaptureQueriesContext(connection) as few:
        region_standings(world["call"], regions=one)
    with CaptureQueriesContext(connection) as many:
        region_standings(world["call"])
    assert len(many) == len(few) <= 8


def test_staff_see_every_region_and_download_the_csv(client, world, ministry):
    log_in(client, ministry)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    call = world["call"]  # noqa: F811
    page = client.get(reverse("programmes:call_detail", args=[call.pk]))
    assert reverse("proposals:planning_status", args=[call.pk]).encode() in page.content
    response = client.get(reverse("proposals:planning_status", args=[call.pk]))
    assert response.status_code == 200
    assert len(response.context["standings"]) == Region.objects.count()
    assert world["kept"].title_en in response.content.decode()
    data = client.get(reverse("proposals:planning_status_csv", args=[call.pk]))
    assert data["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(data.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Region" and len(rows) == 1 + Region.objects.count()
    jeonnam = next(r for r in rows if r[0] == Region.objects.get(code="jeonnam").name)
    assert jeonnam[3:5] == ["2", "1"] and jeonnam[7] == world["kept"].title_en and jeonnam[9] == "no"


def test_officials_and_experts_cannot_open_the_status_page(client, world, official, expert):
    for user in (official, expert):
        client.logout()
        log_in(client, user)
        for name in ("proposals:planning_status", "proposals:planning_status_csv"):
            assert client.get(reverse(name, args=[world["call"].pk])).status_code == 403


def test_the_official_sees_their_region_s_row_on_the_dashboard(client, world, partner_official):
    log_in(client, partner_official)
    response = client.get(reverse("dashboard"))
    rows = response.context["planning"]
    assert [(r["call"], r["s"].region.code) for r in rows] == [(world["call"], "jeonnam")]
    assert b'id="region-planning"' in response.content


def test_the_planning_to_dos_read_select_and_sign_off(world, official, partner_official):
    partner_kinds = {t.kind for t in todos_for(partner_official)}
    assert {"proposals.read_guideline", "proposals.sign_off_selection"} <= partner_kinds
    assert "proposals.select_theme" not in partner_kinds
    lead_kinds = {t.kind for t in todos_for(official)}
    assert not lead_kinds & {"proposals.read_guideline", "proposals.sign_off_selection", "proposals.select_theme"}
    busan = {t.kind for t in todos_for(official_of(Region.objects.get(code="busan")))}
    assert "proposals.select_theme" in busan
    themes.selection_sign_off(actor=partner_official, theme=world["kept"])
    assert "proposals.sign_off_selection" not in {t.kind for t in todos_for(partner_official)}


def test_the_lead_drops_a_candidate_theme_with_a_reason_and_the_row_counts_it(call, official,  # noqa: F811
                                                                            partner_official):
    from django.core.exceptions import PermissionDenied, ValidationError

    jeonnam = Region.objects.get(code="jeonnam")
    theme = themes.theme_create(actor=official, call=call, fields=FIELDS, partners=[jeonnam])
    with pytest.raises(PermissionDenied):
        themes.theme_drop(actor=partner_official, theme=theme, reason="수요 부족")
    with pytest.raises(ValidationError) as refused:
        themes.theme_drop(actor=official, theme=theme, reason="  ")
    assert list(refused.value.message_dict) == ["status_reason"]
    themes.theme_drop(actor=official, theme=theme, reason="수요 부족")
    theme.refresh_from_db()
    assert (theme.status, theme.status_reason) == (ThemeStatus.DROPPED, "수요 부족")
    assert by_code(region_standings(call))["jeonnam"].dropped == 1
    with pytest.raises(ValidationError):
        themes.theme_drop(actor=official, theme=theme, reason="again")
