"""Each kind of change writes exactly one audit record of its kind, with the
person who made it and the values before and after."""

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.models import Role, User
from audit.models import AuditAction, AuditEvent, AuditSource
from audit.services import acting_as, record
from evaluations.models import AssignmentKind
from evaluations.services import assignment_declare, panel_assign, panel_unassign, scoresheet_reopen, scoresheet_save
from funding import services as funding
from programmes.models import CallStatus, Region
from programmes.services import call_change_status
from proposals.models import ProposalState
from proposals.services import proposal_check_eligibility, proposal_submit
from tests.audit.conftest import events, plan
from tests.evaluations.conftest import score_values
from tests.factories import in_review
from tests.login import log_in

pytestmark = pytest.mark.django_db


def test_submitting_a_proposal_records_the_official_and_the_state_before_and_after(complete_proposal, official,
                                                                                   before_deadline):
    proposal_submit(actor=official, proposal=complete_proposal, now=before_deadline)
    [event] = events(AuditAction.PROPOSAL_STATE)
    assert (event.actor, event.object_id, event.source) == (official, str(complete_proposal.pk), AuditSource.EVENT)
    assert event.before == {"state": ProposalState.DRAFT}
    assert event.after == {"state": ProposalState.SUBMITTED, "state_reason": ""}
    assert event.object_repr == complete_proposal.title_ko


def test_an_eligibility_check_records_the_staff_member_and_the_reason(complete_proposal, official, ministry,
                                                                       before_deadline):
    proposal_submit(actor=official, proposal=complete_proposal, now=before_deadline)
    proposal_check_eligibility(actor=ministry, proposal=complete_proposal, passed=False, reason="서류 미비")
    [event] = events(AuditAction.ELIGIBILITY)
    assert event.actor == ministry
    assert event.before == {"state": ProposalState.SUBMITTED}
    assert event.after == {"state": ProposalState.INELIGIBLE, "state_reason": "서류 미비"}


def test_a_selection_decision_is_one_record_with_its_reason(complete_proposal, official, ministry, before_deadline):
    eligible = make_eligible_via_services(complete_proposal, official, ministry, before_deadline)
    funding.selection_decide(actor=ministry, proposal=eligible, action="select", reason="지역 파급효과 우수")
    [event] = events(AuditAction.SELECTION)
    assert event.actor == ministry
    assert (event.before, event.after) == ({"state": "eligible"}, {"state": "selected", "state_reason": "지역 파급효과 우수"})


def make_eligible_via_services(proposal, official, ministry, now):
    proposal_submit(actor=official, proposal=proposal, now=now)
    return proposal_check_eligibility(actor=ministry, proposal=proposal, passed=True)


def test_preparing_a_decision_records_its_amounts_and_preparing_again_the_amounts_it_replaces(selected, ministry,
                                                                                              ministry2):
    years, obligations = plan(selected)
    first = funding.funding_prepare(actor=ministry, proposal=selected, years=years, obligations=obligations)
    [event] = events(AuditAction.FUNDING_PREPARE)
    assert (event.actor, event.object_id, event.before) == (ministry, str(first.pk), None)
    assert event.after["National total (won)"] == first.national_total_won == sum(years.values())
    assert event.after[f"National {selected.call.year} (won)"] == years[selected.call.year]

    smaller = {y: v - 10**8 for y, v in years.items()}
    second = funding.funding_prepare(actor=ministry2, proposal=selected, years=smaller, obligations=obligations)
    latest = events(AuditAction.FUNDING_PREPARE)[-1]
    assert latest.actor == ministry2 and latest.object_id == str(second.pk)
    assert latest.before["National total (won)"] == sum(years.values())
    assert latest.after["National total (won)"] == sum(smaller.values())
    assert (latest.before["Version"], latest.after["Version"]) == (1, 2)


def test_approving_a_decision_records_the_approver_and_the_envelope_before_and_after(prepared, ministry2, approve):
    approve(prepared, ministry2)
    [event] = events(AuditAction.FUNDING_APPROVE)
    assert event.actor == ministry2
    assert event.before == {"state": "prepared", "committed_won": 0}
    assert event.after == {"state": "approved", "committed_won": prepared.national_total_won,
                           "national_total_won": prepared.national_total_won}
    # The proposal's own move to "funded" is its state-change record.
    [funded] = events(AuditAction.PROPOSAL_STATE)
    assert funded.after["state"] == ProposalState.FUNDED


@pytest.fixture
def cleared(complete_proposal, official, ministry, before_deadline, panel_expert):
    eligible = make_eligible_via_services(complete_proposal, official, ministry, before_deadline)
    assignment = panel_assign(actor=ministry, proposal=eligible, expert=panel_expert)
    return assignment_declare(actor=panel_expert, assignment=assignment, conflict=False)


def test_assigning_an_expert_records_who_assigned_whom(cleared, ministry, panel_expert):
    [event] = events(AuditAction.PANEL_ASSIGN)
    assert event.actor == ministry
    assert event.after == {"expert": str(panel_expert), "kind": AssignmentKind.EVALUATION}
    assert str(panel_expert) in event.object_repr


def test_removing_an_expert_records_who_was_removed(cleared, ministry, panel_expert):
    panel_unassign(actor=ministry, assignment=cleared)
    [event] = events(AuditAction.PANEL_UNASSIGN)
    assert event.actor == ministry and event.before == {"expert": str(panel_expert), "kind": "evaluation"}


def test_submitting_scores_records_the_expert_and_each_score(cleared, panel_expert):
    call = cleared.proposal.call
    scoresheet_save(actor=panel_expert, assignment=cleared, values=score_values(call, [8, 7, 9, 6, 5]), submit=True,
                    now=in_review(call), confidence=3)
    [event] = events(AuditAction.SCORE_SUBMIT)
    first = call.criteria.order_by("order").first()
    assert event.actor == panel_expert
    assert event.before == {"state": "draft"}
    assert event.after["state"] == "submitted" and event.after[str(first)] in ("8", "8.0", "8.00")


def test_reopening_scores_records_the_staff_member_and_the_reason(cleared, panel_expert, ministry):
    call = cleared.proposal.call
    sheet = scoresheet_save(actor=panel_expert, assignment=cleared, values=score_values(call, [8, 7, 9, 6, 5]),
                            submit=True, now=in_review(call), confidence=2)
    scoresheet_reopen(actor=ministry, scoresheet=sheet, reason="점수 입력 오류 정정 요청")
    [event] = events(AuditAction.SCORE_REOPEN)
    assert (event.actor, event.summary) == (ministry, "점수 입력 오류 정정 요청")
    assert (event.before, event.after) == ({"state": "submitted"}, {"state": "draft"})


def test_a_call_status_change_records_the_status_before_and_after(call, ministry):
    call_change_status(actor=ministry, call=call, status=CallStatus.CLOSED)
    [event] = events(AuditAction.CALL_STATUS)
    assert (event.actor, event.before, event.after) == (ministry, {"status": "open"}, {"status": "closed"})


# --- Users and permissions (in the Django admin and anywhere else) ---------------------------


def user_form(user, **changes) -> dict:
    data = {"username": user.username, "first_name": user.first_name, "last_name": user.last_name,
            "email": user.email, "is_active": "on" if user.is_active else "", "role": user.role,
            "region": user.region_id or "", "display_name": user.display_name, "phone": user.phone,
            "language": user.language,
            "groups": [g.pk for g in user.groups.all()]}
    data.update(changes)
    return {k: v for k, v in data.items() if v not in ("", None)}


def test_changing_a_role_in_the_admin_records_the_administrator_and_the_role_before_and_after(client, admin_user,
                                                                                                official):
    log_in(client, admin_user)
    response = client.post(f"/admin/accounts/user/{official.pk}/change/",
                           user_form(official, role=Role.MINISTRY, region=""))
    assert response.status_code == 302, response.content.decode()[:2000]
    [event] = events(AuditAction.USER_ACCOUNT)
    assert event.actor == admin_user and event.source == AuditSource.FIELDS and event.ip == "127.0.0.1"
    assert event.before["role"] == Role.OFFICIAL and event.after["role"] == Role.MINISTRY
    assert event.before["region"] == f"{official.region} (#{official.region_id})" and event.after["region"] is None
    assert "password" not in event.after and "last_login" not in event.after


def test_adding_a_user_to_a_group_in_the_admin_records_the_groups_before_and_after(client, admin_user, official):
    reviewers = Group.objects.create(name="심사 관리자")
    log_in(client, admin_user)
    response = client.post(f"/admin/accounts/user/{official.pk}/change/", user_form(official, groups=[reviewers.pk]))
    assert response.status_code == 302
    [event] = events(AuditAction.PERMISSIONS)
    assert event.actor == admin_user and event.object_id == str(official.pk)
    assert (event.before, event.after) == ({"groups": []}, {"groups": ["심사 관리자"]})


def test_a_permission_given_outside_a_request_is_recorded_with_the_actor_named_by_acting_as(admin_user, official):
    permission = Permission.objects.get(codename="view_region")
    with acting_as(admin_user):
        official.user_permissions.add(permission)
    [event] = events(AuditAction.PERMISSIONS)
    assert event.actor == admin_user
    assert (event.before, event.after) == ({"user_permissions": []}, {"user_permissions": ["programmes.view_region"]})


def test_making_someone_a_superuser_is_a_permission_change(admin_user, official):
    with acting_as(admin_user):
        official.is_superuser = True
        official.save()
    [event] = events(AuditAction.PERMISSIONS)
    assert (event.before, event.after) == ({"is_superuser": "False"}, {"is_superuser": "True"})


def test_a_user_deactivated_by_a_task_has_no_actor_but_is_on_the_trail(official):
    user = User.objects.get(pk=official.pk)  # a fresh instance, as a task would load it
    user.is_active = False
    user.save()
    [event] = events(AuditAction.USER_ACCOUNT)
    assert event.actor is None and event.actor_name == ""
    assert (event.before, event.after) == ({"is_active": "True"}, {"is_active": "False"})


def test_the_password_never_enters_the_trail(admin_user, official):
    with acting_as(admin_user):
        official.set_password("new-secret-1234")
        official.save()
    assert not AuditEvent.objects.filter(object_id=str(official.pk), action=AuditAction.CHANGED).exists()


# --- Field changes and exports -----------------------------------------------------------------


def test_a_field_edited_in_the_admin_is_on_the_trail_with_its_old_and_new_value(client, admin_user):
    region = Region.objects.get(code="sejong")
    log_in(client, admin_user)
    response = client.post(f"/admin/programmes/region/{region.pk}/change/",
                           {"name_ko": "세종특별자치시", "name_en": "Sejong City", "code": "sejong", "order": region.order})
    assert response.status_code == 302
    [event] = events(AuditAction.CHANGED)
    assert event.actor == admin_user and event.object_repr == str(Region.objects.get(pk=region.pk))
    assert (event.before, event.after) == ({"name_en": "Sejong"}, {"name_en": "Sejong City"})


def test_exporting_the_trail_records_one_export_by_the_staff_member(client, ministry):
    log_in(client, ministry)
    response = client.get("/audit/export.csv", {"action": "selection"})
    b"".join(response.streaming_content)
    [event] = events(AuditAction.EXPORT)
    assert event.actor == ministry and event.after == {"filters": {"action": "selection"}}


def test_record_refuses_an_unknown_action(ministry):
    before = AuditEvent.objects.count()
    with pytest.raises(ValueError):
        record(actor=ministry, action="made_up")
    assert AuditEvent.objects.count() == before


def test_an_export_recorded_by_another_app_names_the_object_and_summary(ministry, call):
    event = record(actor=ministry, action="export", obj=call, summary="제안서 목록 XLSX", after={"rows": 27})
    assert AuditEvent.objects.get(pk=event.pk).after == {"rows": 27}
    assert (event.object_repr, event.actor_name) == (str(call), f"{ministry} (ministry)")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_from_the_reports_app_is_one_record_with_the_person_and_the_rows(client, ministry, complete_proposal,
                                                                                 fmt):
    log_in(client, ministry)
    response = client.get(f"/reports/exports/proposals.{fmt}")
    assert response.status_code == 200
    if response.streaming:
        b"".join(response.streaming_content)  # a streamed CSV records its export after the last row
    [event] = events(AuditAction.EXPORT)
    assert event.actor == ministry
    assert (event.after["dataset"], event.after["format"], event.after["rows"]) == ("proposals", fmt, 1)


def test_acting_as_names_the_actor_only_inside_its_block(admin_user, official):
    permission = Permission.objects.get(codename="view_region")
    with acting_as(admin_user):
        official.user_permissions.add(permission)
    official.user_permissions.remove(permission)
    inside, after = events(AuditAction.PERMISSIONS)
    assert (inside.actor, after.actor) == (admin_user, None)


def test_the_address_on_the_trail_is_the_connection_s_not_a_header_the_client_wrote(client, admin_user, official):
    log_in(client, admin_user)
    client.post(f"/admin/accounts/user/{official.pk}/change/", user_form(official, is_active=""),
                HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="10.1.2.3")
    [event] = events(AuditAction.USER_ACCOUNT)
    assert event.ip == "10.1.2.3"
