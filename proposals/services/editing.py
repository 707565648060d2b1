"""Writes to a proposal's content: creation, sections, consortium, sign-off.

Every section save locks the proposal row, refuses a stale save (another
person saved the same section since the form was opened), bumps the content
revision and clears the regions' sign-offs: each region signs what it saw.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import josa
from core.permissions import require
from programmes.institutions import registry
from programmes.models import CooperationType, Region

from ..models import (
    KPI,
    BudgetLine,
    LinkedProject,
    Organisation,
    OutcomeKind,
    Participation,
    Proposal,
    ProposalEvent,
    Stage,
    StageKind,
)
from .budget import Cell, budget_problems

LEAD_SECTIONS = {"overview", "goals", "roadmap", "links"}
REGION_SECTIONS = {"budget", "organisations"}  # keyed per region: "budget:<region id>"


class EditConflict(Exception):
    """Someone else saved this section after the form was opened."""

    def __init__(self, proposal: Proposal, section: str):
        super().__init__(section)
        self.proposal = proposal
        self.section = section


def section_key(section: str, region: Region | None = None) -> str:
    return f"{section}:{region.pk}" if region is not None else section


def section_revision(proposal: Proposal, key: str) -> int:
    return int(proposal.section_revisions.get(key, 0))


def _check_section_access(actor, proposal: Proposal, section: str, region: Region | None) -> None:
    require(actor, "proposals.edit_proposal", proposal)
    if section in LEAD_SECTIONS:
        require(actor, "proposals.edit_lead_sections", proposal)
    elif section in REGION_SECTIONS:
        # A region edits its own lines; the lead region may edit every region's.
        if region is None:
            raise PermissionDenied(section)
        participation = proposal.participations.filter(region=region).select_related("proposal").first()
        if participation is None:
            raise PermissionDenied(section)
        if section == "budget":
            # Each region enters its own money; the lead region sees its partners' read-only.
            require(actor, "proposals.edit_region_budget", participation)
        elif actor.region_id != region.pk and not actor.has_perm("proposals.edit_lead_sections", proposal):
            raise PermissionDenied(section)
    else:
        raise ValueError(section)


def _begin_section_save(*, actor, proposal: Proposal, section: str, region: Region | None,
                        expected_revision: int) -> Proposal:
    """Lock, check permission and freshness; returns the locked proposal."""
    locked = Proposal.objects.select_for_update().select_related("call").get(pk=proposal.pk)
    _check_section_access(actor, locked, section, region)
    key = section_key(section, region)
    if section_revision(locked, key) != expected_revision:
        raise EditConflict(locked, key)
    return locked


def _finish_section_save(*, actor, proposal: Proposal, section: str, region: Region | None) -> Proposal:
    key = section_key(section, region)
    revisions = dict(proposal.section_revisions)
    revisions[key] = revisions.get(key, 0) + 1
    proposal.section_revisions = revisions
    proposal.revision += 1
    proposal.save(update_fields=["section_revisions", "revision", "updated_at"] + getattr(proposal, "_dirty", []))
    cleared = Participation.objects.filter(proposal=proposal, signed_off_at__isnull=False).update(
        signed_off_at=None, signed_off_by=None, signed_revision=None
    )
    if cleared:
        ProposalEvent.objects.create(
            proposal=proposal, actor=actor, action="sign_offs_cleared", from_state=proposal.state,
            to_state=proposal.state, note=key,
        )
    return proposal


# --- Creation and consortium --------------------------------------------------


def _check_industry(call, industry) -> None:
    """The call's strategic industries limit what a proposal may choose (programmes.Call.industry_choices)."""
    if not call.allows_industry(industry):
        raise ValidationError({"industry": _("This call does not invite proposals in %(industry)s; choose one of "
                                             "its strategic industries.") % {"industry": industry.name}})


@transaction.atomic
def proposal_create(*, actor, call, cooperation_type: str, title_ko: str, title_en: str = "",
                    industry=None, partner_regions=()) -> Proposal:
    require(actor, "programmes.apply_to_call", call)
    if cooperation_type not in call.cooperation_types:
        raise ValidationError({"cooperation_type": _("This call does not accept that cooperation type.")})
    _check_industry(call, industry)
    partners = [r for r in partner_regions if r.pk != actor.region_id]
    if cooperation_type == CooperationType.LEAP and partners:
        raise ValidationError({"partner_regions": _("A regional innovation leap proposal has exactly one region.")})
    eligible = set(call.eligible_regions.values_list("pk", flat=True))
    not_eligible = [r.name for r in partners if r.pk not in eligible]
    if not_eligible:
        raise ValidationError({"partner_regions": _("Not eligible for this call: %(regions)s") % {
            "regions": ", ".join(not_eligible)}})
    proposal = Proposal(call=call, cooperation_type=cooperation_type, lead_region_id=actor.region_id,
                        title_ko=title_ko, title_en=title_en, industry=industry, created_by=actor)
    proposal.full_clean()
    proposal.save()
    Participation.objects.create(proposal=proposal, region_id=actor.region_id, is_lead=True)
    for region in partners:
        Participation.objects.create(proposal=proposal, region=region)
    ProposalEvent.objects.create(proposal=proposal, actor=actor, action="created", to_state=proposal.state)
    if partners:
        from accounts.models import Role, User
        from accounts.services import notify

        notify(
            users=User.objects.filter(role=Role.OFFICIAL, region__in=partners, is_active=True),
            message=_("%(region)s invited your region to the consortium proposal “%(title)s”.") % {
                "region": proposal.lead_region.name, "title": proposal.title_ko},
            url=f"/proposals/{proposal.pk}/",
        )
    return proposal


@transaction.atomic
def consortium_invite(*, actor, proposal: Proposal, region: Region) -> Participation:
    locked = Proposal.objects.select_for_update().select_related("call").get(pk=proposal.pk)
    require(actor, "proposals.manage_consortium", locked)
    if not locked.call.eligible_regions.filter(pk=region.pk).exists():
        raise ValidationError(josa.format(_("%(region)s is not eligible for this call."), region=region.name))
    if locked.participations.filter(region=region).exists():
        raise ValidationError(josa.format(_("%(region)s already takes part."), region=region.name))
    participation = Participation.objects.create(proposal=locked, region=region)
    locked._dirty = []
    _finish_section_save(actor=actor, proposal=locked, section="consortium", region=None)
    ProposalEvent.objects.create(proposal=locked, actor=actor, action="region_invited", note=region.code,
                                 from_state=locked.state, to_state=locked.state)
    return participation


@transaction.atomic
def consortium_remove(*, actor, proposal: Proposal, region: Region) -> None:
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    require(actor, "proposals.manage_consortium", locked)
    if region.pk == locked.lead_region_id:
        raise ValidationError(_("The lead region cannot leave its own proposal."))
    BudgetLine.objects.filter(proposal=locked, region=region).delete()
    Organisation.objects.filter(proposal=locked, region=region).delete()
    Participation.objects.filter(proposal=locked, region=region).delete()
    locked._dirty = []
    _finish_section_save(actor=actor, proposal=locked, section="consortium", region=None)
    ProposalEvent.objects.create(proposal=locked, actor=actor, action="region_removed", note=region.code,
                                 from_state=locked.state, to_state=locked.state)


@transaction.atomic
def consortium_sign_off(*, actor, proposal: Proposal, revision: int) -> Participation:
    """The actor's region signs the revision it saw; a stale revision is refused."""
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    require(actor, "proposals.sign_off", locked)
    if revision != locked.revision:
        raise ValidationError(_("The proposal changed since you opened it. Review the current version, then sign off."))
    participation = Participation.objects.select_for_update().get(proposal=locked, region_id=actor.region_id)
    participation.signed_off_by = actor
    participation.signed_off_at = timezone.now()
    participation.signed_revision = locked.revision
    participation.save(update_fields=["signed_off_by", "signed_off_at", "signed_revision"])
    ProposalEvent.objects.create(proposal=locked, actor=actor, action="signed_off", note=f"v{locked.next_version_number()}",
                                 from_state=locked.state, to_state=locked.state)
    if actor.region_id != locked.lead_region_id:
        _tell_the_lead_region(locked, participation)
    return participation


def _tell_the_lead_region(proposal: Proposal, participation: Participation) -> None:
    """A partner region signed off: the lead region's officials are told (in the portal and by mail,
    each in their own language)."""
    from accounts.models import Role, User
    from accounts.services import notify

    leads = list(User.objects.filter(role=Role.OFFICIAL, is_active=True, region_id=proposal.lead_region_id))
    for language, people in _by_language(leads).items():
        with translation.override(language):
            message = _("%(region)s signed off the current version of “%(title)s”.") % {
                "region": participation.region.name, "title": proposal.title}
        notify(users=people, message=message, url=reverse("proposals:detail", args=[proposal.pk]))


def _by_language(users) -> dict:
    from accounts.mail import mail_language

    groups: dict = {}
    for user in users:
        groups.setdefault(mail_language(user), []).append(user)
    return groups


# --- Sections ------------------------------------------------------------------


@transaction.atomic
def proposal_save_overview(*, actor, proposal: Proposal, expected_revision: int, data: dict) -> Proposal:
    locked = _begin_section_save(actor=actor, proposal=proposal, section="overview", region=None,
                                 expected_revision=expected_revision)
    fields = ["title_ko", "title_en", "industry", "summary", "problem"]
    for name in fields:
        setattr(locked, name, data[name])
    if data.get("cooperation_type") and data["cooperation_type"] != locked.cooperation_type:
        if data["cooperation_type"] not in locked.call.cooperation_types:
            raise ValidationError({"cooperation_type": _("This call does not accept that cooperation type.")})
        if data["cooperation_type"] == CooperationType.LEAP and locked.participations.count() > 1:
            raise ValidationError({"cooperation_type": _(
                "Remove the partner regions before changing to the regional innovation leap type.")})
        locked.cooperation_type = data["cooperation_type"]
        fields.append("cooperation_type")
    _check_industry(locked.call, locked.industry)
    locked.full_clean()
    locked._dirty = fields
    return _finish_section_save(actor=actor, proposal=locked, section="overview", region=None)


@transaction.atomic
def proposal_save_goals(*, actor, proposal: Proposal, expected_revision: int, vision: str, goals: str,
                        kpis: list[dict]) -> Proposal:
    locked = _begin_section_save(actor=actor, proposal=proposal, section="goals", region=None,
                                 expected_revision=expected_revision)
    locked.vision, locked.goals = vision, goals
    locked.kpis.all().delete()
    KPI.objects.bulk_create([
        KPI(proposal=locked, order=i, name=k["name"], unit=k.get("unit", ""), baseline=k.get("baseline") or 0,
            counts_outcome=k.get("counts_outcome") if k.get("counts_outcome") in OutcomeKind.values else "",
            targets=[str(t) if t is not None else "" for t in k.get("targets", [])])
        for i, k in enumerate(kpis, start=1)
    ])
    locked._dirty = ["vision", "goals"]
    return _finish_section_save(actor=actor, proposal=locked, section="goals", region=None)


def validate_roadmap(*, call, stages: list[dict]) -> None:
    """The pilot comes first with the call's pilot years; the total stays within the maximum."""
    if not stages:
        raise ValidationError(_("Add at least the pilot stage."))
    if stages[0]["years"] != call.pilot_years:
        raise ValidationError(_("The first stage is the pilot: it lasts exactly %(years)s years.") % {
            "years": call.pilot_years})
    total = sum(s["years"] for s in stages)
    if total > call.max_total_years:
        raise ValidationError(_("The stages add up to %(total)s years; the call allows at most %(max)s.") % {
            "total": total, "max": call.max_total_years})


@transaction.atomic
def proposal_save_roadmap(*, actor, proposal: Proposal, expected_revision: int, stages: list[dict]) -> Proposal:
    locked = _begin_section_save(actor=actor, proposal=proposal, section="roadmap", region=None,
                                 expected_revision=expected_revision)
    validate_roadmap(call=locked.call, stages=stages)
    locked.stages.all().delete()
    Stage.objects.bulk_create([
        Stage(proposal=locked, order=i, kind=s.get("kind") or StageKind.BASIC, years=s["years"], goals=s["goals"],
              deliverables=s.get("deliverables", ""))
        for i, s in enumerate(stages, start=1)
    ])
    locked._dirty = []
    return _finish_section_save(actor=actor, proposal=locked, section="roadmap", region=None)


def budget_cells(proposal: Proposal, overrides: dict | None = None) -> list[Cell]:
    """The grid as stored, with `overrides` {(region_id, year): (n, l, o)} applied."""
    cells = {
        (b.region_id, b.year): (b.national_won, b.local_won, b.other_won)
        for b in proposal.budget_lines.all()
    }
    cells.update(overrides or {})
    return [Cell(region_id=r, year=y, national=v[0], local=v[1], other=v[2]) for (r, y), v in sorted(cells.items())]


@transaction.atomic
def proposal_save_budget(*, actor, proposal: Proposal, region: Region, expected_revision: int,
                         lines: dict[int, tuple[int, int, int]]) -> Proposal:
    """Save one region's budget lines {year: (national, local, other)}; the call's rules
    are checked over the whole grid and reported per cell (ValidationError with a dict)."""
    locked = _begin_section_save(actor=actor, proposal=proposal, section="budget", region=region,
                                 expected_revision=expected_revision)
    years = locked.project_years()
    overrides = {(region.pk, year): values for year, values in lines.items()}
    problems = budget_problems(call=locked.call, cells=budget_cells(locked, overrides), years=years,
                               pilot_years=locked.pilot_years())
    if problems:
        raise BudgetInvalid(problems)
    for year, (national, local, other) in lines.items():
        BudgetLine.objects.update_or_create(
            proposal=locked, region=region, year=year,
            defaults={"national_won": national, "local_won": local, "other_won": other},
        )
    locked._dirty = []
    return _finish_section_save(actor=actor, proposal=locked, section="budget", region=region)


class BudgetInvalid(ValidationError):
    def __init__(self, problems: dict):
        super().__init__(list(dict.fromkeys(problems.values())))
        self.problems = problems


@transaction.atomic
def proposal_save_links(*, actor, proposal: Proposal, expected_revision: int, links: list[dict]) -> Proposal:
    locked = _begin_section_save(actor=actor, proposal=proposal, section="links", region=None,
                                 expected_revision=expected_revision)
    locked.linked_projects.all().delete()
    LinkedProject.objects.bulk_create([LinkedProject(proposal=locked, **link) for link in links])
    locked._dirty = []
    return _finish_section_save(actor=actor, proposal=locked, section="links", region=None)


@transaction.atomic
def proposal_save_organisations(*, actor, proposal: Proposal, region: Region, expected_revision: int,
                                organisations: list[dict]) -> Proposal:
    locked = _begin_section_save(actor=actor, proposal=proposal, section="organisations", region=region,
                                 expected_revision=expected_revision)
    locked.organisations.filter(region=region).delete()
    reg = registry()  # each name matched to the institutions registry
    Organisation.objects.bulk_create([Organisation(proposal=locked, region=region, institution_id=reg.match(o["name"]), **o)
                                      for o in organisations])
    locked._dirty = []
    return _finish_section_save(actor=actor, proposal=locked, section="organisations", region=region)
