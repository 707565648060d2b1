"""The call result report gives one line per selected proposal: the final theme of the planning period it grew
from (or none), and whether a patent analysis was made and answered."""

import pytest
from django.utils import timezone

from proposals.models import CandidateTheme, PatentAnalysis, ProposalState
from reports.report import report_context, report_html
from tests.proposals.conftest import ProposalFactory

pytestmark = pytest.mark.django_db


def test_each_selected_proposal_has_its_origin_line(call, ministry, official):
    theme = CandidateTheme.objects.create(call=call, lead_region=official.region, status="selected",
                                          title_ko="뉴로모픽 소자 테마", created_by=official)
    grown = ProposalFactory(call=call, lead_region=official.region, state=ProposalState.SELECTED, origin_theme=theme,
                            title_ko="테마에서 출발한 과제")
    PatentAnalysis.objects.create(proposal=grown, landscape="동향", risk="low", written_by=ministry,
                                  answer="반영", answered_by=official, answered_at=timezone.now())
    plain = ProposalFactory(call=call, lead_region=official.region, state=ProposalState.FUNDED, title_ko="기존 과제")
    ProposalFactory(call=call, lead_region=official.region, state=ProposalState.NOT_SELECTED, title_ko="미선정 과제")
    lines = {o["proposal"].title_ko: (o["theme"], o["patents"], o["answered"]) for o in report_context(call)["origins"]}
    assert lines == {"테마에서 출발한 과제": (theme, True, True), "기존 과제": (None, False, False)}
    html = report_html(call)
    assert 'id="origins"' in html and "뉴로모픽 소자 테마" in html
    assert plain.title_ko in html
