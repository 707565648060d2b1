"""The agreement's lifecycle: one transition function beside the table of moves (as
proposals.services.lifecycle).

A version is prepared (draft) by staff from the project's approved funding decision, issued
(its PDF is built by a worker and every party is told), accepted by each party — each
acceptance is stamped on that version's own party row, so accepting an older or a newer
version than the one issued now is refused — and comes into force when the last party
accepts; the version in force before it is then superseded.

Who accepts for whom: staff for the ministry, each region's officials for their region, and
the lead region's officials for the lead research institution, declaring that the
institution's head has signed the agreement (the declaration is part of the acceptance).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import AuditAction, record
from core.moves import Move, check_move, move_of
from core.permissions import require
from funding.models import DecisionState, FundingDecision
from projects.models import Project
from proposals.disclosure import region_disclosure
from proposals.selectors import officials_of

from ..models import (
    Agreement,
    AgreementLine,
    AgreementParty,
    AgreementState,
    AgreementVersion,
    FundSource,
    PartyKind,
)

S = AgreementState


@dataclass(frozen=True)
class AgreementMove(Move):
    by_hand: bool = True  # False: made by another move (coming into force, superseding), never a button


MOVES = {
    "issue": AgreementMove(
        gettext_lazy("Issue"), frozenset({S.DRAFT}), S.ISSUED, "agreements.issue_agreement",
        gettext_lazy("This version is “%(state)s”: only a draft is issued.")),
    "enforce": AgreementMove(
        S.IN_FORCE.label, frozenset({S.ISSUED}), S.IN_FORCE, "agreements.accept_agreement",
        gettext_lazy("This version is “%(state)s”: it does not come into force now."), by_hand=False),
    "supersede": AgreementMove(
        S.SUPERSEDED.label, frozenset({S.IN_FORCE}), S.SUPERSEDED, "agreements.accept_agreement",
        gettext_lazy("This version is “%(state)s”: only the version in force is superseded."), by_hand=False),
}


def stage_rule_text(call) -> str:
    """The stage-evaluation rule the agreement states, from the call's own settings (Korean: the
    agreement is a Korean document)."""
    return (f"시범사업 {call.pilot_years}년 종료 시 단계평가를 거쳐 계속 지원 여부와 다음 단계의 지원 규모를 "
            f"결정하며, 단계평가 결과에 따라 조건부 계속 또는 중단될 수 있다. 전체 지원 기간은 "
            f"최대 {call.max_total_years}년을 넘을 수 없다.")


def approved_decision(project: Project) -> FundingDecision:
    decision = (FundingDecision.objects.filter(proposal_id=project.proposal_id, state=DecisionState.APPROVED)
                .prefetch_related("years", "obligations").first())
    if decision is None:
        raise ValidationError(_("The project has no approved funding decision."))
    return decision


def _lead_institution_name(proposal) -> str:
    lead = proposal.organisations.filter(region_id=proposal.lead_region_id).order_by("id").first()
    if lead is not None:
        return lead.name
    return _("Lead research institution of %(region)s") % {"region": proposal.lead_region.name}


def _parties(version: AgreementVersion, proposal) -> None:
    regions = [p.region for p in proposal.participations.select_related("region").order_by("-is_lead",
                                                                                           "region__order")]
    rows = [AgreementParty(version=version, kind=PartyKind.MINISTRY, name=_("Ministry of Science and ICT"),
                           order=0)]
    rows += [AgreementParty(version=version, kind=PartyKind.REGION, region=r, name=r.name, order=i + 1)
             for i, r in enumerate(regions)]
    rows.append(AgreementParty(version=version, kind=PartyKind.INSTITUTION, region=proposal.lead_region,
                               name=_lead_institution_name(proposal), order=len(regions) + 1))
    AgreementParty.objects.bulk_create(rows)


@transaction.atomic
def agreement_prepare(*, actor, project: Project, conditions: str | None = None) -> AgreementVersion:
    """Staff prepare version 1 from the project's approved funding decision: the pilot's period,
    its national funds per year and local funds per year and region, its conditions (or those
    typed), the call's stage-evaluation rule and the parties. Once per project."""
    require(actor, "agreements.prepare_agreement", project)
    project = Project.objects.select_for_update().select_related("proposal__call", "proposal__lead_region").get(
        pk=project.pk)
    if Agreement.objects.filter(project=project).exists():
        raise ValidationError(_("This project already has an agreement."))
    decision = approved_decision(project)
    years = sorted(fy.year for fy in decision.years.all())
    if not years:
        raise ValidationError(_("The funding decision grants no year."))
    proposal = project.proposal
    agreement = Agreement.objects.create(project=project, decision=decision, created_by=actor)
    version = AgreementVersion(
        agreement=agreement, number=1, state=S.DRAFT, start_year=years[0], end_year=years[-1],
        conditions=decision.conditions if conditions is None else conditions.strip(),
        stage_rule=stage_rule_text(proposal.call), prepared_by=actor)
    version.full_clean(exclude=["agreement"])
    version.save()
    AgreementLine.objects.bulk_create(
        [AgreementLine(version=version, year=fy.year, source=FundSource.NATIONAL, amount_won=fy.national_won)
         for fy in decision.years.all()]
        + [AgreementLine(version=version, year=ob.year, region_id=ob.region_id, source=FundSource.LOCAL,
                         amount_won=ob.local_won) for ob in decision.obligations.all()])
    _parties(version, proposal)
    record(actor=actor, action=AuditAction.AGREEMENT_STATE, obj=version,
           summary=_("Agreement %(ref)s prepared from funding decision v%(v)s.") % {
               "ref": version.reference, "v": decision.version},
           after={"state": version.state, "years": f"{version.start_year}-{version.end_year}",
                  "lines": line_summary(version)})
    return version


def line_summary(version: AgreementVersion) -> dict:
    """The version's money as {"year source region category": won}, for the audit record."""
    return {f"{ln.year} {ln.source} {ln.region_id or '-'} {ln.category}": ln.amount_won
            for ln in version.lines.all().order_by("year", "source", "region_id", "category")}


def _notify_parties(version: AgreementVersion, message: str) -> None:
    """Tell the regions' officials, once they may know the project (proposals.disclosure: not before
    its call's results are announced)."""
    from accounts.services import notify

    proposal = version.agreement.project.proposal
    if not region_disclosure(proposal).results:
        return
    notify(users=officials_of(proposal), message=message, url=f"/agreements/versions/{version.pk}/")


@transaction.atomic
def agreement_transition(*, actor, version: AgreementVersion, action: str) -> AgreementVersion:
    """Make a by-hand move (issue) on the version."""
    move = move_of(MOVES, action)
    if not move.by_hand:
        raise ValidationError(_("Unknown action."))
    version = AgreementVersion.objects.select_for_update().select_related(
        "agreement__project__proposal__call").get(pk=version.pk)
    check_move(move, actor=actor, obj=version)
    before = version.state
    now = timezone.now()
    version.state = move.target
    version.issued_by, version.issued_at = actor, now
    version.save(update_fields=["state", "issued_by", "issued_at"])
    from .documents import agreement_document_request

    agreement_document_request(actor=actor, version=version)
    record(actor=actor, action=AuditAction.AGREEMENT_STATE, obj=version,
           summary=_("Agreement %(ref)s issued to the parties.") % {"ref": version.reference},
           before={"state": before}, after={"state": version.state})
    title = version.agreement.project.proposal.title_ko
    _notify_parties(version, _("The agreement for “%(title)s” (version %(n)s) is issued: please accept it.") % {
        "title": title, "n": version.number})
    return version


@transaction.atomic
def agreement_accept(*, actor, party: AgreementParty, version_number: int,
                     institution_signed: bool = False) -> AgreementParty:
    """The party accepts the version it belongs to. `version_number` is the version the person read
    (the page posts it): accepting any version but the one issued now is refused. The lead region's
    official accepting for the institution declares that its head has signed (`institution_signed`).
    The last acceptance brings the version into force."""
    party = AgreementParty.objects.select_for_update().select_related("version").get(pk=party.pk)
    version = AgreementVersion.objects.select_for_update().select_related(
        "agreement__project__proposal__call").get(pk=party.version_id)
    require(actor, "agreements.accept_agreement", party)
    latest = version.agreement.versions.order_by("-number").values_list("number", flat=True).first()
    if version_number != version.number or version.number != latest or version.state != S.ISSUED:
        raise ValidationError(_(
            "Only the version issued now can be accepted: version %(read)s is not (the current version is "
            "%(current)s, “%(state)s”). Read the current version and accept it.") % {
            "read": version_number, "current": latest,
            "state": version.agreement.versions.get(number=latest).get_state_display()})
    if party.has_accepted:
        raise ValidationError(_("%(party)s has already accepted this version.") % {"party": party.name})
    if party.kind == PartyKind.INSTITUTION and not institution_signed:
        raise ValidationError({"institution_signed": _(
            "Confirm that the head of the institution has signed the agreement.")})
    party.accepted_by, party.accepted_at = actor, timezone.now()
    party.save(update_fields=["accepted_by", "accepted_at"])
    record(actor=actor, action=AuditAction.AGREEMENT_STATE, obj=version,
           summary=_("%(party)s accepted agreement %(ref)s.") % {"party": party.name, "ref": version.reference},
           after={"party": party.name, "kind": party.kind,
                  "institution_signed": institution_signed if party.kind == PartyKind.INSTITUTION else None})
    if not version.parties.filter(accepted_at__isnull=True).exists():
        _enforce(actor=actor, version=version, party=party)
    return party


def _enforce(*, actor, version: AgreementVersion, party: AgreementParty) -> None:
    """Every party accepted: the version comes into force and the one in force before is superseded."""
    now = timezone.now()
    check_move(MOVES["enforce"], actor=actor, obj=version, on=party)
    previous = (AgreementVersion.objects.select_for_update()
                .filter(agreement_id=version.agreement_id, state=S.IN_FORCE).first())
    if previous is not None:
        check_move(MOVES["supersede"], actor=actor, obj=previous, on=party)
        previous.state, previous.superseded_at = S.SUPERSEDED, now
        previous.save(update_fields=["state", "superseded_at"])
        record(actor=actor, action=AuditAction.AGREEMENT_STATE, obj=previous,
               summary=_("Agreement %(ref)s superseded by version %(n)s.") % {
                   "ref": previous.reference, "n": version.number},
               before={"state": S.IN_FORCE}, after={"state": S.SUPERSEDED})
    version.state, version.in_force_at = S.IN_FORCE, now
    version.save(update_fields=["state", "in_force_at"])
    if previous is not None:  # an amendment's version: the unpaid part of the payment schedule follows it
        from .payments import schedule_follow_version

        schedule_follow_version(actor=actor, version=version)
    record(actor=actor, action=AuditAction.AGREEMENT_STATE, obj=version,
           summary=_("Every party accepted: agreement %(ref)s is in force.") % {"ref": version.reference},
           before={"state": S.ISSUED}, after={"state": S.IN_FORCE})
    _notify_parties(version, _("Every party accepted the agreement for “%(title)s” (version %(n)s): it is in "
                               "force.") % {"title": version.agreement.project.proposal.title_ko,
                                            "n": version.number})
