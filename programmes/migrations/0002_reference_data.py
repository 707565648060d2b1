"""The 17 metropolitan governments and the starting list of strategic industries."""

from django.db import migrations

REGIONS = [
    ("seoul", "서울특별시", "Seoul"),
    ("busan", "부산광역시", "Busan"),
    ("daegu", "대구광역시", "Daegu"),
    ("incheon", "인천광역시", "Incheon"),
    ("gwangju", "광주광역시", "Gwangju"),
    ("daejeon", "대전광역시", "Daejeon"),
    ("ulsan", "울산광역시", "Ulsan"),
    ("sejong", "세종특별자치시", "Sejong"),
    ("gyeonggi", "경기도", "Gyeonggi"),
    ("gangwon", "강원특별자치도", "Gangwon"),
    ("chungbuk", "충청북도", "Chungbuk"),
    ("chungnam", "충청남도", "Chungnam"),
    ("jeonbuk", "전북특별자치도", "Jeonbuk"),
    ("jeonnam", "전라남도", "Jeonnam"),
    ("gyeongbuk", "경상북도", "Gyeongbuk"),
    ("gyeongnam", "경상남도", "Gyeongnam"),
    ("jeju", "제주특별자치도", "Jeju"),
]

INDUSTRIES = [
    ("secondary-batteries", "이차전지", "Secondary batteries"),
    ("advanced-mobility", "미래 모빌리티", "Advanced mobility"),
    ("artificial-intelligence", "인공지능", "Artificial intelligence"),
    ("marine-bio", "해양바이오", "Marine bio"),
    ("advanced-bio", "첨단바이오", "Advanced bio"),
    ("semiconductors", "반도체", "Semiconductors"),
    ("hydrogen-energy", "수소에너지", "Hydrogen energy"),
    ("robotics", "로봇", "Robotics"),
    ("aerospace", "항공우주", "Aerospace"),
    ("digital-health", "디지털 헬스케어", "Digital healthcare"),
    ("smart-manufacturing", "스마트 제조", "Smart manufacturing"),
    ("agri-food-tech", "농식품 기술", "Agri-food technology"),
]


def load(apps, schema_editor):
    Region = apps.get_model("programmes", "Region")
    StrategicIndustry = apps.get_model("programmes", "StrategicIndustry")
    for order, (code, ko, en) in enumerate(REGIONS, start=1):
        Region.objects.update_or_create(code=code, defaults={"name_ko": ko, "name_en": en, "order": order})
    for code, ko, en in INDUSTRIES:
        StrategicIndustry.objects.update_or_create(code=code, defaults={"name_ko": ko, "name_en": en})


def unload(apps, schema_editor):
    apps.get_model("programmes", "Region").objects.filter(code__in=[r[0] for r in REGIONS]).delete()
    apps.get_model("programmes", "StrategicIndustry").objects.filter(code__in=[i[0] for i in INDUSTRIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
