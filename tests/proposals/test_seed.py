"""`manage.py seed_demo`: the 2023 projects as eligible proposals and a Busan draft in consulting."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Notification
from programmes.models import CooperationType
from proposals.models import (
    KPI,
    Attachment,
    BudgetLine,
    LinkedProject,
    Organisation,
    Participation,
    Proposal,
    ProposalEvent,
    ProposalState,
    ProposalVersion,
    Stage,
    VersionKind,
)

pytestmark = pytest.mark.django_db

TITLES_2023 = [
    "무전처리·초장수명 이차전지 원료소재 재사용 및 업사이클링 기술 개발",
    "수소연료전지 하이브리드 분산전기추진 커뮤터 항공기 기술 개발",
    "겹눈 모사 뉴로모픽 반도체 기반 감시정찰 AI 기술 개발",
    "해양바이오 전략소재 메타플랫폼 기반기술 개발",
    "동물용 의약품 및 기능성 사료용 농생명 소재 개발",
]


@pytest.fixture
def seeded(settings):
    settings.ALLOW_DEMO_DATA = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def regions_of(proposal) -> list[str]:
    return list(proposal.participations.values_list("region__code", flat=True))


OTHER_2023 = [
    ("해양 미세조류 기반 고부가 바이오소재 생산기술 개발", CooperationType.LEAP, ["busan"]),
    ("부생수소 기반 수소 모빌리티 실증 플랫폼 구축", CooperationType.LEAP, ["ulsan"]),
    ("제조 AI 기반 초광역 스마트공장 고도화 기술 개발", CooperationType.SUPER_REGIONAL, ["daegu", "gyeongnam"]),
]


def test_the_five_2023_proposals_were_funded(seeded):
    proposals = Proposal.objects.filter(call__year=2023, title_ko__in=TITLES_2023).order_by("pk")
    assert [(p.title_ko, p.state, p.cooperation_type, regions_of(p)) for p in proposals] == [
        (TITLES_2023[0], ProposalState.FUNDED, CooperationType.SUPER_REGIONAL, ["gyeongbuk", "daegu"]),
        (TITLES_2023[1], ProposalState.FUNDED, CooperationType.SUPER_REGIONAL, ["gyeongnam", "ulsan"]),
        (TITLES_2023[2], ProposalState.FUNDED, CooperationType.SUPER_REGIONAL, ["gwangju", "jeonnam"]),
        (TITLES_2023[3], ProposalState.FUNDED, CooperationType.LEAP, ["chungnam"]),
        (TITLES_2023[4], ProposalState.FUNDED, CooperationType.LEAP, ["jeonbuk"]),
    ]


def test_three_other_2023_proposals_were_evaluated_beside_them(seeded):
    others = Proposal.objects.filter(call__year=2023).exclude(title_ko__in=TITLES_2023).order_by("pk")
    assert [(p.title_ko, p.state, p.cooperation_type, regions_of(p)) for p in others] == [
        (title, ProposalState.NOT_SELECTED, ctype, regions) for title, ctype, regions in OTHER_2023]


def test_every_region_of_a_2023_proposal_signed_off_the_revision_that_was_submitted(seeded):
    for proposal in Proposal.objects.filter(call__year=2023):
        submission = proposal.versions.get(kind=VersionKind.SUBMISSION)
        assert submission.revision == proposal.revision
        assert [(p.region.code, p.signed_revision, p.signed_off_by.username, p.signed_off_at is not None)
                for p in proposal.participations.select_related("region", "signed_off_by")] == [
            (code, submission.revision, f"official-{code}", True) for code in regions_of(proposal)]


def test_the_2023_proposals_went_through_consulting_submission_and_eligibility_in_order(seeded):
    for proposal in Proposal.objects.filter(call__year=2023):
        moves = ProposalEvent.objects.filter(
            proposal=proposal, action__in=["send_to_consulting", "start_revising", "submit", "pass_eligibility"])
        assert list(moves.order_by("id").values_list("action", "from_state", "to_state", "actor__username")) == [
            ("send_to_consulting", "draft", "consulting", proposal.created_by.username),
            ("start_revising", "consulting", "revising", proposal.created_by.username),
            ("submit", "revising", "submitted", proposal.created_by.username),
            ("pass_eligibility", "submitted", "eligible", "ministry"),
        ]
        assert proposal.submitted_at < proposal.call.submission_deadline


def test_the_busan_proposal_is_in_consulting_on_the_open_call(seeded):
    busan = Proposal.objects.get(call__year=2027)
    assert (busan.title_ko, busan.state, busan.cooperation_type, regions_of(busan)) == (
        "부산 해양 모빌리티 실증 플랫폼 구축", ProposalState.CONSULTING, CooperationType.LEAP, ["busan"])
    assert list(busan.versions.values_list("number", "kind")) == [(1, VersionKind.CONSULTING)]


def everything() -> dict:
    models = [Proposal, Participation, KPI, Stage, BudgetLine, LinkedProject, Organisation, Attachment,
              ProposalVersion, ProposalEvent, Notification]
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


def test_running_seed_demo_again_creates_nothing_new(seeded, settings):
    first = everything()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert everything() == first
    assert "0 new proposals" in out.getvalue()
    assert "9 new proposals" in seeded
