"""Demo: the five 2023 projects' agreements, back-filled — prepared from the approved funding decision by
`ministry`, issued (its PDF built by the worker) and accepted by every party (the ministry by
`ministry2`, each region by its official, the lead research institution by the lead region's official),
so each is in force. Then Gyeongnam–Ulsan's amendment: Gyeongnam's official moves 150,000,000 won of the
national funds of the project's second year into commissioned research (version 1's money came from the
funding decision unclassified, so it leaves "unclassified"), `ministry` endorses it, `ministry2` approves it
(a large change: four eyes), and every party accepts version 2. Through the same services the users call.

Payments: each project's schedule made by `ministry` from the agreement in force (the default), every instalment
of 2023–2025 paid on its due date (national funds by `ministry`, local funds by each region's official) except
one: Jeonbuk's second national instalment of 2025 stays unpaid, so it is overdue. One carry-over: Chungnam's lead
official carries unspent 2023 national funds into 2024 (within the call's limit and the reported unspent funds),
approved by `ministry2`.

Settlement (정산): every project's 2023 and 2024 (their reports accepted) are settled — `ministry` opens and
proposes each, the lead region's official accepts, `ministry2` confirms (four eyes; the statement, and the repayment
notice when money is due, built by the worker), and `ministry` records whatever is due as repaid in full by the end
of June of the next year (closed). Chungnam's 2023 (part of its national funds carried into 2024) carries one
disallowed item (national materials without a tax invoice).
Idempotent."""

from accounts.models import User
from projects.models import Project

from .models import (
    Agreement,
    AgreementState,
    AgreementVersion,
    AmendmentKind,
    CarryOver,
    FundSource,
    Instalment,
    PartyKind,
    Settlement,
    SettlementState,
)
from .services import amendments, lifecycle, payments
from .services import settlement as settlement_service


def seed() -> int:
    ministry = User.objects.get(username="ministry")
    ministry2 = User.objects.get(username="ministry2")
    done = 0
    for project in Project.objects.filter(proposal__call__programme__code="mega", proposal__call__year=2023
                                          ).select_related("proposal").order_by("pk"):
        agreement = Agreement.objects.filter(project=project).first()
        version = (lifecycle.agreement_prepare(actor=ministry, project=project) if agreement is None
                   else agreement.versions.order_by("number").first())
        if version.state == AgreementState.DRAFT:
            version = lifecycle.agreement_transition(actor=ministry, version=version, action="issue")
        _accept_all(version, ministry2)
        done += AgreementVersion.objects.filter(pk=version.pk, state=AgreementState.IN_FORCE).exists()
    _gyeongnam_amendment(ministry, ministry2)
    _payments(ministry, ministry2)
    _settlement(ministry, ministry2)
    return done


def _accept_all(version: AgreementVersion, ministry2) -> None:
    for party in version.parties.filter(accepted_at__isnull=True).select_related("region"):
        who = (ministry2 if party.kind == PartyKind.MINISTRY
               else User.objects.get(username=f"official-{party.region.code}"))
        lifecycle.agreement_accept(actor=who, party=party, version_number=version.number,
                                   institution_signed=party.kind == PartyKind.INSTITUTION)


def _gyeongnam_amendment(ministry, ministry2) -> None:
    agreement = Agreement.objects.filter(project__proposal__call__programme__code="mega",
                                         project__proposal__call__year=2023,
                                         project__proposal__lead_region__code="gyeongnam").first()
    if agreement is None or agreement.amendments.exists():
        return
    base = agreement.versions.get(state=AgreementState.IN_FORCE)
    year = base.years[1] if len(base.years) > 1 else base.years[0]
    amendment = amendments.amendment_request(
        actor=User.objects.get(username="official-gyeongnam"), agreement=agreement,
        kind=AmendmentKind.MONEY_CATEGORIES,
        reasons="장비 구입 대신 시험평가를 전문기관에 위탁하여 수행하기 위해 장비비 일부를 위탁연구비로 변경합니다.",
        money={"source": FundSource.NATIONAL, "region_id": None, "from_year": year, "from_category": "unclassified",
               "to_category": "commissioned", "amount_won": 150_000_000})
    amendments.amendment_transition(actor=ministry, amendment=amendment, action="endorse")
    amendment = amendments.amendment_transition(actor=ministry2, amendment=amendment, action="approve")
    _accept_all(amendment.new_version, ministry2)


def _payments(ministry, ministry2) -> None:
    agreements = (Agreement.objects.filter(project__proposal__call__programme__code="mega",
                                           project__proposal__call__year=2023)
                  .select_related("project__proposal__lead_region").order_by("pk"))
    for agreement in agreements:
        if not agreement.versions.filter(state=AgreementState.IN_FORCE).exists():
            continue
        if not agreement.instalments.exists():
            payments.schedule_generate(actor=ministry, agreement=agreement)
        lead = agreement.project.proposal.lead_region.code
        for inst in Instalment.objects.filter(agreement=agreement, year__lte=2025).select_related("region"):
            if inst.payments.exists() or not inst.amount_won:
                continue
            if lead == "jeonbuk" and inst.year == 2025 and inst.source == FundSource.NATIONAL and inst.number == 2:
                continue  # the demo's overdue instalment
            who = ministry if inst.source == FundSource.NATIONAL else User.objects.get(
                username=f"official-{inst.region.code}")
            payments.payment_record(actor=who, instalment=inst, paid_on=inst.due_date, amount_won=inst.amount_won,
                                    reference=f"{'MSIT' if who == ministry else inst.region.code.upper()}-"
                                              f"{inst.year}-{agreement.pk:03d}-{inst.number}")
        if lead == "chungnam" and not CarryOver.objects.filter(agreement=agreement).exists():
            limits = payments.carry_over_limits(agreement=agreement, year=2023)
            amount = min(limits["cap"], limits["unspent"], 100_000_000) // 1_000_000 * 1_000_000
            if amount:
                carry = payments.carry_over_request(
                    actor=User.objects.get(username="official-chungnam"), agreement=agreement, year=2023,
                    amount_won=amount, reasons="해양바이오 시험설비 납품이 2024년 2월로 늦어져 2023년 국비 일부를 이월합니다.")
                payments.carry_over_transition(actor=ministry2, carry_over=carry, action="approve")


DISALLOWED_REASON = ("재료비 중 시약 구입 1건(12,000,000원)은 세금계산서와 검수 기록이 없어 집행을 인정하지 않습니다. "
                     "「국가연구개발사업 연구개발비 사용 기준」에 따라 반환 대상입니다.")


def _settlement(ministry, ministry2) -> None:
    """Every 2023 project's 2023 and 2024 settled (their reports are accepted); Chungnam's 2023 carries the
    disallowed item. Whatever a settlement finds due is repaid in full by the end of June of the next year."""
    agreements = (Agreement.objects.filter(project__proposal__call__programme__code="mega",
                                           project__proposal__call__year=2023)
                  .select_related("project__proposal__lead_region").order_by("pk"))
    for agreement in agreements:
        lead = agreement.project.proposal.lead_region.code
        for year in (2023, 2024):
            _settle_year(agreement, year, ministry, ministry2, disallowed=lead == "chungnam" and year == 2023)


def _settle_year(agreement: Agreement, year: int, ministry, ministry2, *, disallowed: bool) -> None:
    import datetime

    from core.todos import seoul_today

    if not agreement.versions.filter(state=AgreementState.IN_FORCE).exists() or \
            not agreement.project.reports.filter(year=year, state="accepted").exists():
        return
    official = User.objects.get(username=f"official-{agreement.project.proposal.lead_region.code}")
    settlement = Settlement.objects.filter(agreement=agreement, year=year).first()
    if settlement is None:
        settlement = settlement_service.settlement_open(actor=ministry, agreement=agreement, year=year)
        if disallowed:
            settlement_service.item_add(actor=ministry, settlement=settlement, source=FundSource.NATIONAL,
                                        category="materials", amount_won=12_000_000, reason=DISALLOWED_REASON)
    if settlement.state == SettlementState.DRAFT:
        settlement = settlement_service.settlement_propose(actor=ministry, settlement=settlement)
    if settlement.state == SettlementState.PROPOSED:
        settlement = settlement_service.settlement_answer(
            actor=official, settlement=settlement, accept=True,
            reasons="불인정 사유를 확인하였으며 반환하겠습니다." if disallowed else "정산 결과를 확인하였습니다.")
    if settlement.state == SettlementState.ACCEPTED:
        settlement = settlement_service.settlement_confirm(actor=ministry2, settlement=settlement)
    if settlement.state == SettlementState.CONFIRMED:
        national, local = settlement_service.repaid_of(settlement)
        paid_on = min(datetime.date(year + 1, 6, 28), seoul_today())
        for source, due, repaid in ((FundSource.NATIONAL, settlement.national_due_won, national),
                                    (FundSource.LOCAL, settlement.local_due_won, local)):
            if due > repaid:
                settlement_service.recovery_record(actor=ministry, settlement=settlement, source=source,
                                                   paid_on=paid_on, amount_won=due - repaid,
                                                   reference=f"국고반환-{year}-{agreement.pk:03d}")
