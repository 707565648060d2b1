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
from tests.programmes.test_demo_data import demo  # noqa: F401  (the demo, seeded once per test process)

pytestmark = pytest.mark.django_db

TITLES_2023 = [
    "무전처리·초장수명 이차전지 원료소재 재사용 및 업사이클링 기술 개발",
    "수소연료전지 하이브리드 분산전기추진 커뮤터 항공기 기술 개발",
    "겹눈 모사 뉴로모픽 반도체 기반 감시정찰 AI 기술 개발",
    "해양바이오 전략소재 메타플랫폼 기반기술 개발",
    "동물용 의약품 및 기능성 사료용 농생명 소재 개발",
]


@pytest.fixture
def seeded(demo):  # noqa: F811
    """What seed_demo printed; the demo itself is seeded once per test process (tests/demo_snapshot.py)."""
    return demo


def regions_of(proposal) -> list[str]:
    return list(proposal.participations.values_list("region__code", flat=True))


ZONE_COUNTS = {"수도권": 4, "충청권": 6, "호남권": 5, "대경권": 4, "동남권": 5, "강원·제주": 3}


def test_the_five_2023_proposals_were_funded(seeded):
    proposals = Proposal.objects.filter(call__year=2023, title_ko__in=TITLES_2023).order_by("pk")
    assert [(p.title_ko, p.state, p.cooperation_type, regions_of(p)) for p in proposals] == [
        (TITLES_2023[0], ProposalState.FUNDED, CooperationType.SUPER_REGIONAL, ["gyeongbuk", "daegu"]),
        (TITLES_2023[1], ProposalState.FUNDED, CooperationType.SUPER_REGIONAL, ["gyeongnam", "ulsan"]),
        (TITLES_2023[2], ProposalState.FUNDED, CooperationType.SUPER_REGIONAL, ["gwangju", "jeonnam"]),
        (TITLES_2023[3], ProposalState.FUNDED, CooperationType.LEAP, ["chungnam"]),
        (TITLES_2023[4], ProposalState.FUNDED, CooperationType.LEAP, ["jeonbuk"]),
    ]


def test_twenty_two_illustrative_2023_proposals_marked_as_such_were_evaluated_beside_them(seeded):
    """The call's 27 proposals (issue 16): the 22 the sources do not name are generated from compact
    rows, marked illustrative in both titles, spread over every region and most strategic industries."""
    from proposals.demo import ILLUSTRATIVE_2023

    others = list(Proposal.objects.filter(call__year=2023).exclude(title_ko__in=TITLES_2023).order_by("pk"))
    assert [(p.state, regions_of(p), p.industry.code) for p in others] == [
        (ProposalState.NOT_SELECTED, row[0], row[1]) for row in ILLUSTRATIVE_2023]
    assert all(p.title_ko.endswith("(예시)") and p.title_en.endswith("(illustrative)") for p in others)
    assert all(p.summary and p.goals for p in others)
    every_region = {code for p in Proposal.objects.filter(call__year=2023) for code in regions_of(p)}
    assert len(every_region) == 17
    assert len({p.industry_id for p in others}) >= 10


def test_the_2023_proposals_spread_over_the_zones_and_ask_at_most_the_cap(seeded):
    from programmes.models import Call

    call = Call.objects.get(year=2023)
    zone_of = call.zone_by_region()
    counts = {}
    for p in Proposal.objects.filter(call=call):
        counts[zone_of[p.lead_region_id].name_ko] = counts.get(zone_of[p.lead_region_id].name_ko, 0) + 1
        national = sum(BudgetLine.objects.filter(proposal=p).values_list("national_won", flat=True))
        assert 0 < national <= call.cap_won
    assert counts == ZONE_COUNTS


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
    settings.ALLOW_DEMO_DATA = True
    first = everything()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert everything() == first
    assert "0 new proposals" in out.getvalue()
    assert "28 new proposals" in seeded  # the 27 of the 2023 call (issue 16) and the 2027 draft
