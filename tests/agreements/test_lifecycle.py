"""The agreement's lifecycle: prepared from the approved funding decision, issued, accepted by every
party (each acceptance bound to its version), in force; the refusals say why and save nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Notification
from agreements.models import AgreementDocument, AgreementLine, AgreementState, AgreementVersion, FundSource, PartyKind
from agreements.selectors import agreement_in_force, version_grid
from agreements.services import lifecycle
from audit.models import AuditAction, AuditEvent
from funding.models import FundingDecision
from projects import hooks

from .conftest import accept_all, party

pytestmark = pytest.mark.django_db


def test_the_draft_takes_the_period_money_and_conditions_of_the_approved_decision(draft, project):
    decision = FundingDecision.objects.get(proposal=project.proposal, state="approved")
    assert (draft.number, draft.state) == (1, AgreementState.DRAFT)
    assert (draft.start_year, draft.end_year) == (2023, 2025)
    assert draft.conditions == decision.conditions
    national = {ln.year: ln.amount_won for ln in draft.lines.filter(source=FundSource.NATIONAL)}
    assert national == {fy.year: fy.national_won for fy in decision.years.all()}
    local = {(ln.region_id, ln.year): ln.amount_won for ln in draft.lines.filter(source=FundSource.LOCAL)}
    assert local == {(ob.region_id, ob.year): ob.local_won for ob in decision.obligations.all()}
    grid = version_grid(draft)
    assert grid.total == decision.national_total_won + sum(local.values())
    assert "10년" in draft.stage_rule and "3년" in draft.stage_rule


def test_the_parties_are_the_ministry_each_region_and_the_lead_institution(draft, project):
    kinds = [(p.kind, p.region.code if p.region else None) for p in draft.parties.select_related("region")]
    assert kinds == [(PartyKind.MINISTRY, None), (PartyKind.REGION, "gwangju"), (PartyKind.REGION, "jeonnam"),
                     (PartyKind.INSTITUTION, "gwangju")]
    assert all(p.accepted_at is None for p in draft.parties.all())


def test_an_official_cannot_prepare_and_a_project_gets_one_agreement(project, official, ministry, draft):
    with pytest.raises(PermissionDenied):
        lifecycle.agreement_prepare(actor=official, project=project)
    with pytest.raises(ValidationError, match="already has an agreement"):
        lifecycle.agreement_prepare(actor=ministry, project=project)
    assert AgreementVersion.objects.filter(agreement__project=project).count() == 1


def test_issuing_asks_for_the_pdf_and_tells_the_regions(issued, official, partner_official):
    assert issued.state == AgreementState.ISSUED and issued.issued_at is not None
    assert AgreementDocument.objects.get(version=issued).status == "pending"
    for person in (official, partner_official):
        assert Notification.objects.filter(user=person, url=f"/agreements/versions/{issued.pk}/").exists()
    assert AuditEvent.objects.filter(action=AuditAction.AGREEMENT_STATE, summary__contains="issued").exists()


def test_an_issued_version_is_not_issued_again(issued, ministry):
    with pytest.raises(ValidationError, match="only a draft is issued"):
        lifecycle.agreement_transition(actor=ministry, version=issued, action="issue")
    with pytest.raises(ValidationError, match="Unknown action"):
        lifecycle.agreement_transition(actor=ministry, version=issued, action="enforce")


def test_an_official_is_refused_the_issue_of_a_draft(project, ministry, official):
    version = lifecycle.agreement_prepare(actor=ministry, project=project)
    with pytest.raises(PermissionDenied):
        lifecycle.agreement_transition(actor=official, version=version, action="issue")
    version.refresh_from_db()
    assert version.state == AgreementState.DRAFT


def test_the_version_comes_into_force_when_the_last_party_accepts(issued, ministry, official, partner_official,
                                                                   project):
    assert agreement_in_force(project) is False and hooks.agreement_accepted(project) is False
    lifecycle.agreement_accept(actor=ministry, party=party(issued, PartyKind.MINISTRY), version_number=1)
    issued.refresh_from_db()
    assert issued.state == AgreementState.ISSUED
    for who, p in ((official, party(issued, PartyKind.REGION, official.region)),
                   (partner_official, party(issued, PartyKind.REGION, partner_official.region))):
        lifecycle.agreement_accept(actor=who, party=p, version_number=1)
    issued.refresh_from_db()
    assert issued.state == AgreementState.ISSUED  # the institution has not accepted yet
    lifecycle.agreement_accept(actor=official, party=party(issued, PartyKind.INSTITUTION), version_number=1,
                               institution_signed=True)
    issued.refresh_from_db()
    assert issued.state == AgreementState.IN_FORCE and issued.in_force_at is not None
    assert agreement_in_force(project) is True and hooks.agreement_accepted(project) is True


def test_each_party_is_accepted_only_by_its_own_people(issued, ministry, official, partner_official,
                                                       outsider_official):
    jeonnam = party(issued, PartyKind.REGION, partner_official.region)
    for intruder in (official, outsider_official, ministry):
        with pytest.raises(PermissionDenied):
            lifecycle.agreement_accept(actor=intruder, party=jeonnam, version_number=1)
    with pytest.raises(PermissionDenied):  # the partner region does not sign for the lead institution
        lifecycle.agreement_accept(actor=partner_official, party=party(issued, PartyKind.INSTITUTION),
                                   version_number=1, institution_signed=True)
    with pytest.raises(PermissionDenied):  # an official does not accept for the ministry
        lifecycle.agreement_accept(actor=official, party=party(issued, PartyKind.MINISTRY), version_number=1)
    assert not issued.parties.filter(accepted_at__isnull=False).exists()


def test_the_institution_is_accepted_only_with_the_heads_signature_declared(issued, official):
    with pytest.raises(ValidationError) as refused:
        lifecycle.agreement_accept(actor=official, party=party(issued, PartyKind.INSTITUTION), version_number=1)
    assert "institution_signed" in refused.value.message_dict
    assert party(issued, PartyKind.INSTITUTION).accepted_at is None


def test_accepting_another_version_than_the_one_issued_is_refused(issued, official, ministry):
    gwangju = party(issued, PartyKind.REGION, official.region)
    with pytest.raises(ValidationError, match="Only the version issued now can be accepted"):
        lifecycle.agreement_accept(actor=official, party=gwangju, version_number=2)
    assert party(issued, PartyKind.REGION, official.region).accepted_at is None


def test_a_draft_cannot_be_accepted_and_nobody_accepts_twice(draft, ministry, official,
                                                            django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError, match="Only the version issued now"):
        lifecycle.agreement_accept(actor=official, party=party(draft, PartyKind.REGION, official.region),
                                   version_number=1)
    with django_capture_on_commit_callbacks(execute=False):
        lifecycle.agreement_transition(actor=ministry, version=draft, action="issue")
    lifecycle.agreement_accept(actor=ministry, party=party(draft, PartyKind.MINISTRY), version_number=1)
    with pytest.raises(ValidationError, match="already accepted"):
        lifecycle.agreement_accept(actor=ministry, party=party(draft, PartyKind.MINISTRY), version_number=1)


def test_a_superseded_version_cannot_be_accepted_and_the_new_one_replaces_it(issued, ministry, official,
                                                                            partner_official):
    """Version 2 (as an approved amendment makes it) supersedes version 1 once every party accepts it; an
    acceptance of version 1 afterwards is refused."""
    v1 = accept_all(issued, ministry=ministry, official=official, partner_official=partner_official)
    v2 = AgreementVersion.objects.create(agreement=v1.agreement, number=2, state=AgreementState.ISSUED,
                                         start_year=v1.start_year, end_year=v1.end_year, prepared_by=ministry)
    AgreementLine.objects.bulk_create([AgreementLine(version=v2, year=ln.year, region=ln.region, source=ln.source,
                                                     amount_won=ln.amount_won) for ln in v1.lines.all()])
    lifecycle._parties(v2, v1.agreement.project.proposal)
    gwangju_v1 = party(v1, PartyKind.REGION, official.region)
    with pytest.raises(ValidationError, match="Only the version issued now"):
        lifecycle.agreement_accept(actor=official, party=gwangju_v1, version_number=1)
    v2 = accept_all(v2, ministry=ministry, official=official, partner_official=partner_official)
    v1.refresh_from_db()
    assert (v1.state, v2.state) == (AgreementState.SUPERSEDED, AgreementState.IN_FORCE)
