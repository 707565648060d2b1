"""Stage grades and the good-faith review (성실수행 검토).

The standard project's pilot-end round, scored by one expert on the round's rubric
(35/20/25/20, each out of 10): every criterion at s gives a score of 10 × s. The round's
thresholds are the defaults: excellent from 80, insufficient below 60.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from core.permissions import Refused
from projects.models import GoodFaithReview, Grade, Outcome, ProjectStatus, ReviewState, Sanction, StageRound
from projects.services import goodfaith, stages
from tests.login import log_in
from tests.projects.conftest import decide, evaluation_of, ready_round
from tests.proposals.conftest import PDF

pytestmark = pytest.mark.django_db

WIND_DOWN = "2026-06-30"


def graded(project, call, ministry, stage_expert, value):
    rnd = ready_round(call, by=ministry, expert=stage_expert, scores=(value,) * 4)
    return goodfaith.stage_grade(actor=ministry, evaluation=evaluation_of(rnd, project))


@pytest.mark.parametrize(("score", "grade"), [
    ("100", Grade.EXCELLENT), ("80", Grade.EXCELLENT), ("79.99", Grade.AVERAGE), ("60", Grade.AVERAGE),
    ("59.99", Grade.INSUFFICIENT), ("0", Grade.INSUFFICIENT)])
def test_the_grade_follows_the_rounds_thresholds(score, grade):
    rnd = StageRound(excellent_from=Decimal("80"), insufficient_below=Decimal("60"))
    assert goodfaith.grade_of(Decimal(score), rnd) == grade


@pytest.mark.parametrize(("value", "grade", "reviewed"), [
    (8, Grade.EXCELLENT, False), ("7.9", Grade.AVERAGE, False), (6, Grade.AVERAGE, False),
    ("5.9", Grade.INSUFFICIENT, True)])
def test_grading_an_evaluation_at_its_thresholds(project, call, ministry, stage_expert, value, grade, reviewed):
    evaluation = graded(project, call, ministry, stage_expert, value)
    assert (evaluation.grade, evaluation.grade_score, evaluation.graded_by) == (
        grade, Decimal(str(value)) * 10, ministry)
    assert GoodFaithReview.objects.filter(evaluation=evaluation).exists() is reviewed
    assert AuditEvent.objects.filter(action="stage_grade").count() == 1


def test_a_round_refuses_an_insufficient_threshold_above_the_excellent_one(call, ministry):
    rnd = StageRound(call=call, title="평가", year=2025, envelope_won=1, opened_by=ministry,
                     excellent_from=Decimal("70"), insufficient_below=Decimal("75"))
    with pytest.raises(ValidationError) as refused:
        rnd.full_clean()
    assert list(refused.value.message_dict) == ["insufficient_below"]


def test_an_evaluation_is_graded_once(project, call, ministry, stage_expert):
    evaluation = graded(project, call, ministry, stage_expert, 8)
    with pytest.raises(ValidationError):
        goodfaith.stage_grade(actor=ministry, evaluation=evaluation)


@pytest.fixture
def insufficient(project, call, ministry, stage_expert):
    return graded(project, call, ministry, stage_expert, 5)


@pytest.fixture
def review(insufficient, ministry):
    review = insufficient.good_faith_review
    return goodfaith.good_faith_evidence_save(actor=ministry, review=review,
                                              evidence="연차 보고서 제출과 예산 집행은 계획대로 이루어짐.")


# --- The gate ---------------------------------------------------------------------------------


def test_an_insufficient_project_cannot_be_terminated_before_the_review_is_decided(insufficient, ministry):
    with pytest.raises(ValidationError) as refused:
        decide(insufficient, by=ministry, outcome=Outcome.TERMINATE, wind_down_on=WIND_DOWN)
    assert list(refused.value.message_dict) == ["outcome"]
    insufficient.refresh_from_db()
    assert (insufficient.is_decided, insufficient.project.status) == (False, ProjectStatus.ACTIVE)


def test_a_sanction_is_refused_before_the_review_decision(review, insufficient, ministry):
    with pytest.raises(ValidationError) as refused:
        goodfaith.sanction_record(actor=ministry, evaluation=insufficient, kind="participation", measure="2년 참여제한")
    assert refused.value.messages == ["The good-faith review is not decided yet; a sanction waits for its decision."]
    assert not Sanction.objects.exists()


def test_the_person_who_opened_the_review_cannot_decide_it(review, ministry):
    with pytest.raises(Refused) as refused:
        goodfaith.good_faith_decide(actor=ministry, review=review, good_faith=False, reason="불성실")
    assert "Four eyes" in refused.value.message
    review.refresh_from_db()
    assert (review.state, review.decided_by) == (ReviewState.OPEN, None)


def test_a_decision_needs_the_evidence_first(insufficient, ministry2):
    with pytest.raises(ValidationError) as refused:
        goodfaith.good_faith_decide(actor=ministry2, review=insufficient.good_faith_review, good_faith=True,
                                    reason="성실 수행")
    assert list(refused.value.message_dict) == ["evidence"]


def test_a_second_staff_member_decides_and_the_termination_then_goes_ahead(review, insufficient, ministry,
                                                                              ministry2):
    decided = goodfaith.good_faith_decide(actor=ministry2, review=review, good_faith=False,
                                          reason="보고 의무는 이행했으나 핵심 과제를 수행하지 않음")
    assert (decided.state, decided.good_faith, decided.decided_by) == (ReviewState.DECIDED, False, ministry2)
    decide(insufficient, by=ministry, outcome=Outcome.TERMINATE, wind_down_on=WIND_DOWN)
    insufficient.project.refresh_from_db()
    assert insufficient.project.status == ProjectStatus.TERMINATED
    sanction = goodfaith.sanction_record(actor=ministry, evaluation=insufficient, kind="participation",
                                         measure="2년 참여제한")
    assert (sanction.project, sanction.recorded_by) == (insufficient.project, ministry)


def test_no_sanction_after_the_review_found_good_faith(review, insufficient, ministry, ministry2):
    goodfaith.good_faith_decide(actor=ministry2, review=review, good_faith=True, reason="외부 여건 변화로 미달")
    with pytest.raises(ValidationError) as refused:
        goodfaith.sanction_record(actor=ministry, evaluation=insufficient, kind="recovery", measure="환수")
    assert refused.value.messages == ["The review found the project performed in good faith: no sanction."]


def test_a_decided_review_is_not_decided_again(review, ministry2, admin_user):
    goodfaith.good_faith_decide(actor=ministry2, review=review, good_faith=True, reason="성실 수행")
    with pytest.raises(ValidationError):
        goodfaith.good_faith_decide(actor=admin_user, review=review, good_faith=False, reason="번복")


def test_no_sanction_without_an_insufficient_grade(project, call, ministry, stage_expert):
    evaluation = graded(project, call, ministry, stage_expert, 8)
    with pytest.raises(ValidationError):
        goodfaith.sanction_record(actor=ministry, evaluation=evaluation, kind="other", measure="경고")


def test_a_project_graded_well_is_terminated_as_before(project, call, ministry, stage_expert):
    evaluation = graded(project, call, ministry, stage_expert, 7)
    decide(evaluation, by=ministry, outcome=Outcome.TERMINATE, wind_down_on=WIND_DOWN)
    evaluation.project.refresh_from_db()
    assert evaluation.project.status == ProjectStatus.TERMINATED


def test_the_evidence_takes_an_optional_file_and_refuses_a_bad_one(insufficient, ministry):
    review = insufficient.good_faith_review
    with pytest.raises(ValidationError) as refused:
        goodfaith.good_faith_evidence_save(actor=ministry, review=review, evidence="증빙",
                                           upload=SimpleUploadedFile("x.exe", b"MZ..."))
    assert list(refused.value.message_dict) == ["attachment"]
    saved = goodfaith.good_faith_evidence_save(actor=ministry, review=review, evidence="증빙",
                                               upload=SimpleUploadedFile("증빙.pdf", PDF))
    assert (saved.attachment_name, saved.evidence, bool(saved.attachment)) == ("증빙.pdf", "증빙", True)


def test_officials_cannot_grade_decide_or_sanction(insufficient, official):
    with pytest.raises(PermissionDenied):
        goodfaith.stage_grade(actor=official, evaluation=insufficient)
    with pytest.raises(PermissionDenied):
        goodfaith.good_faith_decide(actor=official, review=insufficient.good_faith_review, good_faith=True,
                                    reason="x")
    with pytest.raises(PermissionDenied):
        goodfaith.sanction_record(actor=official, evaluation=insufficient, kind="other", measure="경고")


# --- The page ---------------------------------------------------------------------------------


def page_url(evaluation):
    return reverse("projects:good_faith", args=[evaluation.pk])


def test_the_opener_sees_why_they_cannot_decide_and_a_second_staff_member_decides_on_the_page(
    client, review, insufficient, ministry, ministry2
):
    log_in(client, ministry)
    page = client.get(page_url(insufficient))
    assert (page.status_code, page.context["can_decide"], "Four eyes" in page.content.decode()) == (200, False, True)
    refused = client.post(page_url(insufficient), {"action": "decide", "good_faith": "no", "reason": "불성실"})
    assert (refused.status_code, refused.context["forms"]["decide"].non_field_errors()[0][:10]) == (400, "Four eyes:")
    log_in(client, ministry2)
    done = client.post(page_url(insufficient), {"action": "decide", "good_faith": "no", "reason": "핵심 과제 미수행"})
    review.refresh_from_db()
    assert (done.status_code, review.state, review.good_faith, review.decided_by) == (
        302, ReviewState.DECIDED, False, ministry2)
    client.post(page_url(insufficient), {"action": "sanction", "kind": "participation", "measure": "2년 참여제한"})
    assert list(Sanction.objects.values_list("kind", "measure")) == [("participation", "2년 참여제한")]


def test_evidence_without_text_is_refused_at_its_field_and_the_file_choice_is_not_saved(
    client, insufficient, ministry
):
    log_in(client, ministry)
    response = client.post(page_url(insufficient), {"action": "evidence", "evidence": "  "})
    assert (response.status_code, list(response.context["forms"]["evidence"].errors)) == (400, ["evidence"])
    insufficient.good_faith_review.refresh_from_db()
    assert insufficient.good_faith_review.evidence == ""


def test_staff_grade_on_the_page(client, project, call, ministry, stage_expert):
    rnd = ready_round(call, by=ministry, expert=stage_expert, scores=(6, 6, 6, 6))
    evaluation = evaluation_of(rnd, project)
    log_in(client, ministry)
    assert client.post(page_url(evaluation), {"action": "grade"}).status_code == 302
    evaluation.refresh_from_db()
    assert (evaluation.grade, evaluation.grade_score) == (Grade.AVERAGE, Decimal("60.00"))


def test_a_round_opens_with_its_own_thresholds_and_refuses_them_crossed(project, call, ministry):
    with pytest.raises(ValidationError) as refused:
        stages.round_open(actor=ministry, call=call, stage_number=1, title="1단계 평가", year=2025, envelope_won=1,
                          excellent_from=Decimal("70"), insufficient_below=Decimal("75"))
    assert list(refused.value.message_dict) == ["insufficient_below"]
    assert not StageRound.objects.exists()
    rnd = stages.round_open(actor=ministry, call=call, stage_number=1, title="1단계 평가", year=2025, envelope_won=1,
                            excellent_from=Decimal("85"), insufficient_below=Decimal("50"))
    assert (rnd.excellent_from, rnd.insufficient_below) == (Decimal("85"), Decimal("50"))
