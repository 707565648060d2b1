"""The submission deadline (Korea time, to the second) and the call's status."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from programmes.models import Call, CallStatus
from proposals.models import Proposal, ProposalState
from proposals.services import proposal_send_to_consulting, proposal_submit
from tests.clock import at
from tests.login import log_in
from tests.proposals.conftest import messages_of

pytestmark = pytest.mark.django_db

SECOND = datetime.timedelta(seconds=1)


def test_submitting_at_exactly_the_deadline_is_allowed(complete_proposal, official, call):
    proposal = proposal_submit(actor=official, proposal=complete_proposal, now=call.submission_deadline)
    assert (proposal.state, proposal.submitted_at) == (ProposalState.SUBMITTED, call.submission_deadline)


def test_submitting_one_second_after_the_deadline_is_refused_with_the_deadline_in_korea_time(
    complete_proposal, official, call
):
    with pytest.raises(ValidationError) as exc:
        proposal_submit(actor=official, proposal=complete_proposal, now=call.submission_deadline + SECOND)
    assert exc.value.messages == [f"The submission deadline has passed ({at(2027, 1, 29, 18):%Y-%m-%d %H:%M:%S}, Korea time)."]
    complete_proposal.refresh_from_db()
    assert (complete_proposal.state, complete_proposal.submitted_at, complete_proposal.versions.count()) == (
        ProposalState.DRAFT, None, 0)


def test_a_deadline_stored_in_utc_is_shown_in_korea_time_even_across_midnight(complete_proposal, official, call):
    deadline = at(2027, 1, 29, 23, 30, 15, tzinfo=datetime.UTC)  # 2027-01-30 08:30:15 in Seoul (as written)
    Call.objects.filter(pk=call.pk).update(submission_deadline=deadline)
    with pytest.raises(ValidationError) as exc:
        proposal_submit(actor=official, proposal=complete_proposal, now=deadline + SECOND)
    assert exc.value.messages == [f"The submission deadline has passed ({at(2027, 1, 30, 8, 30, 15):%Y-%m-%d %H:%M:%S}, Korea time)."]


def test_the_deadline_is_compared_as_an_instant_whatever_the_time_zone_of_now(complete_proposal, official, call):
    # 18:00 in Seoul is 09:00 UTC: a UTC `now` of 09:00:00 is on time.
    now = at(2027, 1, 29, 9, 0, tzinfo=datetime.UTC)
    assert now == call.submission_deadline.astimezone(ZoneInfo("UTC"))
    proposal = proposal_submit(actor=official, proposal=complete_proposal, now=now)
    assert proposal.state == ProposalState.SUBMITTED


def test_sending_to_consulting_after_the_deadline_is_refused(complete_proposal, official, call):
    with pytest.raises(ValidationError) as exc:
        proposal_send_to_consulting(actor=official, proposal=complete_proposal, now=call.submission_deadline + SECOND)
    assert exc.value.messages == [f"The submission deadline has passed ({at(2027, 1, 29, 18):%Y-%m-%d %H:%M:%S}, Korea time)."]


@pytest.mark.parametrize("status", [CallStatus.DRAFT, CallStatus.CLOSED, CallStatus.REVIEW, CallStatus.ANNOUNCED])
def test_a_call_that_is_not_open_refuses_submissions_even_before_the_deadline(
    complete_proposal, official, call, before_deadline, status
):
    Call.objects.filter(pk=call.pk).update(status=status)
    with pytest.raises(ValidationError) as exc:
        proposal_submit(actor=official, proposal=complete_proposal, now=before_deadline)
    assert exc.value.messages == [f"The call is not open (status: {CallStatus(status).label})."]
    assert Proposal.objects.get(pk=complete_proposal.pk).state == ProposalState.DRAFT


def test_a_closed_call_refuses_sending_to_consulting(complete_proposal, official, call, before_deadline):
    Call.objects.filter(pk=call.pk).update(status=CallStatus.CLOSED)
    with pytest.raises(ValidationError) as exc:
        proposal_send_to_consulting(actor=official, proposal=complete_proposal, now=before_deadline)
    assert exc.value.messages == ["The call is not open (status: Closed)."]


def test_the_submit_button_after_the_deadline_explains_why_with_the_korea_time_deadline(
    client, complete_proposal, official, call
):
    # The page uses the real clock: put the deadline a minute in the past.
    deadline = (timezone.now() - datetime.timedelta(minutes=1)).replace(microsecond=0)
    Call.objects.filter(pk=call.pk).update(submission_deadline=deadline)
    log_in(client, official)
    response = client.post(reverse("proposals:action", args=[complete_proposal.pk]),
                           {"action": "submit", "confirm": "yes"}, follow=True)
    shown = timezone.localtime(deadline, ZoneInfo("Asia/Seoul")).strftime("%Y-%m-%d %H:%M:%S")
    assert response.redirect_chain == [(reverse("proposals:detail", args=[complete_proposal.pk]), 302)]
    assert messages_of(response) == [f"The submission deadline has passed ({shown}, Korea time)."]
    assert Proposal.objects.get(pk=complete_proposal.pk).state == ProposalState.DRAFT
