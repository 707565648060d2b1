"""Approving amendments: a small money move (within the call's AmendmentPolicy, by default ≤ 10 % of the
year's total and ≤ 100,000,000 won) by one staff member; a larger change endorsed by one and approved by
another (the four-eyes permission); refusing and returning with reasons. Approval issues the next version."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import Notification
from agreements.models import AgreementState, AmendmentKind, AmendmentPolicy, AmendmentState, FundSource
from agreements.services.amendments import amendment_request, amendment_transition, is_small
from core.permissions import Refused
from tests.login import log_in

from .conftest import accept_all

pytestmark = pytest.mark.django_db
K, S = AmendmentKind, AmendmentState


def request_move(version, official, amount):
    line = version.lines.filter(source=FundSource.NATIONAL).order_by("year").first()
    return amendment_request(actor=official, agreement=version.agreement, kind=K.MONEY_CATEGORIES, reasons="장비",
                             money={"source": "national", "region_id": None, "from_year": line.year,
                                    "from_category": "unclassified", "to_category": "equipment",
                                    "amount_won": amount})


def test_a_small_move_is_approved_by_one_staff_member_and_issues_the_next_version(in_force, official, ministry):
    a = request_move(in_force, official, 1_000_000)
    assert is_small(a)
    a = amendment_transition(actor=ministry, amendment=a, action="approve")
    v2 = a.new_version
    assert a.state == S.APPROVED and v2.number == 2 and v2.state == AgreementState.ISSUED
    assert sum(v2.lines.values_list("amount_won", flat=True)) == sum(in_force.lines.values_list("amount_won",
                                                                                                 flat=True))
    assert v2.lines.get(category="equipment").amount_won == 1_000_000
    assert v2.parties.count() == in_force.parties.count() and not v2.parties.filter(accepted_at__isnull=False)
    assert Notification.objects.filter(user=official, url=f"/agreements/amendments/{a.pk}/").exists()


def test_a_large_move_needs_an_endorsement_and_a_second_staff_member(in_force, official, partner_official,
                                                                     ministry, ministry2):
    a = request_move(in_force, official, 150_000_000)
    assert not is_small(a)
    with pytest.raises(ValidationError, match="endorse it first"):
        amendment_transition(actor=ministry, amendment=a, action="approve")
    a = amendment_transition(actor=ministry, amendment=a, action="endorse")
    assert a.state == S.ENDORSED and a.endorsed_by == ministry
    with pytest.raises(Refused, match="Four eyes"):
        amendment_transition(actor=ministry, amendment=a, action="approve")
    a = amendment_transition(actor=ministry2, amendment=a, action="approve")
    assert a.state == S.APPROVED and a.decided_by == ministry2
    v2 = accept_all(a.new_version, ministry=ministry, official=official, partner_official=partner_official)
    in_force.refresh_from_db()
    assert v2.state == AgreementState.IN_FORCE and in_force.state == AgreementState.SUPERSEDED


def test_the_calls_policy_sets_the_threshold(in_force, official, project):
    AmendmentPolicy.objects.create(call=project.proposal.call, small_pct=0, small_max_won=0)
    assert not is_small(request_move(in_force, official, 1))


def test_refusing_or_returning_needs_reasons_and_closes_the_request(in_force, official, ministry):
    a = request_move(in_force, official, 1_000)
    with pytest.raises(ValidationError) as exc:
        amendment_transition(actor=ministry, amendment=a, action="refuse", note=" ")
    assert "note" in exc.value.message_dict
    a = amendment_transition(actor=ministry, amendment=a, action="return", note="견적서를 붙여 주십시오.")
    assert a.state == S.RETURNED and a.new_version is None
    b = request_move(in_force, official, 1_000)  # a returned one is not open: the region asks again
    assert b.state == S.REQUESTED
    with pytest.raises(PermissionDenied):
        amendment_transition(actor=official, amendment=b, action="approve")
    with pytest.raises(ValidationError, match="Returned to the region"):
        amendment_transition(actor=ministry, amendment=a, action="approve")


def test_the_page_endorses_then_another_approves_and_the_endorser_is_told_to_wait(client, in_force, official,
                                                                                  ministry, ministry2):
    a = request_move(in_force, official, 150_000_000)
    log_in(client, ministry)
    url = reverse("agreements:amendment", args=[a.pk])
    body = client.get(url).content.decode()
    assert 'id="endorse-button"' in body and 'id="approve-button"' not in body
    decide = reverse("agreements:amendment_decide", args=[a.pk])
    assert client.post(decide, {"action": "refuse", "confirm": "yes"}).status_code == 400
    assert client.post(decide, {"action": "endorse", "confirm": "yes"}).status_code == 302
    body = client.get(url).content.decode()
    assert 'id="approve-button"' not in body and "another staff member approves it" in body
    client.logout()
    log_in(client, ministry2)
    assert client.post(decide, {"action": "approve", "confirm": "yes"}).status_code == 302
    a.refresh_from_db()
    assert 'id="new-version-link"' in client.get(url).content.decode() and a.new_version.number == 2
