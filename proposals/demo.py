"""Demo proposals: the five real 2023 projects (submitted, eligibility passed) and
a Busan draft in consulting on the open call. Built through the services, so
the demo obeys the same rules as users do. Idempotent: an existing proposal
(same call and Korean title) is left as it is."""

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from programmes.models import Call, CallStatus, CooperationType, Region, StrategicIndustry

from . import services
from .models import Proposal, StageKind

EOK = 100_000_000

PROJECTS_2023 = [
    {
        "regions": ["gyeongbuk", "daegu"], "industry": "secondary-batteries",
        "title_ko": "무전처리·초장수명 이차전지 원료소재 재사용 및 업사이클링 기술 개발",
        "title_en": "Repurposing and upcycling raw-material technology for unmodified / ultra-long-life secondary batteries",
        "links": [("배터리 규제자유특구", "중소벤처기업부"), ("이차전지 소재부품 R&D", "산업통상자원부")],
        "orgs": {"gyeongbuk": [("포항공과대학교", "university"), ("에코프로비엠", "company")],
                 "daegu": [("경북대학교", "university"), ("엘앤에프", "company")]},
    },
    {
        "regions": ["gyeongnam", "ulsan"], "industry": "advanced-mobility",
        "title_ko": "수소연료전지 하이브리드 분산전기추진 커뮤터 항공기 기술 개발",
        "title_en": "Commuter aircraft technology using hydrogen fuel-cell hybrid distributed electric propulsion",
        "links": [("UAM 실증사업", "국토교통부"), ("수소산업 생태계 구축", "산업통상자원부")],
        "orgs": {"gyeongnam": [("경상국립대학교", "university"), ("한국항공우주산업", "company")],
                 "ulsan": [("울산과학기술원", "university"), ("현대모비스", "company")]},
    },
    {
        "regions": ["gwangju", "jeonnam"], "industry": "artificial-intelligence",
        "title_ko": "겹눈 모사 뉴로모픽 반도체 기반 감시정찰 AI 기술 개발",
        "title_en": "Neuromorphic semiconductor mimicking compound eyes, for surveillance AI",
        "links": [("인공지능 중심 산업융합 집적단지", "과학기술정보통신부"), ("차세대 지능형 반도체", "산업통상자원부")],
        "orgs": {"gwangju": [("광주과학기술원", "university"), ("한국광기술원", "institute")],
                 "jeonnam": [("전남대학교", "university"), ("순천대학교", "university")]},
    },
    {
        "regions": ["chungnam"], "industry": "marine-bio",
        "title_ko": "해양바이오 전략소재 메타플랫폼 기반기술 개발",
        "title_en": "Meta-platform foundational technology for marine-bio strategic materials",
        "links": [("해양바이오 산업화 인큐베이터", "해양수산부")],
        "orgs": {"chungnam": [("충남대학교", "university"), ("해양바이오산업진흥원", "institute")]},
    },
    {
        "regions": ["jeonbuk"], "industry": "advanced-bio",
        "title_ko": "동물용 의약품 및 기능성 사료용 농생명 소재 개발",
        "title_en": "Agricultural life materials for veterinary pharmaceuticals and functional feed",
        "links": [("동물용 의약품 클러스터", "농림축산식품부")],
        "orgs": {"jeonbuk": [("전북대학교", "university"), ("안전성평가연구소", "institute")]},
    },
]

# The other 22 of the call's 27 proposals: evaluated, not selected. The programme's sources name
# only the five selected projects, so these are ILLUSTRATIVE, marked so in their titles. One compact
# row each, expanded by `_illustrative`: (lead and partner regions, strategic industry, the
# technology, what it is applied to (Korean), English title, national funding asked over the pilot
# in 억원, local funds as % of it).
ILLUSTRATIVE_MARK = ("(예시)", "(illustrative)")
ILLUSTRATIVE_2023 = [
    (["busan"], "marine-bio", "해양 미세조류", "고부가 바이오소재 생산", "High-value biomaterials from marine microalgae",
     48, 25),
    (["ulsan"], "hydrogen-energy", "부생수소", "수소 모빌리티 실증 플랫폼", "By-product hydrogen mobility demonstration "
     "platform", 52, 30),
    (["daegu", "gyeongnam"], "smart-manufacturing", "제조 AI", "초광역 스마트공장 고도화",
     "Manufacturing-AI smart factories across regions", 55, 20),
    (["seoul"], "digital-health", "의료 빅데이터", "만성질환 디지털 치료제", "Digital therapeutics for chronic disease "
     "from medical big data", 50, 22),
    (["seoul", "gyeonggi"], "artificial-intelligence", "초거대 언어모델", "공공 행정 지능형 서비스",
     "Large language models for public administration services", 55, 20),
    (["incheon"], "advanced-bio", "세포·유전자 치료제", "바이오의약품 연속 생산 공정", "Continuous manufacturing of "
     "cell and gene therapies", 54, 25),
    (["gyeonggi"], "semiconductors", "차세대 전력반도체", "전기차 인버터 모듈", "Next-generation power semiconductors "
     "for electric-vehicle inverters", 55, 21),
    (["daejeon"], "aerospace", "초소형 위성", "군집 위성 지구관측 서비스", "Earth observation by micro-satellite "
     "constellations", 46, 24),
    (["daejeon", "sejong"], "robotics", "협동로봇", "스마트 물류 자동화", "Collaborative robots for smart logistics", 44,
     20),
    (["sejong"], "advanced-mobility", "자율주행 셔틀", "행정도시 대중교통 실증", "Autonomous shuttles for public transport "
     "in the administrative city", 38, 30),
    (["chungbuk"], "secondary-batteries", "전고체 전지", "차세대 배터리 소재 양산", "Mass production of materials for "
     "all-solid-state batteries", 55, 23),
    (["chungbuk", "chungnam"], "digital-health", "K-바이오 헬스", "오송·천안 의료기기 실증",
     "Medical device demonstration across Osong and Cheonan", 42, 20),
    (["gwangju"], "hydrogen-energy", "그린수소", "에너지 자립형 산업단지", "Green hydrogen for energy-independent "
     "industrial parks", 50, 26),
    (["jeonnam"], "secondary-batteries", "이차전지 리튬 소재", "광양만권 소재 재활용 클러스터",
     "Lithium battery materials recycling cluster in Gwangyang Bay", 53, 22),
    (["jeonbuk"], "advanced-mobility", "상용차 수소 파워트레인", "친환경 상용차 전환", "Hydrogen powertrains for "
     "greener commercial vehicles", 47, 20),
    (["gyeongbuk"], "advanced-bio", "백신 플랫폼", "안동 바이오 생산 거점", "Vaccine platform for the Andong "
     "bio-production hub", 51, 25),
    (["daegu"], "robotics", "의료 로봇", "정밀 수술 보조 시스템", "Medical robots assisting precision surgery", 45, 20),
    (["busan", "ulsan"], "aerospace", "친환경 선박 추진", "조선·해양 탄소중립 전환", "Green ship propulsion for a "
     "carbon-neutral shipbuilding industry", 55, 21),
    (["gyeongnam"], "smart-manufacturing", "디지털 트윈", "방산·원전 부품 정밀가공", "Digital twins for precision "
     "machining of defence and nuclear parts", 49, 24),
    (["gangwon"], "digital-health", "디지털 헬스 데이터", "고령친화 원격의료 서비스", "Digital health data for "
     "age-friendly telemedicine", 40, 28),
    (["gangwon", "jeju"], "agri-food-tech", "스마트팜 기후적응", "고랭지·도서 지역 작물 생산", "Climate-adaptive smart "
     "farms for highland and island crops", 43, 20),
    (["jeju"], "hydrogen-energy", "해상풍력 연계 수소", "탄소중립 섬 에너지 전환", "Offshore-wind hydrogen for a "
     "carbon-neutral island", 46, 25),
]

# The institutions each region's part of an illustrative proposal names (from programmes.demo's registry).
REGION_ORGS = {
    "seoul": [("서울대학교", "university")], "busan": [("부경대학교", "university"), ("한국해양과학기술원", "institute")],
    "daegu": [("계명대학교", "university")], "incheon": [("인하대학교", "university")],
    "gwangju": [("광주과학기술원", "university")], "daejeon": [("한국과학기술원", "university")],
    "ulsan": [("울산대학교", "university"), ("울산테크노파크", "institute")], "sejong": [("고려대학교 세종캠퍼스", "university")],
    "gyeonggi": [("성균관대학교", "university"), ("현대모비스", "company")],
    "gangwon": [("강원대학교", "university")],
    "chungbuk": [("충북대학교", "university")], "chungnam": [("충남대학교", "university")],
    "jeonbuk": [("전북대학교", "university")], "jeonnam": [("순천대학교", "university")],
    "gyeongbuk": [("경북대학교", "university")], "gyeongnam": [("창원대학교", "university")],
    "jeju": [("제주대학교", "university"), ("한국에너지기술연구원", "institute")],
}
LINKS_BY_INDUSTRY = {
    "marine-bio": ("해양바이오 소재 실증", "해양수산부"), "hydrogen-energy": ("수소도시 조성", "국토교통부"),
    "smart-manufacturing": ("스마트제조 혁신", "중소벤처기업부"), "digital-health": ("디지털 헬스케어 실증", "보건복지부"),
    "artificial-intelligence": ("인공지능 산업융합", "과학기술정보통신부"), "advanced-bio": ("바이오 소부장", "산업통상자원부"),
    "semiconductors": ("차세대 지능형 반도체", "산업통상자원부"), "aerospace": ("우주산업 클러스터", "과학기술정보통신부"),
    "robotics": ("로봇산업 선도 프로젝트", "산업통상자원부"), "advanced-mobility": ("자율주행 규제자유특구", "중소벤처기업부"),
    "secondary-batteries": ("이차전지 특화단지", "산업통상자원부"), "agri-food-tech": ("스마트팜 혁신밸리", "농림축산식품부"),
}


def _illustrative(row) -> dict:
    """One illustrative proposal's spec from its compact row: title, summary and goals in words built
    from the technology and its application, the budget from the amount asked."""
    regions, industry, tech, application, title_en, national_eok, local_pct = row
    return {
        "regions": regions, "industry": industry, "illustrative": True,
        "title_ko": f"{tech} 기반 {application} 기술 개발 {ILLUSTRATIVE_MARK[0]}",
        "title_en": f"{title_en} {ILLUSTRATIVE_MARK[1]}",
        "summary": (f"{tech} 원천기술을 확보하고 {application}에 적용하여, 지역 전략산업의 중장기 기술 자립과 "
                    f"기업 성장을 이끈다."),
        "goals": f"{tech} 핵심기술 국산화, {application} 실증 및 사업화, 지역 전문인력 양성",
        "links": [LINKS_BY_INDUSTRY[industry]],
        "orgs": {code: REGION_ORGS[code] for code in regions},
        # National funding per year over the pilot (30 : 35 : 35), local funds a share of it.
        "national": [national_eok * EOK * 30 // 100, national_eok * EOK * 35 // 100,
                     national_eok * EOK - national_eok * EOK * 65 // 100],
        "local_pct": local_pct,
    }


OTHER_2023 = [_illustrative(row) for row in ILLUSTRATIVE_2023]

PILOT_NATIONAL = [15 * EOK, 20 * EOK, 20 * EOK]  # 55억원 over 2023–2025

SEOUL = ZoneInfo("Asia/Seoul")


def _official(code: str) -> User:
    return User.objects.get(username=f"official-{code}")


def _fill(proposal: Proposal, spec: dict, lead: User, now) -> Proposal:
    call = proposal.call
    p = services.proposal_save_overview(actor=lead, proposal=proposal, expected_revision=0, data={
        "title_ko": spec["title_ko"], "title_en": spec["title_en"],
        "industry": StrategicIndustry.objects.get(code=spec["industry"]),
        "summary": spec.get("summary") or f"{spec['title_ko']}을(를) 통해 지역 전략산업의 중장기 기술 자립을 달성한다.",
        "problem": "단기(3년 이하) 사업 위주의 지원으로 자생적 산업 생태계가 형성되지 못한 문제를 해결한다.",
        "cooperation_type": proposal.cooperation_type,
    })
    p = services.proposal_save_roadmap(actor=lead, proposal=p, expected_revision=0, stages=[
        {"kind": StageKind.BASIC, "years": call.pilot_years, "goals": "원천기술 확보 및 시범 적용",
         "deliverables": "핵심 원천기술, 특허, 시제품"},
        {"kind": StageKind.DEMONSTRATION, "years": 3, "goals": "기술 고도화 및 실증", "deliverables": "실증 결과, 표준"},
        {"kind": StageKind.APPLICATION, "years": 4, "goals": "사업화 및 기술이전", "deliverables": "제품화, 기술이전"},
    ])
    p = services.proposal_save_goals(
        actor=lead, proposal=p, expected_revision=0,
        vision="지역 주도 혁신성장을 이끄는 세계 수준의 전략산업 거점",
        goals=spec.get("goals") or "10년 내 핵심기술 자립, 기업 유치 및 고용 창출, 지역 인재 양성",
        kpis=[{"name": "특허 출원", "unit": "건", "baseline": 0, "targets": [20, 50, 100], "counts_outcome": "patent"},
              {"name": "기술이전", "unit": "건", "baseline": 0, "targets": [2, 10, 25], "counts_outcome": "transfer"}],
    )
    p = services.proposal_save_links(actor=lead, proposal=p, expected_revision=0, links=[
        {"name": name, "ministry": ministry, "connection": "실증 인프라와 성과를 연계하여 조기 확산"}
        for name, ministry in spec["links"]
    ])
    share = len(spec["regions"])
    local_pct = spec.get("local_pct", 25)
    for code in spec["regions"]:
        region = Region.objects.get(code=code)
        official = _official(code)
        lines = {
            call.year + i: (amount // share, amount // share * local_pct // 100, 0)  # local: 25% unless the spec says
            for i, amount in enumerate(spec.get("national", PILOT_NATIONAL))
        }
        p = services.proposal_save_budget(actor=official, proposal=p, region=region, expected_revision=0, lines=lines)
        p = services.proposal_save_organisations(
            actor=official, proposal=p, region=region, expected_revision=0,
            organisations=[{"name": n, "kind": k, "role": "주관/참여"} for n, k in spec["orgs"][code]],
        )
    # Middle-out: the draft went to the expert consultants, then was revised.
    p = services.proposal_send_to_consulting(actor=lead, proposal=Proposal.objects.get(pk=p.pk), now=now)
    p = services.proposal_start_revising(actor=lead, proposal=p, now=now)
    p = services.proposal_save_overview(actor=lead, proposal=p, expected_revision=1, data={
        "title_ko": spec["title_ko"], "title_en": spec["title_en"], "industry": p.industry,
        "summary": p.summary + " 컨설팅 의견을 반영하여 단계별 실증 계획과 기술이전 경로를 구체화하였다.",
        "problem": p.problem, "cooperation_type": p.cooperation_type,
    })
    for code in spec["regions"]:
        p = Proposal.objects.get(pk=p.pk)
        services.consortium_sign_off(actor=_official(code), proposal=p, revision=p.revision)
    return Proposal.objects.get(pk=p.pk)


@transaction.atomic
def seed(*, feasibility=None) -> list[Proposal]:
    """`feasibility(call, at=…)`: the government's feasibility advice on the 2027 candidate themes, given
    before the regions select (evaluations.demo.seed_feasibility; proposals cannot import it)."""
    created = []
    call_2023 = Call.objects.get(programme__code="mega", year=2023)
    ministry = User.objects.get(username="ministry")
    status = call_2023.status
    # The 2023 proposals were submitted while the call was open, before its deadline.
    Call.objects.filter(pk=call_2023.pk).update(status=CallStatus.OPEN)
    call_2023.refresh_from_db()
    before_deadline = call_2023.submission_deadline - datetime.timedelta(days=1)
    try:
        for spec in PROJECTS_2023 + OTHER_2023:
            if Proposal.objects.filter(call=call_2023, title_ko=spec["title_ko"]).exists():
                continue
            lead = _official(spec["regions"][0])
            ctype = CooperationType.SUPER_REGIONAL if len(spec["regions"]) > 1 else CooperationType.LEAP
            proposal = services.proposal_create(
                actor=lead, call=call_2023, cooperation_type=ctype, title_ko=spec["title_ko"],
                title_en=spec["title_en"], industry=StrategicIndustry.objects.get(code=spec["industry"]),
                partner_regions=list(Region.objects.filter(code__in=spec["regions"][1:])),
            )
            proposal = _fill(proposal, spec, lead, before_deadline)
            proposal = services.proposal_submit(actor=lead, proposal=proposal, now=before_deadline)
            services.proposal_check_eligibility(actor=ministry, proposal=proposal, passed=True,
                                                reason="신청 자격 및 제출 서류 요건 충족")
            created.append(proposal)
    finally:
        Call.objects.filter(pk=call_2023.pk).update(status=status)

    call_open = Call.objects.get(programme__code="mega", year=2027)
    busan_title = "부산 해양 모빌리티 실증 플랫폼 구축"
    if not Proposal.objects.filter(call=call_open, title_ko=busan_title).exists():
        busan = _official("busan")
        proposal = services.proposal_create(
            actor=busan, call=call_open, cooperation_type=CooperationType.LEAP, title_ko=busan_title,
            title_en="Busan marine mobility demonstration platform",
            industry=StrategicIndustry.objects.get(code="advanced-mobility"),
        )
        proposal = services.proposal_save_overview(actor=busan, proposal=proposal, expected_revision=0, data={
            "title_ko": busan_title, "title_en": "Busan marine mobility demonstration platform",
            "industry": StrategicIndustry.objects.get(code="advanced-mobility"),
            "summary": "친환경 선박과 자율운항 기술의 실증 플랫폼을 구축한다.",
            "problem": "조선·해양 산업의 친환경 전환에 필요한 실증 기반이 부족하다.",
            "cooperation_type": CooperationType.LEAP,
        })
        # Sent to consulting during the consulting window, whatever today's date is.
        sent_at = min(timezone.now(), call_open.submission_deadline - datetime.timedelta(days=30))
        created.append(services.proposal_send_to_consulting(actor=busan, proposal=proposal, now=sent_at))
    seed_planning(call_open, feasibility=feasibility)
    seed_busan_patents(call_open)
    seed_origins_2023(call_2023)
    return created


# The 2027 call's planning period (issue 17): candidate themes of several regions — (lead, partners,
# Korean title, English title, industry, reason it was dropped or "") — the opinions gathered, and
# Chungnam + Jeonbuk's final theme, selected and signed off by both (Gwangju + Jeonnam are still choosing).
THEMES_2027 = [
    ("gwangju", ["jeonnam"], "AI 뉴로모픽 반도체 소자 실증", "AI neuromorphic semiconductor device demonstration",
     "semiconductors", ""),
    ("gwangju", ["jeonnam"], "AI 데이터센터 액침냉각 소재", "Immersion cooling materials for AI data centres",
     "artificial-intelligence", "수요기업 확보가 어려워 의견수렴 결과 후순위로 밀려 제외함"),
    ("busan", [], "친환경 선박 자율운항 실증", "Autonomous navigation of green ships", "advanced-mobility", ""),
    ("busan", [], "해양 수소 저장·운송 소재", "Materials for storing and shipping hydrogen at sea", "hydrogen-energy",
     "원천기술 성숙도가 낮아 2027년 공모에서는 제외하고 후속 공모에서 재검토"),
    ("chungnam", ["jeonbuk"], "차세대 수소 연료전지 부품", "Next-generation hydrogen fuel-cell parts",
     "hydrogen-energy", ""),
]
FINAL_2027 = ("chungnam", "jeonbuk", "차세대 수소 연료전지 부품",
              "의견수렴 결과 충남·전북 수소 산업 집적과 원천기술 성숙도가 가장 높음")
# Why Chungnam + Jeonbuk's selection followed the experts' feasibility advice (when the demo gave it).
FOLLOWED_2027 = "전문가 그룹 3인 중 2인이 추천하여 자문대로 선정하고, 지적된 실증 부지 확보 계획을 기획에 반영함"
OPINIONS_2027 = [
    ("gwangju", "meeting", "2026-11-12", "광주·전남 산학연 전문가 24명, 도민 대표 10명",
     "뉴로모픽 소자가 지역 AI 집적단지와 연계성이 높다는 의견이 다수였다."),
    ("jeonnam", "survey", "2026-11-18", "전남 도민 온라인 설문 412명", "응답자의 68%가 반도체 소자 테마를 지지했다."),
    ("busan", "meeting", "2026-11-20", "부산 해양 산업계 18명", "자율운항 실증이 항만 물류와 바로 연결된다는 의견."),
    ("chungnam", "meeting", "2026-11-25", "충남·전북 수소 기업 15개사, 전문가 8명", "연료전지 부품 국산화 수요가 크다는 의견."),
]


def _at(day: str, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour), tzinfo=SEOUL)


def seed_planning(call: Call, *, feasibility=None) -> None:
    """Idempotent: each theme, opinion and step is added only when missing. The steps the rules allow
    only while a phase runs (dropping, selecting, signing off) are dated inside the selection phase."""
    from programmes.models import Guideline, PlanningPhase
    from programmes.services import guideline_acknowledge

    from .models import CandidateTheme, OpinionGathering, ThemeStatus
    from .services import themes

    if not call.has_planning_period:
        return
    discovering = _at(call.discovery_end.isoformat()) - datetime.timedelta(days=20)
    for guideline in Guideline.objects.filter(call=call, phase=PlanningPhase.DISCOVERY):
        for code in ("busan", "chungnam", "jeonbuk"):  # Gwangju reads it in the planning browser journey
            guideline_acknowledge(actor=_official(code), guideline=guideline)
    # The steps of the selection phase happen on its fifth-to-last day, whatever today is.
    selecting_at = _at(call.selection_end.isoformat()) - datetime.timedelta(days=5)
    selecting = call.planning_phase_refusal(PlanningPhase.SELECTION, now=selecting_at) is None
    by_title = {}
    for lead, partners, title_ko, title_en, industry, dropped in THEMES_2027:
        theme = CandidateTheme.objects.filter(call=call, title_ko=title_ko).first()
        if theme is None:
            theme = themes.theme_create(
                actor=_official(lead), call=call, now=discovering,
                partners=list(Region.objects.filter(code__in=partners)),
                fields={"title_ko": title_ko, "title_en": title_en,
                        "industry": StrategicIndustry.objects.get(code=industry),
                        "rationale": f"{title_ko}: 지역 전략산업과 혁신역량에 맞는 테마기술",
                        "source_technology": "지역 대학·출연연 보유 원천기술", "path_to_application": "2030 실증, 2033 사업화",
                        "capacity_institutions": "지역 거점대학, 출연연 분원", "capacity_companies": "관련 기업 20여 개사",
                        "capacity_workforce": "석박사 연구인력 300여 명", "capacity_projects": "지역혁신 선도연구센터"})
        if dropped and theme.status == ThemeStatus.CANDIDATE and selecting:
            theme = themes.theme_drop(actor=_official(lead), theme=theme, reason=dropped, now=selecting_at)
        by_title[title_ko] = theme
    for code, kind, day, participants, summary in OPINIONS_2027:
        region = Region.objects.get(code=code)
        if not OpinionGathering.objects.filter(call=call, region=region, held_on=day).exists() and selecting:
            themes.opinion_record(actor=_official(code), call=call, kind=kind, held_on=datetime.date.fromisoformat(day),
                                  participants=participants, summary=summary, now=_at(day, 18))
    if feasibility is not None and selecting:
        feasibility(call, at=selecting_at - datetime.timedelta(days=1))
    lead, partner, title, reason = FINAL_2027
    final = by_title[title]
    if selecting and final.status == ThemeStatus.CANDIDATE:
        advised = themes.advice_exists(call, Region.objects.get(code=lead).pk)
        themes.theme_select(actor=_official(lead), call=call, theme=final, reason=reason, now=selecting_at,
                            followed_advice="yes" if advised else "",
                            advice_reason=FOLLOWED_2027 if advised else "")
    if selecting and final.regions.filter(region__code=partner, signed_off_at__isnull=True).exists():
        themes.selection_sign_off(actor=_official(partner), theme=final, now=selecting_at)


# Busan's final theme in the 2027 call: its draft on the call grew from it; staff attached a patent
# analysis, which Busan answered (issue 17, phase 3).
BUSAN_FINAL = ("친환경 선박 자율운항 실증", "부산 해양 모빌리티 실증 플랫폼 구축",
               "항만 물류와 바로 연결되는 실증 수요가 가장 크다는 의견수렴 결과")
BUSAN_PATENTS = {
    "landscape": "자율운항 선박 특허는 한국·일본·노르웨이 조선사와 해운사가 주도하며, 충돌회피 알고리즘과 "
                 "원격 관제 분야에 출원이 집중되어 있다.",
    "white_spaces": "항만 내 저속 자율 접·이안, 친환경 추진계와 결합한 에너지 최적 항로 계획",
    "risk": "medium",
    "risk_comment": "원격 관제 통신 구조 일부가 선행 특허와 겹쳐 회피 설계가 필요하다.",
}
BUSAN_KEY_PATENTS = [
    {"number": "KR 10-2345678", "title": "선박 자율운항 충돌회피 방법", "holder": "HD한국조선해양", "country": "KR",
     "legal_status": "등록"},
    {"number": "JP 7123456 B2", "title": "船舶の遠隔操船システム", "holder": "Mitsui O.S.K. Lines", "country": "JP",
     "legal_status": "등록"},
    {"number": "NO 346789 B1", "title": "선박 자율 접안 방법", "holder": "Kongsberg Maritime",
     "country": "NO", "legal_status": "심사 중"},
]
BUSAN_FOLLOWED = "자문에 따라 실증 범위를 항만 내 저속 운항으로 좁힘"
BUSAN_ANSWER = "원격 관제 통신 구조를 회피 설계하고, 저속 자율 접·이안을 1단계 핵심 목표로 계획서에 반영함"


def seed_busan_patents(call: Call) -> None:
    """Idempotent: Busan selects its final theme (dated inside the selection phase), its draft is linked to
    it, staff write the patent analysis and Busan answers it."""
    from programmes.models import PlanningPhase

    from .models import CandidateTheme, PatentAnalysis, ThemeStatus
    from .services import patents, themes

    theme_title, proposal_title, reason = BUSAN_FINAL
    theme = CandidateTheme.objects.filter(call=call, title_ko=theme_title).first()
    proposal = Proposal.objects.filter(call=call, title_ko=proposal_title).first()
    if theme is None or proposal is None:
        return
    selecting_at = _at(call.selection_end.isoformat()) - datetime.timedelta(days=5)
    busan = _official("busan")
    if theme.status == ThemeStatus.CANDIDATE:
        if call.planning_phase_refusal(PlanningPhase.SELECTION, now=selecting_at) is not None:
            return
        advised = themes.advice_exists(call, busan.region_id)
        themes.theme_select(actor=busan, call=call, theme=theme, reason=reason, now=selecting_at,
                            followed_advice="yes" if advised else "",
                            advice_reason=BUSAN_FOLLOWED if advised else "")
    if proposal.origin_theme_id is None and not hasattr(theme, "proposal"):
        # The demo's Busan draft predates the planning demo: it is linked to the theme it grew from.
        proposal.origin_theme = theme
        proposal.save(update_fields=["origin_theme"])
    if proposal.origin_theme_id != theme.pk or not proposal.is_editable:
        return
    analysis = PatentAnalysis.objects.filter(proposal=proposal).first()
    if analysis is None:
        analysis = patents.patent_analysis_save(actor=User.objects.get(username="ministry"), proposal=proposal,
                                                fields=BUSAN_PATENTS, patents=BUSAN_KEY_PATENTS)
    if not analysis.is_answered:
        patents.patent_analysis_answer(actor=busan, analysis=analysis, answer=BUSAN_ANSWER)


# The five 2023 projects' origin: the 2023 call had no planning period in the portal, so each project's final
# theme and its selection are written straight to the models (reasons from the regions' own plans).
ORIGINS_2023 = {
    "secondary-batteries": "경북·대구 이차전지 소재 기업 집적과 포항 재활용 실증 기반을 잇는 테마",
    "advanced-mobility": "경남 항공 제조와 울산 수소 산업을 결합한 분산전기추진 항공기 테마",
    "artificial-intelligence": "광주 AI 집적단지와 전남 반도체 인력을 잇는 뉴로모픽 소자 테마",
    "marine-bio": "충남 서해안 해양바이오 자원과 소재 기업 수요에 맞춘 테마",
    "advanced-bio": "전북 농생명 클러스터와 동물용 의약품 기업 수요에 맞춘 테마",
}


def _real_2023(call: Call, spec: dict) -> Proposal | None:
    """One of the five real 2023 proposals, found by what does not change when the demo's 2023 proposals
    are rebuilt: its lead region and strategic industry (and, among several, its Korean title or a
    selected state)."""
    from .models import ProposalState

    found = list(Proposal.objects.filter(call=call, lead_region__code=spec["regions"][0],
                                         industry__code=spec["industry"]).order_by("pk"))
    if len(found) > 1:
        found = ([p for p in found if p.title_ko == spec["title_ko"]]
                 or [p for p in found if p.state in (ProposalState.SELECTED, ProposalState.FUNDED)])
    return found[0] if len(found) == 1 else None


def seed_origins_2023(call: Call) -> None:
    """Idempotent: a final theme and its selection for each of the five real 2023 proposals (not yet linked)."""
    from .models import CandidateTheme, ThemeRegion, ThemeSelection, ThemeStatus

    decided_at = _at(call.submission_deadline.date().isoformat()) - datetime.timedelta(days=60)
    for spec in PROJECTS_2023:
        proposal = _real_2023(call, spec)
        if proposal is None or proposal.origin_theme_id is not None:
            continue
        lead = _official(spec["regions"][0])
        with transaction.atomic():
            theme = CandidateTheme.objects.create(
                call=call, lead_region=proposal.lead_region, status=ThemeStatus.SELECTED, title_ko=proposal.title_ko,
                title_en=proposal.title_en, industry=proposal.industry, rationale=proposal.summary,
                created_by=lead)
            ThemeRegion.objects.bulk_create([
                ThemeRegion(theme=theme, region_id=p.region_id, is_lead=p.region_id == proposal.lead_region_id,
                            signed_off_by=_official(p.region.code), signed_off_at=decided_at)
                for p in proposal.participations.select_related("region")])
            ThemeSelection.objects.create(theme=theme, reason=ORIGINS_2023[spec["industry"]], selected_by=lead)
            proposal.origin_theme = theme
            proposal.save(update_fields=["origin_theme"])
