"""factory_boy factories for the portal's models.

Regions and strategic industries come from the data migration, so factories
look them up by code instead of creating them.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from factory.django import DjangoModelFactory, Password

from accounts.models import Role, User
from evaluations.models import ExpertProfile
from programmes.models import Call, CallStatus, MatchingBasis, Programme, Region, RubricCriterion, StrategicIndustry

from .clock import at, on

SEOUL = ZoneInfo("Asia/Seoul")
EOK = 100_000_000
PASSWORD = "correct-horse-battery-staple"
DEFAULT_WEIGHTS = [25, 25, 20, 15, 15]


def enrol_second_factor(user, key: str | None = None) -> list[str]:
    """Give `user` a confirmed authenticator (TOTP device; `key` in hex, random by default)
    and ten recovery codes, returned and kept on `user.recovery_codes`."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.twofactor import new_recovery_codes

    fields = {"key": key} if key else {}
    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True, **fields)
    static = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = new_recovery_codes()
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    user.recovery_codes = codes
    return codes


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def industry(code: str) -> StrategicIndustry:
    return StrategicIndustry.objects.get(code=code)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.kr")
    display_name = factory.Sequence(lambda n: f"사용자 {n}")
    password = Password(PASSWORD)
    role = Role.OFFICIAL
    region = factory.LazyFunction(lambda: region("gwangju"))


class OfficialFactory(UserFactory):
    username = factory.Sequence(lambda n: f"official{n}")
    role = Role.OFFICIAL


def _enrolled_staff(user, create, extracted, **kwargs):
    """Ministry staff and administrators must have a second factor: they come enrolled
    (`second_factor=False` for one who has not enrolled yet)."""
    if create and extracted is not False:
        enrol_second_factor(user)


class MinistryFactory(UserFactory):
    username = factory.Sequence(lambda n: f"ministry{n}")
    role = Role.MINISTRY
    region = None
    second_factor = factory.PostGeneration(_enrolled_staff)


class AdminFactory(UserFactory):
    username = factory.Sequence(lambda n: f"admin{n}")
    role = Role.ADMIN
    region = None
    is_staff = True
    second_factor = factory.PostGeneration(_enrolled_staff)


class ExpertFactory(UserFactory):
    username = factory.Sequence(lambda n: f"expert{n}")
    role = Role.EXPERT
    region = None
    profile = factory.RelatedFactory("tests.factories.ExpertProfileFactory", factory_related_name="user")


class ExpertProfileFactory(DjangoModelFactory):
    class Meta:
        model = ExpertProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(ExpertFactory, profile=None)
    affiliation = "한국과학기술원"
    home_region = factory.LazyFunction(lambda: region("daejeon"))
    keywords = "이차전지, 소재"
    contact_email = factory.LazyAttribute(lambda p: p.user.email)

    @factory.post_generation
    def industries(self, create, extracted, **kwargs):
        if create:
            self.industries.set(extracted if extracted is not None else [industry("secondary-batteries")])


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("code",)

    code = "mega"
    name_ko = "지역혁신 메가프로젝트"
    name_en = "Regional Innovation Mega Project"


class CallFactory(DjangoModelFactory):
    """An open call (the 2027 one as written, tests/clock.py) whose timeline runs forward and whose rubric sums to 100.

    `eligible_regions=[...]` defaults to every region, `criteria=[weights]` to
    DEFAULT_WEIGHTS (`criteria=[]` for none).
    """

    class Meta:
        model = Call
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"{on(2027, 1, 29).year}년 메가프로젝트 공모 {n}")
    year = factory.LazyFunction(lambda: on(2027, 1, 29).year)
    status = CallStatus.OPEN
    description = "전문가 컨설팅을 거쳐 제안서를 제출하십시오."
    envelope_won = 220 * EOK
    cap_won = 55 * EOK
    pilot_years = 3
    max_total_years = 10
    min_local_matching_pct = Decimal("20.00")
    matching_basis = MatchingBasis.NATIONAL
    # As written for REFERENCE_TODAY, moved to today (tests/clock.py): consulting is open, the deadline ahead.
    consulting_start = factory.LazyFunction(lambda: on(2026, 10, 5))
    consulting_end = factory.LazyFunction(lambda: on(2026, 12, 31))
    submission_deadline = factory.LazyFunction(lambda: at(2027, 1, 29, 18, 0))
    review_start = factory.LazyFunction(lambda: on(2027, 2, 8))
    review_end = factory.LazyFunction(lambda: on(2027, 3, 5))
    announcement_date = factory.LazyFunction(lambda: on(2027, 3, 26))

    @factory.post_generation
    def eligible_regions(self, create, extracted, **kwargs):
        if create:
            self.eligible_regions.set(extracted if extracted is not None else Region.objects.all())

    @factory.post_generation
    def criteria(self, create, extracted, **kwargs):
        if not create:
            return
        weights = DEFAULT_WEIGHTS if extracted is None else extracted
        for order, weight in enumerate(weights, start=1):
            RubricCriterion.objects.create(
                call=self, order=order, name_ko=f"평가항목 {order}", name_en=f"Criterion {order}", weight=weight
            )


def in_review(call) -> datetime.datetime:
    """A moment inside the call's review window (10:00 Korea time on its first day): scores are
    submitted only then (evaluations.services.scoring)."""
    return datetime.datetime.combine(call.review_start, datetime.time(10, 0), tzinfo=SEOUL)


def open_review(call) -> None:
    """Put today (Korea time) inside the call's review window, for tests that submit scores
    through the pages (which act at the present)."""
    from django.utils import timezone

    today = timezone.localdate()
    Call.objects.filter(pk=call.pk).update(review_start=min(call.review_start, today),
                                           review_end=max(call.review_end, today))
    call.refresh_from_db()
