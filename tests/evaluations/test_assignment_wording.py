"""An expert's list names each assignment by its own kind and status: a submitted stage evaluation is
"scores submitted", never "consulting"; the column is the assignment's kind (업무 구분), not an institution's."""

import pytest
from django.conf import settings
from django.utils import timezone

from evaluations.models import Assignment, AssignmentKind, Scoresheet, ScoresheetState
from tests.login import log_in

from .conftest import make_expert

pytestmark = pytest.mark.django_db


def test_a_submitted_stage_evaluation_is_listed_as_submitted(client, proposal, ministry):
    expert = make_expert("stage-expert")
    now = timezone.now()
    stage = Assignment.objects.create(kind=AssignmentKind.STAGE, expert=expert, proposal=proposal, stage_number=2,
                                      assigned_by=ministry, declared_at=now)
    Scoresheet.objects.create(assignment=stage, state=ScoresheetState.SUBMITTED, submitted_at=now)
    Assignment.objects.create(kind=AssignmentKind.CONSULTING, expert=expert, proposal=proposal,
                              assigned_by=ministry, declared_at=now)
    log_in(client, expert)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    html = client.get("/evaluations/assignments/").content.decode()
    assert ">업무 구분<" in html and "기관 유형" not in html
    assert html.count(">점수 제출 완료<") == 1
    assert html.count("<td>컨설팅</td>") == 1  # the consulting assignment's kind only
