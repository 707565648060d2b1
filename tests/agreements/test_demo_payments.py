"""The demo's payments (agreements/demo.py): the five 2023 projects have schedules that add up to their
agreements in force, every 2023–2025 instalment paid but Jeonbuk's second national one of 2025 (overdue), and
Chungnam's approved carry-over. Seeded once for the module; a second seeding adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from agreements.models import CarryOver, FundSource, Instalment, Payment
from agreements.selectors import money_of
from agreements.services.payments import agreed_amounts
from projects.models import Project
from tests.programmes.test_demo_data import demo  # noqa: F401  (the demo, seeded once for the module)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_every_2023_project_has_a_schedule_adding_up_to_its_agreement_and_one_instalment_is_overdue():
    overdue = []
    for project in Project.objects.filter(proposal__call__year=2023).select_related("proposal__lead_region"):
        money = money_of(project.agreement)
        assert money["has_schedule"]
        scheduled = {}
        for inst in Instalment.objects.filter(agreement=project.agreement):
            scheduled[inst.group] = scheduled.get(inst.group, 0) + inst.amount_won
        assert scheduled == agreed_amounts(money["version"])
        overdue += [(project.proposal.lead_region.code, item.instalment.year, item.instalment.source,
                     item.instalment.number) for row in money["rows"] for item in row.overdue]
    assert overdue == [("jeonbuk", 2025, FundSource.NATIONAL, 2)]


def test_chungnam_carried_part_of_its_2023_national_funds_into_2024():
    carry = CarryOver.objects.get()
    assert (carry.agreement.project.proposal.lead_region.code, carry.year, carry.state) == ("chungnam", 2023,
                                                                                             "approved")
    assert 0 < carry.amount_won <= 100_000_000


def test_reseeding_adds_no_payment():
    before = (Instalment.objects.count(), Payment.objects.count(), CarryOver.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Instalment.objects.count(), Payment.objects.count(), CarryOver.objects.count()) == before
