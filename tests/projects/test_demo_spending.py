"""The demo's spending by category (projects/demo.py): the 2023 projects' reports of 2023–2025 state
what each region spent per category, personnel about 40 %, indirect costs within every limit, the parts'
totals the sums of their lines; reseeding changes nothing. Seeded once for the module."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from projects.models import ReportPart, SpendingLine
from projects.services.spending import spending_problems
from tests.programmes.test_demo_data import demo  # noqa: F401  (the demo, seeded once for the module)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def parts():
    return ReportPart.objects.filter(report__project__proposal__call__year=2023).select_related(
        "report__project__proposal__call").prefetch_related("spending_lines")


def test_every_part_of_2023_to_2025_has_its_spending_by_category_summing_to_its_totals():
    seen = set()
    for part in parts():
        lines = {(line.source, line.category): line.amount_won for line in part.spending_lines.all()}
        assert sum(v for (s, _c), v in lines.items() if s == "national") == part.national_spent_won
        assert sum(v for (s, _c), v in lines.items() if s == "local") == part.local_spent_won
        if part.national_spent_won:
            assert 39 <= lines[("national", "personnel")] * 100 // part.national_spent_won <= 40
            assert spending_problems(part=part, amounts=lines) == {}
        seen.add(part.report.year)
    assert seen == {2023, 2024, 2025}
    assert not SpendingLine.objects.filter(category="unclassified", part__in=parts()).exists()


def test_reseeding_changes_no_spending():
    before = SpendingLine.objects.aggregate(n=Sum("amount_won"))["n"], SpendingLine.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert (SpendingLine.objects.aggregate(n=Sum("amount_won"))["n"], SpendingLine.objects.count()) == before
