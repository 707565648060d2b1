"""Demo data for programmes and calls: the real 2023 call and an open call."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from .models import (
    PLANNING_FIELDS,
    Call,
    CallStatus,
    CallZone,
    Guideline,
    MatchingBasis,
    Programme,
    Region,
    RubricCriterion,
    StrategicIndustry,
)

SEOUL = ZoneInfo("Asia/Seoul")
EOK = 100_000_000

RUBRIC = [
    ("기획의 적정성 및 구체성", "Soundness and concreteness of the plan", 25),
    ("지역 혁신역량 및 전략산업 연계성", "Regional innovation capacity and link to the strategic industry", 25),
    ("기술의 파급효과 및 성장 가능성", "Impact and growth potential of the technology", 20),
    ("추진체계 및 예산 계획의 적정성", "Delivery structure and budget plan", 15),
    ("지자체 의지 및 자립화 방안", "Local government commitment and path to self-sufficiency", 15),
]

CALLS = [
    {
        "year": 2023,
        "title": "2023년 지역혁신 메가프로젝트 신규과제 공모",
        "status": CallStatus.ANNOUNCED,
        "description": (
            "지역 주도로 발굴·기획한 중대형 테마기술에 대해 시범사업(3년, 과제당 국비 55억원)을 지원하고, "
            "단계평가를 거쳐 최대 10년까지 지원합니다. 권역별 심층평가로 5개 과제(8개 광역지자체)를 선정했습니다."
        ),
        "envelope_won": 300 * EOK,
        "cap_won": 55 * EOK,
        "dates": ("2022-10-04", "2023-01-31", "2023-02-28 18:00", "2023-03-06", "2023-03-31", "2023-04-20"),
    },
    {
        "year": 2027,
        "title": "2027년 지역혁신 메가프로젝트 신규과제 공모",
        "status": CallStatus.OPEN,
        "description": (
            "2027년 신규과제를 공모합니다. 전문가 컨설팅(중간 기획)을 거쳐 제출 마감일까지 제안서를 제출하십시오."
        ),
        "envelope_won": 220 * EOK,
        "cap_won": 55 * EOK,
        "dates": ("2026-10-05", "2026-12-31", "2027-01-29 18:00", "2027-02-08", "2027-03-05", "2027-03-26"),
        # Middle-out planning (issue 17): opens, discovery closes, selection closes, planning closes.
        "planning": ("2026-09-01", "2026-10-31", "2026-12-11", "2027-01-22"),
    },
]

# The 2027 call's planning guidelines, one per phase: (phase, Korean title, English title, text).
GUIDELINES = [
    ("discovery", "2027 메가프로젝트 후보 테마 발굴 지침", "2027 Mega Project: discovering candidate themes",
     "지역의 혁신역량(연구기관, 기업, 인력, 기존 사업)을 분석하여 후보 테마기술을 발굴하십시오. 후보 주제는 "
     "지역 단독 또는 초광역 컨소시엄으로 등록할 수 있으며, 원천기술과 실증·사업화 경로를 함께 적어 주십시오."),
    ("selection", "2027 메가프로젝트 최종 테마 선정 지침", "2027 Mega Project: selecting the final theme",
     "도민·전문가 의견수렴(간담회, 설문)을 거쳐 최종 테마 하나를 선정하고 선정 사유를 기록하십시오. "
     "컨소시엄은 주관 지역이 선정하고 모든 참여 지역이 확인합니다."),
    ("planning", "2027 메가프로젝트 테마 기획 지침", "2027 Mega Project: planning the theme",
     "선정한 최종 테마로 제안서 초안을 작성하고 전문가 컨설팅을 받아 제출 마감 전까지 기획을 완성하십시오."),
]


def _upsert_call(*, programme, year, defaults) -> Call:
    """Create or update without writing (and so without a history row) when nothing changed."""
    call = Call.objects.filter(programme=programme, year=year).first()
    if call is None:
        return Call.objects.create(programme=programme, year=year, **defaults)
    changed = [name for name, value in defaults.items() if getattr(call, name) != value]
    if changed:
        for name in changed:
            setattr(call, name, defaults[name])
        call.save()
    return call


def _date(text):
    return datetime.date.fromisoformat(text)


def seed(*, actor=None) -> Programme:
    programme, _ = Programme.objects.update_or_create(
        code="mega",
        defaults={
            "name_ko": "지역혁신 메가프로젝트",
            "name_en": "Regional Innovation Mega Project",
            "description": (
                "지역의 전략산업과 연계한 중장기 과학기술 프로젝트를 지원하는 사업 "
                "(국정과제 80번: 지역 과학기술 주권 확보로 지역주도 혁신성장 실현)."
            ),
        },
    )
    regions = list(Region.objects.all())
    industries = list(StrategicIndustry.objects.filter(active=True))
    for spec in CALLS:
        d = spec["dates"]
        deadline = datetime.datetime.fromisoformat(d[2]).replace(tzinfo=SEOUL)
        call = _upsert_call(
            programme=programme,
            year=spec["year"],
            defaults={
                "title": spec["title"],
                "status": spec["status"],
                "description": spec["description"],
                "allows_super_regional": True,
                "allows_leap": True,
                "envelope_won": spec["envelope_won"],
                "cap_won": spec["cap_won"],
                "pilot_years": 3,
                "max_total_years": 10,
                "min_local_matching_pct": 20,
                "matching_basis": MatchingBasis.NATIONAL,
                "consulting_start": _date(d[0]),
                "consulting_end": _date(d[1]),
                "submission_deadline": deadline,
                "review_start": _date(d[3]),
                "review_end": _date(d[4]),
                "announcement_date": _date(d[5]),
                **dict(zip(PLANNING_FIELDS, [_date(x) for x in spec["planning"]] if "planning" in spec
                               else [None] * len(PLANNING_FIELDS), strict=True)),
                "created_by": actor,
                "updated_by": actor,
            },
        )
        call.eligible_regions.set(regions)
        call.strategic_industries.set(industries)
        for order, (ko, en, weight) in enumerate(RUBRIC, start=1):
            RubricCriterion.objects.update_or_create(
                call=call, order=order, defaults={"name_ko": ko, "name_en": en, "weight": weight}
            )
        call.criteria.filter(order__gt=len(RUBRIC)).delete()
        if spec["year"] == 2023:
            seed_zones(call)
        if "planning" in spec and actor is not None:
            seed_guidelines(call=call, actor=actor)
    seed_institutions()
    return programme


# The 2023 call's zones (issue 16). The programme's sources say its 27 proposals were evaluated by
# zone without naming the groups: this split into the usual regional blocs is ILLUSTRATIVE.
ZONES_2023 = [
    ("수도권", "Capital region", ["seoul", "incheon", "gyeonggi"]),
    ("충청권", "Chungcheong", ["daejeon", "sejong", "chungbuk", "chungnam"]),
    ("호남권", "Honam", ["gwangju", "jeonbuk", "jeonnam"]),
    ("대경권", "Daegu–Gyeongbuk", ["daegu", "gyeongbuk"]),
    ("동남권", "Southeast", ["busan", "ulsan", "gyeongnam"]),
    ("강원·제주", "Gangwon and Jeju", ["gangwon", "jeju"]),
]


def seed_zones(call) -> None:
    """The 2023 call's zones, one panel of five per zone (each proposal keeps at least three
    scorers), scores normalised within the zone; two rounds as in 2023: a written review, then a
    presentation of the best ten, weighed 40/60 (idempotent; a plain update, as the call's settings
    then were)."""
    by_code = {r.code: r for r in Region.objects.all()}
    for order, (ko, en, codes) in enumerate(ZONES_2023, start=1):
        zone, _ = CallZone.objects.update_or_create(call=call, order=order, defaults={"name_ko": ko, "name_en": en})
        zone.regions.set([by_code[c] for c in codes])
    call.zones.filter(order__gt=len(ZONES_2023)).delete()
    Call.objects.filter(pk=call.pk).update(**EVALUATION_2023)


# The 2023 call's evaluation settings: zone panels and the two rounds (presentations after the
# written review closed on 31 March, before the announcement on 20 April).
EVALUATION_2023 = {
    "zone_panel_size": 5, "zone_min_scorers": 3, "zone_normalise": True,
    "evaluation_rounds": 2, "written_weight": 40, "presentation_weight": 60, "shortlist_size": 10,
    "presentation_start": datetime.date(2023, 4, 5), "presentation_end": datetime.date(2023, 4, 7),
}


# The institutions registry: (Korean name, English name, aliases, kind, parent's Korean name).
INSTITUTIONS = [
    ("한국과학기술원", "Korea Advanced Institute of Science and Technology", "KAIST;카이스트", "university", ""),
    ("한국과학기술원 산학협력단", "KAIST Industry-Academic Cooperation Foundation", "KAIST 산학협력단", "foundation",
     "한국과학기술원"),
    ("한국과학기술원 전기및전자공학부", "KAIST School of Electrical Engineering", "KAIST EE", "department",
     "한국과학기술원"),
    ("서울대학교", "Seoul National University", "SNU;서울대", "university", ""),
    ("서울대학교 산학협력단", "SNU R&DB Foundation", "서울대 산학협력단", "foundation", "서울대학교"),
    ("서울대학교 재료공학부", "SNU Department of Materials Science and Engineering", "", "department", "서울대학교"),
    ("서울대학교 화학생물공학부", "SNU School of Chemical and Biological Engineering", "", "department", "서울대학교"),
    ("포항공과대학교", "Pohang University of Science and Technology", "POSTECH;포스텍", "university", ""),
    ("포항공과대학교 산학협력단", "POSTECH Research and Business Development Foundation", "", "foundation",
     "포항공과대학교"),
    ("광주과학기술원", "Gwangju Institute of Science and Technology", "GIST;지스트", "university", ""),
    ("울산과학기술원", "Ulsan National Institute of Science and Technology", "UNIST;유니스트", "university", ""),
    ("경북대학교", "Kyungpook National University", "KNU;경북대", "university", ""),
    ("경북대학교 산학협력단", "KNU Industry-Academic Cooperation Foundation", "", "foundation", "경북대학교"),
    ("부경대학교", "Pukyong National University", "PKNU;부경대", "university", ""),
    ("부경대학교 산학협력단", "PKNU Industry-University Cooperation Foundation", "", "foundation", "부경대학교"),
    ("경상국립대학교", "Gyeongsang National University", "GNU;경상대", "university", ""),
    ("전남대학교", "Chonnam National University", "전남대", "university", ""),
    ("충남대학교", "Chungnam National University", "충남대", "university", ""),
    ("전북대학교", "Jeonbuk National University", "JBNU;전북대", "university", ""),
    ("순천대학교", "Sunchon National University", "순천대", "university", ""),
    ("울산대학교", "University of Ulsan", "울산대", "university", ""),
    ("계명대학교", "Keimyung University", "계명대", "university", ""),
    ("창원대학교", "Changwon National University", "창원대", "university", ""),
    ("한국전자통신연구원", "Electronics and Telecommunications Research Institute", "ETRI", "institute", ""),
    ("한국항공우주연구원", "Korea Aerospace Research Institute", "KARI;항우연", "institute", ""),
    ("한국생명공학연구원", "Korea Research Institute of Bioscience and Biotechnology", "KRIBB;생명연", "institute", ""),
    ("한국에너지기술연구원", "Korea Institute of Energy Research", "KIER;에기연", "institute", ""),
    ("한국해양과학기술원", "Korea Institute of Ocean Science and Technology", "KIOST", "institute", ""),
    ("한국광기술원", "Korea Photonics Technology Institute", "KOPTI", "institute", ""),
    ("안전성평가연구소", "Korea Institute of Toxicology", "KIT", "institute", ""),
    ("해양바이오산업진흥원", "Marine Bio-Industry Development Agency", "", "agency", ""),
    ("울산테크노파크", "Ulsan Technopark", "", "agency", ""),
    ("한국연구재단", "National Research Foundation of Korea", "NRF;연구재단", "agency", ""),
    ("에코프로비엠", "EcoPro BM", "(주)에코프로비엠", "company", ""),
    ("엘앤에프", "L&F", "(주)엘앤에프", "company", ""),
    ("한국항공우주산업", "Korea Aerospace Industries", "KAI", "company", ""),
    ("현대모비스", "Hyundai Mobis", "", "company", ""),
]


def seed_guidelines(*, call: Call, actor) -> None:
    """The call's planning guidelines, one per phase (idempotent: a phase with one is left alone)."""
    from .services import guideline_publish

    for phase, title_ko, title_en, text in GUIDELINES:
        if not Guideline.objects.filter(call=call, phase=phase).exists():
            guideline_publish(actor=actor, call=call, phase=phase, title_ko=title_ko, title_en=title_en, text=text)


def seed_institutions() -> int:
    """Idempotent: the registry's demo entries, parents after their children's lookup."""
    from .models import Institution

    # Approved indirect-cost rates (간접비 고시비율) for the research bodies; companies' are not recorded.
    rates = {"university": Decimal("22.00"), "foundation": Decimal("22.00"), "institute": Decimal("17.50")}
    by_name = {}
    for ko, en, aliases, kind, parent in INSTITUTIONS:
        inst, _created = Institution.objects.update_or_create(name_ko=ko, defaults={
            "name_en": en, "aliases": aliases, "kind": kind, "parent": by_name.get(parent),
            "indirect_rate_pct": rates.get(kind)})
        by_name[ko] = inst
    return len(by_name)
