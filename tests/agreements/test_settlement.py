# ruff: noqa: F811  (the fixtures imported from tests/projects/conftest.py are used as arguments)
"""Year-end settlement (정산): the figures of a hand-computed year, the disallowed items within what was spent,
the region's answer and the dispute loop, four eyes on confirmation, the PDFs read back, repayments (partial,
never over), the sanction, and who sees what (a draft is staff's; other regions and experts see nothing)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from agreements.models import (
    CarryOver,
    FundSource,
    Settlement,
    SettlementDocument,
    SettlementItem,
    SettlementRepayment,
    SettlementState,
)
from agreements.services import documents, payments
from agreements.services import settlement as service
from audit.models import AuditEvent
from core.permissions import Refused
from core.todos import seoul_today, todos_for
from projects.services import reports
from tests.funding.conftest import compact, pdf_text
from tests.login import log_in
from tests.projects.conftest import gwangju_id, jeonnam_id  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

EOK = 100_000_000
MAN = 10_000
YEAR = 2023


def accepted_report(project, *, official, partner_official, ministry, year=YEAR):
    """The year's report with spending by category, accepted by staff:
    Gwangju: national personnel 5억 + materials 3억, local personnel 2억;
    Jeonnam: national personnel 4억 + activities 2억, local activities 2억."""
    report = reports.report_open(actor=official, project=project, year=year)
    spending = {
        official: {("national", "personnel"): 5 * EOK, ("national", "materials"): 3 * EOK,
                   ("local", "personnel"): 2 * EOK},
        partner_official: {("national", "personnel"): 4 * EOK, ("national", "activities"): 2 * EOK,
                           ("local", "activities"): 2 * EOK},
    }
    for who, amounts in spending.items():
        reports.report_part_save(actor=who, part=report.parts.get(region_id=who.region_id),
                                 narrative=f"{who.region.name} 추진 실적",
                                 spending={k: f"{v:,}" for k, v in amounts.items()})
    report.refresh_from_db()
    values = {r.pk: ("10", "") for r in report.kpi_results.all()}
    reports.report_save(actor=official, report=report, narrative="1차년도 목표를 달성함.", kpi_values=values)
    reports.report_submit(actor=official, report=report)
    reports.report_review(actor=ministry, report=report, accept=True, comment="확인함")
    return report


@pytest.fixture
def year_done(in_force, project, official, partner_official, ministry, ministry2):
    """2023 reported and accepted; 1억 of national funds carried into 2024 (approved)."""
    accepted_report(project, official=official, partner_official=partner_official, ministry=ministry)
    carry = payments.carry_over_request(actor=official, agreement=in_force.agreement, year=YEAR, amount_won=1 * EOK,
                                        reasons="장비 납품 지연")
    payments.carry_over_transition(actor=ministry2, carry_over=carry, action="approve")
    return in_force.agreement


@pytest.fixture
def opened(year_done, ministry):
    return service.settlement_open(actor=ministry, agreement=year_done, year=YEAR)


def mark(settlement, ministry, jeonnam_id):
    service.item_add(actor=ministry, settlement=settlement, source="national", category="materials",
                     amount_won=5_000 * MAN, reason="증빙 없는 재료비 (세금계산서 누락)")
    service.item_add(actor=ministry, settlement=settlement, source="local", category="activities",
                     amount_won=3_000 * MAN, reason="사업 목적 외 회의비", region=jeonnam_id)


@pytest.fixture
def proposed(opened, ministry, jeonnam_id):
    mark(opened, ministry, jeonnam_id)
    return service.settlement_propose(actor=ministry, settlement=opened)


@pytest.fixture
def accepted(proposed, official):
    return service.settlement_answer(actor=official, settlement=proposed, accept=True)


@pytest.fixture
def confirmed(accepted, ministry2, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the PDFs are built by the tests that ask
        return service.settlement_confirm(actor=ministry2, settlement=accepted)


def test_the_figures_of_a_hand_computed_year(opened, in_force, ministry, jeonnam_id, gwangju_id):
    national_granted = sum(ln.amount_won for ln in in_force.lines.filter(year=YEAR, source="national"))
    local_granted = sum(ln.amount_won for ln in in_force.lines.filter(year=YEAR, source="local"))
    assert national_granted == 18 * EOK
    figures = service.settlement_figures(opened)
    assert (figures.national.granted, figures.national.spent) == (18 * EOK, 14 * EOK)
    assert (figures.local.granted, figures.local.spent) == (local_granted, 4 * EOK)
    rows = {row.category: row for row in figures.rows}
    assert rows["personnel"].national.spent == 9 * EOK and rows["personnel"].local.spent == 2 * EOK
    assert rows["materials"].national.spent == 3 * EOK and rows["activities"].local.spent == 2 * EOK
    assert rows["unclassified"].national.granted == 18 * EOK
    # 18억 − 14억 = 4억 unspent, 1억 carried over → 3억; no item yet.
    assert (figures.national_unspent, figures.carried_over, figures.national_not_carried) == (4 * EOK, EOK, 3 * EOK)
    assert figures.amount_due == 3 * EOK
    mark(opened, ministry, jeonnam_id)
    figures = service.settlement_figures(opened)
    # (4억 − 1억) + 5천만 national; 3천만 of Jeonnam's local funds back to Jeonnam, shown apart.
    assert figures.national_due == 35_000 * MAN
    assert [(r.pk, won) for r, won in figures.local_due_by_region] == [(jeonnam_id, 3_000 * MAN)]
    assert figures.amount_due == 38_000 * MAN
    assert rows["materials"].national.unspent == -3 * EOK  # a category without a grant: spent beyond it


def test_a_year_is_settled_once_its_report_is_accepted(in_force, project, official, ministry):
    reports.report_open(actor=official, project=project, year=YEAR)
    with pytest.raises(ValidationError) as refused:
        service.settlement_open(actor=ministry, agreement=in_force.agreement, year=YEAR)
    assert list(refused.value.message_dict) == ["year"] and "not accepted" in refused.value.messages[0]
    with pytest.raises(PermissionDenied):
        service.settlement_open(actor=official, agreement=in_force.agreement, year=YEAR)
    assert not Settlement.objects.exists()


def test_an_item_is_at_most_what_was_spent_in_its_cell_and_needs_reasons(opened, ministry, jeonnam_id, gwangju_id):
    with pytest.raises(ValidationError) as refused:
        service.item_add(actor=ministry, settlement=opened, source="national", category="materials",
                         amount_won=3 * EOK + 1, reason="과다 집행")
    assert list(refused.value.message_dict) == ["amount_won"]
    assert "300,000,000" in refused.value.messages[0]
    with pytest.raises(ValidationError) as refused:  # Gwangju spent no local activities
        service.item_add(actor=ministry, settlement=opened, source="local", category="activities",
                         amount_won=1, reason="목적 외", region=gwangju_id)
    assert list(refused.value.message_dict) == ["amount_won"]
    with pytest.raises(ValidationError) as refused:
        service.item_add(actor=ministry, settlement=opened, source="national", category="materials",
                         amount_won=EOK, reason="  ")
    assert list(refused.value.message_dict) == ["reason"]
    service.item_add(actor=ministry, settlement=opened, source="national", category="materials", amount_won=2 * EOK,
                     reason="증빙 누락")
    with pytest.raises(ValidationError, match="already disallowed"):
        service.item_add(actor=ministry, settlement=opened, source="national", category="materials",
                         amount_won=EOK + 1, reason="증빙 누락")
    assert SettlementItem.objects.count() == 1


def test_the_region_answers_and_a_partner_may_not(proposed, official, partner_official, ministry):
    assert (proposed.state, proposed.national_due_won, proposed.local_due_won) == (
        SettlementState.PROPOSED, 35_000 * MAN, 3_000 * MAN)
    with pytest.raises(PermissionDenied):
        service.settlement_answer(actor=partner_official, settlement=proposed, accept=True)
    with pytest.raises(PermissionDenied):
        service.settlement_answer(actor=ministry, settlement=proposed, accept=True)
    assert [t.kind for t in todos_for(official) if t.kind == "agreements.answer_settlement"]
    settlement = service.settlement_answer(actor=official, settlement=proposed, accept=True)
    assert settlement.state == SettlementState.ACCEPTED and settlement.answered_by == official


def test_the_dispute_goes_back_to_staff_who_change_the_items_and_propose_again(proposed, official, ministry):
    with pytest.raises(ValidationError) as refused:
        service.settlement_answer(actor=official, settlement=proposed, accept=False, reasons=" ")
    assert list(refused.value.message_dict) == ["note"]
    disputed = service.settlement_answer(actor=official, settlement=proposed, accept=False,
                                         reasons="재료비 세금계산서를 첨부합니다.")
    assert disputed.state == SettlementState.DISPUTED and disputed.answer_text.startswith("재료비")
    with pytest.raises(ValidationError, match="only a proposed one"):
        service.settlement_answer(actor=official, settlement=disputed, accept=True)
    item = disputed.items.get(source="national")
    service.item_remove(actor=ministry, item=item, reason="증빙 확인")
    again = service.settlement_propose(actor=ministry, settlement=disputed)
    assert (again.state, again.national_due_won, again.answer_text) == (SettlementState.PROPOSED, 3 * EOK, "")
    accepted = service.settlement_answer(actor=official, settlement=again, accept=True)
    assert accepted.state == SettlementState.ACCEPTED
    assert [s.action for s in accepted.steps.all()] == ["open", "propose", "dispute", "item_remove", "propose",
                                                        "accept"]


def test_four_eyes_the_proposer_does_not_confirm(accepted, ministry, ministry2, django_capture_on_commit_callbacks):
    with pytest.raises(Refused, match="Four eyes"):
        service.settlement_confirm(actor=ministry, settlement=accepted)
    assert Settlement.objects.get(pk=accepted.pk).state == SettlementState.ACCEPTED
    assert [t.kind for t in todos_for(ministry2) if t.kind == "agreements.confirm_settlement"]
    assert not [t.kind for t in todos_for(ministry) if t.kind == "agreements.confirm_settlement"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        settlement = service.settlement_confirm(actor=ministry2, settlement=accepted)
    assert settlement.state == SettlementState.CONFIRMED and settlement.confirmed_by == ministry2
    assert settlement.due_on == seoul_today() + datetime.timedelta(days=30)
    assert sorted(SettlementDocument.objects.filter(settlement=settlement).values_list("kind", flat=True)) == [
        "notice", "statement"]
    assert len(callbacks) == 3  # one build per document and the notification, after the commit
    assert AuditEvent.objects.filter(action="settlement").count() >= 5


def test_a_stale_copy_cannot_move_a_settlement_twice(opened, ministry):
    stale = Settlement.objects.get(pk=opened.pk)
    service.settlement_propose(actor=ministry, settlement=opened)
    assert stale.state == SettlementState.DRAFT  # the copy in memory still says draft: the locked row decides
    with pytest.raises(ValidationError, match="only a draft or a disputed one"):
        service.settlement_propose(actor=ministry, settlement=stale)
    with pytest.raises(ValidationError, match="only while it is a draft"):
        service.item_add(actor=ministry, settlement=stale, source="national", category="materials", amount_won=1,
                         reason="늦은 항목")


def test_the_figures_changed_since_proposed_are_refused_at_confirmation(accepted, ministry2, year_done):
    CarryOver.objects.filter(agreement=year_done).update(amount_won=2 * EOK)  # changed behind the settlement's back
    with pytest.raises(ValidationError, match="propose it again"):
        service.settlement_confirm(actor=ministry2, settlement=accepted)


def test_repayments_partial_then_full_close_it_and_an_overpayment_is_refused(confirmed, ministry):
    today = seoul_today()
    with pytest.raises(ValidationError) as refused:
        service.recovery_record(actor=ministry, settlement=confirmed, source="national", paid_on=today,
                                amount_won=35_000 * MAN + 1, reference="국고 2024-1")
    assert list(refused.value.message_dict) == ["amount_won"] and "overpayment" in refused.value.messages[0]
    service.recovery_record(actor=ministry, settlement=confirmed, source="national", paid_on=today,
                            amount_won=20_000 * MAN, reference="국고 2024-1")
    service.recovery_record(actor=ministry, settlement=confirmed, source="national", paid_on=today,
                            amount_won=15_000 * MAN, reference="국고 2024-2")
    assert Settlement.objects.get(pk=confirmed.pk).state == SettlementState.CONFIRMED  # Jeonnam's part still due
    with pytest.raises(ValidationError, match="overpayment"):
        service.recovery_record(actor=ministry, settlement=confirmed, source="national", paid_on=today,
                                amount_won=1, reference="국고 2024-3")
    service.recovery_record(actor=ministry, settlement=confirmed, source="local", paid_on=today,
                            amount_won=3_000 * MAN, reference="전남 2024-1")
    settlement = Settlement.objects.get(pk=confirmed.pk)
    assert settlement.state == SettlementState.CLOSED and settlement.closed_at is not None
    assert SettlementRepayment.objects.count() == 3
    with pytest.raises(ValidationError, match="once it is confirmed"):
        service.recovery_record(actor=ministry, settlement=settlement, source="local", paid_on=today,
                                amount_won=1, reference="x")


def test_a_settlement_with_nothing_due_closes_when_confirmed(opened, ministry, ministry2, official, year_done):
    CarryOver.objects.filter(agreement=year_done).update(amount_won=4 * EOK)
    settlement = service.settlement_propose(actor=ministry, settlement=opened)
    assert settlement.amount_due_won == 0
    service.settlement_answer(actor=official, settlement=settlement, accept=True)
    settlement = service.settlement_confirm(actor=ministry2, settlement=settlement)
    assert settlement.state == SettlementState.CLOSED and settlement.due_on is None
    assert list(settlement.documents.values_list("kind", flat=True)) == ["statement"]


def test_a_sanction_reduces_next_years_national_funds_within_them(confirmed, ministry, official):
    with pytest.raises(PermissionDenied):
        service.sanction_record(actor=official, settlement=confirmed, amount_won=EOK, reasons="반복 위반")
    with pytest.raises(ValidationError) as refused:
        service.sanction_record(actor=ministry, settlement=confirmed, amount_won=EOK, reasons="")
    assert list(refused.value.message_dict) == ["reasons"]
    with pytest.raises(ValidationError) as refused:
        service.sanction_record(actor=ministry, settlement=confirmed, amount_won=10**15, reasons="과다")
    assert list(refused.value.message_dict) == ["amount_won"]
    sanction = service.sanction_record(actor=ministry, settlement=confirmed, amount_won=5_000 * MAN,
                                       reasons="부적정 집행 반복: 차년도 국비 감액")
    assert (sanction.year, sanction.amount_won) == (YEAR + 1, 5_000 * MAN)


def test_the_pdfs_read_back(confirmed, django_capture_on_commit_callbacks):
    built = {}
    for document in SettlementDocument.objects.filter(settlement=confirmed):
        with django_capture_on_commit_callbacks(execute=True):
            built[document.kind] = documents.settlement_document_build(document_id=document.pk)
    statement = compact(pdf_text(built["statement"].file.path))
    assert "정산결과서" in statement and confirmed.reference in statement
    assert "350,000,000" in statement and "30,000,000" in statement and "380,000,000" in statement
    assert "증빙없는재료비" in statement
    assert built["statement"].verification_code in statement
    notice = compact(pdf_text(built["notice"].file.path))
    assert "반환통지서" in notice and "380,000,000" in notice
    assert confirmed.due_on.isoformat() in notice
    assert compact(service.repayment_account())[:10] in notice


def test_who_sees_the_settlement(proposed, opened, client, official, partner_official, outsider_official, expert,
                                 ministry):
    url = reverse("agreements:settlement", args=[proposed.agreement_id, YEAR])
    for person, status in ((official, 200), (partner_official, 200), (outsider_official, 404), (expert, 404),
                           (ministry, 200)):
        client.logout()
        log_in(client, person)
        assert client.get(url).status_code == status, person
    log_in(client, ministry)
    response = client.get(url)
    assert "350,000,000" in response.content.decode()


def test_a_draft_is_staff_only(opened, client, official, ministry):
    url = reverse("agreements:settlement", args=[opened.agreement_id, YEAR])
    log_in(client, official)
    assert client.get(url).status_code == 404
    money = client.get(reverse("agreements:project_money", args=[opened.agreement.project_id])).content.decode()
    assert url not in money
    client.logout()
    log_in(client, ministry)
    assert client.get(url).status_code == 200
    money = client.get(reverse("agreements:project_money", args=[opened.agreement.project_id])).content.decode()
    assert url in money


def test_the_item_form_keeps_what_was_typed_on_error(opened, client, ministry):
    log_in(client, ministry)
    response = client.post(reverse("agreements:settlement_item_add", args=[opened.pk]), {
        "item-source": "national", "item-category": "materials", "item-amount_won": "9억",
        "item-reason": "증빙 누락 재료비", "item-region": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "증빙 누락 재료비" in page and "9억" in page
    assert not SettlementItem.objects.exists()


def test_staff_open_propose_and_the_list_filters_by_state(year_done, client, ministry, project):
    log_in(client, ministry)
    url = reverse("agreements:settlement", args=[year_done.pk, YEAR])
    assert "settlement-open" in client.get(url).content.decode()
    assert client.post(reverse("agreements:settlement_open", args=[year_done.pk, YEAR])).status_code == 302
    settlement = Settlement.objects.get()
    response = client.post(reverse("agreements:settlement_move", args=[settlement.pk]), {"move-action": "propose"})
    assert response.status_code == 400 and Settlement.objects.get().state == SettlementState.DRAFT  # not ticked
    response = client.post(reverse("agreements:settlement_move", args=[settlement.pk]),
                           {"move-action": "propose", "move-confirm": "on"})
    assert response.status_code == 302 and Settlement.objects.get().state == SettlementState.PROPOSED
    listing = reverse("agreements:settlements")
    page = client.get(listing, {"call": project.proposal.call_id, "state": "proposed"}).content.decode()
    assert url in page
    page = client.get(listing, {"call": project.proposal.call_id, "state": "closed"}).content.decode()
    assert url not in page
    assert FundSource.NATIONAL == "national"
