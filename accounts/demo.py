"""Demo accounts (password demo1234, only on DEBUG installs).

The staff accounts (admin, ministry, ministry2) must have a second factor: they are
enrolled with one published key, DEMO_TOTP_SECRET (add it to an authenticator app, or
`make totp USER=ministry` prints the current code), and the recovery codes
democode01 … democode10."""

from base64 import b32decode

from django.conf import settings
from django.contrib.auth.hashers import make_password

from programmes.models import Region

from .models import Role, User

DEMO_PASSWORD = "demo1234"
# Public on purpose (README): demo installs only; seed_demo is refused when DEBUG is off.
DEMO_TOTP_SECRET = "MEGAPROJECTDEMOSECRETKEYFORTOTP2"
DEMO_RECOVERY_CODES = [f"democode{n:02d}" for n in range(1, 11)]

# Regions of the five 2023 projects, then Busan and the other regions that proposed in 2023 (every
# region proposed: the 2023 call's 27 proposals came from all 17).
OFFICIAL_REGIONS = ["gyeongbuk", "daegu", "gyeongnam", "ulsan", "gwangju", "jeonnam", "chungnam", "jeonbuk", "busan",
                    "seoul", "incheon", "gyeonggi", "daejeon", "sejong", "chungbuk", "gangwon", "jeju"]

STAFF = [
    ("admin", Role.ADMIN, "관리자", "admin@megaproject.local"),
    ("ministry", Role.MINISTRY, "과기정통부 김주무관", "ministry@megaproject.local"),
    ("ministry2", Role.MINISTRY, "과기정통부 이사무관", "ministry2@megaproject.local"),
]


_demo_hash: dict[str, str] = {}


def _user(username: str, **fields) -> User:
    user, created = User.objects.get_or_create(username=username, defaults=fields)
    if not created:
        for name, value in fields.items():
            setattr(user, name, value)
    if created:
        # One hash of demo1234 per run, shared by the new demo accounts: hashing costs ~0.4 s, and the
        # demo has some sixty accounts. Demo installs only (the password is public anyway).
        hasher = settings.PASSWORD_HASHERS[0]
        if hasher not in _demo_hash:
            _demo_hash[hasher] = make_password(DEMO_PASSWORD)
        user.password = _demo_hash[hasher]
    user.save()
    return user


def seed() -> dict[str, User]:
    users = {}
    for username, role, name, email in STAFF:
        users[username] = _user(
            username, role=role, display_name=name, email=email,
            is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN, region=None,
        )
        enrol_demo_second_factor(users[username])
    regions = {r.code: r for r in Region.objects.filter(code__in=OFFICIAL_REGIONS)}
    for code in OFFICIAL_REGIONS:
        region = regions[code]
        users[f"official-{code}"] = _user(
            f"official-{code}", role=Role.OFFICIAL, region=region,
            display_name=f"{region.name_ko} 담당자", email=f"official-{code}@megaproject.local",
            is_staff=False, is_superuser=False,
            # Gwangju's official also manages the region's officials (accounts.people: deputies, access).
            is_region_admin=code == "gwangju",
        )
    return users


def enrol_demo_second_factor(user: User) -> None:
    """The demo key as a confirmed authenticator, and the demo recovery codes (all ten again)."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    key = b32decode(DEMO_TOTP_SECRET).hex()
    TOTPDevice.objects.filter(user=user).exclude(key=key).delete()
    TOTPDevice.objects.get_or_create(user=user, key=key, defaults={"name": "authenticator", "confirmed": True})
    static, _created = StaticDevice.objects.get_or_create(user=user, defaults={"name": "recovery codes",
                                                                               "confirmed": True})
    static.token_set.all().delete()
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in DEMO_RECOVERY_CODES])
