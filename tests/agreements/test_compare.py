"""The compare page: two versions of an agreement side by side — money per year × region × source × category
with the changed rows marked, the period, the parties and the conditions — linked from the agreement page."""

import pytest
from django.urls import reverse

from agreements import selectors
from agreements.models import AmendmentKind, FundSource
from agreements.services.amendments import amendment_request, amendment_transition
from tests.login import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def amended(in_force, official, ministry):
    line = in_force.lines.filter(source=FundSource.NATIONAL).order_by("year").first()
    a = amendment_request(actor=official, agreement=in_force.agreement, kind=AmendmentKind.MONEY_CATEGORIES,
                          reasons="위탁연구", money={"source": "national", "region_id": None, "from_year": line.year,
                                                  "from_category": "unclassified", "to_category": "commissioned",
                                                  "amount_won": 2_000_000})
    return amendment_transition(actor=ministry, amendment=a, action="approve")


def test_the_selector_marks_only_the_moved_money(in_force, amended):
    result = selectors.compare_versions(in_force, amended.new_version)
    changed = [r for r in result["rows"] if r.changed]
    assert [(r.category, r.difference) for r in changed] == [("Unclassified", -2_000_000),
                                                           ("Commissioned research", 2_000_000)]
    assert result["total_before"] == result["total_after"] and not result["period_changed"]
    assert not result["parties_changed"]


def test_the_page_is_linked_from_the_agreement_and_shows_the_change(client, in_force, amended, partner_official):
    log_in(client, partner_official)
    version_page = client.get(reverse("agreements:version", args=[amended.new_version.pk])).content.decode()
    url = reverse("agreements:compare", args=[in_force.agreement_id])
    assert url in version_page
    body = client.get(url).content.decode()
    assert body.count('class="table-warning changed"') == 2 and "2 amounts changed." in body
    assert "+2,000,000 won" in body and "-2,000,000 won" in body
    same = client.get(url, {"old": 1, "new": 1}).content.decode()
    assert "0 amounts changed." in same
    assert client.get(url, {"old": "x", "new": "99"}).status_code == 200  # unknown numbers: the defaults


def test_one_version_has_nothing_to_compare_and_an_outsider_sees_nothing(client, in_force, amended,
                                                                        outsider_official):
    log_in(client, outsider_official)
    assert client.get(reverse("agreements:compare", args=[in_force.agreement_id])).status_code == 404


def test_a_single_version_agreement_has_no_compare_page(client, issued, ministry):
    log_in(client, ministry)
    assert client.get(reverse("agreements:compare", args=[issued.agreement_id])).status_code == 404
