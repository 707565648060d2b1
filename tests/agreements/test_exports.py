"""The agreements export (a dataset the reports app registers): one row per amount of each version."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.agreements.test_settlement import (  # noqa: F401  (fixtures of the settlements dataset's tests)
    MAN,
    YEAR,
    accepted,
    confirmed,
    opened,
    proposed,
    year_done,
)
from tests.login import log_in
from tests.projects.conftest import gwangju_id, jeonnam_id  # noqa: F401  (fixtures)
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


# --- settlements --- The year-end settlements' dataset asks agreements.selectors.settlements_visible_to: staff
# see a draft, the regions only once it is proposed, another region nothing.
def settlement_rows(client, user):
    log_in(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    header, *data = csv_rows(body_of(client.get(reverse("reports:export", args=["settlements", "csv"]))))
    client.logout()
    return [dict(zip(header, row, strict=True)) for row in data]


def test_a_draft_settlement_is_exported_to_staff_only(client, opened,  # noqa: F811
        ministry, official, partner_official):
    [row] = settlement_rows(client, ministry)
    assert (row["Year"], row["State"]) == (str(YEAR), "Draft")
    assert settlement_rows(client, official) == [] and settlement_rows(client, partner_official) == []


def test_a_confirmed_settlement_lists_its_amounts_for_the_regions_and_not_another(
        client, confirmed, ministry,  # noqa: F811
        official, partner_official, outsider_official):
    confirmed.refresh_from_db()
    for who in (ministry, official, partner_official):
        [row] = settlement_rows(client, who)
        assert int(row["National funds to return (won)"]) == confirmed.national_due_won
        assert int(row["Local funds to return (won)"]) == confirmed.local_due_won
        assert int(row["Disallowed (won)"]) == 5_000 * MAN + 3_000 * MAN
        assert int(row["Repaid (won)"]) == 0
        assert row["Repayment due date"] == confirmed.due_on.isoformat()
    assert settlement_rows(client, outsider_official) == []
