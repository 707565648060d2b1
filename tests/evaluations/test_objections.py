"""Objections (이의신청): after the announcement, within the call's period (14 days, to the end
of the last day in Korea time), the lead region lodges one objection per proposal; staff
dismiss it with reasons or uphold it with a re-evaluation by a new conflict-free panel (kept
apart from the original round) or a corrected decision; the region is told.

The world: the Gwangju + Jeonnam proposal, scored by two experts (totals 60 and 40), not
selected; the call's results announced on 2027-03-26 at 10:00 KST, so the period's last
day is 2027-04-09 and its deadline 2027-04-09 23:59:59 KST (dates as written, moved to today's
timeline by tests/clock.py).
"""

import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Notification
from audit.models import AuditAction, AuditEvent
from evaluations import selectors
from evaluations.models import (
    Assignment,
    AssignmentKind,
    Objection,
    ObjectionAttachment,
    ObjectionRemedy,
    ObjectionState,
)
from evaluations.services import (
    objection_close_reevaluation,
    objection_dismiss,
    objection_lodge,
    objection_start_review,
    objection_uphold,
    objection_window,
    panel_assign,
    scoresheet_save,
)
from evaluations.signals import objection_answered
from programmes.models import Call, CallStatus
from proposals.models import Proposal, ProposalState
from proposals.services.lifecycle import proposal_transition
from tests.clock import at, on
from tests.evaluations.conftest import clear, make_expert, score_values, scored, submit_scores
from tests.login import log_in
from tests.proposals.conftest import PDF

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
ANNOUNCED = at(2027, 3, 26, 10, 0)  # as written: tests/clock.py
DEADLINE = at(2027, 4, 9, 23, 59, 59)
LAST_DAY = on(2027, 4, 9)
REEVALUATION_DEADLINE = on(2027, 5, 7)
SECOND = datetime.timedelta(seconds=1)
GROUNDS = "평가위원 1인의 점수가 다른 위원과 현저히 달라 재평가를 요청합니다."


@pytest.fixture
def judges(eligible_proposal, ministry):
    return [scored(eligible_proposal, make_expert(f"judge-{n}"), [s] * 5, by=ministry)
            for n, s in enumerate([6, 4])]


@pytest.fixture
def rejected(eligible_proposal, judges, ministry):
    proposal_transition(actor=ministry, proposal=eligible_proposal, action="not_select", reason="선정 기준 점수 미달")
    Call.objects.filter(pk=eligible_proposal.call_id).update(status=CallStatus.ANNOUNCED, announced_at=ANNOUNCED)
    return Proposal.objects.select_related("call").get(pk=eligible_proposal.pk)


@pytest.fixture
def lodged(rejected, official):
    return objection_lodge(actor=official, proposal=rejected, grounds=GROUNDS, now=ANNOUNCED + SECOND)


@pytest.fixture
def upheld(lodged, ministry):
    return objection_uphold(actor=ministry, objection=lodged, answer="평가 편차가 확인되어 재평가합니다.",
                            remedy=ObjectionRemedy.RE_EVALUATION, reevaluation_deadline=REEVALUATION_DEADLINE,
                            now=DEADLINE)


@pytest.fixture(autouse=True)
def _sessions_outlive_the_frozen_clock(settings):
    """The pages are requested with the clock set to 2027: a log-in made now must still hold."""
    settings.SESSION_COOKIE_AGE = 5 * 365 * 24 * 3600


def pdf(name="근거자료.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def field_errors(exc: ValidationError) -> dict:
    return {name: " ".join(messages) for name, messages in exc.message_dict.items()}


# --- The period -----------------------------------------------------------------------------


def test_the_period_runs_to_the_end_of_its_last_day_in_korea_time(rejected):
    window = objection_window(rejected.call)
    assert (window.announced_on, window.last_day, window.deadline) == (
        ANNOUNCED.date(), LAST_DAY, DEADLINE)
    assert (window.days_left(DEADLINE - datetime.timedelta(days=3)), window.days_left(DEADLINE),
            window.days_left(DEADLINE + SECOND)) == (3, 0, -1)


def test_a_call_announced_before_the_time_was_recorded_counts_from_its_announcement_date(rejected):
    Call.objects.filter(pk=rejected.call_id).update(announced_at=None)
    assert objection_window(Call.objects.get(pk=rejected.call_id)).last_day == LAST_DAY


def test_there_is_no_period_before_the_announcement(eligible_proposal):
    assert objection_window(eligible_proposal.call) is None


def test_announcing_the_results_records_when(call, ministry):
    from programmes.services import call_change_status

    for status in (CallStatus.CLOSED, CallStatus.REVIEW, CallStatus.ANNOUNCED):
        call = call_change_status(actor=ministry, call=call, status=status)
    assert call.announced_at is not None and Call.objects.get(pk=call.pk).announced_at == call.announced_at


@pytest.mark.parametrize(("now", "accepted"), [(DEADLINE - SECOND, True), (DEADLINE, True),
                                                (DEADLINE + SECOND, False)])
def test_an_objection_is_accepted_up_to_the_last_second_of_the_period(rejected, official, now, accepted):
    if accepted:
        objection_lodge(actor=official, proposal=rejected, grounds=GROUNDS, now=now)
    else:
        with pytest.raises(ValidationError) as refused:
            objection_lodge(actor=official, proposal=rejected, grounds=GROUNDS, now=now)
        assert refused.value.messages == [f"The objection period ended on {LAST_DAY} 23:59:59 (Korea time)."]
    assert Objection.objects.filter(proposal=rejected).count() == (1 if accepted else 0)


@pytest.mark.parametrize(("now", "status"), [(DEADLINE, 302), (DEADLINE + SECOND, 400)])
def test_the_page_refuses_a_late_objection_with_a_frozen_clock_and_keeps_the_text(client, rejected, official, now,
                                                                                  status):
    log_in(client, official)
    with mock.patch("django.utils.timezone.now", return_value=now):
        response = client.post(reverse("evaluations:objection", args=[rejected.pk]), {"grounds": GROUNDS})
    assert response.status_code == status
    assert Objection.objects.filter(proposal=rejected).exists() == (status == 302)
    if status == 400:
        assert GROUNDS in response.content.decode()
        assert f"The objection period ended on {LAST_DAY} 23:59:59 (Korea time)." in response.content.decode()


# --- Lodging: what is refused ----------------------------------------------------------------


def test_only_one_objection_per_proposal(lodged, official, partner_official):
    with pytest.raises(ValidationError) as refused:
        objection_lodge(actor=official, proposal=lodged.proposal, grounds="다시 제출합니다.", now=ANNOUNCED + SECOND)
    assert refused.value.messages == ["An objection to this proposal was already lodged; only one is allowed."]
    assert Objection.objects.count() == 1


def test_empty_grounds_are_refused_at_their_field_and_nothing_is_saved(rejected, official):
    with pytest.raises(ValidationError) as refused:
        objection_lodge(actor=official, proposal=rejected, grounds="   ", uploads=[pdf()], now=ANNOUNCED)
    assert field_errors(refused.value) == {"grounds": "State the grounds of the objection."}
    assert (Objection.objects.count(), ObjectionAttachment.objects.count()) == (0, 0)


def test_a_failed_upload_keeps_the_typed_grounds_and_stores_nothing(client, rejected, official, _media_root):
    log_in(client, official)
    fake = SimpleUploadedFile("근거.pdf", b"MZ not a pdf at all", content_type="application/pdf")
    with mock.patch("django.utils.timezone.now", return_value=ANNOUNCED + SECOND):
        response = client.post(reverse("evaluations:objection", args=[rejected.pk]),
                               {"grounds": GROUNDS, "attachments": [pdf(), fake]})
    body = response.content.decode()
    assert response.status_code == 400
    assert GROUNDS in body
    assert response.context["form"].errors["attachments"] == [
        "근거.pdf: The file’s content is not a PDF file; it was not accepted."]
    assert (Objection.objects.count(), ObjectionAttachment.objects.count()) == (0, 0)
    assert not (_media_root / "objections").exists() or not any((_media_root / "objections").rglob("*.*"))


def test_grounds_and_files_are_kept_with_the_objection(rejected, official):
    objection = objection_lodge(actor=official, proposal=rejected, grounds=GROUNDS,
                                uploads=[pdf("근거1.pdf"), pdf("근거2.pdf")], now=ANNOUNCED)
    assert (objection.state, objection.grounds, [a.original_name for a in objection.attachments.all()]) == (
        ObjectionState.LODGED, GROUNDS, ["근거1.pdf", "근거2.pdf"])
    assert AuditEvent.objects.filter(action=AuditAction.OBJECTION, object_id=str(objection.pk)).count() == 1


def test_more_than_five_files_are_refused(rejected, official):
    with pytest.raises(ValidationError) as refused:
        objection_lodge(actor=official, proposal=rejected, grounds=GROUNDS, uploads=[pdf() for _i in range(6)],
                        now=ANNOUNCED)
    assert field_errors(refused.value) == {"attachments": "Attach at most 5 files."}


def test_the_partner_region_reads_but_only_the_lead_region_lodges(rejected, partner_official, expert):
    with pytest.raises(PermissionDenied):
        objection_lodge(actor=partner_official, proposal=rejected, grounds=GROUNDS, now=ANNOUNCED)
    assert partner_official.has_perm("evaluations.view_objection", rejected)
    assert not expert.has_perm("evaluations.view_objection", rejected)


def test_a_selected_proposal_has_nothing_to_object_to(rejected, official):
    Proposal.objects.filter(pk=rejected.pk).update(state=ProposalState.SELECTED)
    with pytest.raises(ValidationError) as refused:
        objection_lodge(actor=official, proposal=Proposal.objects.get(pk=rejected.pk), grounds=GROUNDS,
                        now=ANNOUNCED)
    assert refused.value.messages == [
        "Only a proposal that was not selected (or put on the reserve list) can be objected to."]


# --- Answers ---------------------------------------------------------------------------------


def test_a_dismissal_without_reasons_is_refused_at_its_field_and_changes_nothing(lodged, ministry):
    with pytest.raises(ValidationError) as refused:
        objection_dismiss(actor=ministry, objection=lodged, reasons="  ")
    assert field_errors(refused.value) == {"answer": "Give the reasons; the region will read them."}
    lodged.refresh_from_db()
    assert (lodged.state, lodged.answered_by) == (ObjectionState.LODGED, None)


def test_a_dismissal_records_the_reasons_tells_the_region_and_is_final(lodged, ministry, official,
                                                                       partner_official):
    objection_start_review(actor=ministry, objection=lodged)
    objection = objection_dismiss(actor=ministry, objection=lodged, reasons="평가 절차상 하자가 없습니다.")
    assert (objection.state, objection.answer, objection.answered_by) == (
        ObjectionState.DISMISSED, "평가 절차상 하자가 없습니다.", ministry)
    told = Notification.objects.filter(url=f"/evaluations/proposals/{lodged.proposal_id}/objection/")
    assert sorted(n.user.username for n in told) == ["official-gwangju", "official-jeonnam"]
    assert list(AuditEvent.objects.filter(action=AuditAction.OBJECTION, object_id=str(objection.pk))
                .order_by("pk").values_list("after__state", flat=True)) == ["lodged", "under_review", "dismissed"]
    with pytest.raises(ValidationError):
        objection_uphold(actor=ministry, objection=objection, answer="번복", remedy=ObjectionRemedy.CORRECTION,
                         correction="선정")


def test_only_ministry_staff_answer(lodged, official, expert):
    for person in (official, expert):
        with pytest.raises(PermissionDenied):
            objection_dismiss(actor=person, objection=lodged, reasons="기각")


def test_an_upheld_objection_needs_its_remedy_and_what_the_remedy_needs(lodged, ministry):
    cases = {
        "": {"remedy": "Choose a re-evaluation or a corrected decision."},
        ObjectionRemedy.CORRECTION: {"correction": "Describe the corrected decision."},
        ObjectionRemedy.RE_EVALUATION: {"reevaluation_deadline":
                                        "Set the day by which the new panel submits its scores."},
    }
    for remedy, errors in cases.items():
        with pytest.raises(ValidationError) as refused:
            objection_uphold(actor=ministry, objection=lodged, answer="인용", remedy=remedy, now=DEADLINE)
        assert field_errors(refused.value) == errors
    lodged.refresh_from_db()
    assert lodged.state == ObjectionState.LODGED


def test_a_corrected_decision_is_recorded_and_announced_to_the_apps_above(lodged, ministry,
                                                                          django_capture_on_commit_callbacks):
    heard = []
    objection_answered.connect(receiver := lambda sender, objection, **kw: heard.append(objection.pk))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            objection = objection_uphold(actor=ministry, objection=lodged, answer="합산 오류가 확인되었습니다.",
                                         remedy=ObjectionRemedy.CORRECTION, correction="예비 선정으로 정정합니다.")
    finally:
        objection_answered.disconnect(receiver)
    assert (objection.state, objection.correction, heard) == (
        ObjectionState.UPHELD, "예비 선정으로 정정합니다.", [objection.pk])


# --- The re-evaluation -----------------------------------------------------------------------


def test_the_new_panel_leaves_out_the_original_panel_and_conflicted_experts(upheld, judges, ministry):
    proposal = upheld.proposal
    original = judges[0].expert
    with pytest.raises(ValidationError) as refused:
        panel_assign(actor=ministry, proposal=proposal, expert=original, kind=AssignmentKind.REEVALUATION)
    assert refused.value.messages == [f"{original} sat on the original panel; a re-evaluation needs a new panel."]
    with pytest.raises(ValidationError) as conflicted:
        panel_assign(actor=ministry, proposal=proposal, expert=make_expert("local", home="gwangju"),
                     kind=AssignmentKind.REEVALUATION)
    assert "conflict of interest" in conflicted.value.messages[0]
    new = panel_assign(actor=ministry, proposal=proposal, expert=make_expert("fresh"),
                       kind=AssignmentKind.REEVALUATION)
    assert (new.kind, new.proposal_id) == (AssignmentKind.REEVALUATION, proposal.pk)


def test_no_re_evaluation_panel_without_an_upheld_objection_calling_for_one(lodged, ministry):
    with pytest.raises(ValidationError) as refused:
        panel_assign(actor=ministry, proposal=lodged.proposal, expert=make_expert("fresh"),
                     kind=AssignmentKind.REEVALUATION)
    assert refused.value.messages == [
        "Experts are assigned for a re-evaluation only while an upheld objection calls for one."]


def test_re_evaluation_scores_are_kept_apart_and_shown_beside_the_original(upheld, ministry, judges):
    proposal = upheld.proposal
    a = clear(panel_assign(actor=ministry, proposal=proposal, expert=make_expert("fresh"),
                           kind=AssignmentKind.REEVALUATION))
    submit_scores(a, [9] * 5)
    comparison = selectors.reevaluation_comparison(proposal=proposal)
    assert (comparison["original"].evaluators, comparison["original"].mean) == (2, 50)
    assert (comparison["reevaluation"].evaluators, comparison["reevaluation"].mean, comparison["submitted"]) == (
        1, 90, 1)
    # The call's ranking still reads the original round only.
    original = selectors.call_results(call=proposal.call)[proposal.pk]
    assert (sorted(original.totals), original.mean) == (sorted(j.expert_id for j in judges), 50)


def test_re_evaluation_scoring_closes_after_its_deadline(upheld, ministry):
    a = clear(panel_assign(actor=ministry, proposal=upheld.proposal, expert=make_expert("fresh"),
                           kind=AssignmentKind.REEVALUATION))
    late = at(2027, 5, 8, 0, 0)
    with mock.patch("django.utils.timezone.now", return_value=late), pytest.raises(ValidationError) as refused:
        scoresheet_save(actor=a.expert, assignment=a, values=score_values(upheld.proposal.call, [9] * 5))
    assert refused.value.messages == [f"The re-evaluation's scoring window closed on {REEVALUATION_DEADLINE}."]


def test_closing_the_re_evaluation_needs_a_submitted_sheet_and_a_result(upheld, ministry):
    a = clear(panel_assign(actor=ministry, proposal=upheld.proposal, expert=make_expert("fresh"),
                           kind=AssignmentKind.REEVALUATION))
    with pytest.raises(ValidationError) as refused:
        objection_close_reevaluation(actor=ministry, objection=upheld, result="재평가 결과 예비 선정")
    assert field_errors(refused.value) == {
        "reevaluation_result": "No member of the new panel has submitted scores yet."}
    submit_scores(a, [9] * 5)
    closed = objection_close_reevaluation(actor=ministry, objection=upheld, result="재평가 결과 예비 선정")
    assert (closed.state, closed.reevaluation_result) == (ObjectionState.RE_EVALUATED, "재평가 결과 예비 선정")
    with pytest.raises(ValidationError):  # a closed re-evaluation takes no more scores
        scoresheet_save(actor=a.expert, assignment=a, values=score_values(upheld.proposal.call, [9] * 5))


# --- Pages -----------------------------------------------------------------------------------


def test_the_region_sees_the_deadline_and_d_day_on_the_feedback_and_objection_pages(client, rejected, official):
    log_in(client, official)
    with mock.patch("django.utils.timezone.now", return_value=DEADLINE - datetime.timedelta(days=2)):
        feedback = client.get(reverse("evaluations:feedback", args=[rejected.pk]))
        page = client.get(reverse("evaluations:objection", args=[rejected.pk]))
    for response in (feedback, page):
        body = response.content.decode()
        assert response.status_code == 200
        assert f"{LAST_DAY} 23:59:59" in body and "D-2" in body
    assert 'id="objection-form"' in page.content.decode()


def test_the_region_reads_the_answer(client, lodged, ministry, official):
    objection_dismiss(actor=ministry, objection=lodged, reasons="평가 절차상 하자가 없습니다.")
    log_in(client, official)
    body = client.get(reverse("evaluations:objection", args=[lodged.proposal_id])).content.decode()
    assert "평가 절차상 하자가 없습니다." in body and "Dismissed" in body and 'id="objection-form"' not in body


def test_experts_and_other_regions_cannot_open_an_objection(client, lodged, expert, outsider_official, judges):
    for person in (expert, judges[0].expert, outsider_official):
        log_in(client, person)
        assert client.get(reverse("evaluations:objection", args=[lodged.proposal_id])).status_code == 404
        file_url = reverse("evaluations:objection_attachment", args=[10**6])
        assert client.get(file_url).status_code == 404
        assert client.get(reverse("evaluations:objection_detail", args=[lodged.pk])).status_code == 403


def test_staff_list_the_calls_objections_by_state(client, lodged, ministry):
    log_in(client, ministry)
    url = reverse("evaluations:objections", args=[lodged.proposal.call_id])
    assert [o.pk for o in client.get(url).context["page"].object_list] == [lodged.pk]
    assert list(client.get(url, {"state": "dismissed"}).context["page"].object_list) == []
    assert [o.pk for o in client.get(url, {"state": "nonsense"}).context["page"].object_list] == [lodged.pk]


@pytest.mark.parametrize("n", [1, 3])
def test_the_staff_list_reads_a_fixed_number_of_queries(client, ministry, rejected, official, make_proposal, n,
                                                        django_assert_max_num_queries):
    for i in range(n - 1):
        other = make_proposal(call=rejected.call, partners=["jeonnam"], title_ko=f"미선정 {i}",
                              state=ProposalState.NOT_SELECTED)
        objection_lodge(actor=official, proposal=other, grounds=GROUNDS, now=ANNOUNCED)
    objection_lodge(actor=official, proposal=rejected, grounds=GROUNDS, now=ANNOUNCED)
    log_in(client, ministry)
    with django_assert_max_num_queries(12):
        assert len(client.get(reverse("evaluations:objections", args=[rejected.call_id])).context["page"]) == n


def test_an_answer_without_confirmation_or_reasons_is_refused_with_the_typed_values_kept(client, lodged, ministry):
    log_in(client, ministry)
    url = reverse("evaluations:objection_answer", args=[lodged.pk])
    unconfirmed = client.post(url, {"action": "dismiss", "answer": "기각 사유 초안"})
    no_reasons = client.post(url, {"action": "dismiss", "answer": "", "confirm": "on"})
    assert (unconfirmed.status_code, no_reasons.status_code) == (400, 400)
    assert "기각 사유 초안" in unconfirmed.content.decode()
    assert unconfirmed.context["answer_form"].errors["confirm"] == [
        "Tick the confirmation box: the answer cannot be changed afterwards."]
    assert no_reasons.context["answer_form"].errors["answer"] == ["Give the reasons; the region will read them."]
    lodged.refresh_from_db()
    assert lodged.state == ObjectionState.LODGED


def test_staff_uphold_form_the_new_panel_and_see_both_rounds(client, lodged, ministry, judges):
    log_in(client, ministry)
    response = client.post(reverse("evaluations:objection_answer", args=[lodged.pk]), {
        "action": "uphold", "answer": "재평가합니다.", "remedy": "re_evaluation",
        "reevaluation_deadline": str(REEVALUATION_DEADLINE), "confirm": "on"})
    assert response.status_code == 302
    page = client.get(reverse("evaluations:objection_detail", args=[lodged.pk]))
    candidates = {e.username for e in page.context["candidates"]}
    assert not candidates & {j.expert.username for j in judges}
    fresh = make_expert("fresh")
    client.post(reverse("evaluations:objection_assign", args=[lodged.pk]), {"expert": str(fresh.pk)})
    assert Assignment.objects.filter(kind=AssignmentKind.REEVALUATION, expert=fresh).exists()
    assert client.post(reverse("evaluations:objection_assign", args=[lodged.pk]),
                       {"expert": "abc"}).status_code == 404
    page = client.get(reverse("evaluations:objection_detail", args=[lodged.pk]))
    assert 'id="reevaluation-comparison"' in page.content.decode()
    assert [a.expert for a in page.context["comparison"]["panel"]] == [fresh]


def test_the_call_report_lists_objections_and_answers(lodged, ministry):
    from reports.report import report_html

    objection_dismiss(actor=ministry, objection=lodged, reasons="평가 절차상 하자가 없습니다.")
    html = report_html(lodged.proposal.call)
    assert "이의신청" in html or "Objections and answers" in html
    assert GROUNDS in html and "평가 절차상 하자가 없습니다." in html


def test_the_proposals_history_holds_the_objection(lodged, ministry):
    from trail.selectors import about_proposal

    objection_dismiss(actor=ministry, objection=lodged, reasons="기각")
    assert AuditEvent.objects.filter(about_proposal(lodged.proposal_id), action=AuditAction.OBJECTION).count() == 2


# --- Hostile input ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/evaluations/objections/abc/", "/evaluations/objections/1e3/answer/",
                                  "/evaluations/proposals/%2e%2e/objection/", "/evaluations/objection-files/-1/",
                                  "/evaluations/calls/99999999999999999999/objections/"])
def test_non_numeric_or_absurd_ids_are_404_not_500(client, ministry, path):
    log_in(client, ministry)
    assert client.get(path).status_code == 404


def test_malformed_answers_are_refused_at_their_fields_not_500(client, lodged, ministry):
    log_in(client, ministry)
    response = client.post(reverse("evaluations:objection_answer", args=[lodged.pk]), {
        "action": "overturn", "remedy": "bogus", "reevaluation_deadline": "not-a-date", "confirm": "on",
        "answer": "x" * 20_000})
    assert response.status_code == 400
    assert set(response.context["answer_form"].errors) == {"action", "remedy", "reevaluation_deadline"}
    lodged.refresh_from_db()
    assert lodged.state == ObjectionState.LODGED


def test_script_in_the_grounds_is_shown_as_text(client, rejected, official, ministry):
    script = "<script>alert(1)</script>"
    objection = objection_lodge(actor=official, proposal=rejected, grounds=script, now=ANNOUNCED)
    log_in(client, ministry)
    body = client.get(reverse("evaluations:objection_detail", args=[objection.pk])).content.decode()
    assert script not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
