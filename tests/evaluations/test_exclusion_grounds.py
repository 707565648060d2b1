"""The guideline's exclusion grounds, each on or off per call.

Automatic where the portal knows the facts: same institution (through the institutions
registry: KAIST is 한국과학기술원, a foundation is its university), same department (when the
call says so). Declared by the expert where it cannot: relatives, teacher–student, mutual
evaluation, public official — one answer each, on the declaration before any content; a yes
withdraws the expert and the panel page shows the gap. And the confidentiality pledge comes
before any content, once per call."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations.models import Assignment, ConfidentialityPledge
from evaluations.services import assignment_declare, expert_conflicts, panel_assign, pledge_sign
from programmes.models import ConflictGround, Institution, InstitutionKind
from proposals.models import OrganisationKind
from tests.evaluations.conftest import assign, make_expert
from tests.login import log_in
from tests.proposals.conftest import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(db):
    kaist = Institution.objects.create(name_ko="한국과학기술원", name_en="Korea Advanced Institute of Science and "
                                       "Technology", aliases="KAIST;카이스트", kind=InstitutionKind.UNIVERSITY)
    snu = Institution.objects.create(name_ko="서울대학교", name_en="Seoul National University", aliases="SNU",
                                     kind=InstitutionKind.UNIVERSITY)
    Institution.objects.create(name_ko="서울대학교 산학협력단", name_en="SNU R&DB Foundation",
                               kind=InstitutionKind.FOUNDATION, parent=snu)
    for ko, en in (("서울대학교 재료공학부", "SNU Materials Science"), ("서울대학교 화학생물공학부", "SNU Chemical Engineering")):
        Institution.objects.create(name_ko=ko, name_en=en, kind=InstitutionKind.DEPARTMENT, parent=snu)
    return kaist


def organisation(proposal, name):
    return OrganisationFactory(proposal=proposal, region=proposal.lead_region, name=name,
                               kind=OrganisationKind.UNIVERSITY)


def reasons_of(expert, proposal):
    proposal.refresh_from_db()
    return expert_conflicts(profile=expert.expert_profile, proposal=proposal)


# --- Same institution, through the registry ---------------------------------------------------


@pytest.mark.parametrize(("affiliation", "org"), [
    ("KAIST", "한국과학기술원"),
    ("한국과학기술원", "kaist"),
    ("서울대학교", "서울대학교 산학협력단"),
    ("SNU R&DB Foundation", "서울대학교"),
])
def test_names_of_the_same_institution_are_a_conflict_when_the_ground_is_on(
    eligible_proposal, registry, affiliation, org
):
    organisation(eligible_proposal, org)
    expert = make_expert("colleague", affiliation=affiliation)
    assert reasons_of(expert, eligible_proposal) == [
        f"Affiliation {affiliation} is the same institution as the participating organisation {org}."]


def test_the_same_institution_ground_off_lets_them_in(eligible_proposal, registry, call, ministry):
    call.coi_same_institution = False
    call.save()
    organisation(eligible_proposal, "한국과학기술원")
    expert = make_expert("colleague", affiliation="KAIST")
    assert reasons_of(expert, eligible_proposal) == []
    assert panel_assign(actor=ministry, proposal=eligible_proposal, expert=expert).expert == expert


def test_different_institutions_are_no_conflict(eligible_proposal, registry):
    organisation(eligible_proposal, "서울대학교 산학협력단")
    assert reasons_of(make_expert("kaist", affiliation="KAIST"), eligible_proposal) == []


@pytest.mark.parametrize(("department_on", "same_dept", "reasons"), [
    (True, True, ["Affiliation 서울대학교 재료공학부 is the same department as the participating organisation "
                  "SNU Materials Science."]),
    (True, False, []),
    (False, True, []),
])
def test_the_same_department_ground_when_the_institution_ground_is_off(
    eligible_proposal, registry, call, department_on, same_dept, reasons
):
    call.coi_same_institution = False
    call.coi_same_department = department_on
    call.save()
    organisation(eligible_proposal, "SNU Materials Science" if same_dept else "SNU Chemical Engineering")
    expert = make_expert("snu", affiliation="서울대학교 재료공학부")
    assert reasons_of(expert, eligible_proposal) == reasons


# --- Declared grounds -------------------------------------------------------------------------


def test_a_declared_ground_withdraws_the_expert_and_is_kept(eligible_proposal, ministry):
    expert = make_expert("declarer")
    a = assign(eligible_proposal, expert, by=ministry)
    answers = dict.fromkeys(eligible_proposal.call.declared_grounds(), False) | {ConflictGround.TEACHER_STUDENT: True}
    assignment_declare(actor=expert, assignment=a, conflict=True, grounds=answers)
    a.refresh_from_db()
    assert (a.conflict_declared, a.conflict_grounds) == (True, ["teacher_student"])


def test_every_enabled_ground_must_be_answered(eligible_proposal, ministry):
    expert = make_expert("declarer")
    a = assign(eligible_proposal, expert, by=ministry)
    with pytest.raises(ValidationError) as refused:
        assignment_declare(actor=expert, assignment=a, conflict=False, grounds={ConflictGround.RELATIVES: False})
    assert set(refused.value.message_dict) == {"ground_teacher_student", "ground_mutual_evaluation",
                                               "ground_public_official"}
    a.refresh_from_db()
    assert a.declared_at is None


def test_a_yes_with_no_conflict_declared_is_refused(eligible_proposal, ministry):
    expert = make_expert("declarer")
    a = assign(eligible_proposal, expert, by=ministry)
    answers = dict.fromkeys(eligible_proposal.call.declared_grounds(), False) | {ConflictGround.RELATIVES: True}
    with pytest.raises(ValidationError) as refused:
        assignment_declare(actor=expert, assignment=a, conflict=False, grounds=answers)
    assert list(refused.value.message_dict) == ["decision"]


@pytest.mark.parametrize("ground", ["relatives", "teacher_student", "mutual_evaluation", "public_official"])
def test_a_ground_the_call_turned_off_is_not_asked(client, eligible_proposal, call, ministry, ground):
    setattr(call, f"coi_{ground}", False)
    call.save()
    expert = make_expert("declarer")
    a = assign(eligible_proposal, expert, by=ministry)
    log_in(client, expert)
    page = client.get(reverse("evaluations:assignment", args=[a.pk]))
    asked = {f.name for f in page.context["declaration_form"].ground_fields()}
    assert asked == {f"ground_{g}" for g in ConflictGround.values if g not in
                     {"same_institution", "same_department", "coached", ground}}
    # An answer to the ground that is off is ignored: no conflict recorded for it.
    answers = dict.fromkeys(call.declared_grounds(), False) | {ground: True}
    assignment_declare(actor=expert, assignment=a, conflict=False, grounds=answers)
    a.refresh_from_db()
    assert (a.conflict_declared, a.conflict_grounds) == (False, [])


def test_the_declaration_page_keeps_the_answers_and_shows_the_reason_at_the_field(client, eligible_proposal, ministry):
    expert = make_expert("declarer")
    a = assign(eligible_proposal, expert, by=ministry)
    log_in(client, expert)
    response = client.post(reverse("evaluations:declare", args=[a.pk]),
                           {"ground_relatives": "yes", "decision": "none", "note": "사촌이 참여함"})
    assert response.status_code == 400
    form = response.context["declaration_form"]
    assert form.errors["ground_teacher_student"] == ["Answer this question."]
    assert 'value="yes" required checked' in response.content.decode()
    assert "사촌이 참여함" in response.content.decode()
    a.refresh_from_db()
    assert a.declared_at is None


def test_a_declared_conflict_through_the_page_leaves_a_gap_the_panel_page_shows(client, eligible_proposal, call,
                                                                                  ministry):
    call.panel_size = 2
    call.save()
    expert = make_expert("declarer")
    a = assign(eligible_proposal, expert, by=ministry)
    assign(eligible_proposal, make_expert("stays"), by=ministry)
    log_in(client, expert)
    answers = {f"ground_{g}": "no" for g in call.declared_grounds()} | {"ground_mutual_evaluation": "yes"}
    client.post(reverse("evaluations:declare", args=[a.pk]), {**answers, "decision": "conflict"})
    a.refresh_from_db()
    assert (a.conflict_declared, a.conflict_grounds) == (True, ["mutual_evaluation"])
    log_in(client, ministry)
    page = client.get(reverse("evaluations:panel", args=[eligible_proposal.pk]))
    assert (page.context["panel_short"], page.context["panel_withdrawn"]) == (1, 1)
    body = page.content.decode()
    assert "The panel is short of 1 member: 1 of 2 evaluators are active." in body
    assert (expert, ["Declared a conflict: Evaluated each other"]) in page.context["excluded"]


# --- The confidentiality pledge ---------------------------------------------------------------


def test_no_content_before_the_pledge_the_page_sends_the_expert_to_sign_it(client, eligible_proposal, ministry):
    expert = make_expert("new", display_name="새 전문가")
    a = assign(eligible_proposal, expert, by=ministry, pledged=False)
    log_in(client, expert)
    pledge_url = reverse("evaluations:pledge", args=[eligible_proposal.call_id])
    for response in (client.get(reverse("evaluations:assignment", args=[a.pk])),
                     client.post(reverse("evaluations:declare", args=[a.pk]), {"decision": "none"}),
                     client.post(reverse("evaluations:score", args=[a.pk]), {})):
        assert response.status_code == 302
        assert response["Location"].startswith(pledge_url)
        assert eligible_proposal.title_ko not in response.content.decode()
    a.refresh_from_db()
    assert a.declared_at is None
    refused = client.post(pledge_url, {"signed_name": "다른 이름", "next": f"/evaluations/assignments/{a.pk}/"})
    assert refused.status_code == 400
    assert refused.context["form"].errors == {"agree": ["Tick the box to accept the pledge."],
                                              "signed_name": ["Type your name exactly as “새 전문가” to sign."]}
    assert 'value="다른 이름"' in refused.content.decode()
    signed = client.post(pledge_url, {"agree": "on", "signed_name": "새 전문가",
                                      "next": f"/evaluations/assignments/{a.pk}/"})
    assert signed["Location"] == f"/evaluations/assignments/{a.pk}/"
    assert client.get(signed["Location"]).context["declaration_form"] is not None


def test_the_pledge_is_once_per_call_and_only_for_the_calls_experts(eligible_proposal, ministry):
    expert = make_expert("new", display_name="새 전문가")
    with pytest.raises(Exception) as stranger:
        pledge_sign(actor=expert, call=eligible_proposal.call, signed_name="새 전문가", agree=True)
    assert stranger.type.__name__ == "PermissionDenied"
    assign(eligible_proposal, expert, by=ministry, pledged=False)
    pledge_sign(actor=expert, call=eligible_proposal.call, signed_name=" 새  전문가 ", agree=True)
    with pytest.raises(ValidationError):
        pledge_sign(actor=expert, call=eligible_proposal.call, signed_name="새 전문가", agree=True)
    assert list(ConfidentialityPledge.objects.values_list("expert__username", "signed_name")) == [("new", "새 전문가")]


def test_the_pledge_page_does_not_redirect_off_site(client, eligible_proposal, ministry):
    expert = make_expert("new", display_name="새 전문가")
    assign(eligible_proposal, expert, by=ministry, pledged=False)
    log_in(client, expert)
    response = client.post(reverse("evaluations:pledge", args=[eligible_proposal.call_id]),
                           {"agree": "on", "signed_name": "새 전문가", "next": "https://evil.example/"})
    assert response["Location"] == reverse("evaluations:assignments")
    assert Assignment.objects.get(expert=expert).declared_at is None
