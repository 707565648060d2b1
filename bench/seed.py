"""Bulk data for the page benchmark (issue 8), on top of the demo data.

    python bench/seed.py --proposals 10000 [--projects 2000]

At 10,000 proposals (everything scales with --proposals): the demo's two calls
(2023 announced, 2027 open) get 5,000 proposals each, every one with its
regions, a three-stage roadmap over ten years, a budget line per year × region,
KPIs, organisations, a linked project and two events; 500 experts
(``bench-expert-NNN``); 2,000 evaluated 2023 proposals with a panel of five
(10,000 submitted scoresheets, 50,000 scores) and a frozen submission version;
2,000 funding decisions over 1,000 funded proposals (600 with a withdrawn v1
and an approved v2, 400 with an approved v1 and a revised v2 awaiting the
second pair of eyes). No bulk proposal is eligible or selected on the 2023
call: the demo seed (run again by bench/letters.py) acts on those.

Funded projects (issue 18), at --projects (default: a fifth of --proposals, 2,000 at 10,000): a
project with its running pilot stage and six outcome records (a paper, a patent, a technology
transfer, a start-up, jobs, a follow-on investment; five confirmed, one awaiting review) for each
of that many 2023 bulk proposals: the funded ones first, then the other evaluated ones (a bench
project needs its proposal, not a decision: the outcomes dashboard and the project page read the
projects). Added on their own when the proposals are there without them (no reseeding).

Idempotent: skips when the bulk data is already there with the same counts;
refuses (exit 3) when it is there with other counts (drop the database).
Written with bulk_create in one transaction: about a minute on two cores.
"""

import argparse
import datetime
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "megaproject.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Sum  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from evaluations.models import (  # noqa: E402
    Assignment,
    AssignmentKind,
    ExpertProfile,
    PanelResult,
    Score,
    Scoresheet,
    ScoresheetState,
)
from funding.models import DecisionState, FundingDecision, FundingYear, LocalObligation, SelectionNote  # noqa: E402
from programmes.models import Call, CooperationType, Region, StrategicIndustry  # noqa: E402
from projects.models import Project  # noqa: E402
from proposals.models import (  # noqa: E402
    KPI,
    BudgetLine,
    LinkedProject,
    Organisation,
    OrganisationKind,
    Participation,
    Proposal,
    ProposalEvent,
    ProposalState,
    ProposalVersion,
    Stage,
    StageKind,
    VersionKind,
)

MARK = "[bulk]"  # title_en prefix of every bulk proposal
EOK = 100_000_000
BATCH = 2000
STAGES = [(1, StageKind.BASIC, 3), (2, StageKind.DEMONSTRATION, 3), (3, StageKind.APPLICATION, 4)]
THEMES = ["차세대 이차전지 소재", "수소 모빌리티 부품", "지능형 반도체", "해양바이오 소재", "스마트 농생명",
          "디지털 헬스케어", "우주항공 부품", "탄소중립 에너지", "로봇 자동화", "첨단 세라믹"]
COMMENT = "평가 기준에 따라 계획의 타당성과 실현 가능성을 검토하였으며 근거를 보완할 필요가 있습니다."


def expected(n: int) -> dict:
    evaluated = n // 5
    return {"proposals": n, "experts": max(10, n // 20), "evaluated": evaluated, "sheets": evaluated * 5,
            "decisions": (evaluated // 2) * 2}


def counts() -> dict:
    bulk = Proposal.objects.filter(title_en__startswith=MARK)
    sheets = Scoresheet.objects.filter(assignment__proposal__in=bulk)
    return {
        "proposals": bulk.count(),
        "experts": User.objects.filter(username__startswith="bench-expert-").count(),
        "evaluated": bulk.filter(assignments__kind=AssignmentKind.EVALUATION).distinct().count(),
        "sheets": sheets.count(),
        "decisions": FundingDecision.objects.filter(proposal__in=bulk).count(),
        "scores": Score.objects.filter(scoresheet__in=sheets).count(),
    }


def _bulk(model, objs: list) -> list:
    return model.objects.bulk_create(objs, batch_size=BATCH)


def seed(n: int) -> dict:
    rng = random.Random(8)  # the same data on every run
    now = timezone.now()
    regions = list(Region.objects.order_by("order"))
    industries = list(StrategicIndustry.objects.order_by("code"))
    call23 = Call.objects.get(programme__code="mega", year=2023)
    call27 = Call.objects.get(programme__code="mega", year=2027)
    criteria = list(call23.criteria.order_by("order", "id"))
    ministry = User.objects.get(username="ministry")
    ministry2 = User.objects.get(username="ministry2")
    unusable = make_password(None)

    # Officials: one bench official per region creates that region's proposals.
    officials = {}
    for r in regions:
        officials[r.pk], _ = User.objects.get_or_create(
            username=f"bench-official-{r.code}",
            defaults={"role": Role.OFFICIAL, "region": r, "display_name": f"{r.name_ko} 벤치 담당자",
                      "password": unusable})

    # Experts.
    ex = expected(n)
    experts = _bulk(User, [User(username=f"bench-expert-{i:03d}", role=Role.EXPERT, display_name=f"벤치 전문가 {i:03d}",
                                email=f"bench-expert-{i:03d}@megaproject.local", password=unusable)
                           for i in range(ex["experts"])])
    profiles = _bulk(ExpertProfile, [ExpertProfile(user=u, affiliation=f"벤치연구소 {i % 40:02d}",
                                                   home_region=regions[i % len(regions)], keywords="벤치마크",
                                                   contact_email=u.email)
                                     for i, u in enumerate(experts)])
    _bulk(ExpertProfile.industries.through, [
        ExpertProfile.industries.through(expertprofile_id=p.pk, strategicindustry_id=industries[(i + k) % len(industries)].pk)
        for i, p in enumerate(profiles) for k in range(2)])

    # Proposals: half on each call; the first `evaluated` of the 2023 call have a panel.
    evaluated = ex["evaluated"]
    funded, revised, reserve = evaluated // 2, evaluated // 5, evaluated // 10
    other23 = [ProposalState.SUBMITTED, ProposalState.INELIGIBLE, ProposalState.WITHDRAWN]
    other27 = [ProposalState.DRAFT, ProposalState.CONSULTING, ProposalState.REVISING, ProposalState.SUBMITTED]
    specs = []
    for i in range(n):
        on23 = i < n // 2
        if on23 and i < evaluated:
            state = (ProposalState.FUNDED if i < funded else ProposalState.RESERVE if i < funded + reserve
                     else ProposalState.NOT_SELECTED)
        else:
            state = rng.choice(other23 if on23 else other27)
        lead = regions[i % len(regions)]
        consortium = i % 2 == 0
        partners = []
        if consortium:
            others = [r for r in regions if r.pk != lead.pk]
            partners = rng.sample(others, 1 if i % 4 == 0 else 2)
        specs.append({"call": call23 if on23 else call27, "state": state, "lead": lead,
                      "regions": [lead, *partners], "theme": THEMES[i % len(THEMES)]})
    proposals = _bulk(Proposal, [Proposal(
        call=s["call"], state=s["state"], lead_region=s["lead"],
        cooperation_type=CooperationType.SUPER_REGIONAL if len(s["regions"]) > 1 else CooperationType.LEAP,
        title_ko=f"{s['theme']} 기술 개발 {i:05d}", title_en=f"{MARK} Technology {i:05d}",
        industry=industries[i % len(industries)],
        summary=f"{s['lead'].name_ko} 주도의 {s['theme']} 중장기 연구개발 계획입니다. " * 3,
        problem="지역 산업의 기술 병목과 인력 부족을 해결합니다.", vision="지역 주도 혁신 성장",
        goals="원천기술 확보 → 실증 → 사업화", created_by=officials[s["lead"].pk],
        submitted_at=None if s["state"] in ProposalState.editable() else now - datetime.timedelta(days=30 + i % 90),
    ) for i, s in enumerate(specs)])

    parts, stages, kpis, lines, links, orgs, events = [], [], [], [], [], [], []
    for p, s in zip(proposals, specs, strict=True):
        start = s["call"].year
        for j, r in enumerate(s["regions"]):
            signed = s["state"] not in ProposalState.editable()
            parts.append(Participation(proposal=p, region=r, is_lead=j == 0,
                                       signed_off_by=officials[r.pk] if signed else None,
                                       signed_off_at=now if signed else None, signed_revision=1 if signed else None))
            orgs.append(Organisation(proposal=p, region=r, name=f"{r.name_ko} 혁신대학교", kind=OrganisationKind.UNIVERSITY,
                                     role="원천기술 개발"))
            orgs.append(Organisation(proposal=p, region=r, name=f"{r.name_ko} 테크", kind=OrganisationKind.COMPANY,
                                     role="실증 및 사업화"))
            for y in range(start, start + 10):
                national = (18 * EOK if y < start + 3 else 30 * EOK) // len(s["regions"])
                lines.append(BudgetLine(proposal=p, region=r, year=y, national_won=national,
                                        local_won=national // 4, other_won=national // 10))
        for order, kind, years in STAGES:
            stages.append(Stage(proposal=p, order=order, kind=kind, years=years, goals=f"{order}단계 목표: {kind}",
                                deliverables="시제품, 특허, 기술이전"))
        kpis.append(KPI(proposal=p, order=0, name="특허 출원", unit="건", baseline=Decimal(3), targets=[10, 25, 40]))
        kpis.append(KPI(proposal=p, order=1, name="기술이전", unit="건", baseline=Decimal(0), targets=[2, 6, 12]))
        links.append(LinkedProject(proposal=p, name="지역혁신 선도연구센터", ministry="과학기술정보통신부",
                                   connection="원천기술 성과를 실증 단계로 연계합니다."))
        events.append(ProposalEvent(proposal=p, actor=p.created_by, action="created", to_state=ProposalState.DRAFT))
        if p.submitted_at:
            events.append(ProposalEvent(proposal=p, actor=p.created_by, action="submit",
                                        from_state=ProposalState.REVISING, to_state=ProposalState.SUBMITTED))
    for model, objs in ((Participation, parts), (Stage, stages), (KPI, kpis), (BudgetLine, lines),
                        (LinkedProject, links), (Organisation, orgs), (ProposalEvent, events)):
        _bulk(model, objs)

    # Panels of five on the evaluated proposals, never an expert of a taking-part region.
    home = {p.user_id: p.home_region_id for p in profiles}
    versions, assignments = [], []
    cursor = 0
    for p, s in zip(proposals[:evaluated], specs[:evaluated], strict=True):
        region_ids = {r.pk for r in s["regions"]}
        versions.append(ProposalVersion(proposal=p, number=1, kind=VersionKind.SUBMISSION, revision=1,
                                        created_by=p.created_by, snapshot=_snapshot(p, s)))
        chosen = []
        while len(chosen) < 5:
            e = experts[cursor % len(experts)]
            cursor += 1
            if home[e.pk] not in region_ids and e not in chosen:
                chosen.append(e)
        assignments += [Assignment(kind=AssignmentKind.EVALUATION, expert=e, proposal=p, assigned_by=ministry,
                                   declared_at=now) for e in chosen]
    _bulk(ProposalVersion, versions)
    assignments = _bulk(Assignment, assignments)
    sheets = _bulk(Scoresheet, [Scoresheet(assignment=a, state=ScoresheetState.SUBMITTED, submitted_at=now,
                                           overall_comment="전반적으로 타당한 계획입니다.") for a in assignments])
    strength = {p.pk: 8.5 - 3.0 * i / max(1, evaluated) for i, p in enumerate(proposals[:evaluated])}
    scores = []
    for sheet, a in zip(sheets, assignments, strict=True):
        for c in criteria:
            value = max(0.0, min(c.max_score, strength[a.proposal_id] + rng.uniform(-1.5, 1.5)))
            scores.append(Score(scoresheet=sheet, criterion=c, value=Decimal(f"{value:.1f}"), comment=COMMENT))
    _bulk(Score, scores)
    _bulk(PanelResult, [PanelResult(proposal=p, consensus_comment="패널 합의: 계획의 실현 가능성이 높습니다.",
                                    decision_reason="종합 점수 상위", updated_by=ministry)
                        for p in proposals[:funded]])
    _bulk(SelectionNote, [SelectionNote(proposal=p, reason="종합 점수와 예산 적정성을 고려함", decided_by=ministry)
                          for p in proposals[:evaluated]])

    # Funding decisions: withdrawn v1 + approved v2, or approved v1 + prepared (revised) v2.
    decisions = []
    for p in proposals[:funded - revised]:
        decisions.append(FundingDecision(proposal=p, version=1, state=DecisionState.WITHDRAWN,
                                         national_total_won=54 * EOK, prepared_by=ministry))
        decisions.append(FundingDecision(proposal=p, version=2, state=DecisionState.APPROVED,
                                         national_total_won=54 * EOK, prepared_by=ministry, approved_by=ministry2,
                                         approved_at=now, conditions="연차 점검 결과에 따라 조정"))
    for p in proposals[funded - revised:funded]:
        decisions.append(FundingDecision(proposal=p, version=1, state=DecisionState.APPROVED,
                                         national_total_won=54 * EOK, prepared_by=ministry, approved_by=ministry2,
                                         approved_at=now))
        decisions.append(FundingDecision(proposal=p, version=2, state=DecisionState.PREPARED,
                                         national_total_won=54 * EOK, prepared_by=ministry))
    decisions = _bulk(FundingDecision, decisions)
    regions_of = {p.pk: s["regions"] for p, s in zip(proposals, specs, strict=True)}
    years, obligations = [], []
    for d in decisions:
        for y in range(call23.year, call23.year + call23.pilot_years):
            years.append(FundingYear(decision=d, year=y, national_won=18 * EOK))
            for r in regions_of[d.proposal_id]:
                obligations.append(LocalObligation(decision=d, region=r, year=y,
                                                   local_won=18 * EOK // 4 // len(regions_of[d.proposal_id])))
    _bulk(FundingYear, years)
    _bulk(LocalObligation, obligations)
    fit_envelope()
    return counts()


OUTCOMES_PER_PROJECT = 6


def project_count() -> int:
    return Project.objects.filter(proposal__title_en__startswith=MARK).count()


def seed_projects(n_projects: int) -> int:
    """`n_projects` funded projects of bulk 2023 proposals, each with its pilot stage and outcomes."""
    from projects.models import OutcomeKind, OutcomeRecord, OutcomeState, PatentStatus, ProjectStage, StageState

    call23 = Call.objects.get(programme__code="mega", year=2023)
    evaluated = (Proposal.objects.filter(call=call23, title_en__startswith=MARK,
                                         assignments__kind=AssignmentKind.EVALUATION).distinct()
                 .select_related("lead_region"))
    # Funded first, then by id (the page the bench measures is the first bulk proposal's: funded).
    chosen = sorted(evaluated, key=lambda p: (p.state != ProposalState.FUNDED, p.pk))[:n_projects]
    if len(chosen) < n_projects:
        raise SystemExit(f"--projects {n_projects}: only {len(chosen)} evaluated bulk proposals (raise --proposals)")
    officials = {u.region_id: u for u in User.objects.filter(username__startswith="bench-official-")}
    projects = _bulk(Project, [Project(proposal=p, start_year=call23.year) for p in chosen])
    _bulk(ProjectStage, [ProjectStage(project=pr, number=1, start_year=call23.year, years=call23.pilot_years,
                                      goals="원천기술 확보", state=StageState.RUNNING) for pr in projects])
    now = timezone.now()
    ministry = User.objects.get(username="ministry")
    records = []
    for i, (pr, p) in enumerate(zip(projects, chosen, strict=True)):
        region, by = p.lead_region_id, officials[p.lead_region_id]
        year = call23.year + i % 3
        common = {"project": pr, "region_id": region, "year": year, "entered_by": by,
                  "state": OutcomeState.CONFIRMED, "reviewed_by": ministry, "reviewed_at": now}
        day = datetime.date(year, 1 + i % 12, 1 + i % 28)
        records += [
            OutcomeRecord(kind=OutcomeKind.PAPER, occurred_on=day, title=f"{THEMES[i % len(THEMES)]} 연구 {i:05d}",
                          journal="벤치 학회지", doi=f"10.9999/bench.{i:05d}", indexed=i % 2 == 0, **common),
            OutcomeRecord(kind=OutcomeKind.PATENT, occurred_on=day, title=f"벤치 특허 {i:05d}", country="KR",
                          application_number=f"10-{year}-{i:07d}", applicants="벤치 혁신대학교", inventors="홍길동",
                          patent_status=PatentStatus.APPLIED, **common),
            OutcomeRecord(kind=OutcomeKind.TRANSFER, occurred_on=day, partner="(주)벤치테크",
                          amount_won=(1 + i % 5) * 10_000_000, **common),
            OutcomeRecord(kind=OutcomeKind.STARTUP, occurred_on=day, title=f"(주)벤치 {i:05d}", count=1, **common),
            OutcomeRecord(kind=OutcomeKind.JOBS, occurred_on=day, count=3 + i % 7, **common),
            OutcomeRecord(kind=OutcomeKind.INVESTMENT, occurred_on=day, partner="벤치 벤처캐피탈",
                          amount_won=(1 + i % 4) * EOK,
                          **{**common, "state": OutcomeState.REPORTED, "reviewed_by": None, "reviewed_at": None}),
        ]
    _bulk(OutcomeRecord, records)
    return len(projects)


def sign_pledges() -> None:
    """Every bench expert has signed the confidentiality pledge of both calls (evaluations asks it
    before any proposal content): the scoresheet page is measured, not the pledge's redirect."""
    from evaluations.models import ConfidentialityPledge

    calls = list(Call.objects.filter(programme__code="mega", year__in=(2023, 2027)))
    signed = set(ConfidentialityPledge.objects.filter(call__in=calls).values_list("expert_id", "call_id"))
    experts = User.objects.filter(username__startswith="bench-expert-").only("pk", "display_name")
    _bulk(ConfidentialityPledge, [ConfidentialityPledge(expert=e, call=c, signed_name=e.display_name)
                                  for e in experts for c in calls if (e.pk, c.pk) not in signed])


def fit_envelope() -> None:
    """The 2023 call's envelope holds every decision (the demo seed sets it back to the demo's value)."""
    call = Call.objects.get(programme__code="mega", year=2023)
    total = FundingDecision.objects.filter(proposal__call=call).exclude(state=DecisionState.WITHDRAWN).aggregate(
        total=Sum("national_total_won"))["total"] or 0
    if total > call.envelope_won:
        Call.objects.filter(pk=call.pk).update(envelope_won=total + 100 * EOK)


def _snapshot(p: Proposal, s: dict) -> dict:
    start = s["call"].year
    return {
        "revision": 1, "cooperation_type": p.cooperation_type, "industry": "",
        "title_ko": p.title_ko, "title_en": p.title_en, "summary": p.summary, "problem": p.problem,
        "vision": p.vision, "goals": p.goals,
        "regions": [{"code": r.code, "name": r.name_ko, "lead": j == 0} for j, r in enumerate(s["regions"])],
        "kpis": [{"name": "특허 출원", "unit": "건", "baseline": "3.00", "targets": [10, 25, 40]}],
        "stages": [{"order": o, "kind": k, "years": y, "goals": f"{o}단계 목표", "deliverables": ""} for o, k, y in STAGES],
        "budget": [{"region": r.code, "region_name": r.name_ko, "year": y, "national": 6 * EOK, "local": 15 * EOK // 10,
                    "other": 0} for r in s["regions"] for y in range(start, start + 10)],
        "links": [{"name": "지역혁신 선도연구센터", "ministry": "과학기술정보통신부", "connection": "성과 연계"}],
        "organisations": [{"region": r.code, "region_name": r.name_ko, "name": f"{r.name_ko} 혁신대학교",
                           "kind": "university", "role": "원천기술 개발"} for r in s["regions"]],
        "attachments": [],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=10_000)
    parser.add_argument("--projects", type=int, default=None,
                        help="funded projects with outcomes (default: a fifth of --proposals)")
    args = parser.parse_args()
    n = args.proposals
    n_projects = n // 5 if args.projects is None else args.projects
    if not settings.IS_POSTGRES:
        raise SystemExit("bench/seed.py needs DATABASE_URL pointing at PostgreSQL")
    settings.ALLOW_DEMO_DATA = True  # a bench database, never a production one
    started = time.perf_counter()
    want = expected(n)
    have = counts()
    if all(have[k] == v for k, v in want.items()):
        fit_envelope()
        sign_pledges()
        if project_count() == 0 and n_projects:
            with transaction.atomic():
                made = seed_projects(n_projects)
            analyse()
            print(f"bench data already there: {have}; added {made} projects with outcomes")
        elif project_count() not in (0, n_projects):
            print(f"bench data has {project_count()} projects, wanted {n_projects}: run with BENCH_RESET=1",
                  file=sys.stderr)
            raise SystemExit(3)
        else:
            print(f"bench data already there: {have}, {project_count()} projects")
        return
    if have["proposals"]:
        print(f"bench data has other counts ({have}, wanted {want}): run with BENCH_RESET=1", file=sys.stderr)
        raise SystemExit(3)
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    with transaction.atomic():
        got = seed(n)
        sign_pledges()
        got["projects"] = seed_projects(n_projects) if n_projects else 0
    analyse()
    print(f"seeded in {time.perf_counter() - started:.0f} s: {got}")


def analyse() -> None:
    """Fresh statistics, or the planner guesses a handful of rows where there are thousands."""
    from projects.models import OutcomeRecord, ProjectStage

    with connection.cursor() as cursor:
        for model in (Proposal, Participation, Stage, KPI, BudgetLine, LinkedProject, Organisation, ProposalEvent,
                      ProposalVersion, User, ExpertProfile, Assignment, Scoresheet, Score, PanelResult, SelectionNote,
                      FundingDecision, FundingYear, LocalObligation, Project, ProjectStage, OutcomeRecord):
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')


if __name__ == "__main__":
    main()
