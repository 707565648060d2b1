"""The public pages' world: a 2027 call under review with a selected Gwangju + Jeonnam project
(funding approved, sealed until the announcement), a Busan proposal not selected, a draft call;
`announce_results` announces through the real service (as the ministry does).
The boards: an asker with a recognisable name, a question, a notice."""

import pytest
from django.core.cache import cache
from django.test import Client

from funding import services as funding_services
from funding.models import SelectionNote
from programmes.models import CallStatus
from programmes.services import call_change_status
from proposals.models import Proposal, ProposalState
from public_pages import boards
from tests.factories import EOK, CallFactory, OfficialFactory, region
from tests.funding.conftest import (  # noqa: F401  (fixtures)
    ProposalFactory,
    _english,
    _media_root,
    fill,
    make_proposal,
    plan,
    select,
)
from tests.login import log_in

SELECTED_TITLE = "선정과제-겹눈뉴로모픽"
UNSELECTED_TITLE = "미선정과제-비공개제목"
DRAFT_TITLE = "초안공모-비공개"
SECRET_REASON = "선정사유-비공개메모"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def call(ministry):
    """A 2027 call under review (submissions closed, results not announced)."""
    return CallFactory(status=CallStatus.REVIEW, title="2027년 메가프로젝트 공모 (공개)", created_by=ministry,
                       updated_by=ministry)


@pytest.fixture
def draft_call(ministry):
    return CallFactory(status=CallStatus.DRAFT, title=DRAFT_TITLE, created_by=ministry, updated_by=ministry)


@pytest.fixture
def public_world(call, draft_call, make_proposal, outsider_official, ministry, ministry2,  # noqa: F811
                 django_capture_on_commit_callbacks):
    chosen = select(fill(make_proposal(partners=["jeonnam"], title_ko=SELECTED_TITLE, title_en="Compound eye")))
    years, obligations = plan(chosen, national=18 * EOK, local=2 * EOK)
    decision = funding_services.funding_prepare(actor=ministry, proposal=chosen, years=years,
                                                obligations=obligations)
    with django_capture_on_commit_callbacks(execute=False):  # no letter needed
        funding_services.funding_approve(actor=ministry2, decision=decision)
    SelectionNote.objects.create(proposal=chosen, reason=SECRET_REASON, decided_by=ministry)
    rejected = ProposalFactory(call=call, lead_region=outsider_official.region, title_ko=UNSELECTED_TITLE,
                               title_en="Not selected secret", created_by=outsider_official)
    Proposal.objects.filter(pk=rejected.pk).update(state=ProposalState.NOT_SELECTED, state_reason=SECRET_REASON)
    ProposalFactory(call=draft_call, lead_region=outsider_official.region, title_ko="초안공모의 제안서")
    chosen.refresh_from_db()
    return {"call": call, "draft": draft_call, "chosen": chosen, "rejected": rejected, "decision": decision}


@pytest.fixture
def announce_results(ministry, django_capture_on_commit_callbacks):
    def announce(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call_change_status(actor=ministry, call=call, status=CallStatus.ANNOUNCED)

    return announce

@pytest.fixture
def asker(db):
    """A Gwangju official whose name, username and address must never reach a public page."""
    return OfficialFactory(username="asker-gwangju-7f3", email="asker-7f3@gwangju.example.kr",
                           display_name="홍길동주무관", region=region("gwangju"))


@pytest.fixture
def question(asker, call):
    return boards.question_ask(actor=asker, call=call, title="지방비 매칭 비율 질의",
                               body="초광역 협력형의 지방비 매칭 기준을 알려 주십시오.")


@pytest.fixture
def anonymous(settings):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    return client


@pytest.fixture
def browser(settings):
    """A logged-in client for a person, in Korean (`browser(person, "en")` for English)."""

    def make(person, language="ko"):
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return log_in(client, person)

    return make
