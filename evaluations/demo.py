"""Demo experts: eight profiles across regions and fields."""

from accounts.demo import _user
from accounts.models import Role
from programmes.models import Region, StrategicIndustry

EXPERTS = [
    ("expert1", "김민준 교수", "한국과학기술원", "daejeon", ["artificial-intelligence", "semiconductors"], "뉴로모픽, 지능형 센서"),
    ("expert2", "이서연 박사", "한국전자통신연구원", "daejeon", ["artificial-intelligence", "robotics"], "영상 인식, 엣지 AI"),
    ("expert3", "박지훈 교수", "서울대학교", "seoul", ["secondary-batteries", "hydrogen-energy"], "폐배터리 재사용, 소재 재활용"),
    ("expert4", "최수아 박사", "한국항공우주연구원", "daejeon", ["aerospace", "advanced-mobility"], "분산전기추진, UAM"),
    ("expert5", "정도윤 교수", "부경대학교", "busan", ["marine-bio", "advanced-bio"], "해양 소재, 바이오 플랫폼"),
    ("expert6", "강하은 박사", "한국생명공학연구원", "daejeon", ["advanced-bio", "agri-food-tech"], "동물용 의약품, 기능성 사료"),
    ("expert7", "윤재원 교수", "경북대학교", "daegu", ["secondary-batteries", "smart-manufacturing"], "전극 공정, 배터리 진단"),
    ("expert8", "임지우 박사", "한국에너지기술연구원", "daejeon", ["hydrogen-energy", "advanced-mobility"], "연료전지 하이브리드"),
]


def seed() -> dict:
    from .models import ExpertProfile

    users = {}
    regions = {r.code: r for r in Region.objects.all()}
    industries = {i.code: i for i in StrategicIndustry.objects.all()}
    for username, name, affiliation, region, fields, keywords in EXPERTS:
        user = _user(
            username, role=Role.EXPERT, display_name=name, email=f"{username}@megaproject.local",
            region=None, is_staff=False, is_superuser=False,
        )
        profile, _ = ExpertProfile.objects.update_or_create(
            user=user,
            defaults={
                "affiliation": affiliation, "home_region": regions[region], "keywords": keywords,
                "contact_email": user.email, "available": True,
            },
        )
        profile.industries.set([industries[c] for c in fields])
        users[username] = user
    return users
