"""`manage.py seed_demo`: idempotent, and refused where demo data is not allowed.

What the demo data holds is checked in test_demo_data.py.
"""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from accounts.models import User
from evaluations.models import ExpertProfile
from programmes.models import Call, RubricCriterion
from tests.programmes.test_demo_data import demo  # noqa: F401  (the demo, seeded once per test process)

pytestmark = pytest.mark.django_db


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def planning_models() -> dict:
    from programmes.models import Guideline, GuidelineAcknowledgement, GuidelineVersion
    from proposals.models import CandidateTheme, OpinionGathering, ThemeRegion, ThemeSelection

    return {"guidelines": Guideline, "guideline_versions": GuidelineVersion,
            "guideline_reads": GuidelineAcknowledgement, "themes": CandidateTheme, "theme_regions": ThemeRegion,
            "opinions": OpinionGathering, "selections": ThemeSelection}


def snapshot() -> dict:
    """Counts and the key fields of everything the command writes."""
    return {
        "counts": {
            "users": User.objects.count(),
            "calls": Call.objects.count(),
            "criteria": RubricCriterion.objects.count(),
            "expert_profiles": ExpertProfile.objects.count(),
            "call_history": Call.history.count(),
            # The 2027 planning period (issue 17): guidelines, acknowledgements, themes, opinions, selections.
            **{name: model.objects.count() for name, model in planning_models().items()},
        },
        "users": list(User.objects.order_by("username").values_list(
            "pk", "username", "role", "region__code", "display_name", "email", "is_staff", "is_superuser",
            "is_active", "password",
        )),
        "calls": [
            (c.pk, c.year, c.title, c.status, c.envelope_won, c.cap_won, c.pilot_years, c.max_total_years,
             c.min_local_matching_pct, c.matching_basis, c.consulting_start, c.consulting_end,
             c.submission_deadline, c.review_start, c.review_end, c.announcement_date,
             c.created_by.username, c.updated_at,
             sorted(c.eligible_regions.values_list("code", flat=True)),
             sorted(c.strategic_industries.values_list("code", flat=True)))
            for c in Call.objects.order_by("year")
        ],
        "criteria": list(RubricCriterion.objects.order_by("call__year", "order").values_list(
            "pk", "call__year", "order", "name_ko", "name_en", "weight",
        )),
        "expert_profiles": [
            (p.user.username, p.affiliation, p.home_region.code, p.keywords, p.contact_email, p.available,
             sorted(p.industries.values_list("code", flat=True)))
            for p in ExpertProfile.objects.order_by("user__username")
        ],
        "call_history": list(Call.history.order_by("history_id").values_list(
            "history_id", "id", "history_type", "status", "history_date",
        )),
    }


def test_running_it_twice_gives_the_same_data(demo):  # noqa: F811
    first = snapshot()
    # 2027: three guidelines, five candidate themes, Chungnam + Jeonbuk's and Busan's selections; 2023: each of
    # the five real projects' final theme and its selection (their origin)
    assert (first["counts"]["guidelines"], first["counts"]["themes"], first["counts"]["selections"]) == (3, 10, 7)
    seed_demo()
    assert snapshot() == first


def test_a_second_run_keeps_a_changed_password(demo):  # noqa: F811
    user = User.objects.get(username="official-gwangju")
    user.set_password("changed-by-the-user-2027")
    user.save()
    seed_demo()
    assert authenticate(username="official-gwangju", password="changed-by-the-user-2027") == user


def test_it_is_refused_when_demo_data_is_not_allowed(settings):
    settings.ALLOW_DEMO_DATA = False
    before = User.objects.count()
    with pytest.raises(CommandError, match="demo1234"):
        seed_demo()
    assert User.objects.count() == before  # nothing written
