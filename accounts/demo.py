"""Demo accounts (password demo1234, only on DEBUG installs)."""

from programmes.models import Region

from .models import Role, User

DEMO_PASSWORD = "demo1234"

# Regions of the five 2023 projects, plus Busan (a region with no project).
OFFICIAL_REGIONS = ["gyeongbuk", "daegu", "gyeongnam", "ulsan", "gwangju", "jeonnam", "chungnam", "jeonbuk", "busan"]

STAFF = [
    ("admin", Role.ADMIN, "관리자", "admin@megaproject.local"),
    ("ministry", Role.MINISTRY, "과기정통부 김주무관", "ministry@megaproject.local"),
    ("ministry2", Role.MINISTRY, "과기정통부 이사무관", "ministry2@megaproject.local"),
]


def _user(username: str, **fields) -> User:
    user, created = User.objects.get_or_create(username=username, defaults=fields)
    if not created:
        for name, value in fields.items():
            setattr(user, name, value)
    if created:
        user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def seed() -> dict[str, User]:
    users = {}
    for username, role, name, email in STAFF:
        users[username] = _user(
            username, role=role, display_name=name, email=email,
            is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN, region=None,
        )
    regions = {r.code: r for r in Region.objects.filter(code__in=OFFICIAL_REGIONS)}
    for code in OFFICIAL_REGIONS:
        region = regions[code]
        users[f"official-{code}"] = _user(
            f"official-{code}", role=Role.OFFICIAL, region=region,
            display_name=f"{region.name_ko} 담당자", email=f"official-{code}@megaproject.local",
            is_staff=False, is_superuser=False,
        )
    return users
