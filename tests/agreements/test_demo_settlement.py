"""The demo's settlements (agreements/demo.py): every 2023 project's 2023 and 2024 settled — proposed by
`ministry`, accepted by the lead region, confirmed by `ministry2`, whatever is due repaid in full (closed);
Chungnam's 2023 with one disallowed item and its reasons. Seeded once for the module; a second seeding adds
nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from agreements.models import Settlement, SettlementRepayment, SettlementState
from agreements.services.settlement import settlement_figures
from tests.programmes.test_demo_data import demo  # noqa: F401  (the demo, seeded once for the module)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def _settlements():
    return (Settlement.objects.select_related("proposed_by", "confirmed_by", "answered_by",
                                              "agreement__project__proposal__lead_region")
            .prefetch_related("items", "repayments", "documents").order_by("agreement__project__pk", "year"))


def test_every_project_has_2023_and_2024_settled_by_two_staff_members_and_the_lead_region():
    settlements = list(_settlements())
    by_project = {}
    for s in settlements:
        by_project.setdefault(s.agreement.project.proposal.lead_region.code, []).append(s.year)
    assert len(by_project) == 5 and all(years == [2023, 2024] for years in by_project.values()), by_project
    for s in settlements:
        assert s.state == SettlementState.CLOSED, (s, s.state)
        lead = s.agreement.project.proposal.lead_region.code
        assert (s.proposed_by.username, s.answered_by.username, s.confirmed_by.username) == (
            "ministry", f"official-{lead}", "ministry2")


def test_what_is_due_is_what_the_figures_give_and_is_repaid_in_full_with_a_notice():
    for s in _settlements():
        figures = settlement_figures(s)
        assert (s.national_due_won, s.local_due_won) == (figures.national_due, figures.local_due), s
        assert sum(r.amount_won for r in s.repayments.all()) == s.amount_due_won, s
        kinds = sorted(d.kind for d in s.documents.all())
        assert kinds == (["notice", "statement"] if s.amount_due_won else ["statement"]), (s, kinds)


def test_only_chungnam_2023_has_a_disallowed_item():
    items = [(s.agreement.project.proposal.lead_region.code, s.year, item)
             for s in _settlements() for item in s.items.all()]
    assert [(lead, year) for lead, year, _ in items] == [("chungnam", 2023)]
    item = items[0][2]
    assert item.amount_won == 12_000_000 and "세금계산서" in item.reason
    settlement = item.settlement
    assert settlement.national_due_won >= item.amount_won


def test_reseeding_adds_no_settlement():
    before = (Settlement.objects.count(), SettlementRepayment.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Settlement.objects.count(), SettlementRepayment.objects.count()) == before
