"""Proposal fixtures, factories and page helpers (the test modules import the helpers from here).

`ProposalFactory` and the row factories write straight to the models (fast, no
rules applied); tests of the rules go through `proposals.services`.
`fill` completes a proposal until every checklist item is done and signs it for
every region, so the lifecycle guards pass unless a test breaks one on purpose.
Messages are compared in English; every upload goes to a per-test MEDIA_ROOT.
"""

import datetime
from html.parser import HTMLParser

import factory
import pytest
from django.test import Client
from django.utils import timezone, translation
from factory.django import DjangoModelFactory

from accounts.models import Role, User
from programmes.models import CooperationType
from proposals.models import (
    KPI,
    BudgetLine,
    LinkedProject,
    Organisation,
    OrganisationKind,
    Participation,
    Proposal,
    Stage,
    StageKind,
)
from tests.factories import EOK, OfficialFactory, industry, region

PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \n"
    b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n165\n%%EOF\n"
)


# --- Language ------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _english(_default_language):
    """Messages are compared in English (the Korean catalogue may be compiled or not)."""
    translation.activate("en")


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def other_client(settings):
    """A second browser, for a second person."""
    other = Client()
    other.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return other


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads go to a fresh directory per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- People ----------------------------------------------------------------------------


@pytest.fixture
def colleague(db):
    """A second official of the lead region (Gwangju)."""
    return OfficialFactory(username="official-gwangju-2", region=region("gwangju"))


# --- Factories -------------------------------------------------------------------------


def official_of(region_obj) -> User:
    """An official of the region: an existing one (a fixture's) or a new one."""
    return User.objects.filter(role=Role.OFFICIAL, region=region_obj).order_by("pk").first() or OfficialFactory(
        region=region_obj
    )


class ProposalFactory(DjangoModelFactory):
    """A draft with its overview filled in; `partners=["jeonnam"]` adds partner regions."""

    class Meta:
        model = Proposal
        skip_postgeneration_save = True

    cooperation_type = CooperationType.SUPER_REGIONAL
    lead_region = factory.LazyFunction(lambda: region("gwangju"))
    title_ko = factory.Sequence(lambda n: f"지역혁신 제안서 {n}")
    title_en = factory.Sequence(lambda n: f"Regional innovation proposal {n}")
    industry = factory.LazyFunction(lambda: industry("artificial-intelligence"))
    summary = "광주와 전남이 함께 뉴로모픽 반도체 기반 감시정찰 AI 기술을 개발한다."
    problem = "단기 사업 위주의 지원으로 자생적 산업 생태계가 형성되지 못했다."
    created_by = factory.LazyAttribute(lambda o: official_of(o.lead_region))

    @factory.post_generation
    def partners(self, create, extracted, **kwargs):
        if not create:
            return
        Participation.objects.create(proposal=self, region=self.lead_region, is_lead=True)
        for code in extracted or ():
            Participation.objects.create(proposal=self, region=region(code))


class StageFactory(DjangoModelFactory):
    class Meta:
        model = Stage

    order = 1
    kind = StageKind.BASIC
    years = 3
    goals = "원천기술 확보 및 시범 적용"
    deliverables = "핵심 원천기술, 특허"


class KPIFactory(DjangoModelFactory):
    class Meta:
        model = KPI

    order = 1
    name = "특허 출원"
    unit = "건"
    baseline = 0
    targets = factory.LazyFunction(lambda: ["20", "50", "100"])


class BudgetLineFactory(DjangoModelFactory):
    class Meta:
        model = BudgetLine

    national_won = 9 * EOK
    local_won = 2 * EOK
    other_won = 0


class LinkedProjectFactory(DjangoModelFactory):
    class Meta:
        model = LinkedProject

    name = "인공지능 중심 산업융합 집적단지"
    ministry = "과학기술정보통신부"
    connection = "실증 인프라를 공동 활용한다."


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"참여기관 {n}")
    kind = OrganisationKind.UNIVERSITY
    role = "주관"


def sign_all(proposal: Proposal) -> None:
    """Every region signs the proposal's current revision."""
    proposal.refresh_from_db()
    for p in proposal.participations.select_related("region"):
        p.signed_off_by = official_of(p.region)
        p.signed_off_at = timezone.now()
        p.signed_revision = proposal.revision
        p.save()


def fill(proposal: Proposal, *, signed: bool = True) -> Proposal:
    """Everything the checklist asks for: goals, a 3+3+4-year roadmap, a pilot budget of
    9억 national + 2억 local per region and year, a linked project, organisations."""
    proposal.vision = "세계 수준의 지능형 센서 거점"
    proposal.goals = "10년 내 핵심기술 자립"
    proposal.save()
    KPIFactory(proposal=proposal)
    for order, (kind, years) in enumerate(
        [(StageKind.BASIC, 3), (StageKind.DEMONSTRATION, 3), (StageKind.APPLICATION, 4)], start=1
    ):
        StageFactory(proposal=proposal, order=order, kind=kind, years=years)
    LinkedProjectFactory(proposal=proposal)
    for p in proposal.participations.all():
        for year in proposal.pilot_years():
            BudgetLineFactory(proposal=proposal, region_id=p.region_id, year=year)
        OrganisationFactory(proposal=proposal, region_id=p.region_id)
    if signed:
        sign_all(proposal)
    proposal.refresh_from_db()
    return proposal


@pytest.fixture
def make_proposal(call, official):
    """A proposal in `call`; Gwangju leads (created by `official`) unless `lead_region=` says otherwise."""

    def make(**kwargs) -> Proposal:
        kwargs.setdefault("call", call)
        return ProposalFactory(**kwargs)

    return make


@pytest.fixture
def proposal(make_proposal, partner_official):
    """A Gwangju (lead) + Jeonnam super-regional draft, overview filled in."""
    return make_proposal(partners=["jeonnam"], title_ko="겹눈 모사 뉴로모픽 반도체 기반 감시정찰 AI",
                         title_en="Compound-eye neuromorphic semiconductor for surveillance AI")


@pytest.fixture
def complete_proposal(proposal):
    """The Gwangju + Jeonnam draft, complete and signed off by both regions."""
    return fill(proposal)


@pytest.fixture
def before_deadline(call):
    return call.submission_deadline - datetime.timedelta(days=1)


# --- HTML ------------------------------------------------------------------------------


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Page(HTMLParser):
    """Form controls by name (attributes, plus a textarea's text) and the text of elements by id."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, dict] = {}
        self.text_by_id: dict[str, str] = {}
        self._open: list[tuple[str, str | None, str | None]] = []  # (tag, id, textarea name)

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag in ("input", "textarea", "select") and "name" in attrs:
            self.fields.setdefault(attrs["name"], {**attrs, "tag": tag, "text": ""})
        if "id" in attrs:
            self.text_by_id.setdefault(attrs["id"], "")
        if tag not in VOID:
            self._open.append((tag, attrs.get("id"), attrs["name"] if tag == "textarea" else None))

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                break

    def handle_data(self, data):
        for _tag, element_id, textarea in self._open:
            if element_id:
                self.text_by_id[element_id] += data
            if textarea:
                self.fields[textarea]["text"] += data


def parse(response) -> _Page:
    page = _Page()
    page.feed(response.content.decode())
    return page


def form_fields(response) -> dict[str, dict]:
    return parse(response).fields


def text_of(response, element_id: str) -> str:
    """The text inside the element with that id, whitespace collapsed."""
    return " ".join(parse(response).text_by_id[element_id].split())


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def industry_ai(db):
    return industry("artificial-intelligence")
