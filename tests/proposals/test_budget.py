"""The call's budget rules: exact local matching (no floats), cap over the pilot, cells keyed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from programmes.models import MatchingBasis
from proposals.models import BudgetLine
from proposals.services import BudgetInvalid, budget_problems, proposal_save_budget
from proposals.services.budget import Cell
from tests.factories import EOK, CallFactory, region
from tests.login import log_in
from tests.proposals.conftest import form_fields, messages_of, text_of

pytestmark = pytest.mark.django_db

PILOT = [2027, 2028, 2029]
ROADMAP = list(range(2027, 2037))
# The call's one matching message (programmes.money), naming the basis.
NATIONAL_BASIS = "national funding"
TOTAL_BASIS = "total project cost"


def at_least(amount: int, pct: str = "20", basis: str = NATIONAL_BASIS) -> str:
    return f"Local funds must be at least {pct}% of the {basis}: at least {amount:,} won."


@pytest.fixture
def gw():
    return region("gwangju").pk


@pytest.fixture
def jn():
    return region("jeonnam").pk


def problems(call, *cells, years=ROADMAP, pilot=PILOT) -> dict:
    return budget_problems(call=call, cells=[Cell(*c) for c in cells], years=years, pilot_years=pilot)


# --- Local matching, national basis (the call: 20 % of national funding) ------------------------


def test_local_funds_of_exactly_20_percent_of_national_funding_pass(call, gw):
    assert problems(call, (gw, 2027, 10_000, 2_000, 0)) == {}


def test_local_funds_of_19_99_percent_fail_at_the_cell_the_year_and_the_total(call, gw):
    assert problems(call, (gw, 2027, 10_000, 1_999, 0)) == {
        (gw, 2027, "local"): "Local funds must be at least 20% of the national funding: at least 2,000 won.",
        ("year", 2027): at_least(2_000),
        ("total",): at_least(2_000),
    }


def test_other_sources_do_not_count_as_local_funds_on_the_national_basis(call, gw):
    assert problems(call, (gw, 2027, 10_000, 1_999, 5_000_000))[(gw, 2027, "local")] == at_least(2_000)


def test_a_fractional_requirement_is_rounded_up_and_compared_exactly(call, gw):
    # 20 % of 10,001 is 2,000.2: 2,000 is short, 2,001 is enough.
    assert problems(call, (gw, 2027, 10_001, 2_000, 0))[(gw, 2027, "local")] == at_least(2_001)
    assert problems(call, (gw, 2027, 10_001, 2_001, 0)) == {}


def test_the_rule_is_exact_for_amounts_of_billions_of_won(gw):
    call = CallFactory.build(min_local_matching_pct=Decimal("33.33"))
    national = 5_500_000_001
    need = 1_833_150_001  # 33.33 % of 5,500,000,001 is 1,833,150,000.33…, rounded up
    assert problems(call, (gw, 2031, national, need, 0)) == {}
    assert problems(call, (gw, 2031, national, need - 1, 0))[(gw, 2031, "local")] == at_least(need, pct="33.33")


def test_a_year_that_fails_is_keyed_by_year_while_the_total_still_passes(call, gw):
    assert problems(call, (gw, 2027, 10_000, 5_000, 0), (gw, 2028, 10_000, 1_000, 0)) == {
        (gw, 2028, "local"): at_least(2_000),
        ("year", 2028): at_least(2_000),
    }


def test_one_regions_shortfall_is_keyed_at_its_cell_when_the_year_as_a_whole_passes(call, gw, jn):
    assert problems(call, (gw, 2027, 10_000, 3_000, 0), (jn, 2027, 10_000, 1_500, 0)) == {
        (jn, 2027, "local"): at_least(2_000),
    }


def test_the_year_row_and_the_total_sum_every_region(call, gw, jn):
    assert problems(call, (gw, 2027, 10_000, 1_000, 0), (jn, 2027, 10_000, 1_000, 0)) == {
        (gw, 2027, "local"): at_least(2_000),
        (jn, 2027, "local"): at_least(2_000),
        ("year", 2027): at_least(4_000),
        ("total",): at_least(4_000),
    }


# --- Local matching, total basis (local ≥ pct × (national + local + other)) -------------------------


@pytest.fixture
def total_basis_call():
    return CallFactory.build(min_local_matching_pct=Decimal("20.00"), matching_basis=MatchingBasis.TOTAL)


def test_on_the_total_basis_local_funds_of_exactly_20_percent_of_the_total_pass(total_basis_call, gw):
    # 2,000 of 8,000 + 2,000 + 0 = 10,000 is 20 %; with other sources: 2,000 of 7,000 + 2,000 + 1,000.
    assert problems(total_basis_call, (gw, 2027, 8_000, 2_000, 0)) == {}
    assert problems(total_basis_call, (gw, 2028, 7_000, 2_000, 1_000)) == {}


def test_on_the_total_basis_one_won_less_fails(total_basis_call, gw):
    # 1,999 of 9,999 is 19.99… %.
    assert problems(total_basis_call, (gw, 2027, 8_000, 1_999, 0)) == {
        (gw, 2027, "local"): at_least(2_000, basis=TOTAL_BASIS),
        ("year", 2027): at_least(2_000, basis=TOTAL_BASIS),
        ("total",): at_least(2_000, basis=TOTAL_BASIS),
    }


def test_on_the_total_basis_other_sources_raise_the_requirement(total_basis_call, gw):
    assert problems(total_basis_call, (gw, 2027, 7_000, 1_999, 1_000))[(gw, 2027, "local")] == at_least(
        2_000, basis=TOTAL_BASIS)


# --- Cap, years, signs ------------------------------------------------------------------------


def test_national_funding_of_exactly_the_cap_over_the_pilot_passes(call, gw, jn):
    assert call.cap_won == 55 * EOK
    cells = [(gw, 2027, 20 * EOK, 4 * EOK, 0), (jn, 2028, 20 * EOK, 4 * EOK, 0), (gw, 2029, 15 * EOK, 3 * EOK, 0)]
    assert problems(call, *cells) == {}


def test_national_funding_above_the_cap_over_the_pilot_is_keyed_cap(call, gw, jn):
    cells = [(gw, 2027, 20 * EOK, 4 * EOK, 0), (jn, 2028, 20 * EOK, 4 * EOK, 0), (gw, 2029, 15 * EOK + 1, 4 * EOK, 0)]
    assert problems(call, *cells) == {
        ("cap",): "National funding requested over the pilot (5,500,000,001 won) "
                             "exceeds the call's cap of 5,500,000,000 won.",
    }


def test_national_funding_after_the_pilot_does_not_count_towards_the_cap(call, gw):
    cells = [(gw, 2027, 55 * EOK, 11 * EOK, 0), (gw, 2030, 40 * EOK, 8 * EOK, 0)]
    assert problems(call, *cells) == {}


@pytest.mark.parametrize("field", ["national", "other"])
def test_a_negative_amount_is_refused_at_its_cell(call, gw, field):
    amounts = {"national": 10_000, "local": 2_000, "other": 0, field: -1}
    assert problems(call, (gw, 2027, amounts["national"], amounts["local"], amounts["other"])) == {
        (gw, 2027, field): "Amounts cannot be negative.",
    }


def test_a_negative_local_amount_is_explained_as_negative_at_its_cell(call, gw):
    assert problems(call, (gw, 2027, 0, -1, 0))[(gw, 2027, "local")] == "Amounts cannot be negative."


def test_a_year_outside_the_roadmap_is_flagged(call, gw):
    assert problems(call, (gw, 2027, 10_000, 2_000, 0), (gw, 2030, 10_000, 2_000, 0), years=PILOT) == {
        (gw, 2030, "national"): "This year is outside the roadmap (2027–2029).",
    }


def test_an_empty_year_outside_the_roadmap_is_not_flagged(call, gw):
    assert problems(call, (gw, 2030, 0, 0, 0), years=PILOT) == {}


# --- Saving through the service ------------------------------------------------------------------


def test_saving_a_budget_that_breaks_the_rules_raises_with_the_problems_and_saves_nothing(proposal, official, gw):
    with pytest.raises(BudgetInvalid) as exc:
        proposal_save_budget(actor=official, proposal=proposal, region=region("gwangju"), expected_revision=0,
                             lines={2027: (10_000, 1_999, 0)})
    assert exc.value.problems == {
        (gw, 2027, "local"): at_least(2_000), ("year", 2027): at_least(2_000), ("total",): at_least(2_000)}
    assert exc.value.messages == [at_least(2_000)]
    proposal.refresh_from_db()
    assert (BudgetLine.objects.count(), proposal.revision, proposal.section_revisions) == (0, 1, {})


def test_a_negative_amount_is_refused_before_it_reaches_the_database(proposal, official, gw):
    with pytest.raises(BudgetInvalid) as exc:
        proposal_save_budget(actor=official, proposal=proposal, region=region("gwangju"), expected_revision=0,
                             lines={2027: (-5, 0, 0)})
    assert exc.value.problems == {(gw, 2027, "national"): "Amounts cannot be negative."}
    assert BudgetLine.objects.count() == 0


def test_a_year_after_the_roadmap_is_refused_when_saving(proposal, official, gw):
    # No stage yet: the roadmap is the call's three pilot years.
    with pytest.raises(BudgetInvalid) as exc:
        proposal_save_budget(actor=official, proposal=proposal, region=region("gwangju"), expected_revision=0,
                             lines={2030: (10_000, 2_000, 0)})
    assert exc.value.problems == {(gw, 2030, "national"): "This year is outside the roadmap (2027–2029)."}


def test_saving_a_budget_within_the_rules_writes_the_lines(proposal, official):
    proposal_save_budget(actor=official, proposal=proposal, region=region("gwangju"), expected_revision=0,
                         lines={2027: (10_000, 2_000, 0), 2028: (0, 0, 0)})
    assert list(BudgetLine.objects.values_list("region__code", "year", "national_won", "local_won", "other_won")) == [
        ("gwangju", 2027, 10_000, 2_000, 0), ("gwangju", 2028, 0, 0, 0)]


# --- The budget step page -------------------------------------------------------------------------


def budget_post(**amounts) -> dict:
    data = {"expected_revision": "0", "region": "gwangju"}
    for year in PILOT:
        for kind in ("national", "local", "other"):
            data[f"{kind}_{year}"] = ""
    data.update({k: str(v) for k, v in amounts.items()})
    return data


def test_the_budget_page_shows_a_19_99_percent_local_share_at_the_cell_and_keeps_what_was_typed(
    client, proposal, official
):
    log_in(client, official)
    response = client.post(reverse("proposals:step", args=[proposal.pk, "budget"]),
                           budget_post(national_2027=10_000, local_2027=1_999, other_2027=7))

    assert response.status_code == 200
    fields = form_fields(response)
    assert "is-invalid" in fields["local_2027"]["class"].split()
    assert fields["local_2027"]["aria-invalid"] == "true"
    assert text_of(response, "id_local_2027-error") == at_least(2_000)
    assert [name for name, attrs in fields.items() if "is-invalid" in attrs.get("class", "").split()] == ["local_2027"]
    assert (fields["national_2027"]["value"], fields["local_2027"]["value"], fields["other_2027"]["value"]) == (
        "10000", "1999", "7")
    assert text_of(response, "total-problem") == f"Total: {at_least(2_000)}"
    assert messages_of(response) == ["The budget breaks the call's rules; see the messages at the cells. "
                                     "Nothing was saved and nothing you typed was lost."]
    proposal.refresh_from_db()
    assert (BudgetLine.objects.count(), proposal.revision) == (0, 1)


def test_the_budget_page_saves_exactly_20_percent(client, proposal, official):
    log_in(client, official)
    response = client.post(reverse("proposals:step", args=[proposal.pk, "budget"]),
                           budget_post(national_2027=10_000, local_2027=2_000))
    # the page comes back on the tab that was saved
    assert (response.status_code, response["Location"]) == (
        302, reverse("proposals:step", args=[proposal.pk, "budget"]) + "?region=gwangju")
    assert list(BudgetLine.objects.values_list("year", "national_won", "local_won", "other_won")) == [
        (2027, 10_000, 2_000, 0), (2028, 0, 0, 0), (2029, 0, 0, 0)]


def test_the_budget_page_refuses_a_negative_amount_at_the_cell(client, proposal, official):
    log_in(client, official)
    response = client.post(reverse("proposals:step", args=[proposal.pk, "budget"]), budget_post(national_2028=-1))
    assert response.status_code == 200
    assert text_of(response, "id_national_2028-error") == "Amounts cannot be negative."
    assert form_fields(response)["national_2028"]["value"] == "-1"
    assert BudgetLine.objects.count() == 0
