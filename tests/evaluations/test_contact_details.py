"""An expert's contact details are personal data: masked on the pages, read in full only with a
purpose, every reading on the access log (audit.PersonalDataAccess); the expert reads their own."""

import csv
import io

import pytest
from django.urls import reverse

from audit.models import AccessChannel, AccessPurpose, AuditAction, AuditEvent, PersonalDataAccess
from tests.factories import ExpertFactory, OfficialFactory
from tests.login import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def kim(db):
    expert = ExpertFactory(username="kim", display_name="김하늘 교수", email="kim@kaist.ac.kr", phone="")
    profile = expert.expert_profile
    profile.contact_email, profile.phone = "kim@kaist.ac.kr", "010-1234-5678"
    profile.save()
    return expert


def profile_url(expert) -> str:
    return reverse("evaluations:expert_profile", args=[expert.pk])


def test_the_profile_shows_staff_the_contact_details_masked_and_logs_nothing(client, ministry, kim):
    log_in(client, ministry)
    response = client.get(profile_url(kim))
    assert response.status_code == 200
    assert (response.context["contacts"].email, response.context["contacts"].phone) == (
        "k***@kaist.ac.kr", "010-****-5678")
    assert b"kim@kaist.ac.kr" not in response.content and b"1234" not in response.content
    assert PersonalDataAccess.objects.count() == 0


def test_the_pool_shows_every_contact_masked(client, ministry, kim):
    log_in(client, ministry)
    response = client.get(reverse("evaluations:experts"))
    assert b"k***@kaist.ac.kr" in response.content and b"010-****-5678" in response.content
    assert b"kim@kaist.ac.kr" not in response.content


def test_revealing_with_a_purpose_shows_the_details_and_records_who_when_why_and_what(client, ministry, kim):
    log_in(client, ministry)
    response = client.post(profile_url(kim), {"purpose": "recruiting", "purpose_detail": ""})
    assert response.status_code == 200
    assert (response.context["contacts"].email, response.context["contacts"].phone) == (
        "kim@kaist.ac.kr", "010-1234-5678")
    assert response["Cache-Control"].startswith("max-age=0") and "no-store" in response["Cache-Control"]
    entry = PersonalDataAccess.objects.get()
    assert (entry.accessor, entry.accessor_name, entry.purpose, entry.channel, entry.items, entry.row_count) == (
        ministry, "과기정통부 김주무관 (ministry)", AccessPurpose.RECRUITING, AccessChannel.PAGE, ["email", "phone"],
        None)
    assert [(s.subject, s.subject_name) for s in entry.subjects.all()] == [(kim, "김하늘 교수")]
    assert entry.ip == "127.0.0.1" and entry.at is not None


def test_a_reveal_without_a_purpose_shows_nothing_and_records_nothing(client, ministry, kim):
    log_in(client, ministry)
    response = client.post(profile_url(kim), {"purpose": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["purpose"]
    assert response.context["contacts"].email == "k***@kaist.ac.kr"
    assert PersonalDataAccess.objects.count() == 0


@pytest.mark.parametrize("purpose", ["marketing", "OTHER", "<script>", "recruiting "])
def test_a_purpose_not_in_the_list_is_refused(client, ministry, kim, purpose):
    log_in(client, ministry)
    response = client.post(profile_url(kim), {"purpose": purpose})
    assert response.context["form"].errors["purpose"]
    assert PersonalDataAccess.objects.count() == 0


def test_other_needs_a_few_words_and_keeps_what_was_typed(client, ministry, kim):
    log_in(client, ministry)
    response = client.post(profile_url(kim), {"purpose": "other", "purpose_detail": "   "})
    assert response.context["form"].errors["purpose_detail"]
    assert PersonalDataAccess.objects.count() == 0
    response = client.post(profile_url(kim), {"purpose": "other", "purpose_detail": "자문회의  참석 요청"})
    assert response.context["revealed"] is True
    assert PersonalDataAccess.objects.get().purpose_detail == "자문회의 참석 요청"


def test_a_purpose_longer_than_200_characters_is_refused_at_its_field(client, ministry, kim):
    log_in(client, ministry)
    response = client.post(profile_url(kim), {"purpose": "other", "purpose_detail": "가" * 201})
    assert response.context["form"].errors["purpose_detail"]
    assert response.context["form"]["purpose_detail"].value() == "가" * 201
    assert PersonalDataAccess.objects.count() == 0


def test_the_expert_sees_their_own_details_without_a_log(client, kim):
    log_in(client, kim)
    response = client.get(profile_url(kim))
    assert response.status_code == 200
    assert (response.context["contacts"].email, response.context["contacts"].phone) == (
        "kim@kaist.ac.kr", "010-1234-5678")
    assert PersonalDataAccess.objects.count() == 0


@pytest.mark.parametrize("who", ["another expert", "official", "self"])
def test_people_who_may_not_see_the_pool_cannot_reveal_and_nothing_is_recorded(client, kim, who):
    user = {"another expert": lambda: ExpertFactory(), "official": lambda: OfficialFactory(),
            "self": lambda: kim}[who]()
    log_in(client, user)
    response = client.post(profile_url(kim), {"purpose": "recruiting"})
    assert response.status_code == 403
    assert PersonalDataAccess.objects.count() == 0
    if who != "self":
        assert client.get(profile_url(kim)).status_code == 403


def test_someone_who_is_not_an_expert_has_no_profile_page(client, ministry):
    log_in(client, ministry)
    assert client.get(profile_url(OfficialFactory())).status_code == 404


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_pool_export_leaves_contact_details_out_by_default_and_logs_no_access(client, ministry, kim):
    ExpertFactory(display_name="이바다 박사")
    log_in(client, ministry)
    rows = read_csv(client.get(reverse("evaluations:expert_export")))
    assert len(rows) == 3 and "kim@kaist.ac.kr" not in str(rows)
    assert PersonalDataAccess.objects.count() == 0
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).get().after["contacts"] is False


def test_an_export_with_contact_details_records_one_entry_with_the_row_count(client, ministry, kim):
    other = ExpertFactory(display_name="이바다 박사")
    ExpertFactory(display_name="박산 연구원").expert_profile.industries.clear()
    log_in(client, ministry)
    response = client.post(reverse("evaluations:expert_export"),
                           {"industry": "secondary-batteries", "export-purpose": "scheduling"})
    rows = read_csv(response)
    assert len(rows) == 3 and len(rows[0]) == 10
    assert ["kim@kaist.ac.kr", "010-1234-5678"] in [r[-2:] for r in rows]
    entry = PersonalDataAccess.objects.get()
    assert (entry.channel, entry.purpose, entry.row_count) == (AccessChannel.EXPORT, AccessPurpose.SCHEDULING, 2)
    assert {s.subject_id for s in entry.subjects.all()} == {kim.pk, other.pk}
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).get().after["rows"] == 2


def test_an_export_with_contact_details_and_no_purpose_is_refused_on_the_pool_page(client, ministry, kim):
    log_in(client, ministry)
    response = client.post(reverse("evaluations:expert_export"), {"q": "김하늘", "export-purpose": "fun"})
    assert response.status_code == 200 and not response.streaming
    assert response.context["export_form"].errors["purpose"]
    assert response.context["f"]["q"] == "김하늘"
    assert PersonalDataAccess.objects.count() == 0 and not AuditEvent.objects.filter(action=AuditAction.EXPORT)


def test_the_pool_and_its_export_stay_closed_to_experts_and_officials(client, kim):
    for user in (kim, OfficialFactory()):
        log_in(client, user)
        assert client.get(reverse("evaluations:expert_export")).status_code == 403
        assert client.post(reverse("evaluations:expert_export"), {"export-purpose": "recruiting"}).status_code == 403
    assert PersonalDataAccess.objects.count() == 0
