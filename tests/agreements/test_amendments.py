"""Amendment requests (agreements.services.amendments): the lead region's official asks for a change to the
version in force — organisations, the lead researcher, money between categories or years, the period within
the ten-year rule — with reasons and checked attachments; each problem at its field, nothing half-saved."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Notification
from agreements.models import Amendment, AmendmentKind, AmendmentState, FundSource
from agreements.services.amendments import amendment_request, balances, moved
from audit.models import AuditAction, AuditEvent
from programmes.categories import SpendingCategory
from tests.login import log_in

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
K = AmendmentKind


def national(version, year=None):
    line = version.lines.filter(source=FundSource.NATIONAL).order_by("year")
    return line.get(year=year) if year else line.first()


def errors(exc) -> dict:
    return exc.value.message_dict


def category_move(version, **over) -> dict:
    line = national(version)
    return {"source": "national", "region_id": None, "from_year": line.year, "from_category": "unclassified",
            "to_category": "equipment", "amount_won": 1_000_000} | over


def test_money_between_categories_keeps_every_total_and_is_recorded(in_force, official, ministry):
    a = amendment_request(actor=official, agreement=in_force.agreement, kind=K.MONEY_CATEGORIES,
                          reasons="장비 구입", money=category_move(in_force),
                          uploads=[SimpleUploadedFile("견적서.pdf", PDF)])
    assert a.state == AmendmentState.REQUESTED and a.to_year == a.from_year and a.base_version == in_force
    after = moved(balances(in_force), a)
    assert sum(after.values()) == sum(balances(in_force).values())
    assert after[(a.from_year, "national", None, "equipment")] == 1_000_000
    assert a.attachments.get().original_name == "견적서.pdf"
    assert AuditEvent.objects.filter(action=AuditAction.AMENDMENT_STATE, object_id=str(a.pk)).exists()
    assert Notification.objects.filter(user=ministry, url=f"/agreements/amendments/{a.pk}/").exists()


def test_only_the_lead_regions_official_requests(in_force, partner_official, ministry):
    for person in (partner_official, ministry):
        with pytest.raises(PermissionDenied):
            amendment_request(actor=person, agreement=in_force.agreement, kind=K.MONEY_CATEGORIES,
                              reasons="x", money=category_move(in_force))
    assert not Amendment.objects.exists()


def test_an_agreement_not_in_force_is_not_amended(issued, official):
    with pytest.raises(ValidationError, match="in force"):
        amendment_request(actor=official, agreement=issued.agreement, kind=K.ORGANISATIONS, reasons="x",
                          description="y")


@pytest.mark.parametrize(("kind", "kwargs", "field"), [
    (K.ORGANISATIONS, {"reasons": "  "}, "reasons"),
    (K.LEAD_RESEARCHER, {"reasons": "이직", "description": ""}, "description"),
    (K.PERIOD, {"reasons": "연장", "new_end_year": 1999}, "new_end_year"),
])
def test_what_is_missing_is_refused_at_its_field(in_force, official, kind, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        amendment_request(actor=official, agreement=in_force.agreement, kind=kind, **kwargs)
    assert field in errors(exc)


def test_the_period_keeps_within_the_ten_year_rule(in_force, official, project):
    limit = project.proposal.call.max_total_years
    with pytest.raises(ValidationError) as exc:
        amendment_request(actor=official, agreement=in_force.agreement, kind=K.PERIOD, reasons="연장",
                          new_end_year=in_force.end_year + limit)
    assert "beyond the limit" in " ".join(errors(exc)["new_end_year"])
    a = amendment_request(actor=official, agreement=in_force.agreement, kind=K.PERIOD, reasons="연장",
                          new_end_year=in_force.end_year + 1)
    assert a.new_end_year == in_force.end_year + 1


def test_more_than_the_line_holds_is_refused_at_the_amount(in_force, official):
    held = national(in_force).amount_won
    with pytest.raises(ValidationError) as exc:
        amendment_request(actor=official, agreement=in_force.agreement, kind=K.MONEY_CATEGORIES, reasons="x",
                          money=category_move(in_force, amount_won=held + 1))
    assert f"{held:,}" in " ".join(errors(exc)["amount_won"])


def test_a_move_into_the_same_category_or_unclassified_is_refused(in_force, official):
    for to, field in (("unclassified", "to_category"), ("", "to_category")):
        with pytest.raises(ValidationError) as exc:
            amendment_request(actor=official, agreement=in_force.agreement, kind=K.MONEY_CATEGORIES,
                              reasons="x", money=category_move(in_force, to_category=to))
        assert field in errors(exc)


def test_money_between_years_must_keep_the_local_matching(in_force, official):
    first, second = in_force.years[0], in_force.years[1]
    everything = national(in_force, second).amount_won
    with pytest.raises(ValidationError) as exc:
        amendment_request(actor=official, agreement=in_force.agreement, kind=K.MONEY_YEARS, reasons="x",
                          money=category_move(in_force, from_year=second, to_year=first, amount_won=everything,
                                              to_category=""))
    assert "Local funds must be at least" in " ".join(errors(exc).get("amount_won", [])), errors(exc)
    a = amendment_request(actor=official, agreement=in_force.agreement, kind=K.MONEY_YEARS, reasons="x",
                          money=category_move(in_force, from_year=first, to_year=second, amount_won=1_000))
    assert a.to_category == a.from_category == SpendingCategory.UNCLASSIFIED


def test_one_open_amendment_at_a_time(in_force, official):
    amendment_request(actor=official, agreement=in_force.agreement, kind=K.ORGANISATIONS, reasons="x",
                      description="y")
    with pytest.raises(ValidationError, match="already under way"):
        amendment_request(actor=official, agreement=in_force.agreement, kind=K.ORGANISATIONS, reasons="x",
                          description="z")


def test_a_refused_file_saves_nothing(in_force, official):
    with pytest.raises(ValidationError) as exc:
        amendment_request(actor=official, agreement=in_force.agreement, kind=K.ORGANISATIONS, reasons="x",
                          description="y", uploads=[SimpleUploadedFile("x.exe", b"MZ...")])
    assert "attachments" in errors(exc)
    assert not Amendment.objects.exists()


def test_the_page_keeps_what_was_typed_and_names_the_field(client, in_force, official):
    log_in(client, official)
    page = reverse("agreements:version", args=[in_force.pk])
    assert reverse("agreements:amend", args=[in_force.agreement.pk]) in client.get(page).content.decode()
    url = reverse("agreements:amend", args=[in_force.agreement.pk])
    line = national(in_force)
    post = {"kind": "money_categories", "reasons": "장비를 위탁연구로", "source": "national",
            "from_year": line.year, "from_category": "unclassified", "to_category": "commissioned",
            "amount_won": f"{line.amount_won + 1:,}"}
    response = client.post(url, post)
    body = response.content.decode()
    assert response.status_code == 400
    assert "장비를 위탁연구로" in body and f"{line.amount_won + 1:,}" in body
    assert 'id="id_amount_won_error"' in body
    response = client.post(url, post | {"amount_won": "5,000,000",
                                        "attachments": SimpleUploadedFile("근거.pdf", PDF)})
    amendment = Amendment.objects.get()
    assert response.status_code == 302 and response.url == reverse("agreements:amendment", args=[amendment.pk])
    body = client.get(response.url).content.decode()
    assert "근거.pdf" in body and "Commissioned research" in body
    attachment = amendment.attachments.get()
    download = client.get(reverse("agreements:amendment_attachment", args=[attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_partner_region_sees_no_request_button_and_is_refused_the_page(client, in_force, partner_official):
    log_in(client, partner_official)
    body = client.get(reverse("agreements:version", args=[in_force.pk])).content.decode()
    assert 'id="amend-link"' not in body
    assert client.get(reverse("agreements:amend", args=[in_force.agreement.pk])).status_code == 403


def test_no_malformed_post_to_the_request_form_is_a_server_error(settings, in_force, official):
    """The amendment form through the hostile-post machinery of tests/megaproject/test_hostile_input.py (its
    world's agreement is not in force, so the form is tried here, on one that is)."""
    from tests.megaproject.test_hostile_input import browser, hostile_posts, posted_fields

    client = browser(settings, official, raise_request_exception=False)
    url = reverse("agreements:amend", args=[in_force.agreement.pk])
    fields = posted_fields(client, url)
    assert {"kind", "reasons", "amount_won", "from_category", "attachments"} <= set(fields)
    assert hostile_posts("agreements:amend", client, url, [*fields, "unexpected"]) == []
