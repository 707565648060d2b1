"""Zones (권역) on a call: named groups of the call's eligible regions, each region in exactly one
zone; refused at the field with what was typed kept; calls without zones stay as they were."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from programmes import services
from programmes.models import Call, CallZone, Region
from tests.factories import CallFactory
from tests.login import log_in
from tests.programmes.test_call_validation import NEW_CALL, call_form_data, form_values

pytestmark = pytest.mark.django_db

CODES = ["gwangju", "jeonnam", "daegu", "gyeongbuk"]


def regions(*codes):
    by_code = {r.code: r for r in Region.objects.filter(code__in=codes)}
    return [by_code[c] for c in codes]


def zone_data(zones, **overrides) -> dict:
    """The call form's post with `zones` [(name_ko, name_en, [region codes])]."""
    data = call_form_data(eligible_regions=[str(r.pk) for r in regions(*CODES)], **overrides)
    data.update({"zones-TOTAL_FORMS": str(len(zones)), "zones-INITIAL_FORMS": "0",
                 "zones-MIN_NUM_FORMS": "0", "zones-MAX_NUM_FORMS": "1000"})
    for i, (name_ko, name_en, codes) in enumerate(zones):
        data.update({f"zones-{i}-name_ko": name_ko, f"zones-{i}-name_en": name_en,
                     f"zones-{i}-regions": [str(r.pk) for r in regions(*codes)]})
    return data


@pytest.fixture
def staff_client(client, ministry):
    log_in(client, ministry)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_staff_save_a_call_with_two_zones_covering_its_regions(staff_client):
    response = staff_client.post(NEW_CALL, zone_data([("호남권", "Honam", ["gwangju", "jeonnam"]),
                                                      ("대경권", "Daegu-Gyeongbuk", ["daegu", "gyeongbuk"])],
                                                     zone_panel_size="7", zone_min_scorers="4"))
    assert response.status_code == 302
    call = Call.objects.get()
    assert [(z.name_ko, z.name_en, sorted(r.code for r in z.regions.all())) for z in call.zones.all()] == [
        ("호남권", "Honam", ["gwangju", "jeonnam"]), ("대경권", "Daegu-Gyeongbuk", ["daegu", "gyeongbuk"])]
    assert (call.zone_panel_size, call.zone_min_scorers, call.zone_normalise) == (7, 4, False)
    zone_of = call.zone_by_region()
    assert zone_of[regions("daegu")[0].pk].name_ko == "대경권"
    page = staff_client.get(reverse("programmes:call_detail", args=[call.pk])).content.decode()
    assert "Honam" in page and "one panel of 7 experts per zone, at least 4 scorers per proposal" in page


def test_a_region_in_two_zones_is_refused_at_the_zone_and_what_was_typed_is_kept(staff_client):
    response = staff_client.post(NEW_CALL, zone_data([("호남권", "Honam", ["gwangju", "jeonnam"]),
                                                      ("대경권", "", ["jeonnam", "daegu", "gyeongbuk"])]))
    assert response.status_code == 200
    zones = response.context["zones"]
    jeonnam = regions("jeonnam")[0].name_en
    assert zones.forms[1].errors == {"regions": [f"{jeonnam} is already in the zone “호남권”."]}
    assert zones.forms[0].errors == {}
    values = form_values(response)
    assert (values["zones-0-name_ko"], values["zones-1-name_ko"], values["title"]) == (
        "호남권", "대경권", "2028년 지역혁신 메가프로젝트 신규과제 공모")
    assert 'id="id_zones-1-regions-' in response.content.decode()
    assert Call.objects.count() == 0


def test_an_eligible_region_in_no_zone_is_refused_naming_it(staff_client):
    response = staff_client.post(NEW_CALL, zone_data([("호남권", "Honam", ["gwangju", "jeonnam"]),
                                                      ("대경권", "", ["daegu"])]))
    assert response.status_code == 200
    gyeongbuk = regions("gyeongbuk")[0].name_en
    assert response.context["zones"].non_form_errors() == [
        f"Every eligible region belongs to one zone; not yet in a zone: {gyeongbuk}."]
    assert Call.objects.count() == 0


def test_a_zone_reaching_outside_the_eligible_regions_is_refused(staff_client):
    response = staff_client.post(NEW_CALL, zone_data([("호남권", "", ["gwangju", "jeonnam"]),
                                                      ("영남권", "", ["daegu", "gyeongbuk", "busan"])]))
    busan = Region.objects.get(code="busan").name_en
    assert response.context["zones"].forms[1].errors == {"regions": [f"{busan} is not an eligible region of the call."]}
    assert Call.objects.count() == 0


def test_a_zone_with_regions_but_no_name_and_a_named_zone_without_regions_are_refused(staff_client):
    response = staff_client.post(NEW_CALL, zone_data([("호남권", "", []), ("", "", CODES)]))
    zones = response.context["zones"]
    assert zones.forms[0].errors == {"regions": ["Choose at least one region for this zone."]}
    assert zones.forms[1].errors == {"name_ko": ["Name the zone."]}
    assert Call.objects.count() == 0


def test_minimum_scorers_above_the_zone_panel_size_is_refused_at_the_field(staff_client):
    response = staff_client.post(NEW_CALL, zone_data([], zone_panel_size="5", zone_min_scorers="6"))
    assert response.context["form"].errors == {"zone_min_scorers": [
        "The minimum scorers per proposal (6) cannot exceed the zone panel size (5)."]}


def test_a_call_without_zones_saves_as_before(staff_client):
    response = staff_client.post(NEW_CALL, zone_data([("", "", [])]))
    assert response.status_code == 302
    call = Call.objects.get()
    assert (list(call.zones.all()), call.zone_by_region(), call.has_zones) == ([], {}, False)


def test_a_post_without_the_zones_leaves_them_as_they_are(ministry):
    call = CallFactory()
    call.eligible_regions.set(regions(*CODES))
    services.call_save(actor=ministry, call=call, eligible_regions=regions(*CODES), strategic_industries=[],
                       criteria=[{"name_ko": "기준", "weight": 100}],
                       zones=[{"name_ko": "남부", "name_en": "", "regions": regions(*CODES)}])
    zone = CallZone.objects.get(call=call)
    services.call_save(actor=ministry, call=call, eligible_regions=regions(*CODES), strategic_industries=[],
                       criteria=[{"name_ko": "기준", "weight": 100}])
    assert list(call.zones.all()) == [zone]
    # Regrouped and renamed: the zone keeps its id (a zone panel stays attached); a new one is added
    # before it.
    services.call_save(actor=ministry, call=call, eligible_regions=regions(*CODES), strategic_industries=[],
                       criteria=[{"name_ko": "기준", "weight": 100}],
                       zones=[{"name_ko": "대경", "name_en": "", "regions": regions("daegu", "gyeongbuk")},
                              {"id": zone.pk, "name_ko": "호남", "name_en": "", "regions": regions("gwangju", "jeonnam")}])
    assert [(z.name_ko, z.pk == zone.pk) for z in call.zones.all()] == [("대경", False), ("호남", True)]
    services.call_save(actor=ministry, call=call, eligible_regions=regions(*CODES), strategic_industries=[],
                       criteria=[{"name_ko": "기준", "weight": 100}], zones=[])
    assert not CallZone.objects.filter(call=call).exists()


def test_the_service_refuses_overlapping_zones_too(ministry):
    call = CallFactory()
    with pytest.raises(ValidationError) as caught:
        services.call_save(actor=ministry, call=call, eligible_regions=regions(*CODES), strategic_industries=[],
                           criteria=[{"name_ko": "기준", "weight": 100}],
                           zones=[{"name_ko": "가", "name_en": "", "regions": regions(*CODES)},
                                  {"name_ko": "나", "name_en": "", "regions": regions("daegu")}])
    assert list(caught.value.message_dict) == ["zones"]
    assert not CallZone.objects.filter(call=call).exists()

