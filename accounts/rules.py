"""Every permission decision of the portal, as django-rules predicates.

Views declare `permission_required`, templates ask `{% has_perm %}`, services
call `require(user, perm, obj)`. Nothing re-derives a role check elsewhere.
"""

import rules
from django.utils.translation import gettext_lazy as _

from core.permissions import explain_refusal

from . import consultants
from .models import Role

# --- Roles ------------------------------------------------------------------


@rules.predicate
def is_official(user):
    return getattr(user, "role", None) == Role.OFFICIAL and user.region_id is not None


@rules.predicate
def is_expert(user):
    return getattr(user, "role", None) == Role.EXPERT


@rules.predicate
def is_ministry(user):
    return getattr(user, "role", None) == Role.MINISTRY


@rules.predicate
def is_admin(user):
    return getattr(user, "role", None) == Role.ADMIN or getattr(user, "is_superuser", False)


is_staff_member = is_ministry | is_admin


@rules.predicate
def is_region_admin(user):
    """A regional official flagged by an administrator as their region's administrator."""
    return is_official(user) and bool(getattr(user, "is_region_admin", False))

# --- Objects ----------------------------------------------------------------


@rules.predicate
def is_published_call(user, call):
    from programmes.models import CallStatus

    return call is not None and call.status != CallStatus.DRAFT


@rules.predicate
def region_is_eligible(user, call):
    if call is None or not user.region_id:
        return False
    return call.eligible_regions.filter(pk=user.region_id).exists()


@rules.predicate
def call_is_open(user, call):
    from programmes.models import CallStatus

    return call is not None and call.status == CallStatus.OPEN


@rules.predicate
def is_own_region(user, region):
    return region is not None and user.region_id == region.pk


@rules.predicate
def is_self(user, other):
    return other is not None and user.pk == other.pk


@rules.predicate
def is_official_of_own_region(user, person):
    """`person` (saved or about to be invited) is a regional official of the user's region."""
    return (person is not None and getattr(person, "role", None) == Role.OFFICIAL
            and getattr(user, "region_id", None) is not None and person.region_id == user.region_id)


@rules.predicate
def is_participant(user, proposal):
    """The user's region takes part in the proposal (lead or partner)."""
    if proposal is None or not getattr(user, "region_id", None):
        return False
    return user.region_id in participant_region_ids(proposal)


@rules.predicate
def is_lead_official(user, proposal):
    return proposal is not None and getattr(user, "region_id", None) == proposal.lead_region_id


@rules.predicate
def proposal_is_editable(user, proposal):
    return proposal is not None and proposal.is_editable


@rules.predicate
def proposal_is_consortium(user, proposal):
    return proposal is not None and proposal.is_consortium


@rules.predicate
def is_own_region_participation(user, participation):
    """A region's part of a proposal (its participation) that is the user's own region's."""
    return participation is not None and getattr(user, "region_id", None) == participation.region_id


@rules.predicate
def participation_is_editable(user, participation):
    return participation is not None and participation.proposal.is_editable


def participant_region_ids(proposal) -> set:
    """Region ids of a proposal, cached on the object (one query per request)."""
    cached = getattr(proposal, "_participant_region_ids", None)
    if cached is None:
        if "participations" in getattr(proposal, "_prefetched_objects_cache", {}):  # already read by the page
            cached = {p.region_id for p in proposal.participations.all()}
        else:
            cached = set(proposal.participations.values_list("region_id", flat=True))
        proposal._participant_region_ids = cached
    return cached


@rules.predicate
def is_assigned_expert(user, assignment):
    return assignment is not None and assignment.expert_id == user.pk


@rules.predicate
def assignment_is_cleared(user, assignment):
    """The expert declared no conflict: content may be shown."""
    return assignment is not None and assignment.declared_at is not None and not assignment.conflict_declared


@rules.predicate
def is_evaluation_assignment(user, assignment):
    """Assignments that are scored: selection evaluations, stage evaluations and re-evaluations
    after an upheld objection."""
    return assignment is not None and assignment.kind in ("evaluation", "stage", "reevaluation")


@rules.predicate
def is_consulting_assignment(user, assignment):
    return assignment is not None and assignment.kind == "consulting"


@rules.predicate
def results_announced(user, proposal):
    return proposal is not None and proposal.call.results_announced


def is_the(field: str) -> rules.Predicate:
    """The user is the person the object records in `field` (a foreign key to the user):
    `is_the("prepared_by")` — the user prepared this decision."""

    def recorded(user, obj):
        return obj is not None and user.pk is not None and getattr(obj, f"{field}_id", None) == user.pk

    return rules.predicate(recorded, name=f"is_the_{field}")


def add_four_eyes_perm(perm: str, who, field: str, message) -> None:
    """`who` may `perm` an object, except the person it records in `field` (who prepared
    or endorsed it): that person is refused with `message` (core.permissions.require
    raises Refused with it; the pages show it)."""
    did_it = is_the(field)
    rules.add_perm(perm, who & ~did_it)
    explain_refusal(perm, (who & did_it).test, message)


@rules.predicate
def decision_of_own_region(user, decision):
    return decision is not None and is_participant(user, decision.proposal)


@rules.predicate
def letter_of_own_region(user, letter):
    return letter is not None and is_participant(user, letter.decision.proposal)


def _told(decision) -> bool:
    """A region is told of an approved decision once its call's results are announced, never of a
    prepared one (proposals.disclosure decides the rest of what a region sees)."""
    return decision is not None and decision.state == "approved" and decision.proposal.call.results_announced


@rules.predicate
def decision_is_told(user, decision):
    return _told(decision)


@rules.predicate
def letter_is_told(user, letter):
    return letter is not None and _told(letter.decision)


# Funded projects: the object is a Project, an AnnualReport, a ReportPart, a
# StagePlan or a StageReport; each predicate finds the proposal behind it.


def _proposal_of(obj):
    for path in ("proposal", "project.proposal", "report.project.proposal", "evaluation.project.proposal",
                 "agreement.project.proposal", "version.agreement.project.proposal",
                 "settlement.agreement.project.proposal"):
        target = obj
        for attr in path.split("."):
            target = getattr(target, attr, None)
            if target is None:
                break
        if target is not None:
            return target
    return None


@rules.predicate
def is_participant_of_document(user, obj):
    """The user's region takes part in the proposal `obj` is (or the proposal its PDF is of)."""
    return obj is not None and is_participant(user, getattr(obj, "proposal", obj))


@rules.predicate
def is_project_participant(user, obj):
    proposal = _proposal_of(obj) if obj is not None else None
    return proposal is not None and is_participant(user, proposal)


@rules.predicate
def is_project_lead(user, obj):
    proposal = _proposal_of(obj) if obj is not None else None
    return proposal is not None and getattr(user, "region_id", None) == proposal.lead_region_id


@rules.predicate
def is_own_report_part(user, part):
    return part is not None and getattr(user, "region_id", None) == part.region_id


@rules.predicate
def is_own_outcome(user, outcome):
    """The outcome was reported for the user's region."""
    return outcome is not None and getattr(user, "region_id", None) == outcome.region_id


@rules.predicate
def stage_report_released(user, report):
    """Regions read the stage-evaluation report once the outcome is decided."""
    return report is not None and bool(report.evaluation.outcome)


@rules.predicate
def is_ministry_party(user, party):
    """The ministry's place on an agreement version (agreements.AgreementParty)."""
    return party is not None and party.kind == "ministry"


@rules.predicate
def is_own_region_party(user, party):
    """A region's place on an agreement version, or the lead research institution's (its row names the
    lead region: that region's official accepts on the institution's behalf)."""
    return (party is not None and party.kind in ("region", "institution")
            and getattr(user, "region_id", None) is not None and party.region_id == user.region_id)


@rules.predicate
def is_national_instalment(user, instalment):
    """An instalment of national funds (the ministry pays it)."""
    return instalment is not None and instalment.source == "national"


@rules.predicate
def is_own_region_instalment(user, instalment):
    """An instalment of local funds the user's region pays."""
    return (instalment is not None and instalment.source == "local"
            and getattr(user, "region_id", None) is not None and instalment.region_id == user.region_id)


@rules.predicate
def settlement_is_shown(user, settlement):
    """A settlement the region is shown: proposed to it at least once (a draft stays with staff)."""
    return settlement is not None and getattr(settlement, "state", "draft") != "draft"


@rules.predicate
def is_session_owner(user, user_session):
    return user_session is not None and user.pk is not None and user_session.user_id == user.pk


@rules.predicate
def is_export_requester(user, job):
    return job is not None and job.requested_by_id == user.pk


# --- Permissions ---------------------------------------------------------------

# Calls
rules.add_perm("programmes.list_calls", rules.is_authenticated)
rules.add_perm("programmes.view_call", is_staff_member | (rules.is_authenticated & is_published_call))
rules.add_perm("programmes.view_draft_calls", is_staff_member)
rules.add_perm("programmes.add_call", is_staff_member)
rules.add_perm("programmes.change_call", is_staff_member)
rules.add_perm("programmes.change_call_status", is_staff_member)
rules.add_perm("programmes.manage_institutions", is_staff_member)
rules.add_perm("programmes.apply_to_call", is_official & call_is_open & region_is_eligible)

# Proposals. State guards (which move from which state) live in the
# proposals transition table; these say who may act at all.
is_participating_official = is_official & is_participant
rules.add_perm("proposals.list_proposals", is_staff_member | is_official)
rules.add_perm("proposals.create_proposal", is_official)
rules.add_perm("proposals.view_proposal", is_staff_member | is_participating_official)
rules.add_perm("proposals.edit_proposal", is_participating_official & proposal_is_editable)
rules.add_perm("proposals.edit_lead_sections", is_official & is_lead_official & proposal_is_editable)
rules.add_perm(
    "proposals.manage_consortium", is_official & is_lead_official & proposal_is_editable & proposal_is_consortium
)
# A region's budget lines (object: its Participation): its own officials only; the lead region
# sees its partners' budgets read-only.
rules.add_perm("proposals.edit_region_budget",
               is_official & is_own_region_participation & participation_is_editable)
rules.add_perm("proposals.sign_off", is_participating_official & proposal_is_editable)
rules.add_perm("proposals.send_to_consulting", is_official & is_lead_official)
rules.add_perm("proposals.start_revising", (is_official & is_lead_official) | is_staff_member)
rules.add_perm("proposals.submit", is_official & is_lead_official)
rules.add_perm("proposals.withdraw", is_official & is_lead_official)
rules.add_perm("proposals.check_eligibility", is_staff_member)
rules.add_perm("proposals.decide_selection", is_staff_member)
rules.add_perm("proposals.fund", is_staff_member)
# The whole proposal as one PDF (내부결재용): whoever may view the proposal (experts do not).
rules.add_perm("proposals.download_proposal_pdf", is_staff_member | (is_official & is_participant_of_document))

# Experts, panels, consulting and scoring
rules.add_perm("evaluations.manage_panels", is_staff_member)
rules.add_perm("evaluations.import_experts", is_staff_member)
rules.add_perm("evaluations.view_ranking", is_staff_member)
rules.add_perm("evaluations.reopen_scoresheet", is_staff_member)
# Two-round calls: the shortlist for the presentation round, its schedule and attendance.
rules.add_perm("evaluations.manage_rounds", is_staff_member)
rules.add_perm("evaluations.list_assignments", is_expert)
rules.add_perm("evaluations.view_assignment", is_expert & is_assigned_expert)
rules.add_perm("evaluations.score", is_expert & is_assigned_expert & assignment_is_cleared & is_evaluation_assignment)
rules.add_perm("evaluations.comment", is_expert & is_assigned_expert & assignment_is_cleared & is_consulting_assignment)
rules.add_perm("evaluations.view_consulting", is_staff_member | is_participating_official)
rules.add_perm("evaluations.answer_comments", is_participating_official)
rules.add_perm("evaluations.manage_quality", is_staff_member)
# Usefulness of the anonymised comments: the lead region once the results are announced; staff too.
rules.add_perm("evaluations.rate_comments", is_staff_member | (is_official & is_lead_official & results_announced))
rules.add_perm("evaluations.view_feedback", is_staff_member | (is_participating_official & results_announced))
# Objections (이의신청): the regions of a proposal read theirs after the announcement; its lead
# region lodges it (the period and "one per proposal" are checked by the service); staff answer.
rules.add_perm("evaluations.view_objection", is_staff_member | (is_participating_official & results_announced))
rules.add_perm("evaluations.lodge_objection", is_official & is_lead_official & results_announced)
rules.add_perm("evaluations.list_objections", is_staff_member)
rules.add_perm("evaluations.answer_objection", is_staff_member)
# Before panels are formed the lead region names unsuitable reviewers and suggests fields; its
# partners and staff read the list (staff on the panel screens); experts never.
rules.add_perm("evaluations.name_reviewers", is_official & is_lead_official)
rules.add_perm("evaluations.view_reviewer_list", is_staff_member | is_participating_official)

# Funding decisions and award letters
rules.add_perm("funding.view_board", is_staff_member)
rules.add_perm("funding.prepare", is_staff_member)
add_four_eyes_perm("funding.approve", is_staff_member, "prepared_by",
                   _("Four eyes: the person who prepared a decision cannot approve it. Ask another staff member."))
rules.add_perm("funding.generate_letters", is_staff_member)
rules.add_perm("funding.manage_scenarios", is_staff_member)  # cut-line scenarios (issue 16)
rules.add_perm("funding.view_decision", is_staff_member | (is_official & decision_of_own_region & decision_is_told))
rules.add_perm("funding.download_letter", is_staff_member | (is_official & letter_of_own_region & letter_is_told))

# Funded projects: workspace, annual reports, stage evaluations, follow-up plans.
# State guards (which report or plan may change now) live in projects.services.
is_project_official = is_official & is_project_participant
rules.add_perm("projects.list_projects", is_staff_member | is_official)
rules.add_perm("projects.view_project", is_staff_member | is_project_official)
rules.add_perm("projects.edit_report_part", is_project_official & is_own_report_part)
rules.add_perm("projects.edit_report", is_official & is_project_lead)
rules.add_perm("projects.submit_report", is_official & is_project_lead)
rules.add_perm("projects.review_report", is_staff_member)
rules.add_perm("projects.view_report_attachment", is_staff_member | is_project_official)
rules.add_perm("projects.manage_stage_rounds", is_staff_member)
rules.add_perm("projects.decide_stage", is_staff_member)
rules.add_perm("projects.close_condition", is_staff_member)
rules.add_perm("projects.edit_plan", is_project_official)
rules.add_perm("projects.submit_plan", is_official & is_project_lead)
rules.add_perm("projects.endorse_plan", is_staff_member)
add_four_eyes_perm("projects.approve_plan", is_staff_member, "endorsed_by",
                   _("Four eyes: the person who endorsed a plan cannot approve it. Ask another staff member."))
rules.add_perm("projects.request_stage_report", is_staff_member)
# Good-faith review of an insufficient stage grade: staff record the evidence; another staff member decides.
rules.add_perm("projects.review_good_faith", is_staff_member)
add_four_eyes_perm("projects.decide_good_faith", is_staff_member, "opened_by",
                   _("Four eyes: the person who opened a good-faith review cannot decide it. Ask another staff member."))
rules.add_perm("projects.record_sanction", is_staff_member)
rules.add_perm("projects.download_stage_report", is_staff_member | (is_project_official & stage_report_released))
# Outcomes registry: a participating region reports its outcomes (and withdraws them until confirmed);
# staff review them; the evidence is read by whoever sees the project.
rules.add_perm("projects.view_outcomes", is_staff_member | is_project_official)
rules.add_perm("projects.report_outcome", is_project_official)
rules.add_perm("projects.edit_outcome", is_project_official & is_own_outcome)
rules.add_perm("projects.review_outcome", is_staff_member)
rules.add_perm("projects.view_outcome_dashboard", is_staff_member | is_official)

# Grant agreements (agreements app). The object is an Agreement, an AgreementVersion or its
# AgreementDocument; accepting, an AgreementParty (which version and whose place: the lifecycle
# refuses any version but the one issued now).
rules.add_perm("agreements.view_agreement", is_staff_member | is_project_official)
rules.add_perm("agreements.prepare_agreement", is_staff_member)
rules.add_perm("agreements.issue_agreement", is_staff_member)
rules.add_perm("agreements.accept_agreement", (is_staff_member & is_ministry_party) | (is_official & is_own_region_party))
rules.add_perm("agreements.download_agreement", is_staff_member | is_project_official)
# Amendments (the object: the Agreement, or the Amendment): the lead region's official requests.
rules.add_perm("agreements.request_amendment", is_official & is_project_lead)
rules.add_perm("agreements.view_amendment", is_staff_member | is_project_official)
rules.add_perm("agreements.endorse_amendment", is_staff_member)
rules.add_perm("agreements.decide_amendment", is_staff_member)  # refuse or return, with reasons
# A call's amendment thresholds (AmendmentPolicy; the object: the Call): staff read and change them.
rules.add_perm("agreements.change_amendment_policy", is_staff_member)
# A small change: one staff member approves (nobody endorsed it); a larger one: anyone but its endorser.
add_four_eyes_perm("agreements.approve_amendment", is_staff_member, "endorsed_by",
                   _("Four eyes: the person who endorsed an amendment cannot approve it. Ask another staff member."))

# Payments (the object: the Agreement, an Instalment or a CarryOver): staff set the schedule and record
# the national payments; each region records its own local payments; the lead region asks for carry-over,
# one staff member decides it.
rules.add_perm("agreements.view_money", is_staff_member | is_project_official)
rules.add_perm("agreements.edit_schedule", is_staff_member)
rules.add_perm("agreements.record_payment", (is_staff_member & is_national_instalment)
               | (is_official & is_project_official & is_own_region_instalment))
rules.add_perm("agreements.request_carry_over", is_official & is_project_lead)
rules.add_perm("agreements.decide_carry_over", is_staff_member)
# Year-end settlement (the object: the Agreement, or the Settlement; a SettlementDocument to download): staff open
# it, mark disallowed items and propose it; the lead region's official accepts or disputes it; a second staff
# member confirms it (four eyes: never the one who proposed it); staff record repayments and sanctions. The
# project's officials see it once proposed, never the draft.
rules.add_perm("agreements.view_settlement", is_staff_member | (is_project_official & settlement_is_shown))
rules.add_perm("agreements.list_settlements", is_staff_member)
rules.add_perm("agreements.edit_settlement", is_staff_member)
rules.add_perm("agreements.answer_settlement", is_official & is_project_lead & settlement_is_shown)
add_four_eyes_perm("agreements.confirm_settlement", is_staff_member, "proposed_by",
                   _("Four eyes: the person who proposed a settlement cannot confirm it. Ask another staff member."))
rules.add_perm("agreements.record_recovery", is_staff_member)
rules.add_perm("agreements.download_settlement", is_staff_member | is_project_official)

# Exports and reports. Each dataset applies the pages' visibility selectors, so an
# official's export holds their region's proposals only; experts export nothing.
rules.add_perm("reports.view_exports", is_staff_member | is_official)
rules.add_perm("reports.export_proposals", is_staff_member | is_official)
rules.add_perm("reports.export_comments", is_staff_member | is_official)
rules.add_perm("reports.export_evaluations", is_staff_member)
rules.add_perm("reports.export_evaluations_named", is_staff_member)
rules.add_perm("reports.export_funding", is_staff_member | is_official)
rules.add_perm("reports.export_annual_reports", is_staff_member | is_official)
rules.add_perm("reports.export_agreements", is_staff_member | is_official)
rules.add_perm("reports.export_payments", is_staff_member | is_official)
rules.add_perm("reports.export_settlements", is_staff_member | is_official)
rules.add_perm("reports.export_outcomes", is_staff_member | is_official)
rules.add_perm("reports.download_export", is_staff_member | is_export_requester)
rules.add_perm("reports.generate_call_report", is_staff_member)
rules.add_perm("reports.download_call_report", is_staff_member)

# Regions and people
rules.add_perm("programmes.view_region_dashboard", is_staff_member | (is_official & is_own_region))
rules.add_perm("evaluations.view_expert_pool", is_staff_member)
rules.add_perm("evaluations.view_expert_profile", is_staff_member | (is_expert & is_self))
# Showing an expert's contact details unmasked (with a purpose, logged): whoever sees the pool; an expert
# sees their own on their profile without asking.
rules.add_perm("evaluations.reveal_expert_contacts", is_staff_member)
rules.add_perm("accounts.manage_users", is_admin)
# People administration in the portal (accounts.people). Administrators manage everybody; a regional
# administrator the officials of their own region only (invite, deactivate and reactivate, access end
# date, second-factor reset), never another role, region or their own account. Nobody manages
# themselves (deactivate, reset their own second factor, change their own role).
is_regional_scope = is_region_admin & is_official_of_own_region
rules.add_perm("accounts.manage_people", is_admin | is_region_admin)
rules.add_perm("accounts.view_person", is_admin | is_regional_scope)
rules.add_perm("accounts.invite_person", is_admin | is_regional_scope)
rules.add_perm("accounts.manage_person", (is_admin | is_regional_scope) & ~is_self)
rules.add_perm("accounts.change_role", is_admin & ~is_self)
rules.add_perm("accounts.use_admin_site", is_admin)
# Log-in sessions ("My sessions"): each person ends their own, nobody another's.
rules.add_perm("accounts.end_session", rules.is_authenticated & is_session_owner)
# Not a permission but a rule of the same vocabulary: who is logged out after the staff idle timeout
# (SESSION_IDLE_TIMEOUT_STAFF_MINUTES) rather than the longer one (accounts/sessions.py).
rules.add_rule("accounts.short_idle_timeout", is_staff_member)
# Dashboards: each role its own; figures (charts, tables, CSV): staff see the programme, an official only
# their region's share.
rules.add_perm("reports.view_admin_dashboard", is_admin)
rules.add_perm("reports.view_ministry_dashboard", is_ministry)
rules.add_perm("reports.view_expert_dashboard", is_expert)
rules.add_perm("reports.view_official_dashboard", is_official)
rules.add_perm("reports.view_dashboard_figures", is_staff_member | is_official)
# The audit trail (browse and export; nobody can change it)
rules.add_perm("audit.view_trail", is_staff_member)
# The access log of personal data (who read an expert's contact details, when and why): administrators
# only; nobody can change it. Reading the details themselves is `evaluations.reveal_expert_contacts`.
rules.add_perm("audit.view_personal_data_log", is_admin)
# Operations: the details of /healthz/ready (database vendor, broker, workers, errors), and why a
# generated document failed (others read "could not be built — staff have been told").
rules.add_perm("accounts.view_health_details", is_staff_member)
rules.add_perm("core.view_document_errors", is_staff_member)


# The second factor (accounts.twofactor): everyone may enrol an authenticator and renew their
# recovery codes; only those to whom it is optional may remove it.
@rules.predicate
def second_factor_is_optional(user):
    from .twofactor import requires_second_factor

    return not requires_second_factor(user)


rules.add_perm("accounts.manage_second_factor", rules.is_authenticated)
rules.add_perm("accounts.remove_second_factor", rules.is_authenticated & second_factor_is_optional)
explain_refusal("accounts.remove_second_factor", rules.is_authenticated.test,
                _("Your role requires a second factor: it cannot be removed."))



# --- Middle-out planning (issue 17) -----------------------------------------------------
# Guidelines (object: a programmes.Guideline): staff publish them; everyone entitled to the call
# reads them; the officials of the call's eligible regions acknowledge each version.
@rules.predicate
def guideline_call_published(user, guideline):
    return guideline is not None and is_published_call(user, guideline.call)


@rules.predicate
def guideline_region_eligible(user, guideline):
    return guideline is not None and region_is_eligible(user, guideline.call)


rules.add_perm("programmes.manage_guidelines", is_staff_member)
rules.add_perm("programmes.view_guideline", is_staff_member | (rules.is_authenticated & guideline_call_published))
rules.add_perm("programmes.acknowledge_guideline", is_official & guideline_call_published & guideline_region_eligible)
rules.add_perm("programmes.view_guideline_readers", is_staff_member)


# Candidate themes (object: a proposals.CandidateTheme): a region sees only the themes it takes part
# in; staff every theme; experts none yet. The regions edit them until the discovery phase closes.
@rules.predicate
def is_theme_participant(user, theme):
    if theme is None or not getattr(user, "region_id", None):
        return False
    return any(r.region_id == user.region_id for r in theme.regions.all())


@rules.predicate
def theme_discovery_open(user, theme):
    from programmes.models import PlanningPhase

    return theme is not None and theme.call.planning_phase_refusal(PlanningPhase.DISCOVERY) is None


@rules.predicate
def is_theme_lead(user, theme):
    return theme is not None and getattr(user, "region_id", None) == theme.lead_region_id


rules.add_perm("proposals.list_themes", is_staff_member | is_official)
rules.add_perm("proposals.create_theme", is_official)
rules.add_perm("proposals.view_theme", is_staff_member | (is_official & is_theme_participant))
rules.add_perm("proposals.edit_theme", is_official & is_theme_participant & theme_discovery_open)
rules.add_perm("proposals.manage_theme_regions", is_official & is_theme_lead & theme_discovery_open)


# Phase 2: the lead region selects the final theme, every partner region signs it off; only while selection
# is open (the service's window check, which knows the instant of the act, as for dropping a theme).
rules.add_perm("proposals.record_opinion", is_official)
rules.add_perm("proposals.select_theme", is_official & is_theme_lead)
rules.add_perm("proposals.sign_off_selection", is_official & is_theme_participant)
rules.add_perm("proposals.view_all_opinions", is_staff_member)
# Phase 3: the lead region turns its signed-off final theme into the proposal draft.
rules.add_perm("proposals.draft_from_theme", is_official & is_theme_lead)

# The lead region drops a candidate theme, with its reason; only while discovery or selection is open (the
# service's window check, which knows the instant of the act).
rules.add_perm("proposals.drop_theme", is_official & is_theme_lead)

# Where every region stands in a call's planning period (the status page and its CSV): staff.
rules.add_perm("proposals.view_planning_status", is_staff_member)


# The patent analysis of a draft grown from a final theme (phase 3; object: the proposal): staff or an
# expert consulting on the proposal (cleared of conflicts; evaluations answers through accounts.consultants)
# write it while the plan can change; whoever reads the proposal, and that expert, read it; the regions
# taking part answer it.
@rules.predicate
def is_proposal_consultant(user, proposal):
    return consultants.consults_on(user, proposal)


@rules.predicate
def grew_from_theme(user, proposal):
    return proposal is not None and proposal.origin_theme_id is not None


rules.add_perm("proposals.write_patent_analysis",
               (is_staff_member | (is_expert & is_proposal_consultant)) & grew_from_theme & proposal_is_editable)
rules.add_perm("proposals.view_patent_analysis",
               is_staff_member | is_participating_official | (is_expert & is_proposal_consultant))
rules.add_perm("proposals.answer_patent_analysis", is_participating_official & proposal_is_editable)


# --- Feasibility advice on candidate themes (issue 17, the government side) ---------------------------
# Staff name the expert groups and assign reviews; an expert sees only the reviews assigned to them and the
# theme only after declaring no conflict (object: an evaluations.ThemeReview); a region reads the consolidated
# advice on its own themes (object: a proposals.CandidateTheme), staff on every theme.
@rules.predicate
def is_own_theme_review(user, review):
    return review is not None and review.expert_id == user.pk


@rules.predicate
def theme_review_is_cleared(user, review):
    # the pledge bound to the review signed, no conflict declared, not unassigned (ThemeReview.is_cleared)
    return review is not None and review.is_cleared


rules.add_perm("evaluations.manage_feasibility", is_staff_member)
rules.add_perm("evaluations.list_theme_reviews", is_expert)
rules.add_perm("evaluations.view_theme_review", is_staff_member | (is_expert & is_own_theme_review))
rules.add_perm("evaluations.read_reviewed_theme", is_expert & is_own_theme_review & theme_review_is_cleared)
# (a draft or returned review only: services.feasibility.MOVES)
rules.add_perm("evaluations.write_theme_review", is_expert & is_own_theme_review & theme_review_is_cleared)
rules.add_perm("evaluations.view_theme_advice", is_staff_member | (is_official & is_theme_participant))
