"""Demo data for programmes and calls: the real 2023 call and an open call."""

import datetime
from zoneinfo import ZoneInfo

from .models import Call, CallStatus, MatchingBasis, Programme, Region, RubricCriterion, StrategicIndustry

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
    },
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
    return programme
