"""The budget step as one money-entry component: amounts typed as people write them, refused at
the cell with what was typed kept, one message per place, each region its own tab (the lead sees
partners' read-only), the tab kept after saving, every budget line change in the audit trail."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEvent, AuditSource
from proposals.models import BudgetLine
from proposals.services import proposal_save_budget
from tests.factories import EOK, region
from tests.login import log_in
from tests.proposals.conftest import form_fields, messages_of, parse, text_of
from tests.proposals.test_budget import budget_post

pytestmark = pytest.mark.django_db


def url(proposal, code=None) -> str:
    return reverse("proposals:step", args=[proposal.pk, "budget"]) + (f"?region={code}" if code else "")


def test_amounts_in_korean_units_and_separators_are_saved_as_won(client, proposal, official):
    log_in(client, official)
    response = client.post(url(proposal), budget_post(national_2027="1억 2천만", local_2027="２，４００만원",
                                                      other_2027="5,000,000", national_2028="1.5억",
                                                      local_2028="3천만"))
    assert response.status_code == 302
    assert list(BudgetLine.objects.values_list("year", "national_won", "local_won", "other_won")) == [
        (2027, 120_000_000, 24_000_000, 5_000_000), (2028, 150_000_000, 30_000_000, 0), (2029, 0, 0, 0)]


def test_the_saved_amounts_are_echoed_in_eok_beside_each_cell(client, proposal, official):
    proposal_save_budget(actor=official, proposal=proposal, region=region("gwangju"), expected_revision=0,
                         lines={2027: (15 * EOK, 3 * EOK, 0)})
    log_in(client, official)
    response = client.get(url(proposal), HTTP_ACCEPT_LANGUAGE="en")
    assert (text_of(response, "id_national_2027-eok"), text_of(response, "id_local_2027-eok")) == (
        "KRW 1.5 billion", "KRW 300 million")
    assert text_of(response, "id_other_2027-eok") == ""


@pytest.mark.parametrize(("typed", "message"), [
    ("56억", "At most 5,500,000,000 won."),  # one national cell over the call's cap
    ("-3천만", "Amounts cannot be negative."),
    ("일억", "Type an amount in won, e.g. 1,000,000 or 1억 2천만."),
])
def test_a_cell_that_cannot_be_an_amount_is_refused_at_the_cell_with_what_was_typed_kept(
        client, proposal, official, typed, message):
    log_in(client, official)
    with translation.override("en"):
        response = client.post(url(proposal), budget_post(national_2027=typed, local_2027="1억"),
                               HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    fields = form_fields(response)
    assert fields["national_2027"]["value"] == typed and fields["local_2027"]["value"] == "1억"
    assert fields["national_2027"]["aria-invalid"] == "true"
    assert fields["national_2027"]["aria-describedby"].split() == ["id_national_2027-eok", "id_national_2027-error"]
    assert text_of(response, "id_national_2027-error") == message
    assert [n for n, a in fields.items() if "is-invalid" in a.get("class", "").split()] == ["national_2027"]
    assert BudgetLine.objects.count() == 0


def test_a_shortfall_is_explained_once_at_the_cell_not_again_in_the_total_column(client, proposal, official):
    log_in(client, official)
    response = client.post(url(proposal), budget_post(national_2027="1억", local_2027="1천만"))
    assert response.status_code == 200
    assert "id_local_2027-error" in parse(response).text_by_id
    assert 'class="text-danger small text-start year-problem"' not in response.content.decode()


def test_the_matching_rule_is_stated_with_the_calls_percentage(client, proposal, official):
    log_in(client, official)
    response = client.get(url(proposal), HTTP_ACCEPT_LANGUAGE="en")
    assert text_of(response, "matching-rule") == (
        "Local government funds must be at least 20% of the national funding, every year and in total.")


def test_the_table_scrolls_in_its_own_named_region(client, proposal, official):
    log_in(client, official)
    html = client.get(url(proposal)).content.decode()
    assert '<div class="money-scroll" role="region" aria-labelledby="budget-caption" tabindex="0">' in html
    assert 'id="budget-caption"' in html


# --- Each region its own tab ------------------------------------------------------------------------------


def test_the_lead_sees_a_partners_tab_read_only(client, proposal, official, partner_official):
    proposal_save_budget(actor=partner_official, proposal=proposal, region=region("jeonnam"), expected_revision=0,
                         lines={2027: (10 * EOK, 2 * EOK, 0)})
    log_in(client, official)
    response = client.get(url(proposal, "jeonnam"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert not any(name.startswith(("national_", "local_", "other_")) for name in form_fields(response))
    assert "budget-form" not in parse(response).text_by_id
    assert "read-only" in text_of(response, "budget-readonly")
    assert "1,000,000,000" in response.content.decode()  # the partner's saved figures are shown


def test_the_lead_still_edits_its_own_tab(client, proposal, official):
    log_in(client, official)
    assert "national_2027" in form_fields(client.get(url(proposal, "gwangju")))


def test_a_post_for_a_partners_tab_is_refused_and_saves_nothing(client, proposal, official):
    log_in(client, official)
    data = budget_post(national_2027="1억", local_2027="2천만") | {"region": "jeonnam"}
    response = client.post(url(proposal, "jeonnam"), data)
    assert response.status_code == 403
    assert not BudgetLine.objects.exists()


def test_the_service_refuses_the_lead_saving_a_partners_budget(proposal, official):
    with pytest.raises(PermissionDenied):
        proposal_save_budget(actor=official, proposal=proposal, region=region("jeonnam"), expected_revision=0,
                             lines={2027: (10, 2, 0)})
    assert not BudgetLine.objects.exists()


def test_a_partner_saves_its_own_tab_and_stays_on_it(client, proposal, partner_official):
    log_in(client, partner_official)
    data = budget_post(national_2027="1억", local_2027="2천만") | {"region": "jeonnam"}
    response = client.post(url(proposal, "jeonnam"), data)
    assert (response.status_code, response["Location"]) == (302, url(proposal, "jeonnam"))
    assert BudgetLine.objects.filter(region__code="jeonnam", year=2027, national_won=EOK).exists()
    page = client.get(response["Location"])
    assert messages_of(page) and form_fields(page)["national_2027"]["value"] == str(EOK)


# --- The audit trail -------------------------------------------------------------------------------------


def budget_events(line_pk=None):
    qs = AuditEvent.objects.filter(content_type__model="budgetline", source=AuditSource.FIELDS).order_by("id")
    return list(qs.filter(object_id=str(line_pk)) if line_pk else qs)


def test_every_budget_line_change_is_in_the_audit_trail_with_who_and_before_after(client, proposal, official):
    log_in(client, official)
    client.post(url(proposal), budget_post(national_2027="1억", local_2027="2천만"))
    line = BudgetLine.objects.get(region__code="gwangju", year=2027)
    [created] = budget_events(line.pk)
    assert created.actor == official and created.after["national_won"] == str(EOK)
    assert created.object_repr.startswith(proposal.title_ko)

    client.post(url(proposal), budget_post(national_2027="2억", local_2027="4천만") | {"expected_revision": "1"})
    created_again, changed = budget_events(line.pk)
    assert created_again == created
    assert changed.actor == official
    assert (changed.before["national_won"], changed.after["national_won"]) == (str(EOK), str(2 * EOK))
    assert (changed.before["local_won"], changed.after["local_won"]) == (str(2 * EOK // 10), str(4 * EOK // 10))
    # an unchanged year leaves no record
    untouched = BudgetLine.objects.get(region__code="gwangju", year=2028)
    assert len(budget_events(untouched.pk)) == 1
