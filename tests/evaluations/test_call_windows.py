"""The call's consulting and review windows, enforced where people act (Korea time, both ends
included): a consulting comment outside the consulting window and a score submission outside
the review window are refused with the window's dates; drafts of scores are kept at any time."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from evaluations.models import AssignmentKind, ConsultingComment, Scoresheet, ScoresheetState
from evaluations.services import consulting_comment_add, scoresheet_save
from programmes.models import Call
from proposals.services import proposal_send_to_consulting
from tests.clock import at, on
from tests.evaluations.conftest import assign, clear, make_expert, score_values
from tests.login import log_in
from tests.proposals.conftest import messages_of

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
TEXT = "지역 문제와 기술 목표의 연결이 약합니다. 보완하세요."


def seoul(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SEOUL)


def ko(day: datetime.date) -> str:
    return f"{day.year}. {day.month}. {day.day}."


@pytest.fixture
def consultant(complete_proposal, official, before_deadline, ministry):
    proposal = proposal_send_to_consulting(actor=official, proposal=complete_proposal, now=before_deadline)
    return clear(assign(proposal, make_expert("consultant"), by=ministry, kind=AssignmentKind.CONSULTING))


@pytest.fixture
def cleared(eligible_proposal, ministry):
    return clear(assign(eligible_proposal, make_expert("panel-expert"), by=ministry))


def comment(a, now):
    return consulting_comment_add(actor=a.expert, assignment=a, section="overview", text=TEXT, now=now)


def test_a_comment_within_the_consulting_window_is_taken_up_to_its_last_day_in_korea(consultant):
    call = consultant.proposal.call
    comment(consultant, seoul(call.consulting_start.year, call.consulting_start.month, call.consulting_start.day))
    end = call.consulting_end
    comment(consultant, seoul(end.year, end.month, end.day, 23, 59))
    assert ConsultingComment.objects.count() == 2


def test_a_comment_outside_the_consulting_window_is_refused_with_its_dates(consultant):
    end = consultant.proposal.call.consulting_end  # 2026-12-31
    after = seoul(end.year, end.month, end.day) + datetime.timedelta(days=1)  # 00:00 in Seoul, still 12-31 in UTC
    with pytest.raises(ValidationError) as refused:
        comment(consultant, after)
    assert refused.value.messages == [f"It is not the consulting period ({on(2026, 10, 5)} – {on(2026, 12, 31)})."]
    with translation.override("ko"), pytest.raises(ValidationError) as refused:
        comment(consultant, at(2026, 10, 4, 23, 0))
    assert refused.value.messages == [f"컨설팅 기간({ko(on(2026, 10, 5))} ~ {ko(on(2026, 12, 31))})이 아닙니다."]
    assert ConsultingComment.objects.count() == 0


def test_the_consulting_page_shows_the_refusal(client, consultant):
    Call.objects.filter(pk=consultant.proposal.call_id).update(consulting_start=datetime.date(2026, 1, 1),
                                                               consulting_end=datetime.date(2026, 1, 31))
    log_in(client, consultant.expert)
    response = client.post(reverse("evaluations:comment", args=[consultant.pk]),
                           {"section": "overview", "text": TEXT}, follow=True)
    assert "It is not the consulting period (2026-01-01 – 2026-01-31)." in messages_of(response)
    assert ConsultingComment.objects.count() == 0


def test_scores_are_submitted_within_the_review_window_only(cleared):
    call = cleared.proposal.call
    values = score_values(call, [8, 7, 6, 5, 4])
    before = at(2027, 2, 7, 23, 59)  # the window opens on 2027-02-08 (as written)
    with pytest.raises(ValidationError) as refused:
        scoresheet_save(actor=cleared.expert, assignment=cleared, values=values, submit=True, now=before, confidence=2)
    assert refused.value.messages == [f"It is not the review period ({on(2027, 2, 8)} – {on(2027, 3, 5)})."]
    with translation.override("ko"), pytest.raises(ValidationError) as refused:
        scoresheet_save(actor=cleared.expert, assignment=cleared, values=values, submit=True, confidence=2,
                        now=at(2027, 3, 6, 0, 0))
    assert refused.value.messages == [f"평가 기간({ko(on(2027, 2, 8))} ~ {ko(on(2027, 3, 5))})이 아닙니다."]
    assert not Scoresheet.objects.filter(state=ScoresheetState.SUBMITTED).exists()
    # A draft is kept at any time; the submission on the window's last evening (Korea time) is taken.
    scoresheet_save(actor=cleared.expert, assignment=cleared, values=values, now=before)
    sheet = scoresheet_save(actor=cleared.expert, assignment=cleared, values=values, submit=True, confidence=2,
                            now=at(2027, 3, 5, 23, 59))
    assert sheet.state == ScoresheetState.SUBMITTED
