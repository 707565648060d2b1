"""The demo's settlement (agreements/demo.py): Chungnam's 2023 settled — one disallowed item with its reasons,
proposed by `ministry`, accepted by Chungnam, confirmed by `ministry2`, repaid in full (closed). Seeded once for
the module; a second seeding adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from agreements.models import Settlement, SettlementRepayment, SettlementState
from tests.programmes.test_demo_data import demo  # noqa: F401  (the demo, seeded once for the module)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_chungnam_2023_is_settled_confirmed_by_a_second_staff_member_and_repaid():
    settlement = Settlement.objects.select_related("proposed_by", "confirmed_by", "answered_by").get()
    assert (settlement.agreement.project.proposal.lead_region.code, settlement.year) == ("chungnam", 2023)
    assert settlement.state == SettlementState.CLOSED
    assert (settlement.proposed_by.username, settlement.answered_by.username, settlement.confirmed_by.username) == (
        "ministry", "official-chungnam", "ministry2")
    item = settlement.items.get()
    assert item.amount_won == 12_000_000 and "세금계산서" in item.reason
    assert settlement.national_due_won >= item.amount_won
    repaid = sum(r.amount_won for r in settlement.repayments.all())
    assert repaid == settlement.amount_due_won
    assert sorted(settlement.documents.values_list("kind", flat=True)) == ["notice", "statement"]


def test_reseeding_adds_no_settlement():
    before = (Settlement.objects.count(), SettlementRepayment.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Settlement.objects.count(), SettlementRepayment.objects.count()) == before
