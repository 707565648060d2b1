"""Spending categories (programmes.categories) on the agreement's lines: version 1's money, copied from the
funding decision (per year and region only), is "unclassified"; the version page and the export show the
category; a line per category may sit beside another of the same year, source and region."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from agreements import selectors
from agreements.models import AgreementLine, FundSource
from programmes.categories import DIRECT_CATEGORIES, SpendingCategory, is_direct
from tests.login import log_in
from tests.reports.conftest import body_of, csv_rows

pytestmark = pytest.mark.django_db


def test_the_vocabulary_names_the_direct_costs():
    assert {c.value for c in DIRECT_CATEGORIES} == {"equipment", "materials", "activities", "commissioned"}
    assert not is_direct(SpendingCategory.PERSONNEL) and not is_direct(SpendingCategory.INDIRECT)
    assert is_direct("commissioned")


def test_version_one_is_unclassified_and_its_category_grid_sums_to_the_money(draft):
    assert set(draft.lines.values_list("category", flat=True)) == {SpendingCategory.UNCLASSIFIED}
    grid = selectors.category_grid(draft)
    assert [c for c, _label in grid.categories] == ["unclassified"]
    assert grid.total == selectors.version_grid(draft).total > 0
    assert [y for y, _cells, _t in grid.rows] == draft.years


def test_a_line_per_category_beside_another_but_never_two_of_one_category(draft):
    line = draft.lines.filter(source=FundSource.NATIONAL).first()
    AgreementLine.objects.create(version=draft, year=line.year, source=line.source,
                                 category=SpendingCategory.EQUIPMENT, amount_won=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementLine.objects.create(version=draft, year=line.year, source=line.source,
                                     category=SpendingCategory.EQUIPMENT, amount_won=2)
    grid = selectors.category_grid(draft)
    assert [c for c, _label in grid.categories] == ["unclassified", "equipment"]
    assert grid.totals[1] == 1


def test_the_version_page_shows_the_categories(client, draft, ministry):
    log_in(client, ministry)
    body = client.get(reverse("agreements:version", args=[draft.pk])).content.decode()
    table = body[body.index('id="agreement-categories"'):]
    assert "Unclassified" in table[:table.index("</table>")]


def test_the_export_has_the_category(client, issued, ministry):
    log_in(client, ministry)
    header, *data = csv_rows(body_of(client.get(reverse("reports:export", args=["agreements", "csv"]))))
    assert {r[header.index("Spending category")] for r in data} == {"Unclassified"}
