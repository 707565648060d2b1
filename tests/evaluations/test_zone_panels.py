"""Zone panels (issue 16): one fixed panel per zone scores every proposal of its zone; the
optimal plan (CP-SAT) places experts into the panels by their affinity to the zone's proposals,
each expert on at most one panel, a conflicted member sitting that proposal out, every proposal
keeping the call's minimum scorers; infeasible → a message and nothing assigned."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evaluations.models import Assignment, AssignmentKind, ZonePanelMember
from evaluations.services.zones import (
    zone_member_add,
    zone_member_remove,
    zone_plan,
    zone_plan_confirm,
    zone_set_chair,
)
from programmes.models import CallZone
from tests.evaluations.conftest import make_expert
from tests.factories import region

pytestmark = pytest.mark.django_db


def zone(call, name, *codes, order=1):
    z = CallZone.objects.create(call=call, name_ko=name, order=order)
    z.regions.set([region(c) for c in codes])
    return z


def settings_of(call, *, size, minimum):
    call.zone_panel_size, call.zone_min_scorers = size, minimum
    call.save()


def ai(name, **kw):
    return make_expert(name, industries=["artificial-intelligence"], keywords="", **kw)


def battery(name, **kw):
    return make_expert(name, industries=["secondary-batteries"], keywords="", **kw)


def members(plan) -> dict:
    return {row.zone.name_ko: {m.username for m, _a, _e in row.members} for row in plan.rows}


@pytest.fixture
def two_zones(call, eligible_factory):
    """Honam (Gwangju) with two AI proposals, Yeongnam (Busan) with one."""
    honam, yeongnam = zone(call, "호남", "gwangju", "jeonnam"), zone(call, "영남", "busan", order=2)
    proposals = [eligible_factory(), eligible_factory(), eligible_factory(lead_region=region("busan"))]
    settings_of(call, size=2, minimum=2)
    return honam, yeongnam, proposals


def test_the_plan_maximises_affinity_to_each_zone_and_seats_each_expert_once(call, two_zones):
    from evaluations.services.affinity import call_affinity

    _honam, _yeongnam, proposals = two_zones
    experts = {e.username: e for e in (ai("ai-1"), ai("ai-2"), battery("bat-1"), battery("bat-2"))}
    plan = zone_plan(call=call)
    # The AI experts match the two AI proposals of Honam: both in Honam beats one in each zone.
    assert plan.problems == []
    assert members(plan) == {"호남": {"ai-1", "ai-2"}, "영남": {"bat-1", "bat-2"}}
    affinity = call_affinity(call)
    zone_proposals = {"호남": proposals[:2], "영남": proposals[2:]}

    def total(seats: dict) -> float:
        return sum(affinity.score(experts[name].pk, p.pk) for zone, names in seats.items() for name in names
                   for p in zone_proposals[zone])

    assert plan.total_affinity == pytest.approx(total(members(plan)), abs=0.01)
    assert total(members(plan)) > total({"호남": {"ai-1", "bat-1"}, "영남": {"ai-2", "bat-2"}})


def test_the_same_input_gives_the_same_plan(call, two_zones):
    for n in range(6):
        ai(f"ai-{n}")
    first, second = zone_plan(call=call), zone_plan(call=call)
    assert (members(first), first.signature) == (members(second), second.signature)


@pytest.fixture
def sit_out(call, eligible_factory):
    """One zone (Gwangju, Jeonnam): P1 with Jeonnam as partner, P2 Gwangju alone; a Jeonnam expert
    matches both but is conflicted on P1."""
    honam = zone(call, "호남", "gwangju", "jeonnam")
    p1, p2 = eligible_factory(partners=["jeonnam"]), eligible_factory()
    experts = {"from-jeonnam": ai("from-jeonnam", home="jeonnam"), "ai-1": ai("ai-1"), "ai-2": ai("ai-2"),
               "bat": battery("bat")}
    return honam, p1, p2, experts


def test_a_member_conflicted_on_one_proposal_sits_it_out_and_scores_the_others(call, ministry, sit_out):
    honam, p1, p2, experts = sit_out
    settings_of(call, size=3, minimum=2)
    plan = zone_plan(call=call)
    assert members(plan) == {"호남": {"from-jeonnam", "ai-1", "ai-2"}}
    row = plan.rows[0]
    assert [e.username for e, _reasons in row.sit_outs[p1.pk]] == ["from-jeonnam"]
    assert row.scorers == {p1.pk: 2, p2.pk: 3}
    assert row.chair == experts["ai-1"]  # highest affinity (2.0, tied with ai-2), then the lower id
    zone_plan_confirm(actor=ministry, call=call, signature=plan.signature)
    assert set(Assignment.objects.values_list("proposal_id", "expert__username", "is_chair")) == {
        (p1.pk, "ai-1", True), (p1.pk, "ai-2", False), (p2.pk, "ai-1", True), (p2.pk, "ai-2", False),
        (p2.pk, "from-jeonnam", False)}
    assert set(ZonePanelMember.objects.values_list("expert__username", "is_chair")) == {
        ("ai-1", True), ("ai-2", False), ("from-jeonnam", False)}


def test_the_minimum_scorers_outweigh_affinity(call, sit_out):
    settings_of(call, size=3, minimum=3)
    plan = zone_plan(call=call)
    # With the Jeonnam expert P1 would keep only 2 scorers: the battery expert takes the seat.
    assert members(plan) == {"호남": {"ai-1", "ai-2", "bat"}}
    assert plan.rows[0].scorers == dict.fromkeys(plan.rows[0].scorers, 3)


def test_a_proposal_with_too_few_conflict_free_experts_is_named_and_nothing_is_assigned(call, ministry, sit_out):
    _honam, p1, _p2, experts = sit_out
    experts["bat"].expert_profile.available = False
    experts["bat"].expert_profile.save()
    settings_of(call, size=3, minimum=3)
    plan = zone_plan(call=call)
    assert plan.problems == [f"{p1.title}: only 2 experts without a conflict are available, fewer than the 3 "
                             "scorers the call requires."]
    with pytest.raises(ValidationError):
        zone_plan_confirm(actor=ministry, call=call, signature=plan.signature)
    assert (Assignment.objects.count(), ZonePanelMember.objects.count()) == (0, 0)


def test_too_few_experts_for_every_panel_is_infeasible(call, ministry, two_zones):
    ai("ai-1"), ai("ai-2"), battery("bat-1")
    plan = zone_plan(call=call)
    assert len(plan.problems) == 1 and "2 zone panels of 2 need 4 different experts, 3 are available" in plan.problems[0]
    assert plan.rows[0].members == []
    with pytest.raises(ValidationError):
        zone_plan_confirm(actor=ministry, call=call, signature=plan.signature)
    assert Assignment.objects.count() == 0


def test_the_panel_mix_is_a_constraint(call, two_zones):
    call.panel_min_industry = 1
    call.save()
    ai("ai-1", sector="academia"), ai("ai-2", sector="academia"), battery("bat-1", sector="academia")
    battery("bat-2", sector="industry"), battery("bat-3", sector="industry")
    plan = zone_plan(call=call)
    for row in plan.rows:
        assert [m.expert_profile.sector for m, _a, _e in row.members].count("industry") >= 1
    assert members(plan)["호남"] & {"ai-1", "ai-2"}


def test_a_stale_plan_is_refused(call, ministry, two_zones):
    ai("ai-1"), ai("ai-2"), battery("bat-1"), battery("bat-2")
    plan = zone_plan(call=call)
    ai("ai-3")
    with pytest.raises(ValidationError):
        zone_plan_confirm(actor=ministry, call=call, signature=plan.signature)
    assert Assignment.objects.count() == 0


def test_only_staff_confirm(call, official, two_zones):
    with pytest.raises(PermissionDenied):
        zone_plan_confirm(actor=official, call=call, signature="x")


def test_by_hand_a_member_gets_the_zone_proposals_they_may_score_and_members_stay_in_the_next_plan(
        call, ministry, sit_out):
    honam, p1, p2, experts = sit_out
    settings_of(call, size=3, minimum=2)
    member = zone_member_add(actor=ministry, zone=honam, expert=experts["bat"])
    assert set(Assignment.objects.filter(expert=experts["bat"]).values_list("proposal_id", flat=True)) == {p1.pk, p2.pk}
    zone_member_add(actor=ministry, zone=honam, expert=experts["from-jeonnam"])
    assert list(Assignment.objects.filter(expert=experts["from-jeonnam"]).values_list("proposal_id", flat=True)) == [
        p2.pk]
    plan = zone_plan(call=call)
    assert members(plan) == {"호남": {"bat", "from-jeonnam", "ai-1"}}
    zone_set_chair(actor=ministry, member=member)
    assert set(Assignment.objects.filter(is_chair=True).values_list("expert__username", "proposal_id")) == {
        ("bat", p1.pk), ("bat", p2.pk)}
    zone_member_remove(actor=ministry, member=member)
    assert not Assignment.objects.filter(expert=experts["bat"]).exists()


def test_a_member_who_scored_stays_on_the_panel_after_the_selection_too(call, ministry, two_zones):
    """Once the call is decided its proposals are no longer eligible; the scores still count."""
    from django.utils import timezone

    from evaluations.models import Scoresheet, ScoresheetState
    from proposals.models import Proposal, ProposalState

    honam, _yeongnam, (p1, p2, _p3) = two_zones
    member = zone_member_add(actor=ministry, zone=honam, expert=ai("ai-1"))
    assignment = Assignment.objects.get(expert=member.expert, proposal=p1)
    Scoresheet.objects.create(assignment=assignment, state=ScoresheetState.SUBMITTED, submitted_at=timezone.now())
    Proposal.objects.filter(pk__in=[p1.pk, p2.pk]).update(state=ProposalState.SELECTED)
    with pytest.raises(ValidationError, match="already scored a proposal of this zone"):
        zone_member_remove(actor=ministry, member=member)
    assert ZonePanelMember.objects.filter(pk=member.pk).exists()
    assert Assignment.objects.filter(expert=member.expert).count() == 2


def test_by_hand_an_expert_sits_on_one_zone_panel_and_a_full_panel_takes_no_one(call, ministry, two_zones):
    honam, yeongnam, _proposals = two_zones
    a, b, c = ai("ai-1"), ai("ai-2"), ai("ai-3")
    zone_member_add(actor=ministry, zone=honam, expert=a)
    with pytest.raises(ValidationError) as caught:
        zone_member_add(actor=ministry, zone=yeongnam, expert=a)
    assert list(caught.value.message_dict) == ["expert"]
    zone_member_add(actor=ministry, zone=honam, expert=b)
    with pytest.raises(ValidationError, match="is full"):
        zone_member_add(actor=ministry, zone=honam, expert=c)
    assert Assignment.objects.filter(kind=AssignmentKind.EVALUATION).count() == 4


# --- The page ------------------------------------------------------------------------------------


def test_staff_review_the_plan_on_the_page_and_confirm_it(client, call, ministry, sit_out):
    from django.urls import reverse

    from tests.login import log_in

    _honam, p1, _p2, _experts = sit_out
    settings_of(call, size=3, minimum=2)
    log_in(client, ministry)
    url = reverse("evaluations:zone_panels", args=[call.pk])
    assert reverse("evaluations:zone_panels", args=[call.pk]) in client.get(
        reverse("programmes:call_detail", args=[call.pk])).content.decode()
    page = client.get(url)
    assert page.status_code == 200
    plan = page.context["plan"]
    assert members(plan) == {"호남": {"from-jeonnam", "ai-1", "ai-2"}}
    assert p1.title in page.content.decode() and 'id="confirm-zone-panels"' in page.content.decode()
    refused = client.post(url, {"signature": plan.signature})
    assert refused.status_code == 400 and Assignment.objects.count() == 0
    done = client.post(url, {"signature": plan.signature, "confirm": "yes"})
    assert done.status_code == 302
    assert Assignment.objects.count() == 5 and ZonePanelMember.objects.count() == 3


def test_staff_seat_an_expert_by_hand_from_the_page(client, call, ministry, sit_out):
    from django.urls import reverse

    from tests.login import log_in

    honam, _p1, _p2, experts = sit_out
    log_in(client, ministry)
    response = client.post(reverse("evaluations:zone_member", args=[call.pk]),
                           {"action": "add", "zone": str(honam.pk), "expert": str(experts["bat"].pk)})
    assert response.status_code == 302
    assert list(ZonePanelMember.objects.values_list("zone_id", "expert_id")) == [(honam.pk, experts["bat"].pk)]


def test_a_call_without_zones_shows_the_empty_state(client, call, ministry):
    from django.urls import reverse

    from tests.login import log_in

    log_in(client, ministry)
    page = client.get(reverse("evaluations:zone_panels", args=[call.pk]))
    assert page.status_code == 200 and page.context["plan"] is None
    assert reverse("evaluations:zone_panels", args=[call.pk]) not in client.get(
        reverse("programmes:call_detail", args=[call.pk])).content.decode()


def test_once_the_selection_is_made_each_zone_counts_the_proposals_its_panel_evaluated(client, call, ministry,
                                                                                     two_zones):
    """Selected, not selected, on reserve or funded proposals were evaluated: the page counts them
    (it said "0 eligible proposals" for the decided 2023 call); a withdrawn one was never evaluated."""
    from django.urls import reverse

    from proposals.models import Proposal, ProposalState
    from tests.login import log_in

    honam, yeongnam, proposals = two_zones
    Proposal.objects.filter(pk=proposals[0].pk).update(state=ProposalState.SELECTED)
    Proposal.objects.filter(pk=proposals[1].pk).update(state=ProposalState.NOT_SELECTED)
    Proposal.objects.filter(pk=proposals[2].pk).update(state=ProposalState.WITHDRAWN)
    log_in(client, ministry)
    page = client.get(reverse("evaluations:zone_panels", args=[call.pk]))
    assert page.status_code == 200
    counts = {z["zone"].pk: len(z["proposals"]) for z in page.context["zones"]}
    assert counts == {honam.pk: 2, yeongnam.pk: 0}
    html = page.content.decode()
    assert "2 eligible proposals" in html and "0 eligible proposals" in html
    # The plan works on the eligible proposals only: none are left, so there is nothing to seat.
    assert page.context["plan"].rows == [] and page.context["new_count"] == 0
