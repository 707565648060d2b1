"""A call's amendment thresholds on a page (issue 18): staff read and change them (one service,
checked at the field, on the audit trail, the changes listed on the page); the call page and the
amendment page lead there; officials are refused."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from agreements.models import AmendmentPolicy
from agreements.services.amendments import is_small
from agreements.services.policies import amendment_policy_save, policy_history
from audit.models import AuditAction, AuditEvent
from tests.login import log_in

from .test_amendment_approval import request_move

pytestmark = pytest.mark.django_db


def test_staff_set_the_thresholds_and_the_trail_keeps_before_and_after(project, ministry, ministry2):
    call = project.proposal.call
    policy = amendment_policy_save(actor=ministry, call=call, small_pct=Decimal("5"), small_max_won=50_000_000)
    assert AmendmentPolicy.objects.get(call=call).small_max_won == 50_000_000 and policy.pk
    amendment_policy_save(actor=ministry2, call=call, small_pct=Decimal("12.5"), small_max_won=70_000_000)
    first, second = reversed(policy_history(call))
    assert first.actor == ministry and first.before["default"] is True and first.before["small_pct"] == "10"
    assert first.after == {"small_pct": "5", "small_max_won": 50_000_000}
    assert second.actor == ministry2 and second.before == first.after
    assert second.after == {"small_pct": "12.5", "small_max_won": 70_000_000}
    # Saving the same values again records nothing.
    amendment_policy_save(actor=ministry, call=call, small_pct=Decimal("12.50"), small_max_won=70_000_000)
    assert AuditEvent.objects.filter(action=AuditAction.AMENDMENT_POLICY).count() == 2


def test_the_thresholds_decide_which_amendments_are_small(in_force, official, ministry, project):
    a = request_move(in_force, official, 1_000_000)
    assert is_small(a)
    amendment_policy_save(actor=ministry, call=project.proposal.call, small_pct=Decimal(10), small_max_won=999_999)
    assert not is_small(a)


@pytest.mark.parametrize(("pct", "won", "field", "message"), [
    (Decimal("100.01"), 1, "small_pct", "between 0 and 100"),
    (Decimal("-1"), 1, "small_pct", "between 0 and 100"),
    (Decimal("1.125"), 1, "small_pct", "two decimal places"),
    (None, 1, "small_pct", "Type the share"),
    (Decimal(10), -5, "small_max_won", "between 0 and"),
    (Decimal(10), None, "small_max_won", "Type the largest amount"),
])
def test_bad_thresholds_are_refused_at_the_field_and_nothing_is_saved(project, ministry, pct, won, field, message):
    with pytest.raises(ValidationError) as exc:
        amendment_policy_save(actor=ministry, call=project.proposal.call, small_pct=pct, small_max_won=won)
    assert message in " ".join(exc.value.message_dict[field])
    assert not AmendmentPolicy.objects.exists() and not AuditEvent.objects.filter(
        action=AuditAction.AMENDMENT_POLICY).exists()


def test_officials_may_not_change_the_thresholds(project, official):
    with pytest.raises(PermissionDenied):
        amendment_policy_save(actor=official, call=project.proposal.call, small_pct=Decimal(50),
                              small_max_won=10**12)
    assert not AmendmentPolicy.objects.exists()


def test_the_page_saves_keeps_what_was_typed_on_error_and_lists_the_changes(client, project, ministry):
    call = project.proposal.call
    log_in(client, ministry)
    url = reverse("agreements:amendment_policy", args=[call.pk])
    body = client.get(url).content.decode()
    assert 'id="policy-default"' in body and 'id="policy-history-empty"' in body
    response = client.post(url, {"small_pct": "150", "small_max_won": "3억"})
    body = response.content.decode()
    assert response.status_code == 400 and "is-invalid" in body and 'value="3억"' in body
    assert not AmendmentPolicy.objects.exists()
    response = client.post(url, {"small_pct": "7.5", "small_max_won": "3억"})
    assert response.status_code == 302
    policy = AmendmentPolicy.objects.get(call=call)
    assert policy.small_pct == Decimal("7.5") and policy.small_max_won == 300_000_000
    body = client.get(url).content.decode()
    assert 'id="policy-history"' in body and 'id="policy-default"' not in body
    assert '<dd class="col-sm-6" id="policy-pct">7.5%</dd>' in body  # as typed, not "7.50%"
    # The call page shows the thresholds and leads to the page.
    body = client.get(reverse("programmes:call_detail", args=[call.pk])).content.decode()
    assert 'id="call-amendment-policy-link"' in body and url in body


def test_the_amendment_page_links_staff_to_the_thresholds(client, other_client, in_force, official, ministry,
                                                          project):
    a = request_move(in_force, official, 1_000_000)
    policy_url = reverse("agreements:amendment_policy", args=[project.proposal.call_id])
    log_in(client, ministry)
    assert policy_url in client.get(reverse("agreements:amendment", args=[a.pk])).content.decode()
    log_in(other_client, official)
    assert policy_url not in other_client.get(reverse("agreements:amendment", args=[a.pk])).content.decode()
    assert other_client.get(policy_url).status_code == 403
