"""The agreements' to-dos (agreements.todos): each party's place waiting for its people, drafts for staff
to issue; nothing for an outsider, nothing once accepted, and no word to a region of a project sealed until
its call's announcement."""

import pytest

from accounts.models import Notification
from agreements.models import PartyKind
from agreements.services import lifecycle
from core.todos import todos_for
from programmes.models import Call

from .conftest import party

pytestmark = pytest.mark.django_db


def todos(user, kind):
    return [t for t in todos_for(user) if t.kind == kind]


def test_staff_are_asked_to_issue_a_draft(draft, ministry, official):
    (todo,) = todos(ministry, "agreements.issue")
    assert todo.url == f"/agreements/versions/{draft.pk}/"
    assert todos(official, "agreements.issue") == []


def test_each_party_is_asked_to_accept_until_it_has(issued, ministry, official, partner_official, outsider_official):
    lead = todos(official, "agreements.accept")
    assert sorted(str(t.title) for t in lead) == sorted([
        f"Accept version 1 of the agreement for {party(issued, PartyKind.REGION, official.region).name}",
        f"Accept version 1 of the agreement for {party(issued, PartyKind.INSTITUTION).name}"])
    assert len(todos(partner_official, "agreements.accept")) == 1
    assert len(todos(ministry, "agreements.accept")) == 1
    assert todos(outsider_official, "agreements.accept") == []
    jeonnam = party(issued, PartyKind.REGION, partner_official.region)
    lifecycle.agreement_accept(actor=partner_official, party=jeonnam, version_number=1)
    assert todos(partner_official, "agreements.accept") == []


def test_a_sealed_project_s_regions_are_neither_told_nor_asked(project, ministry, official,
                                                               django_capture_on_commit_callbacks):
    Call.objects.filter(pk=project.proposal.call_id).update(announced_at=None, status="review")
    version = lifecycle.agreement_prepare(actor=ministry, project=project)
    with django_capture_on_commit_callbacks(execute=False):
        lifecycle.agreement_transition(actor=ministry, version=version, action="issue")
    assert not Notification.objects.filter(user=official, url__startswith="/agreements/").exists()
    assert todos(official, "agreements.accept") == []
