"""Applicants name reviewers: before the panels are formed, the lead region lists up to N
people it considers unsuitable (each with a reason) and suggests fields; staff see the list
on the panel page; a pool expert on it is left out by hand and by the automatic plan unless
staff override with a recorded reason; experts never see it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from evaluations.models import Assignment, AssignmentKind, SuggestedField, UnsuitableReviewer
from evaluations.services import (
    panel_assign,
    panel_auto_plan,
    suggested_field_add,
    unsuitable_add,
    unsuitable_override,
    unsuitable_remove,
)
from programmes.models import CallStatus
from tests.evaluations.conftest import assign, clear, make_expert
from tests.factories import industry
from tests.login import log_in
from tests.proposals.conftest import form_fields, messages_of

pytestmark = pytest.mark.django_db

REASON = "제안 기관과 공동연구를 진행 중인 연구책임자"


@pytest.fixture
def rival(db):
    return make_expert("rival", display_name="경쟁 연구자", affiliation="가상연구원")


@pytest.fixture
def eligible(eligible_factory):
    return eligible_factory(partners=["jeonnam"], title_en="Eligible")


def name_rival(proposal, rival, official, reason=REASON):
    return unsuitable_add(actor=official, proposal=proposal, expert=rival, reason=reason)


# --- Naming ---------------------------------------------------------------------------------------


def test_the_lead_official_names_a_pool_expert_with_a_reason_and_it_is_recorded(proposal, official, rival):
    entry = name_rival(proposal, rival, official)

    assert (entry.expert, entry.reason, entry.named_by) == (rival, REASON, official)
    event = AuditEvent.objects.get(action=AuditAction.REVIEWER_LIST)
    assert (event.actor, event.object_id, event.after["reason"]) == (official, str(proposal.pk), REASON)


def test_a_person_outside_the_pool_is_named_by_name_and_institution(proposal, official):
    entry = unsuitable_add(actor=official, proposal=proposal, name="홍길동", institution="가상대학교", reason=REASON)

    assert (entry.expert, entry.name, entry.institution) == (None, "홍길동", "가상대학교")


@pytest.mark.parametrize("who", ["partner_official", "outsider_official", "ministry", "expert"])
def test_only_the_lead_region_may_name_reviewers(request, proposal, rival, who):
    with pytest.raises(PermissionDenied):
        name_rival(proposal, rival, request.getfixturevalue(who))
    assert UnsuitableReviewer.objects.count() == 0


def test_a_reason_is_required(proposal, official, rival):
    with pytest.raises(ValidationError) as exc:
        name_rival(proposal, rival, official, reason="   ")
    assert exc.value.message_dict == {"reason": ["Give the reason this person is unsuitable."]}
    assert UnsuitableReviewer.objects.count() == 0


def test_no_more_than_the_call_allows(proposal, official, call):
    call.unsuitable_reviewers_max = 2
    call.save()
    for n in (1, 2):
        unsuitable_add(actor=official, proposal=proposal, name=f"사람 {n}", reason=REASON)

    with pytest.raises(ValidationError) as exc:
        unsuitable_add(actor=official, proposal=proposal, name="사람 3", reason=REASON)

    assert exc.value.message_dict["__all__"] == [
        "The call allows at most 2 unsuitable reviewers per proposal; remove one before naming another."]
    assert UnsuitableReviewer.objects.count() == 2


def test_the_default_limit_is_three(call):
    assert call.unsuitable_reviewers_max == 3


def test_the_same_expert_cannot_be_named_twice(proposal, official, rival):
    name_rival(proposal, rival, official)
    with pytest.raises(ValidationError) as exc:
        name_rival(proposal, rival, official)
    assert "expert" in exc.value.message_dict


def test_suggested_fields_from_the_vocabulary_or_as_text(proposal, official):
    suggested_field_add(actor=official, proposal=proposal, industry=industry("semiconductors"))
    suggested_field_add(actor=official, proposal=proposal, text="영상 신호처리")
    with pytest.raises(ValidationError) as exc:
        suggested_field_add(actor=official, proposal=proposal, text=" ")

    assert [str(s) for s in SuggestedField.objects.order_by("pk")] == [str(industry("semiconductors")), "영상 신호처리"]
    assert exc.value.message_dict == {"text": ["Choose a field or write one."]}


# --- The window: before panels are formed ------------------------------------------------------------


@pytest.mark.parametrize("status", [CallStatus.REVIEW, CallStatus.ANNOUNCED])
def test_once_the_call_s_review_starts_the_list_is_closed(proposal, official, rival, call, status):
    call.status = status
    call.save()
    with pytest.raises(ValidationError, match="review has started"):
        name_rival(proposal, rival, official)
    assert UnsuitableReviewer.objects.count() == 0


def test_once_an_evaluator_is_assigned_the_list_is_closed_even_for_removals(eligible, official, rival, ministry):
    entry = name_rival(eligible, rival, official)
    assign(eligible, make_expert("evaluator"), by=ministry)

    with pytest.raises(ValidationError, match="panel for this proposal is formed"):
        unsuitable_add(actor=official, proposal=eligible, name="늦은 이름", reason=REASON)
    with pytest.raises(ValidationError, match="panel for this proposal is formed"):
        unsuitable_remove(actor=official, entry=entry)
    assert UnsuitableReviewer.objects.count() == 1


def test_an_eligible_proposal_without_a_panel_may_still_change_its_list(eligible, official, rival):
    assert name_rival(eligible, rival, official).pk


# --- Excluded from the panel unless overridden ---------------------------------------------------------


def test_a_named_expert_cannot_be_assigned_by_hand(eligible, official, rival, ministry):
    name_rival(eligible, rival, official)
    with pytest.raises(ValidationError, match="named unsuitable by the applicant"):
        panel_assign(actor=ministry, proposal=eligible, expert=rival)
    assert not Assignment.objects.filter(expert=rival).exists()


def test_a_named_expert_may_still_consult(proposal, official, rival, ministry):
    name_rival(proposal, rival, official)
    assert assign(proposal, rival, by=ministry, kind=AssignmentKind.CONSULTING).pk


def test_the_automatic_plan_leaves_a_named_expert_out_and_says_why(eligible, official, rival, call):
    call.panel_size = 1
    call.save()
    name_rival(eligible, rival, official)

    row = panel_auto_plan(call=call).rows[0]

    assert row.experts == []  # the only expert is excluded
    assert row.excluded == [(rival, [f"Named unsuitable by the applicant: {REASON}"])]


def test_an_override_without_a_reason_is_refused_and_changes_nothing(eligible, official, rival, ministry):
    entry = name_rival(eligible, rival, official)
    with pytest.raises(ValidationError) as exc:
        unsuitable_override(actor=ministry, entry=entry, reason="  ")
    assert exc.value.message_dict == {"reason": ["Give the reason for overriding the region's exclusion."]}
    entry.refresh_from_db()
    assert (entry.overridden_at, entry.override_reason) == (None, "")
    with pytest.raises(ValidationError):
        panel_assign(actor=ministry, proposal=eligible, expert=rival)


def test_an_override_with_a_reason_is_recorded_and_lets_staff_assign(eligible, official, rival, ministry, call):
    entry = name_rival(eligible, rival, official)
    unsuitable_override(actor=ministry, entry=entry, reason="해당 분야 전문가가 달리 없음")

    entry.refresh_from_db()
    assert (entry.overridden_by, entry.override_reason) == (ministry, "해당 분야 전문가가 달리 없음")
    assert AuditEvent.objects.filter(action=AuditAction.PANEL_RULE, actor=ministry).count() == 1
    call.panel_size = 1
    call.save()
    assert [e for e, _m in panel_auto_plan(call=call).rows[0].experts] == [rival]
    assert panel_assign(actor=ministry, proposal=eligible, expert=rival).pk


def test_only_staff_may_override(eligible, official, rival):
    entry = name_rival(eligible, rival, official)
    with pytest.raises(PermissionDenied):
        unsuitable_override(actor=official, entry=entry, reason="이유")


def test_a_name_given_as_text_excludes_nobody_and_cannot_be_overridden(eligible, official, ministry, rival):
    entry = unsuitable_add(actor=official, proposal=eligible, name=str(rival), institution="가상연구원", reason=REASON)
    with pytest.raises(ValidationError, match="Only an expert of the pool"):
        unsuitable_override(actor=ministry, entry=entry, reason="이유")
    assert panel_assign(actor=ministry, proposal=eligible, expert=rival).pk


# --- Pages ----------------------------------------------------------------------------------------------


def page(client, proposal):
    return reverse("evaluations:reviewers", args=[proposal.pk])


def test_the_region_reaches_the_page_from_the_proposal_page(client, official, partner_official, proposal):
    log_in(client, official)
    detail = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert page(client, proposal) in detail
    log_in(client, partner_official)
    assert page(client, proposal) not in client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()


def test_naming_through_the_page(client, official, proposal, rival):
    log_in(client, official)
    response = client.post(page(client, proposal), {"form": "unsuitable", "expert": rival.pk, "reason": REASON})
    assert response.status_code == 302
    assert UnsuitableReviewer.objects.get().expert == rival
    assert REASON in client.get(page(client, proposal)).content.decode()


def test_a_missing_reason_is_refused_at_the_field_and_what_was_typed_is_kept(client, official, proposal):
    log_in(client, official)
    response = client.post(page(client, proposal), {"form": "unsuitable", "name": "홍길동", "institution": "가상대학교",
                                                    "reason": ""})
    assert response.status_code == 400
    fields = form_fields(response)
    assert (fields["name"]["value"], fields["institution"]["value"]) == ("홍길동", "가상대학교")
    assert response.context["unsuitable_form"].errors["reason"] == ["Give the reason this person is unsuitable."]
    assert UnsuitableReviewer.objects.count() == 0


def test_one_too_many_is_refused_on_the_form_and_what_was_typed_is_kept(client, official, proposal, call):
    call.unsuitable_reviewers_max = 1
    call.save()
    unsuitable_add(actor=official, proposal=proposal, name="사람 1", reason=REASON)
    log_in(client, official)
    response = client.post(page(client, proposal), {"form": "unsuitable", "name": "사람 2", "reason": "두 번째 이유"})
    assert response.status_code == 400
    assert response.context["unsuitable_form"].non_field_errors() == [
        "The call allows at most 1 unsuitable reviewers per proposal; remove one before naming another."]
    assert "두 번째 이유" in response.content.decode()
    assert UnsuitableReviewer.objects.count() == 1


def test_after_panels_are_formed_the_page_says_so_and_a_post_is_refused(client, official, eligible, ministry):
    assign(eligible, make_expert("evaluator"), by=ministry)
    log_in(client, official)
    shown = client.get(page(client, eligible))
    assert "panel for this proposal is formed" in shown.content.decode()
    assert "unsuitable-form" not in shown.content.decode()
    response = client.post(page(client, eligible), {"form": "unsuitable", "name": "홍길동", "reason": REASON})
    assert response.status_code == 400
    assert "홍길동" in response.content.decode() or response.context["unsuitable_form"].data["name"] == "홍길동"
    assert UnsuitableReviewer.objects.count() == 0


@pytest.mark.parametrize("who,status", [("partner_official", 200), ("outsider_official", 404), ("expert", 404),
                                        ("ministry", 200)])
def test_who_may_read_the_page(client, request, proposal, who, status):
    log_in(client, request.getfixturevalue(who))
    assert client.get(page(client, proposal)).status_code == status


@pytest.mark.parametrize("who,status", [("partner_official", 403), ("outsider_official", 404), ("expert", 404),
                                        ("ministry", 403)])
def test_only_the_lead_region_may_post(client, request, proposal, who, status):
    log_in(client, request.getfixturevalue(who))
    response = client.post(page(client, proposal), {"form": "unsuitable", "name": "홍길동", "reason": REASON})
    assert response.status_code == status
    assert UnsuitableReviewer.objects.count() == 0


HOSTILE = ["", "abc", "-1", "1.5", "99999999999999999999", "<script>alert(1)</script>", "١٢٣", "x" * 5000]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_in_every_field_are_never_a_server_error(client, official, proposal, value):
    log_in(client, official)
    client.raise_request_exception = False
    url = page(client, proposal)
    statuses = {
        client.post(url, {"form": value, "expert": value, "name": value, "reason": value}).status_code,
        client.post(url, {"form": "unsuitable", "expert": value, "name": value, "institution": value,
                          "reason": value}).status_code,
        client.post(url, {"form": "field", "industry": value, "text": value}).status_code,
        client.post(reverse("evaluations:reviewers_remove", args=[proposal.pk]), {"unsuitable": value}).status_code,
        client.post(reverse("evaluations:reviewers_remove", args=[proposal.pk]), {"field": value}).status_code,
    }
    assert all(s < 500 for s in statuses), statuses
    # Read back in Python: PostgreSQL refuses a NUL even inside a query's pattern.
    assert not any("\x00" in text for text in SuggestedField.objects.values_list("text", flat=True))


def test_removing_another_proposal_s_entry_is_a_404(client, official, proposal, make_proposal, rival):
    other = make_proposal(title_en="Other")
    entry = unsuitable_add(actor=official, proposal=other, expert=rival, reason=REASON)
    log_in(client, official)
    response = client.post(reverse("evaluations:reviewers_remove", args=[proposal.pk]), {"unsuitable": entry.pk})
    assert response.status_code == 404
    assert UnsuitableReviewer.objects.filter(pk=entry.pk).exists()


def test_staff_see_the_list_on_the_panel_page_and_the_expert_is_not_offered(client, ministry, official, eligible,
                                                                            rival):
    name_rival(eligible, rival, official)
    suggested_field_add(actor=official, proposal=eligible, text="영상 신호처리")
    log_in(client, ministry)
    response = client.get(reverse("evaluations:panel", args=[eligible.pk]))
    text = response.content.decode()
    assert REASON in text and "영상 신호처리" in text
    assert rival not in list(response.context["candidates"])


def test_the_override_page_action_needs_a_reason(client, ministry, official, eligible, rival):
    entry = name_rival(eligible, rival, official)
    log_in(client, ministry)
    url = reverse("evaluations:panel_override", args=[eligible.pk])
    refused = client.post(url, {"unsuitable": entry.pk, "reason": ""}, follow=True)
    assert messages_of(refused) == ["Give the reason for overriding the region's exclusion."]
    client.post(url, {"unsuitable": entry.pk, "reason": "대체 불가"})
    entry.refresh_from_db()
    assert entry.override_reason == "대체 불가"


# --- Experts never see it ---------------------------------------------------------------------------------


def test_no_expert_page_shows_the_list(client, eligible, official, ministry, rival):
    name_rival(eligible, rival, official)
    suggested_field_add(actor=official, proposal=eligible, text="비공개 제안 분야")
    entry = UnsuitableReviewer.objects.get()
    unsuitable_override(actor=ministry, entry=entry, reason="재배정 사유 비공개")
    evaluator = make_expert("evaluator")
    own = clear(assign(eligible, evaluator, by=ministry))
    rivals = clear(assign(eligible, rival, by=ministry))
    for expert, assignment in ((evaluator, own), (rival, rivals)):
        log_in(client, expert)
        for url in (reverse("evaluations:assignments"), reverse("evaluations:assignment", args=[assignment.pk]),
                    reverse("accounts:notifications") if _has("accounts:notifications") else None):
            if url is None:
                continue
            text = client.get(url).content.decode()
            assert REASON not in text and "비공개 제안 분야" not in text and "재배정 사유 비공개" not in text, url
        assert client.get(page(client, eligible)).status_code == 404


def _has(name: str) -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True
