"""Who may reach what, generated from the URL configuration.

Every URL of proposals.urls is filled in for one Gwangju + Jeonnam proposal (with
a frozen version and an attachment) and requested with GET and POST by a Busan
official, an expert and an anonymous visitor. None of them gets the page; nothing
changes. The POST bodies are real edits: the lead region's official making the
same requests does change the proposal, so the refusals are not vacuous.
"""

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.models import Notification
from programmes.models import Call
from proposals import urls as proposal_urls
from proposals.models import (
    KPI,
    Attachment,
    BudgetLine,
    LinkedProject,
    Organisation,
    Participation,
    Proposal,
    ProposalEvent,
    ProposalVersion,
    Stage,
)
from proposals.services import attachment_add, proposal_send_to_consulting
from proposals.views import STEP_KEYS
from tests.login import log_in
from tests.proposals.conftest import PDF
from tests.proposals.listing import listed_ids

pytestmark = pytest.mark.django_db

POST_ONLY = {"action", "sign_off", "attachment_remove", "consortium_invite", "consortium_remove", "pdf_request"}
GET_ONLY = {("step", "consortium")}  # inviting and removing a region post to their own URLs
NOT_ABOUT_ONE_PROPOSAL = {"list", "create"}  # pages every official may open; they must not show the proposal


def formset(*rows: dict) -> dict:
    data = {"rows-TOTAL_FORMS": str(len(rows)), "rows-INITIAL_FORMS": "0", "rows-MIN_NUM_FORMS": "0",
            "rows-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        data.update({f"rows-{i}-{key}": value for key, value in row.items()})
    return data


# What a POST to each URL carries: a real change the lead region's official could make.
PAYLOADS = {
    ("list", None): lambda w: {"q": w.proposal.title_ko},
    ("create", None): lambda w: {},
    ("detail", None): lambda w: {},
    ("step", "overview"): lambda w: {
        "expected_revision": "0", "title_ko": "가로챈 제목", "title_en": "", "cooperation_type": "super_regional",
        "industry": w.proposal.industry_id, "summary": "가로챈 요약", "problem": "가로챈 문제"},
    ("step", "consortium"): lambda w: {"region": "busan", "op": "invite"},
    ("consortium_invite", None): lambda w: {"region": "busan"},
    ("consortium_remove", None): lambda w: {"region": "jeonnam"},
    ("step", "goals"): lambda w: {"expected_revision": "0", "vision": "가로챈 비전", "goals": "가로챈 목표",
                                  **formset({"name": "가로챈 지표", "unit": "건", "baseline": "1"})},
    ("step", "roadmap"): lambda w: {"expected_revision": "0", **formset(
        {"kind": "basic", "years": "3", "goals": "가로챈 단계"}, {"kind": "application", "years": "7", "goals": "확산"})},
    ("step", "budget"): lambda w: {"expected_revision": "0", "region": "gwangju",
                                   "national_2027": "100000000", "local_2027": "20000000"},
    ("step", "links"): lambda w: {"expected_revision": "0", **formset(
        {"name": "가로챈 사업", "ministry": "행정안전부", "connection": "연계"})},
    ("step", "organisations"): lambda w: {"expected_revision": "0", "region": "gwangju", **formset(
        {"name": "가로챈 기관", "kind": "company", "role": "참여"})},
    ("step", "attachments"): lambda w: {"file": SimpleUploadedFile("가로챈.pdf", PDF), "description": "가로챈 파일"},
    ("step", "review"): lambda w: {},
    ("action", None): lambda w: {"action": "start_revising", "confirm": "yes"},
    ("sign_off", None): lambda w: {"revision": str(w.proposal.revision)},
    ("version", None): lambda w: {},
    ("compare", None): lambda w: {},
    ("attachment", None): lambda w: {},
    ("attachment_remove", None): lambda w: {},
    ("pdf_request", None): lambda w: {},
    ("pdf_status", None): lambda w: {},
    ("pdf_download", None): lambda w: {},
}
# URL parameters, filled in for the proposal of the world.
FILL = {
    "pk": lambda w: w.proposal.pk,
    "number": lambda w: w.version.number,
    "attachment_id": lambda w: w.attachment.pk,
}


# The planning pages (proposals.theme_views) are about a call's candidate themes, not about one proposal: the
# portal-wide matrix (tests/megaproject/test_access_matrix.py) holds their rows for every role, and
# tests/proposals/test_themes.py, test_theme_selection.py and test_planning_status.py their rules. The patent
# analysis pages (proposals.patent_views) let a consulting expert in and the regions only read: their rows are
# in the portal-wide matrix too, their rules in tests/proposals/test_patents.py.
PROPOSAL_PATTERNS = [p for p in proposal_urls.urlpatterns
                     if p.callback.__module__ not in ("proposals.theme_views", "proposals.patent_views")]


def endpoints() -> list[tuple[str, str | None]]:
    """(URL name, step) for every pattern; the step pattern once per step of the form."""
    found = []
    for pattern in PROPOSAL_PATTERNS:
        if "step" in pattern.pattern.converters:
            found += [(pattern.name, step) for step in STEP_KEYS]
        else:
            found.append((pattern.name, None))
    return found


ENDPOINTS = endpoints()
IDS = [f"{name}-{step}" if step else name for name, step in ENDPOINTS]


def url_of(world, name, step) -> str:
    pattern = next(p for p in proposal_urls.urlpatterns if p.name == name)
    kwargs = {param: FILL[param](world) for param in pattern.pattern.converters if param != "step"}
    if step:
        kwargs["step"] = step
    return reverse(f"proposals:{name}", kwargs=kwargs)


MODELS = [Proposal, Participation, KPI, Stage, BudgetLine, LinkedProject, Organisation, Attachment, ProposalVersion,
          ProposalEvent, Notification, Call]


def db_state(media_root) -> dict:
    state = {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}
    state["files"] = sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())
    return state


@pytest.fixture
def world(complete_proposal, official, partner_official, before_deadline):
    """The Gwangju + Jeonnam proposal, sent to consulting (v1), with an attachment."""
    proposal = proposal_send_to_consulting(actor=official, proposal=complete_proposal, now=before_deadline)
    attachment = attachment_add(actor=official, proposal=proposal, upload=SimpleUploadedFile("사업계획서.pdf", PDF),
                                description="상세 계획")
    return SimpleNamespace(proposal=Proposal.objects.get(pk=proposal.pk), version=proposal.versions.get(),
                           attachment=attachment)


def browser(settings, user=None) -> Client:
    c = Client()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        log_in(c, user)
    return c


def request(c: Client, method: str, url: str, payload: dict):
    return c.get(url) if method == "GET" else c.post(url, payload)


def outcome(response, url) -> str:
    if response.status_code == 302 and response["Location"] == f"{reverse('login')}?next={url}":
        return "login"
    return str(response.status_code)


def shows(body: bytes, proposal) -> bool:
    """The page gives away the proposal: its titles, its summary or its attached PDF."""
    return any(text.encode() in body for text in (proposal.title_ko, proposal.title_en, proposal.summary)) or (
        b"%PDF" in body)


def expected(name, who, method) -> str:
    if method == "GET" and name in POST_ONLY:
        return "405"
    if who == "anonymous":
        return "login"
    if name in NOT_ABOUT_ONE_PROPOSAL:
        return "200" if who == "outsider" else "403"
    return "404"


# --- The guard: no URL can be left out ----------------------------------------------------------


def test_every_url_of_the_proposals_app_is_in_the_matrix():
    names = {p.name for p in PROPOSAL_PATTERNS}
    assert {name for name, _step in PAYLOADS} == names
    assert set(PAYLOADS) == set(ENDPOINTS)
    assert {step for name, step in ENDPOINTS if name == "step"} == set(STEP_KEYS)
    params = {param for p in PROPOSAL_PATTERNS for param in p.pattern.converters}
    assert params - {"step"} == set(FILL)
    assert names >= POST_ONLY | NOT_ABOUT_ONE_PROPOSAL


# --- Outsiders ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "step"), ENDPOINTS, ids=IDS)
def test_an_outsider_an_expert_and_an_anonymous_visitor_get_nothing_and_change_nothing(
    settings, world, outsider_official, expert, _media_root, name, step
):
    url = url_of(world, name, step)
    people = {"outsider": outsider_official, "expert": expert, "anonymous": None}
    results, wanted = {}, {}
    for who, user in people.items():
        c = browser(settings, user)
        for method in ("GET", "POST"):
            before = db_state(_media_root)
            response = request(c, method, url, PAYLOADS[(name, step)](world))
            body = b"".join(response.streaming_content) if response.streaming else response.content
            results[(who, method)] = {
                "status": outcome(response, url),
                "database changed": db_state(_media_root) != before,
                "shows the proposal": shows(body, world.proposal),
            }
            wanted[(who, method)] = {
                "status": expected(name, who, method), "database changed": False, "shows the proposal": False}
    assert results == wanted


def test_an_outsider_cannot_reach_an_attachment_through_its_own_proposal(
    client, world, outsider_official, make_proposal
):
    own = make_proposal(lead_region=outsider_official.region, cooperation_type="leap", title_ko="부산 과제")
    log_in(client, outsider_official)
    assert client.get(reverse("proposals:attachment", args=[own.pk, world.attachment.pk])).status_code == 404
    assert client.post(reverse("proposals:attachment_remove", args=[own.pk, world.attachment.pk])).status_code == 404
    assert client.get(reverse("proposals:version", args=[own.pk, world.version.number])).status_code == 404
    assert Attachment.objects.filter(pk=world.attachment.pk).exists()


# --- The lead region: the same requests work ------------------------------------------------------


WRITES = {("step", s) for s in STEP_KEYS if s not in ("review", "consortium")} | {
    ("action", None), ("sign_off", None), ("attachment_remove", None), ("consortium_invite", None),
    ("consortium_remove", None)}


PDF_ROUTES = {("pdf_request", None): (405, False, 302, False), ("pdf_status", None): (404, False, 404, False),
              ("pdf_download", None): (404, False, 404, False)}


def test_the_lead_regions_official_opens_every_url_and_every_edit_takes_effect(
    settings, world, official, _media_root
):
    c = browser(settings, official)
    results, wanted = {}, {}
    for name, step in ENDPOINTS:
        url = url_of(world, name, step)
        with transaction.atomic():
            get = c.get(url)
            before = db_state(_media_root)
            post = c.post(url, PAYLOADS[(name, step)](world))
            changed = db_state(_media_root) != before
            transaction.set_rollback(True)
        body = b"".join(get.streaming_content) if get.streaming else get.content
        results[(name, step)] = (get.status_code, shows(body, world.proposal), post.status_code, changed)
        write = (name, step) in WRITES
        opens = name not in POST_ONLY
        posted = 405 if (name, step) in GET_ONLY else 302 if write else 200
        wanted[(name, step)] = (200 if opens else 405, opens and name != "create", posted, write)
    # The PDF: asking for it redirects to the page (its row is no change of the plan); its status and
    # file answer 404 until one is asked for (each request above is rolled back; tests/proposals/test_pdf.py).
    wanted.update(PDF_ROUTES)
    assert results == wanted


# --- Lists ---------------------------------------------------------------------------------------


def test_the_list_of_an_outsider_does_not_show_the_proposal(client, world, outsider_official):
    log_in(client, outsider_official)
    response = client.get(reverse("proposals:list"))
    assert response.status_code == 200
    assert listed_ids(response) == []
    assert shows(response.content, world.proposal) is False


def test_the_list_of_the_ministry_shows_the_proposal(client, settings, world, ministry):
    log_in(client, ministry)
    response = client.get(reverse("proposals:list"))
    assert listed_ids(response) == [world.proposal.pk]
    assert world.proposal.title_en in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    assert world.proposal.title_ko in client.get(reverse("proposals:list")).content.decode()


def test_the_list_of_a_partner_region_shows_the_proposal(client, world, partner_official):
    log_in(client, partner_official)
    response = client.get(reverse("proposals:list"))
    assert listed_ids(response) == [world.proposal.pk]
