"""Panel composition rules of a call: a minimum from industry, academia and research
institutes, at most N members from one institution, a chair per panel. The panel page
names each rule a panel breaks; the automatic plan tries to meet them and says which
rule each planned panel still breaks."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from evaluations.models import Assignment, AssignmentKind, ExpertSector
from evaluations.services import composition_problems, panel_auto_confirm, panel_auto_plan, panel_of, panel_set_chair
from evaluations.services.composition import institution_key
from tests.evaluations.conftest import assign, make_expert
from tests.login import log_in

pytestmark = pytest.mark.django_db

INDUSTRY, ACADEMIA, RESEARCH = ExpertSector.INDUSTRY, ExpertSector.ACADEMIA, ExpertSector.RESEARCH


def rules(call, *, industry=0, academia=0, research=0, per_institution=0, chair=False, size=None):
    call.panel_min_industry, call.panel_min_academia, call.panel_min_research = industry, academia, research
    call.panel_max_per_institution, call.panel_chair_required = per_institution, chair
    if size:
        call.panel_size = size
    call.save()
    return call


def expert(name, sector, affiliation=None):
    return make_expert(name, sector=sector, affiliation=affiliation or f"{name} 기관")


@pytest.fixture
def eligible(eligible_factory):
    return eligible_factory(title_en="Eligible")


# --- The rules, one by one ---------------------------------------------------------------------------


@pytest.mark.parametrize(("setting", "sector", "label"), [("industry", INDUSTRY, "Industry"),
                                                          ("academia", ACADEMIA, "Academia"),
                                                          ("research", RESEARCH, "Research institute")])
def test_a_panel_short_of_a_sector_breaks_its_minimum(call, setting, sector, label):
    rules(call, **{setting: 1})
    others = [expert("a", ExpertSector.OTHER), expert("b", ExpertSector.OTHER)]

    assert composition_problems(call, others) == [
        f"At least 1 members from {label} are required; the panel has 0."]
    assert composition_problems(call, [*others, expert("c", sector)]) == []


def test_too_many_from_one_institution_breaks_the_limit_whatever_the_spacing(call):
    rules(call, per_institution=1)
    a = expert("a", ACADEMIA, "한국과학기술원")
    b = expert("b", RESEARCH, "한국 과학기술원")

    assert composition_problems(call, [a, b]) == [
        "At most 1 members may come from one institution; 한국과학기술원 has 2."]
    assert composition_problems(call, [a, expert("c", RESEARCH, "서울대학교")]) == []


def test_institution_key_normalises_the_affiliation_text():
    class P:
        affiliation = " KAIST (대전) "

    assert institution_key(P()) == "kaist대전"


def test_a_panel_without_a_chair_breaks_the_chair_rule_and_naming_one_mends_it(call, eligible, ministry):
    rules(call, chair=True)
    a = assign(eligible, expert("a", ACADEMIA), by=ministry)
    assign(eligible, expert("b", RESEARCH), by=ministry)
    assert composition_problems(call, panel_of(eligible)) == ["No chair is named for this panel."]

    panel_set_chair(actor=ministry, assignment=a)

    assert composition_problems(call, panel_of(eligible)) == []


def test_no_rule_set_means_no_problem(call, eligible, ministry):
    rules(call)
    assign(eligible, expert("a", ""), by=ministry)
    assert composition_problems(call, panel_of(eligible)) == []


def test_a_member_who_declared_a_conflict_no_longer_counts(call, eligible, ministry):
    rules(call, industry=1)
    a = assign(eligible, expert("a", INDUSTRY), by=ministry)
    Assignment.objects.filter(pk=a.pk).update(conflict_declared=True)
    assert composition_problems(call, panel_of(eligible)) == [
        "At least 1 members from Industry are required; the panel has 0."]


def test_minimums_above_the_panel_size_are_refused_on_the_call(call):
    rules(call, industry=2, academia=2, research=2, size=5)
    with pytest.raises(ValidationError) as exc:
        call.full_clean()
    assert "panel_min_industry" in exc.value.message_dict


# --- The chair ------------------------------------------------------------------------------------------------


def test_naming_a_new_chair_replaces_the_old_one_and_is_recorded(call, eligible, ministry):
    a = assign(eligible, expert("a", ACADEMIA), by=ministry)
    b = assign(eligible, expert("b", RESEARCH), by=ministry)
    panel_set_chair(actor=ministry, assignment=a)
    panel_set_chair(actor=ministry, assignment=b)

    assert list(Assignment.objects.filter(is_chair=True)) == [b]
    assert AuditEvent.objects.filter(action=AuditAction.PANEL_RULE).count() == 2


def test_a_consultant_cannot_chair_and_only_staff_name_chairs(call, proposal, eligible, ministry, official):
    consultant = assign(proposal, expert("c", ACADEMIA), by=ministry, kind=AssignmentKind.CONSULTING)
    with pytest.raises(ValidationError):
        panel_set_chair(actor=ministry, assignment=consultant)
    with pytest.raises(PermissionDenied):
        panel_set_chair(actor=official, assignment=assign(eligible, expert("a", ACADEMIA), by=ministry))
    assert not Assignment.objects.filter(is_chair=True).exists()


# --- The automatic plan ---------------------------------------------------------------------------------------


def test_the_plan_picks_the_sector_a_minimum_needs_over_a_lower_load(call, eligible):
    rules(call, industry=1, size=2)
    academics = [expert(f"a{n}", ACADEMIA) for n in range(3)]
    company = expert("z", INDUSTRY)  # the highest id: chosen last without the rule

    row = panel_auto_plan(call=call).rows[0]

    assert [e for e, _m in row.experts] == [academics[0], company]
    assert row.composition == []


def test_the_plan_keeps_to_the_institution_limit(call, eligible):
    rules(call, per_institution=1, size=2)
    first = expert("a", ACADEMIA, "서울대학교")
    expert("b", ACADEMIA, "서울 대학교")
    other = expert("c", RESEARCH, "한국전자통신연구원")

    assert [e for e, _m in panel_auto_plan(call=call).rows[0].experts] == [first, other]


def test_the_plan_says_which_rule_a_planned_panel_still_breaks(client, call, eligible, ministry):
    rules(call, industry=1, size=2)
    expert("a", ACADEMIA)
    expert("b", RESEARCH)

    row = panel_auto_plan(call=call).rows[0]
    assert row.composition == ["At least 1 members from Industry are required; the panel has 0."]
    log_in(client, ministry)
    text = client.get(reverse("evaluations:auto_assign", args=[call.pk])).content.decode()
    assert "At least 1 members from Industry are required; the panel has 0." in text


def test_the_plan_names_a_chair_and_confirming_it_records_exactly_one_per_panel(call, eligible_factory, ministry):
    rules(call, chair=True, size=2)
    proposals = [eligible_factory(title_en=f"P{n}") for n in range(2)]
    for n in range(4):
        expert(f"e{n}", ACADEMIA)

    plan = panel_auto_plan(call=call)
    assert all(row.chair == row.experts[0][0] and row.composition == [] for row in plan.rows)
    panel_auto_confirm(actor=ministry, call=call, signature=plan.signature)

    for p in proposals:
        assert composition_problems(call, panel_of(p)) == []
        assert Assignment.objects.filter(proposal=p, is_chair=True).count() == 1


def test_an_existing_chair_is_kept_by_the_plan(call, eligible, ministry):
    rules(call, chair=True, size=2)
    chair = assign(eligible, expert("a", ACADEMIA), by=ministry)
    panel_set_chair(actor=ministry, assignment=chair)
    expert("b", ACADEMIA)

    row = panel_auto_plan(call=call).rows[0]
    assert (row.chair, row.composition) == (None, [])


# --- The panel page ---------------------------------------------------------------------------------------------


def test_the_panel_page_names_the_broken_rules_and_names_a_chair(client, call, eligible, ministry):
    rules(call, research=1, chair=True)
    a = assign(eligible, expert("a", ACADEMIA), by=ministry)
    log_in(client, ministry)
    url = reverse("evaluations:panel", args=[eligible.pk])
    text = client.get(url).content.decode()
    assert "At least 1 members from Research institute are required; the panel has 0." in text
    assert "No chair is named for this panel." in text

    client.post(reverse("evaluations:panel_chair", args=[eligible.pk]), {"assignment": a.pk})

    assert "No chair is named for this panel." not in client.get(url).content.decode()
    assert Assignment.objects.get(pk=a.pk).is_chair


@pytest.mark.parametrize("bad", ["", "abc", "-1", "99999999999999999999", "<b>"])
def test_a_posted_chair_that_is_not_one_of_the_panel_s_is_a_404(client, call, eligible, proposal, ministry, bad):
    log_in(client, ministry)
    response = client.post(reverse("evaluations:panel_chair", args=[eligible.pk]), {"assignment": bad})
    assert response.status_code == 404
    assert not Assignment.objects.filter(is_chair=True).exists()
