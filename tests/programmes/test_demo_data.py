"""What `manage.py seed_demo` loads (README "Demo accounts"), seeded once per test process (the `demo` fixture).

The tests only read; each one still runs in its own transaction, rolled back.
"""


import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.test import override_settings

from accounts.models import Role, User
from evaluations.models import ExpertProfile
from programmes.models import Call, CallStatus
from tests.demo_snapshot import demo_data

EXPERTS = [f"expert{n}" for n in range(1, 43)]  # eight hand-written, 34 generated (issue 16)
DEMO_USERNAMES = [
    "admin", "ministry", "ministry2", *EXPERTS,
    *(f"official-{code}" for code in
      ["gyeongbuk", "daegu", "gyeongnam", "ulsan", "gwangju", "jeonnam", "chungnam", "jeonbuk", "busan",
       "seoul", "incheon", "gyeonggi", "daejeon", "sejong", "chungbuk", "gangwon", "jeju"]),
]
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data, in a transaction that is rolled back after the module: seeded by the first module of the
    test process that asks, put back from its snapshot for the next ones (tests/demo_snapshot.py)."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER, ALLOW_DEMO_DATA=True),
        transaction.atomic(),
    ):
        yield demo_data(settings, "rolled-back")  # what seed_demo printed
        transaction.set_rollback(True)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_it_holds_the_announced_2023_call_and_the_open_2027_call():
    assert list(Call.objects.order_by("year").values_list("year", "status")) == [
        (2023, CallStatus.ANNOUNCED), (2027, CallStatus.OPEN),
    ]


def test_the_2023_call_has_five_criteria_summing_to_100_and_a_cap_of_55_eok():
    call = Call.objects.get(year=2023)
    weights = [c.weight for c in call.criteria.all()]
    assert (len(weights), sum(weights)) == (5, 100)
    assert (call.cap_won, call.envelope_won) == (5_500_000_000, 30_000_000_000)
    call.full_clean()  # the demo call obeys the call's own rules


def test_the_demo_calls_are_open_to_every_region_and_were_created_by_ministry():
    assert [(c.eligible_regions.count(), c.created_by.username) for c in Call.objects.order_by("year")] == [
        (17, "ministry"), (17, "ministry"),
    ]


def test_every_demo_account_exists_and_authenticates_with_demo1234():
    assert sorted(User.objects.values_list("username", flat=True)) == sorted(DEMO_USERNAMES)
    authenticated = {username: authenticate(username=username, password="demo1234") is not None
                     for username in DEMO_USERNAMES}
    assert authenticated == dict.fromkeys(DEMO_USERNAMES, True)


def test_the_demo_accounts_have_the_roles_the_readme_lists():
    roles = dict(User.objects.values_list("username", "role"))
    assert (roles["admin"], roles["ministry"], roles["ministry2"]) == (Role.ADMIN, Role.MINISTRY, Role.MINISTRY)
    assert {roles[username] for username in EXPERTS} == {Role.EXPERT}
    officials = dict(User.objects.filter(role=Role.OFFICIAL).values_list("username", "region__code"))
    assert officials == {username: username.removeprefix("official-")
                         for username in DEMO_USERNAMES if username.startswith("official-")}


def test_only_the_admin_account_can_use_the_django_admin():
    assert list(User.objects.filter(is_staff=True).values_list("username", flat=True)) == ["admin"]


def test_the_demo_pool_has_42_available_experts_with_two_fields_keywords_and_a_sector_each():
    profiles = ExpertProfile.objects.select_related("user", "home_region").order_by("user__username")
    assert sorted(p.user.username for p in profiles) == sorted(EXPERTS)
    assert [(p.available, p.industries.count(), bool(p.keywords), bool(p.sector)) for p in profiles] == [
        (True, 2, True, True)] * 42
    assert profiles.get(user__username="expert5").home_region.code == "busan"
    assert {p.sector for p in profiles} == {"academia", "research", "industry"}


# --- Integrity of the 2023 panels (issue 15) --------------------------------------------------


def test_no_coach_sits_on_a_panel_of_a_proposal_they_coached():
    from evaluations.models import Assignment, AssignmentKind

    coached = set(Assignment.objects.filter(kind=AssignmentKind.CONSULTING).values_list("proposal_id", "expert_id"))
    judged = set(Assignment.objects.exclude(kind=AssignmentKind.CONSULTING).values_list("proposal_id", "expert_id"))
    assert (len(coached) > 0, len(judged) > 0, coached & judged) == (True, True, set())


def test_the_2023_consulting_group_and_the_zone_panels_are_disjoint_full_and_conflict_free():
    """Issue 16: one panel of five per zone, placed by the optimal plan, with a chair; every member
    scores the zone's proposals but those they are conflicted on (they sit those out); each
    proposal keeps the call's minimum scorers; the consulting group sits on no panel."""
    from evaluations.models import Assignment, AssignmentKind, ZonePanelMember
    from evaluations.services import expert_conflicts

    call = Call.objects.get(year=2023)
    of_call = Assignment.objects.filter(proposal__call=call).select_related("expert__expert_profile", "proposal")
    consultants = {a.expert.username for a in of_call if a.kind == AssignmentKind.CONSULTING}
    panels = [a for a in of_call if a.kind == AssignmentKind.EVALUATION]
    members = list(ZonePanelMember.objects.filter(call=call).select_related("expert"))
    assert consultants == {"expert1", "expert2", "expert9"}
    assert consultants & {a.expert.username for a in panels} == set()
    assert consultants & {m.expert.username for m in members} == set()
    per_zone = {}
    for m in members:
        per_zone.setdefault(m.zone_id, []).append(m)
    assert sorted(len(ms) for ms in per_zone.values()) == [5] * 6
    assert [sum(m.is_chair for m in ms) for ms in per_zone.values()] == [1] * 6
    zone_of = call.zone_by_region()
    seated = {(m.zone_id, m.expert_id) for m in members}
    written = [a for a in panels if a.round == 1]
    assert all((zone_of[a.proposal.lead_region_id].pk, a.expert_id) in seated for a in written)
    per_proposal = {}
    for a in written:
        per_proposal[a.proposal_id] = per_proposal.get(a.proposal_id, 0) + 1
    assert len(per_proposal) == 27
    assert set(per_proposal.values()) <= set(range(call.zone_min_scorers, call.zone_panel_size + 1))
    assert min(per_proposal.values()) < call.zone_panel_size  # someone sat one out
    assert [(a.expert.username, expert_conflicts(profile=a.expert.expert_profile, proposal=a.proposal))
            for a in panels if expert_conflicts(profile=a.expert.expert_profile, proposal=a.proposal)] == []


def test_the_2023_call_ran_a_written_and_a_presentation_round_and_the_five_real_projects_came_first():
    """Issue 16: written round 40 %, presentation 60 %; the best ten of the written round presented
    (a slot each, attended) to their zone panel, and the five selected projects lead the final ranking."""
    from evaluations.models import Assignment, PresentationSlot, Scoresheet, ScoresheetState, ShortlistEntry
    from evaluations.selectors import rounds_board
    from proposals.demo import PROJECTS_2023

    call = Call.objects.get(year=2023)
    assert (call.evaluation_rounds, call.written_weight, call.presentation_weight, call.shortlist_size) == (
        2, 40, 60, 10)
    shortlist = ShortlistEntry.objects.filter(call=call)
    assert shortlist.count() == 10
    slots = PresentationSlot.objects.filter(proposal__call=call)
    assert sorted(slots.values_list("proposal_id", flat=True)) == sorted(shortlist.values_list("proposal_id",
                                                                                                flat=True))
    assert set(slots.values_list("attendance", flat=True)) == {"attended"}
    seats = Assignment.objects.filter(proposal__call=call, round=2)
    assert seats.count() > 0 and not seats.exclude(scoresheet__state=ScoresheetState.SUBMITTED).exists()
    assert Scoresheet.objects.filter(assignment__in=seats).count() == seats.count()
    board = rounds_board(call=call)
    top = [row["proposal"].title_ko for row in board["rows"][:5]]
    assert sorted(top) == sorted(p["title_ko"] for p in PROJECTS_2023)


def test_the_demo_registry_knows_kaist_and_the_snu_foundation_and_matches_the_experts():
    from programmes.institutions import registry

    reg = registry()
    assert reg.match("KAIST") == reg.match("한국과학기술원") is not None
    assert reg.root(reg.match("서울대학교 산학협력단")) == reg.match("서울대학교")
    profiles = dict(ExpertProfile.objects.values_list("user__username", "institution__name_ko"))
    assert (profiles["expert1"], profiles["expert3"]) == ("한국과학기술원", "서울대학교")


def test_every_expert_of_the_2023_call_signed_its_pledge():
    from evaluations.models import Assignment, ConfidentialityPledge

    call = Call.objects.get(year=2023)
    experts = set(Assignment.objects.filter(proposal__call=call).values_list("expert__username", flat=True))
    signed = set(ConfidentialityPledge.objects.filter(call=call).values_list("expert__username", flat=True))
    assert experts == signed


def test_busans_2027_draft_in_consulting_has_its_consultants_and_reseeding_adds_none():
    """No dead end in the demo: the draft sent to consulting has two consultants (none from Busan)."""
    from evaluations import demo as evaluations_demo
    from evaluations.models import Assignment, AssignmentKind
    from proposals.models import Proposal, ProposalState

    draft = Proposal.objects.get(call__year=2027, lead_region__code="busan")
    assert draft.state == ProposalState.CONSULTING
    consultants = Assignment.objects.filter(proposal=draft, kind=AssignmentKind.CONSULTING, conflict_declared=False)
    assert sorted(consultants.values_list("expert__username", flat=True)) == ["expert4", "expert8"]
    assert not consultants.filter(expert__expert_profile__home_region__code="busan").exists()
    assert evaluations_demo.seed_open_call_consultants() == 0  # idempotent


def test_the_five_2023_projects_have_agreements_in_force_accepted_by_every_party():
    from agreements.models import AgreementState, AgreementVersion
    from projects.hooks import agreement_accepted
    from projects.models import Project

    projects = list(Project.objects.filter(proposal__call__year=2023))
    assert len(projects) == 5 and all(agreement_accepted(p) for p in projects)
    versions = AgreementVersion.objects.filter(agreement__project__in=projects, state=AgreementState.IN_FORCE)
    assert versions.count() == 5
    assert not versions.filter(parties__accepted_at__isnull=True).exists()


def test_the_2023_call_has_its_illustrative_zones_covering_every_eligible_region():
    from programmes.demo import ZONES_2023

    call = Call.objects.get(year=2023)
    zones = [(z.name_ko, sorted(r.code for r in z.regions.all())) for z in call.zones.all()]
    assert zones == [(ko, sorted(codes)) for ko, _en, codes in ZONES_2023]
    covered = sorted(code for _ko, codes in zones for code in codes)
    assert covered == sorted(r.code for r in call.eligible_regions.all())
    assert (call.zone_panel_size, call.zone_min_scorers, call.zone_normalise) == (5, 3, True)
    assert not Call.objects.get(year=2027).zones.exists()


def test_the_2027_call_runs_a_planning_period_every_region_can_be_followed_in():
    """Issue 17: guidelines for each phase, candidate themes of several regions (some dropped with
    reasons), opinions gathered, and Chungnam + Jeonbuk's final theme signed off by both; reseeding adds none."""
    from programmes.models import Guideline, PlanningPhase
    from proposals import demo as proposals_demo
    from proposals.models import CandidateTheme, OpinionGathering, ThemeStatus
    from proposals.planning_status import region_standings

    call = Call.objects.get(year=2027)
    assert [call.planning_start.isoformat(), call.planning_end.isoformat()] == ["2026-09-01", "2027-01-22"]
    assert sorted(Guideline.objects.filter(call=call).values_list("phase", flat=True)) == sorted(PlanningPhase.values)
    themes = CandidateTheme.objects.filter(call=call)
    assert sorted(set(themes.values_list("lead_region__code", flat=True))) == ["busan", "chungnam", "gwangju"]
    dropped = themes.filter(status=ThemeStatus.DROPPED)
    assert dropped.count() == 2 and all(t.status_reason for t in dropped)
    rows = {s.region.code: s for s in region_standings(call)}
    chungnam, jeonbuk, gwangju = rows["chungnam"], rows["jeonbuk"], rows["gwangju"]
    assert chungnam.final_theme == jeonbuk.final_theme is not None and chungnam.all_signed and jeonbuk.signed_off
    assert (gwangju.themes, gwangju.dropped, gwangju.opinions, rows["jeonnam"].opinions) == (2, 1, 1, 1)
    assert gwangju.final_theme is None and gwangju.open_work(PlanningPhase.SELECTION)  # still choosing
    assert (gwangju.guidelines_read, chungnam.guidelines_read, chungnam.all_guidelines_read) == (0, 1, False)
    counts = (themes.count(), OpinionGathering.objects.filter(call=call).count())
    proposals_demo.seed_planning(call)
    assert (CandidateTheme.objects.filter(call=call).count(), OpinionGathering.objects.filter(call=call).count()) == counts


def test_gyeongnam_ulsans_amendment_was_endorsed_by_ministry_approved_by_ministry2_and_is_in_force():
    from agreements.models import AgreementState, Amendment, AmendmentState

    amendment = Amendment.objects.get(agreement__project__proposal__lead_region__code="gyeongnam",
                                      agreement__project__proposal__call__year=2023)
    assert amendment.state == AmendmentState.APPROVED and amendment.to_category == "commissioned"
    assert (amendment.endorsed_by.username, amendment.decided_by.username) == ("ministry", "ministry2")
    assert amendment.new_version.number == 2 and amendment.new_version.state == AgreementState.IN_FORCE
    assert amendment.new_version.lines.get(category="commissioned").amount_won == 150_000_000
