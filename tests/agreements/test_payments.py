# ruff: noqa: F811  (the fixtures imported from tests/projects/conftest.py are used as arguments)
"""Payments: the schedule made from the agreement in force, edited by staff within the agreement's sums,
disbursements never above what is unpaid, the unpaid part following an amended version, carry-over
within the call's limit and the unspent funds, the money page and its overdue flag."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import Notification
from agreements.models import CarryOver, FundSource, Instalment, Payment
from agreements.selectors import money_of, spent_of
from agreements.services import amendments, payments
from audit.models import AuditEvent
from core.permissions import Refused
from tests.agreements.conftest import accept_all
from tests.login import log_in
from tests.projects.conftest import gwangju_id, jeonnam_id, report, submitted_report  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

EOK = 100_000_000


def schedule(in_force, ministry):
    return payments.schedule_generate(actor=ministry, agreement=in_force.agreement)


def instalment(agreement, year, source=FundSource.NATIONAL, region=None, number=1) -> Instalment:
    return Instalment.objects.get(agreement=agreement, year=year, source=source, region_id=region, number=number)


def pay(actor, inst, won, on=datetime.date(2023, 4, 1), reference="이체 2023-001"):
    return payments.payment_record(actor=actor, instalment=inst, paid_on=on, amount_won=won, reference=reference)


def test_the_schedule_opens_only_once_the_agreement_is_in_force(issued, ministry):
    with pytest.raises(ValidationError, match="not in force"):
        payments.schedule_generate(actor=ministry, agreement=issued.agreement)
    assert not Instalment.objects.exists()


def test_the_default_schedule_pays_national_funds_in_two_instalments_and_local_funds_once_per_region(
        in_force, ministry, gwangju_id, jeonnam_id):
    schedule(in_force, ministry)
    agreed = payments.agreed_amounts(in_force)
    first_year = in_force.start_year
    national = Instalment.objects.filter(agreement=in_force.agreement, year=first_year, source=FundSource.NATIONAL)
    assert [(i.number, i.due_date) for i in national] == [(1, datetime.date(first_year, 3, 31)),
                                                          (2, datetime.date(first_year, 9, 30))]
    assert sum(i.amount_won for i in national) == agreed[first_year, FundSource.NATIONAL, None]
    for region in (gwangju_id, jeonnam_id):
        local = Instalment.objects.filter(agreement=in_force.agreement, year=first_year, region_id=region)
        assert [(i.number, i.due_date, i.amount_won) for i in local] == [
            (1, datetime.date(first_year, 6, 30), agreed[first_year, FundSource.LOCAL, region])]
    assert AuditEvent.objects.filter(action="payment").count() == 1


def test_a_schedule_that_no_longer_adds_up_to_the_agreement_is_refused_naming_the_row(in_force, ministry):
    schedule(in_force, ministry)
    first = instalment(in_force.agreement, in_force.start_year)
    with pytest.raises(ValidationError) as exc:
        payments.schedule_save(actor=ministry, agreement=in_force.agreement,
                               changes={first.pk: (first.due_date, first.amount_won + 1)})
    assert list(exc.value.message_dict) == [f"instalment-{first.pk}"]
    assert "national funds" in exc.value.messages[0]
    first.refresh_from_db()
    assert first.amount_won == 9 * EOK


def test_staff_move_money_between_instalments_of_a_year_and_change_due_dates(in_force, ministry):
    schedule(in_force, ministry)
    first, second = (instalment(in_force.agreement, in_force.start_year, number=n) for n in (1, 2))
    payments.schedule_save(actor=ministry, agreement=in_force.agreement, changes={
        first.pk: (datetime.date(2023, 4, 15), 12 * EOK), second.pk: (second.due_date, 6 * EOK)})
    first.refresh_from_db()
    assert (first.due_date, first.amount_won) == (datetime.date(2023, 4, 15), 12 * EOK)


def test_a_payment_above_what_is_unpaid_is_refused_and_the_lead_region_is_told_of_national_payments(
        in_force, ministry, official, partner_official):
    schedule(in_force, ministry)
    first = instalment(in_force.agreement, in_force.start_year)
    pay(ministry, first, 5 * EOK)
    with pytest.raises(ValidationError) as exc:
        pay(ministry, first, 4 * EOK + 1)
    assert list(exc.value.message_dict) == ["amount_won"]
    assert "400,000,000" in exc.value.messages[0]
    pay(ministry, first, 4 * EOK)
    assert Payment.objects.filter(instalment=first).count() == 2
    assert Notification.objects.filter(user=official, message__contains="500,000,000").exists()
    assert not Notification.objects.filter(user=partner_official, message__contains="500,000,000").exists()


def test_a_payment_dated_in_the_future_or_without_a_reference_is_refused(in_force, ministry):
    schedule(in_force, ministry)
    first = instalment(in_force.agreement, in_force.start_year)
    with pytest.raises(ValidationError) as exc:
        pay(ministry, first, EOK, on=datetime.date.today() + datetime.timedelta(days=2))
    assert list(exc.value.message_dict) == ["paid_on"]
    with pytest.raises(ValidationError) as exc:
        pay(ministry, first, EOK, reference="  ")
    assert list(exc.value.message_dict) == ["reference"]
    assert not Payment.objects.exists()


def test_each_region_records_its_own_local_payments_only(in_force, ministry, official, partner_official,
                                                         gwangju_id, jeonnam_id):
    schedule(in_force, ministry)
    year = in_force.start_year
    pay(official, instalment(in_force.agreement, year, FundSource.LOCAL, gwangju_id), EOK)
    for who, inst in ((partner_official, instalment(in_force.agreement, year, FundSource.LOCAL, gwangju_id)),
                      (official, instalment(in_force.agreement, year)),
                      (ministry, instalment(in_force.agreement, year, FundSource.LOCAL, jeonnam_id))):
        with pytest.raises((PermissionDenied, Refused)):
            pay(who, inst, 1)
    assert Payment.objects.count() == 1


def test_a_paid_instalment_never_changes_in_the_schedule(in_force, ministry):
    schedule(in_force, ministry)
    first, second = (instalment(in_force.agreement, in_force.start_year, number=n) for n in (1, 2))
    pay(ministry, first, EOK)
    with pytest.raises(ValidationError, match="has a payment"):
        payments.schedule_save(actor=ministry, agreement=in_force.agreement, changes={
            first.pk: (first.due_date, 8 * EOK), second.pk: (second.due_date, 10 * EOK)})


def test_an_amended_version_moves_only_the_unpaid_part_of_the_schedule(in_force, ministry, ministry2, official,
                                                                        partner_official):
    schedule(in_force, ministry)
    agreement = in_force.agreement
    second_year = in_force.start_year + 1
    first, second = (instalment(agreement, second_year, number=n) for n in (1, 2))
    pay(ministry, first, 2 * EOK)
    amendment = amendments.amendment_request(
        actor=official, agreement=agreement, kind="money_years", reasons="장비 도입 시기 조정",
        money={"source": FundSource.NATIONAL, "region_id": None, "from_year": second_year,
               "from_category": "unclassified", "to_year": second_year + 1, "amount_won": EOK})
    amendments.amendment_transition(actor=ministry, amendment=amendment, action="endorse")
    amendment = amendments.amendment_transition(actor=ministry2, amendment=amendment, action="approve")
    accept_all(amendment.new_version, ministry=ministry, official=official, partner_official=partner_official)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.amount_won == 9 * EOK  # paid: unchanged
    assert second.amount_won == 9 * EOK - EOK
    third_year = sum(i.amount_won for i in Instalment.objects.filter(agreement=agreement, year=second_year + 1,
                                                                      source=FundSource.NATIONAL))
    assert third_year == 18 * EOK + EOK
    assert second.version_id == amendment.new_version_id


def test_carry_over_is_refused_above_the_limit_or_the_unspent_funds_and_approved_raises_the_next_year(
        in_force, ministry, official, submitted_report):
    agreement = in_force.agreement
    year = in_force.start_year
    assert spent_of(agreement.project)[year, FundSource.NATIONAL, None] == 17 * EOK
    with pytest.raises(ValidationError) as exc:
        payments.carry_over_request(actor=official, agreement=agreement, year=year, amount_won=4 * EOK,
                                    reasons="장비 납품 지연")
    assert list(exc.value.message_dict) == ["amount_won"] and "20%" in exc.value.messages[0]
    with pytest.raises(ValidationError, match="100,000,000 won"):
        payments.carry_over_request(actor=official, agreement=agreement, year=year, amount_won=EOK + 1,
                                    reasons="장비 납품 지연")
    with pytest.raises(ValidationError) as exc:
        payments.carry_over_request(actor=official, agreement=agreement, year=in_force.end_year, amount_won=1,
                                    reasons="마지막 해")
    assert list(exc.value.message_dict) == ["year"]
    carry = payments.carry_over_request(actor=official, agreement=agreement, year=year, amount_won=EOK,
                                        reasons="장비 납품 지연")
    with pytest.raises((PermissionDenied, Refused)):
        payments.carry_over_transition(actor=official, carry_over=carry, action="approve")
    payments.carry_over_transition(actor=ministry, carry_over=carry, action="approve")
    assert CarryOver.objects.get().state == "approved"
    rows = {(r.year, r.source): r for r in money_of(agreement)["rows"] if r.region is None}
    assert rows[year + 1, FundSource.NATIONAL].available == 18 * EOK + EOK
    assert rows[year, FundSource.NATIONAL].available == 18 * EOK - EOK


def test_refusing_a_carry_over_needs_reasons(in_force, ministry, official, submitted_report):
    carry = payments.carry_over_request(actor=official, agreement=in_force.agreement, year=in_force.start_year,
                                        amount_won=EOK, reasons="지연")
    with pytest.raises(ValidationError) as exc:
        payments.carry_over_transition(actor=ministry, carry_over=carry, action="refuse")
    assert list(exc.value.message_dict) == ["note"]


def test_the_money_page_flags_an_overdue_instalment_in_words(client, in_force, ministry, official):
    schedule(in_force, ministry)
    first = instalment(in_force.agreement, in_force.start_year)  # due 31 March 2023: long past
    pay(ministry, first, EOK)
    log_in(client, official)
    response = client.get(reverse("agreements:project_money", args=[in_force.agreement.project_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="overdue-alert"' in html
    assert html.count("overdue-flag") == Instalment.objects.filter(agreement=in_force.agreement,
                                                                   due_date__lt=datetime.date.today()).count()
    assert money_of(in_force.agreement)["totals"]["paid"] == EOK


def test_the_money_page_of_another_regions_project_is_a_404(client, in_force, outsider_official):
    log_in(client, outsider_official)
    response = client.get(reverse("agreements:project_money", args=[in_force.agreement.project_id]))
    assert response.status_code == 404


def test_the_payment_page_keeps_the_typed_amount_and_names_the_field(client, in_force, ministry):
    schedule(in_force, ministry)
    first = instalment(in_force.agreement, in_force.start_year)
    log_in(client, ministry)
    response = client.post(reverse("agreements:payment_record", args=[first.pk]),
                           {"paid_on": "2023-04-01", "amount_won": "10억", "reference": "T-1"})
    assert response.status_code == 400
    assert "id_amount_won_error" in response.content.decode()
    assert not Payment.objects.exists()
    response = client.post(reverse("agreements:payment_record", args=[first.pk]),
                           {"paid_on": "2023-04-01", "amount_won": "9억", "reference": "T-1"})
    assert response.status_code == 302
    assert Payment.objects.get().amount_won == 9 * EOK


def test_overdue_instalments_are_a_to_do_of_whoever_pays_them(in_force, ministry, official, partner_official):
    from core.todos import todos_for

    schedule(in_force, ministry)
    kinds = {who: [t for t in todos_for(who) if t.kind == "agreements.overdue_payment"]
             for who in (ministry, official, partner_official)}
    past = Instalment.objects.filter(agreement=in_force.agreement, due_date__lt=datetime.date.today())
    assert len(kinds[ministry]) == past.filter(source=FundSource.NATIONAL).count()
    assert len(kinds[official]) == past.filter(region_id=official.region_id).count()
    assert len(kinds[partner_official]) == past.filter(region_id=partner_official.region_id).count()


JUNK = ["", "-1", "1e309", "NaN", "99999999999999999999999999", "１２３", "<script>alert(1)</script>", "가" * 5000,
        "2027-02-30", "\x00"]


def test_junk_in_the_schedule_and_carry_over_forms_is_refused_at_the_field_and_saves_nothing(
        client, in_force, ministry, official):
    schedule(in_force, ministry)
    agreement = in_force.agreement
    first = instalment(agreement, in_force.start_year)
    before = list(Instalment.objects.order_by("pk").values_list("due_date", "amount_won"))
    log_in(client, ministry)
    for junk in JUNK:
        response = client.post(reverse("agreements:schedule", args=[agreement.pk]),
                               {f"due-{first.pk}": junk, f"amount-{first.pk}": junk})
        assert response.status_code == 400, junk
    assert list(Instalment.objects.order_by("pk").values_list("due_date", "amount_won")) == before
    client.logout()
    log_in(client, official)
    for junk in JUNK:
        response = client.post(reverse("agreements:carry_over", args=[agreement.pk]),
                               {"year": junk, "amount_won": junk, "reasons": junk})
        assert response.status_code == 400, junk
    assert not CarryOver.objects.exists()


def test_the_money_page_makes_as_many_queries_with_many_payments_as_with_none(client, in_force, ministry, official,
                                                                               gwangju_id):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    schedule(in_force, ministry)
    url = reverse("agreements:project_money", args=[in_force.agreement.project_id])
    log_in(client, official)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    none = queries()
    for inst in Instalment.objects.filter(agreement=in_force.agreement, region_id=gwangju_id):
        pay(official, inst, 1)
    assert queries() == none
