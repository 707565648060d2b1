"""The agreements export (a dataset the reports app registers): one row per amount of each version."""

import pytest
from django.urls import reverse

from tests.login import log_in
from tests.reports.conftest import body_of, csv_rows

pytestmark = pytest.mark.django_db


def export(client, user):
    log_in(client, user)
    return csv_rows(body_of(client.get(reverse("reports:export", args=["agreements", "csv"]))))


def test_the_csv_has_every_amount_of_the_version(client, issued, ministry):
    header, *data = export(client, ministry)
    lines = list(issued.lines.all())
    assert len(data) == len(lines) == 3 + 3 * 2  # national per pilot year, local per year and region
    amounts = sum(int(r[header.index("Amount (won)")]) for r in data)
    assert amounts == sum(ln.amount_won for ln in lines)
    assert {r[header.index("Reference")] for r in data} == {issued.reference}


def test_another_region_exports_nothing_and_the_partner_everything(client, issued, outsider_official,
                                                                   partner_official):
    assert export(client, outsider_official)[1:] == []
    client.logout()
    assert len(export(client, partner_official)[1:]) == 9
