"""The sign-off to-do (proposals.todos) and the lead region's notice when a partner signs off."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Notification
from accounts.tasks import send_notification_emails
from core.todos import todos_for
from proposals.models import ProposalState
from proposals.services.editing import consortium_sign_off
from tests.login import log_in

pytestmark = pytest.mark.django_db


def kinds(user):
    return [t.kind for t in todos_for(user)]


def test_each_region_must_sign_off_until_it_has_signed_the_current_revision(proposal, official, partner_official):
    assert "proposals.sign_off" in kinds(official)
    assert "proposals.sign_off" in kinds(partner_official)
    consortium_sign_off(actor=partner_official, proposal=proposal, revision=proposal.revision)
    assert "proposals.sign_off" not in kinds(partner_official)
    assert "proposals.sign_off" in kinds(official)  # the lead has not signed yet


def test_no_sign_off_once_the_plan_cannot_change_and_none_for_outsiders(proposal, official, outsider_official):
    assert "proposals.sign_off" not in kinds(outsider_official)
    proposal.state = ProposalState.SUBMITTED
    proposal.save(update_fields=["state"])
    assert "proposals.sign_off" not in kinds(official)


def test_the_to_do_links_to_the_proposal_where_the_sign_off_is(proposal, official):
    todo = next(t for t in todos_for(official) if t.kind == "proposals.sign_off")
    assert todo.url.startswith(reverse("proposals:detail", args=[proposal.pk]))
    assert todo.due == proposal.call.submission_deadline
    assert str(todo.label) == proposal.title


def test_a_partner_sign_off_tells_the_lead_region_in_the_portal_and_by_mail(
        proposal, official, partner_official, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        consortium_sign_off(actor=partner_official, proposal=proposal, revision=proposal.revision)
    told = Notification.objects.get(user=official)
    assert proposal.title_ko in told.message or proposal.title_en in told.message
    assert told.url == reverse("proposals:detail", args=[proposal.pk])
    assert not Notification.objects.filter(user=partner_official).exists()  # the signer is not told
    # The mail goes through the outbox (a worker when a broker is set): sent here, in this process.
    send_notification_emails.apply(kwargs={"notification_ids": [told.pk]})
    assert any(official.email in m.to for m in mail.outbox)


def test_the_lead_signing_tells_nobody(proposal, official, partner_official):
    consortium_sign_off(actor=official, proposal=proposal, revision=proposal.revision)
    assert not Notification.objects.exists()


def test_the_dashboard_lists_the_sign_off_and_following_it_leads_to_the_form(client, proposal, official):
    log_in(client, official)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'data-todo-kind="proposals.sign_off"' in page
    assert 'id="todo-count"' in page
    detail = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "sign-off-button" in detail
