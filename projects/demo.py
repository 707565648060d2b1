"""Demo: the five 2023 projects after their award — annual reports for 2023 and
2024 (accepted) and 2025 (submitted; one still a draft, overdue), and the
pilot-end stage evaluation of 2025 under way: Chungnam's project decided
"continue with conditions" with its report generated and its stage 2 plan in
drafting, Gwangju–Jeonnam's panel still scoring. Through the same services the
users call. Idempotent."""

from django.core.exceptions import ValidationError

from accounts.models import User
from evaluations.models import ScoresheetState
from evaluations.services import assignment_declare, scoresheet_save
from funding.models import DecisionState, FundingDecision
from programmes.categories import SpendingCategory
from programmes.models import Call

from .models import Outcome, Project, ReportState, RoundState, SpendingSource, StageRound
from .services import documents, lifecycle, reports, stages

ROUND_TITLE = "2023년 선정과제 1단계(시범사업) 종료 단계평가"
NARRATIVE = {
    2023: "1차년도 원천기술 확보를 위한 연구진을 구성하고 핵심 소재·부품의 기초 설계를 완료하였다.",
    2024: "2차년도 시제품을 제작하여 성능 검증을 수행하였으며, 지역 기업과 공동연구 협약을 체결하였다.",
    2025: "3차년도 실증 준비를 마치고 특허 출원과 기술이전 성과를 확대하였다. 2단계 실증 계획을 수립하였다.",
}


def _official(region):
    return User.objects.get(username=f"official-{region.code}")


# Realistic shares of a year's spending: personnel about 40 %, indirect costs 10 % of the whole (about
# 11 % of the other costs, within every demo institution's approved rate and the call's 20 % cap);
# equipment kept at the call's threshold (the demo agreements approve no equipment).
SHARES = ((SpendingCategory.PERSONNEL, 40), (SpendingCategory.EQUIPMENT, 8), (SpendingCategory.ACTIVITIES, 12),
          (SpendingCategory.COMMISSIONED, 15), (SpendingCategory.INDIRECT, 10))
EQUIPMENT_AT_MOST = 30_000_000


def by_category(source: str, total: int) -> dict:
    """`total` won split over the categories by SHARES, the rest (about 15 %) to materials; exact."""
    amounts = {}
    for category, pct in SHARES:
        amount = total * pct // 100
        amounts[(source, category)] = min(amount, EQUIPMENT_AT_MOST) if category == SpendingCategory.EQUIPMENT else amount
    amounts[(source, SpendingCategory.MATERIALS)] = total - sum(amounts.values())
    return amounts


def _fill_and_submit(report, project, *, submit=True):
    proposal = project.proposal
    budget = {(b.region_id, b.year): b for b in proposal.budget_lines.filter(year=report.year)}
    for part in report.parts.select_related("region"):
        line = budget.get((part.region_id, report.year))
        reports.report_part_save(
            actor=_official(part.region), part=part,
            spending={**by_category(SpendingSource.NATIONAL, int(line.national_won * 0.93) if line else 0),
                      **by_category(SpendingSource.LOCAL, int(line.local_won * 0.96) if line else 0)},
            narrative=f"{part.region.name}: {NARRATIVE[report.year]}")
    lead = _official(proposal.lead_region)
    step = report.year - project.start_year + 1  # 1, 2, 3 within the pilot
    values = {}
    for result in report.kpi_results.select_related("kpi"):
        targets = result.kpi.targets or [0]
        values[result.pk] = (str(round(float(targets[0]) * step / 3 * (1.1 if step == 3 else 1))), "")
    report.refresh_from_db()
    reports.report_save(actor=lead, report=report, narrative=NARRATIVE[report.year], kpi_values=values)
    if submit:
        reports.report_submit(actor=lead, report=report)


def seed() -> int:
    call = Call.objects.filter(programme__code="mega", year=2023).first()
    if call is None:
        return 0
    ministry = User.objects.get(username="ministry")
    ministry2 = User.objects.get(username="ministry2")
    for decision in FundingDecision.objects.filter(proposal__call=call, state=DecisionState.APPROVED):
        lifecycle.project_open(decision=decision)
    projects = list(Project.objects.filter(proposal__call=call).select_related("proposal__lead_region")
                    .order_by("proposal_id"))
    if not projects:
        return 0
    seed_outcomes(projects, ministry=ministry)
    late = projects[-1]  # its 2025 report is still a draft: overdue since 2026-02-28
    for project in projects:
        lead = _official(project.proposal.lead_region)
        for year in (2023, 2024, 2025):
            report = reports.report_open(actor=lead, project=project, year=year)
            if report.state == ReportState.DRAFT:
                _fill_and_submit(report, project, submit=not (year == 2025 and project == late))
                report.refresh_from_db()
            if report.state == ReportState.SUBMITTED and year < 2025:
                reports.report_review(actor=ministry, report=report, accept=True,
                                      comment="계획 대비 성과와 집행 실적을 확인하였습니다.")

    rnd = StageRound.objects.filter(call=call, stage_number=1).first()
    if rnd is None:
        rnd = stages.round_open(actor=ministry, call=call, stage_number=1, title=ROUND_TITLE, year=2025,
                                envelope_won=30_000_000_000, next_stage_years=3, panel_size=3)
    experts = list(User.objects.filter(expert_profile__isnull=False).order_by("username"))
    evaluations = {e.project.proposal.lead_region.code: e
                   for e in rnd.evaluations.select_related("round", "project__proposal__lead_region")}
    for evaluation in evaluations.values():
        have = evaluation.assignments.count()
        for expert in experts:
            if have >= rnd.panel_size:
                break
            if evaluation.assignments.filter(expert=expert).exists():
                continue
            try:
                stages.stage_assign(actor=ministry, evaluation=evaluation, expert=expert)
                have += 1
            except ValidationError:
                continue  # conflicted (home region or affiliation): the next expert
    if rnd.state == RoundState.PREPARING:
        rnd = stages.round_start_scoring(actor=ministry, rnd=rnd)
    # Chungnam: every evaluator scored, decided, report built. Gwangju–Jeonnam: two of three so far.
    plan = {"chungnam": 3, "gwangju": 2, "gyeongbuk": 1}
    criteria = list(rnd.criteria.all())
    for code, count in plan.items():
        evaluation = evaluations.get(code)
        if evaluation is None:
            continue
        for index, a in enumerate(evaluation.assignments.order_by("pk")[:count]):
            if a.declared_at is None:
                assignment_declare(actor=a.expert, assignment=a, conflict=False)
                a.refresh_from_db()
            sheet = getattr(a, "scoresheet", None)
            if sheet is not None and sheet.state == ScoresheetState.SUBMITTED:
                continue
            if evaluation.is_decided:
                continue
            values = {c.pk: (f"{min(10.0, 8.2 + ((index * 5 + ci * 3) % 7 - 3) / 10):.1f}",
                             f"{c.name_ko} 측면에서 시범사업 성과와 다음 단계 계획을 검토하였으며 전반적으로 우수합니다.")
                      for ci, c in enumerate(criteria)}
            scoresheet_save(actor=a.expert, assignment=a, values=values, submit=True, confidence=3,
                            overall_comment="1단계 목표를 대체로 달성하였고 2단계 실증 계획이 구체적임.")
    chungnam = evaluations.get("chungnam")
    if chungnam is not None and not chungnam.is_decided:
        stages.stage_decide(
            actor=ministry, evaluation=chungnam, outcome=Outcome.CONDITIONS,
            panel_comment="원천기술 확보 성과가 뚜렷하고 지역 기업 참여가 확대되었음. 실증 단계의 사업화 전략 보완이 필요함.",
            reason="1단계 목표 달성도와 예산 집행이 양호하여 2단계로 계속 지원하되, 사업화 전략 보완을 조건으로 함.",
            conditions=[{"text": "2단계 착수 전 사업화 전략(수요기업 확보 계획 포함)을 보완하여 제출", "due_on": "2026-03-31"},
                        {"text": "지방비 집행률 95% 이상 유지", "due_on": "2026-12-31"}])
        chungnam.refresh_from_db()
    if chungnam is not None and not hasattr(chungnam, "report"):
        documents.stage_report_request(actor=ministry2, evaluation=chungnam)
    seed_good_faith(rnd, [e for code, e in evaluations.items() if code not in plan], ministry=ministry)
    return len(projects)


GOOD_FAITH_EVIDENCE = ("연차 보고서는 기한 내 제출되었고 사업비 집행률은 91%임. 핵심 실증 장비 도입이 공급사 사정으로 "
                       "8개월 지연되어 1단계 목표 중 실증 지표가 미달함. 공급 계약서와 지연 통보 공문을 첨부함.")


def seed_good_faith(rnd, candidates, *, ministry) -> None:
    """One more project of the round, scored low by its whole panel and graded insufficient: its
    good-faith review is open with the evidence recorded, awaiting a second staff member."""
    from .services import goodfaith

    evaluation = next((e for e in candidates if not e.is_decided), None)
    if evaluation is None or evaluation.grade:
        return
    criteria = list(rnd.criteria.all())
    for index, a in enumerate(evaluation.assignments.order_by("pk")):
        if a.declared_at is None:
            assignment_declare(actor=a.expert, assignment=a, conflict=False)
            a.refresh_from_db()
        sheet = getattr(a, "scoresheet", None)
        if sheet is not None and sheet.state == ScoresheetState.SUBMITTED:
            continue
        values = {c.pk: (f"{4.6 + ((index * 5 + ci * 3) % 7 - 3) / 10:.1f}",
                         f"{c.name_ko} 측면에서 1단계 목표 대비 실적이 부족하며 실증 일정이 크게 지연되었습니다.")
                  for ci, c in enumerate(criteria)}
        scoresheet_save(actor=a.expert, assignment=a, values=values, submit=True, confidence=2,
                        overall_comment="1단계 핵심 목표 미달. 지연 사유의 타당성 확인이 필요함.")
    evaluation = goodfaith.stage_grade(actor=ministry, evaluation=evaluation)
    review = getattr(evaluation, "good_faith_review", None)
    if review is not None:
        goodfaith.good_faith_evidence_save(actor=ministry, review=review, evidence=GOOD_FAITH_EVIDENCE)


# --- outcomes ---

# Per year of the pilot: papers (the first indexed), patent applications, technology transfers.
OUTCOME_PLAN = {2023: (1, 4, 0), 2024: (2, 6, 1), 2025: (2, 8, 1)}
TRANSFER_PARTNERS = ["(주)한빛소재", "(주)해오름바이오", "(주)미래모빌리티"]


def seed_outcomes(projects, *, ministry) -> None:
    """The five 2023 projects' outcomes of 2023–2025 (papers, patents, technology transfers; a start-up
    and jobs in 2025), reported by their regions and confirmed by staff; the KPIs "특허 출원" and
    "기술이전" count them. Idempotent: a project with outcomes is left as it is."""
    import datetime

    from .models import OutcomeKind
    from .services import outcomes

    for project in projects:
        if project.outcomes.exists():
            continue
        proposal = project.proposal
        officials = [_official(p.region) for p in proposal.participations.select_related("region").order_by("pk")]
        pid = proposal.pk
        added = []
        for year, (papers, patents, transfers) in OUTCOME_PLAN.items():
            for n in range(papers):
                added.append(outcomes.outcome_add(actor=officials[n % len(officials)], project=project,
                                                  kind=OutcomeKind.PAPER, data={
                    "title": f"{proposal.title_ko} 핵심 기술 연구 {year}-{n + 1}", "journal": "Scientific Reports",
                    "issn": "2045-2322", "doi": f"10.5555/mega.{pid}.{year}.{n + 1}", "indexed": n == 0,
                    "occurred_on": datetime.date(year, 3 + n * 4, 15)}))
            for n in range(patents):
                registered = year == 2023 and n == 0
                added.append(outcomes.outcome_add(actor=officials[n % len(officials)], project=project,
                                                  kind=OutcomeKind.PATENT, data={
                    "title": f"{proposal.title_ko} 관련 장치 및 방법 {n + 1}",
                    "application_number": f"10-{year}-{pid:03d}{n + 1:04d}", "country": "KR",
                    "occurred_on": datetime.date(year, 2 + n, 10), "applicants": "주관연구기관",
                    "inventors": "홍길동, 김연구", "patent_status": "registered" if registered else "applied",
                    "registration_number": f"10-{pid:03d}{n + 1:04d}" if registered else "",
                    "registered_on": datetime.date(2025, 1, 20) if registered else None}))
            for _n in range(transfers):
                added.append(outcomes.outcome_add(actor=officials[0], project=project, kind=OutcomeKind.TRANSFER,
                                                  data={"title": f"{proposal.title_ko} 공정 기술",
                                                        "partner": TRANSFER_PARTNERS[(pid + year) % 3],
                                                        "amount_won": 50_000_000 * (year - 2022),
                                                        "occurred_on": datetime.date(year, 9, 1)}))
        added.append(outcomes.outcome_add(actor=officials[0], project=project, kind=OutcomeKind.STARTUP, data={
            "title": f"(주){proposal.lead_region.name_ko}테크", "count": 1, "occurred_on": datetime.date(2025, 4, 1)}))
        added.append(outcomes.outcome_add(actor=officials[-1], project=project, kind=OutcomeKind.JOBS, data={
            "count": 5 + pid % 4, "occurred_on": datetime.date(2025, 7, 1)}))
        for record in added[:-3]:  # the latest ones wait for the ministry's review
            outcomes.outcome_transition(actor=ministry, record_=record, action="confirm")
