# ruff: noqa: F811  (the fixtures imported from the access matrix are used as arguments)
"""Hostile input: malformed posts to every form (hypothesis), uploads that lie, script in
every text field, posts without a CSRF token, password guessing, production settings.

The world is the access matrix's (tests/megaproject/test_access_matrix.py) plus a
draft every step of which its lead official may still edit.
"""

import csv
import datetime
import io
import re
import struct
import sys
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import got_request_exception
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from api.models import ApiToken
from evaluations.models import ConsultingComment, Score
from funding.models import SelectionNote
from programmes.models import Call
from proposals.models import KPI, Attachment, Organisation, Proposal
from proposals.views import STEP_KEYS
from public_pages.models import Notice, Question
from tests.factories import PASSWORD, OfficialFactory, region
from tests.funding.conftest import (  # noqa: F401  (fixtures)
    _english,
    _media_root,
    approve,
    approved,
    build_letter,
    complete_proposal,
    letter,
    make_proposal,
    prepared,
    proposal,
    selected,
)
from tests.login import log_in as log_in_through_form
from tests.megaproject.test_access_matrix import (  # noqa: F401
    DECISION_ACTIONS,
    EXPECTED,
    PANEL_ACTIONS,
    PAYLOADS,
    PERSON_ACTIONS,
    PLAN_ACTIONS,
    ROUND_ACTIONS,
    cells,
    db_state,
    url_of,
    world,
)
from tests.proposals.conftest import PDF, before_deadline, fill, form_fields  # noqa: F401
from tests.proposals.listing import listed as listed_rows
from tests.proposals.listing import listed_ids

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'


def browser(settings, user=None, **options) -> Client:
    c = Client(**options)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        log_in_through_form(c, user)
    return c


def body_of(response) -> str:
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode(errors="replace")


# --- Log-in throttling -----------------------------------------------------------------------------


def log_in(client, username, password, **headers):
    return client.post(reverse("login"), {"username": username, "password": password}, **headers)


@pytest.fixture
def person(db):
    return OfficialFactory(username="official-ulsan", region=region("ulsan"))


def test_five_wrong_passwords_lock_the_username_from_that_address_even_with_the_right_one(settings, person):
    client = browser(settings)
    statuses = [log_in(client, person.username, "wrong", REMOTE_ADDR="203.0.113.5").status_code
                for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]  # the fifth failure locks

    response = log_in(client, person.username, PASSWORD, REMOTE_ADDR="203.0.113.5")

    assert response.status_code == 429
    text = body_of(response)
    assert "Too many failed log-in attempts for this account from your address. Try again in 15 minutes" in text
    assert 'id="login-locked"' in text and 'name="username"' in text  # the log-in page, with the reason
    assert "_auth_user_id" not in client.session


def test_the_lockout_holds_for_one_username_and_address_only(settings, person):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(browser(settings), person.username, "wrong", REMOTE_ADDR="203.0.113.5")
    other_user = OfficialFactory(username="official-ulsan-2", region=region("ulsan"))

    from_elsewhere = log_in(browser(settings), person.username, PASSWORD, REMOTE_ADDR="198.51.100.7")
    someone_else = log_in(browser(settings), other_user.username, PASSWORD, REMOTE_ADDR="203.0.113.5")

    assert (from_elsewhere.status_code, someone_else.status_code) == (302, 302)


def test_a_spoofed_x_forwarded_for_does_not_escape_the_lockout(settings, person):
    settings.TRUSTED_PROXY_COUNT = 0  # not behind a proxy of ours: the header is the client's to invent
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(browser(settings), person.username, "wrong", REMOTE_ADDR="203.0.113.5",
               HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")

    response = log_in(browser(settings), person.username, PASSWORD, REMOTE_ADDR="203.0.113.5",
                      HTTP_X_FORWARDED_FOR="10.9.9.9")

    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_address_it_saw_counts_not_what_the_client_wrote(settings, person):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for n in range(settings.AXES_FAILURE_LIMIT):  # one client, inventing a new address each time
        log_in(browser(settings), person.username, "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.5", **proxy)

    locked = log_in(browser(settings), person.username, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    another_client = log_in(browser(settings), person.username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7",
                            **proxy)

    assert (locked.status_code, another_client.status_code) == (429, 302)


def test_after_the_cool_off_the_right_password_works_again_and_resets_the_count(settings, person):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(browser(settings), person.username, "wrong", REMOTE_ADDR="203.0.113.5")
    assert log_in(browser(settings), person.username, PASSWORD, REMOTE_ADDR="203.0.113.5").status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(
        minutes=1))
    assert log_in(browser(settings), person.username, PASSWORD, REMOTE_ADDR="203.0.113.5").status_code == 302
    assert not AccessAttempt.objects.filter(username=person.username).exists()


# --- Uploads ---------------------------------------------------------------------------------------


def upload(settings, official, proposal, name: str, content: bytes):
    client = browser(settings, official)
    url = reverse("proposals:step", args=[proposal.pk, "attachments"])
    return client.post(url, {"file": SimpleUploadedFile(name, content), "description": "첨부"})


def stored_files(media_root) -> list[str]:
    return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())


def zip_bomb(members: int = 2048, member_size: int = 1 << 20) -> bytes:
    """A .docx-looking zip whose members expand to members × member_size bytes (2 GiB by default),
    written by hand so that building it compresses one megabyte, once."""
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = raw.compress(b"\0" * member_size) + raw.flush()
    crc = zlib.crc32(b"\0" * member_size)
    entries = [(b"[Content_Types].xml", b"<Types/>")] + [(f"word/part{i}.xml".encode(), None) for i in range(members)]
    out, central = io.BytesIO(), io.BytesIO()
    for name, plain in entries:
        if plain is None:
            method, body, size, checksum = 8, data, member_size, crc
        else:
            method, body, size, checksum = 0, plain, len(plain), zlib.crc32(plain)
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, checksum, len(body), size, len(name), 0))
        out.write(name + body)
        central.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0, checksum, len(body), size,
                                  len(name), 0, 0, 0, 0, 0, offset))
        central.write(name)
    start = out.tell()
    out.write(central.getvalue())
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central.getvalue()), start, 0))
    return out.getvalue()


def small_docx() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


REFUSED_UPLOADS = {
    "a program renamed .pdf": ("사업계획서.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),
    "a script renamed .png": ("diagram.png", b"#!/bin/sh\nrm -rf /\n"),
    "html renamed .pdf": ("plan.pdf", f"<html>{SCRIPT}</html>".encode()),
    "a zip bomb named .docx": ("계획서.docx", None),
    "no extension": ("계획서", PDF),
    "a double extension ending .exe": ("계획서.pdf.exe", PDF),
}


@pytest.mark.parametrize("case", REFUSED_UPLOADS)
def test_uploads_that_lie_about_their_content_are_refused_and_nothing_is_stored(
    settings, official, proposal, _media_root, case
):
    name, content = REFUSED_UPLOADS[case]
    response = upload(settings, official, proposal, name, zip_bomb() if content is None else content)

    assert response.status_code == 200  # the step again, with the reason
    assert "was not accepted" in body_of(response) or "are accepted" in body_of(response)
    assert not Attachment.objects.exists()
    assert stored_files(_media_root) == []


def test_a_file_one_byte_over_the_limit_is_refused(settings, official, proposal, _media_root):
    settings.ATTACHMENT_MAX_BYTES = 64 * 1024
    response = upload(settings, official, proposal, "big.pdf", PDF + b"\0" * (64 * 1024 + 1 - len(PDF)))

    assert response.status_code == 200
    assert "the limit is" in body_of(response)
    assert not Attachment.objects.exists()
    assert stored_files(_media_root) == []


def test_a_real_office_file_is_still_accepted(settings, official, proposal):
    assert upload(settings, official, proposal, "계획서.docx", small_docx()).status_code == 302
    assert Attachment.objects.get().kind == "DOCX"


NAMES = {
    "path up": "../../etc/passwd.pdf",
    "windows path": "..\\..\\windows\\system32\\계획.pdf",
    "absolute": "/etc/cron.d/계획.pdf",
    "right-to-left override": "계획\u202efdp.exe\u202e.pdf",
    "very long": "가" * 600 + ".pdf",
    "only dots": "...pdf",
    "control characters": "계\x01획\x1b[31m.pdf",
}


@pytest.mark.parametrize("case", NAMES)
def test_path_tricks_in_file_names_never_leave_the_media_folder_or_reach_the_shown_name(
    settings, official, proposal, _media_root, case
):
    response = upload(settings, official, proposal, NAMES[case], PDF)

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    shown = attachment.original_name
    assert "/" not in shown and "\\" not in shown and shown not in (".", "..")
    assert all(ch.isprintable() for ch in shown) and len(shown) <= 150
    assert shown.endswith(".pdf")
    assert (_media_root / attachment.file.name).resolve().is_relative_to(_media_root.resolve())
    assert stored_files(_media_root) == [attachment.file.name]


def test_a_nul_byte_in_a_file_name_is_refused_or_dropped(settings, official, proposal, _media_root):
    response = upload(settings, official, proposal, "계획\x00.exe.pdf", PDF)

    assert response.status_code in (200, 302)
    for attachment in Attachment.objects.all():
        assert "\x00" not in attachment.original_name and "\x00" not in attachment.file.name


# --- CSRF ------------------------------------------------------------------------------------------


def test_every_url_refuses_a_post_without_the_csrf_token(settings, world):
    """Every URL pattern, posted to by someone entitled to it, without the token: 403, nothing changes."""
    entitled = {"admin": "admin", "login": "anonymous", "password_reset": "anonymous"}
    results = {}
    for key in [k for k in cells() if k in EXPECTED]:  # a URL without a row fails the access matrix
        who = entitled.get(key, "ministry" if key.startswith(("programmes:", "funding:")) else "owner")
        if key.startswith(("evaluations:assignment", "evaluations:declare", "evaluations:score",
                           "evaluations:comment")):
            who = "assigned_expert"
        client = browser(settings, world.people[who], enforce_csrf_checks=True)
        before = db_state()
        name = key.partition("[")[0]
        response = client.post(url_of(world, key), PAYLOADS[name](world) if name in PAYLOADS else {"x": "1"})
        results[key] = (response.status_code, db_state() == before)
    assert results == dict.fromkeys(results, (403, True))


# --- Stored XSS ------------------------------------------------------------------------------------


@pytest.fixture
def scripted(world):
    """Script in every text field the world's pages show."""
    Proposal.objects.update(title_ko=f"제목 {SCRIPT}", title_en=f"Title {IMG}", summary=f"요약 {SCRIPT}",
                            problem=IMG, vision=SCRIPT, goals=f"목표 {IMG}")
    KPI.objects.update(name=f"지표 {SCRIPT}", unit=IMG)
    Organisation.objects.update(name=f"기관 {IMG}", role=SCRIPT)
    ConsultingComment.objects.update(text=f"의견 {SCRIPT} {IMG}")
    Score.objects.update(comment=f"근거 {SCRIPT}")
    Call.objects.update(title=f"공모 {SCRIPT}", description=IMG)
    Attachment.objects.update(description=IMG, original_name=f"{IMG}.pdf")
    type(world.invitee).objects.filter(pk=world.invitee.pk).update(display_name=f"담당자 {SCRIPT}")
    type(world.service_account).objects.filter(pk=world.service_account.pk).update(display_name=f"연계 {IMG}")
    ApiToken.objects.update(name=f"토큰 {SCRIPT}")
    Question.objects.update(title=f"질의 {SCRIPT}", body=IMG, answer=f"답변 {SCRIPT}")
    Notice.objects.update(title=f"공지 {SCRIPT}", body=f"본문 {IMG}", attachment_name=f"{IMG}.pdf")
    SelectionNote.objects.update_or_create(proposal=world.funded, defaults={
        "reason": f"사유 {SCRIPT}", "decided_by": world.people["ministry"]})
    return world


PAGES_SHOWING_TEXT = [
    ("owner", "proposals:list"), ("owner", "proposals:detail"), ("owner", "proposals:step[review]"),
    # The world's decision is sealed for its regions (call not announced): staff read its page.
    ("owner", "proposals:compare"), ("owner", "evaluations:consulting"), ("ministry", "funding:decision"),
    ("owner", "dashboard"), ("owner", "todos"), ("ministry", "programmes:call_list"), ("ministry", "programmes:call_detail"),
    ("ministry", "programmes:call_edit"), ("ministry", "evaluations:panel"), ("ministry", "evaluations:ranking"),
    ("ministry", "evaluations:progress"), ("ministry", "evaluations:feedback"), ("ministry", "funding:selection"),
    ("ministry", "funding:letters"), ("ministry", "proposals:detail"), ("assigned_expert", "evaluations:assignments"),
    ("assigned_expert", "evaluations:assignment"), ("owner", "notifications"), ("admin", "people"), ("owner", "person"),
    ("owner", "api_tokens:list"), ("admin", "api_tokens:service_account"), ("admin", "api_tokens:service_accounts"),
    ("owner", "public:my_questions"), ("ministry", "public:question_queue"), ("ministry", "public:answer_question"),
    ("owner", "public:question_edit"), ("anonymous", "public:notices"), ("anonymous", "public:notice_detail"),
    ("ministry", "funding:select"), ("ministry", "evaluations:panel_result"),
]


def test_script_in_every_text_field_is_shown_as_text_on_every_page(settings, scripted):
    leaks, shown_escaped = {}, set()
    for who, key in PAGES_SHOWING_TEXT:
        response = browser(settings, scripted.people[who]).get(url_of(scripted, key))
        assert response.status_code == 200, (who, key, response.status_code)
        text = body_of(response)
        raw = [payload for payload in (SCRIPT, "<img src=x onerror") if payload in text]
        if raw:
            leaks[key] = raw
        if "&lt;script&gt;alert(1)&lt;/script&gt;" in text or "&lt;img src=x onerror=alert(1)&gt;" in text:
            shown_escaped.add(key)
    assert leaks == {}
    assert len(shown_escaped) >= len(PAGES_SHOWING_TEXT) - 3, sorted(
        {k for _w, k in PAGES_SHOWING_TEXT} - shown_escaped)


# --- Malformed posts to every form (hypothesis) -----------------------------------------------------

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from([
        "", " ", "\x00", "a\x00b", "-1", "-0", "0", "-99999999999999999999999", "99999999999999999999999999",
        "1e309", "NaN", "-inf", "Infinity", "1,000", "1.5", "١٢٣", "１２３", "\u202e123", "0x1F", "None", "null",
        "true", "[]", "{}", SCRIPT, IMG, "' OR 1=1 --", "../../etc/passwd", "%s%s%n", "\ud7ff\U0010ffff",
        "2027-02-30", "9999-99-99", "gwangju", "busan", "select", "approve", "submit", "invite", "remove",
    ]),
    st.just("가" * 20_000),
)
HOSTILE_VALUE = st.one_of(HOSTILE_TEXT, st.lists(HOSTILE_TEXT, min_size=2, max_size=3))


def posted_fields(client, url: str) -> list[str]:
    """The names of the form controls on the page (CSRF token excluded)."""
    page = client.get(url)
    names = sorted(form_fields(page)) if page.status_code == 200 and not page.streaming else []
    return [n for n in names if n != "csrfmiddlewaretoken"]


# URL → who fills that form in the world (the draft's steps are the lead official's).
FORMS = {
    **{f"proposals:step[{step}]": "owner" for step in STEP_KEYS},
    "proposals:create": "owner", "proposals:action": "owner", "proposals:sign_off": "owner",
    "proposals:consortium_invite": "owner", "proposals:consortium_remove": "owner", "proposals:pdf_request": "owner",
    "evaluations:score": "assigned_expert", "evaluations:declare": "assigned_expert",
    "evaluations:comment": "assigned_expert", "evaluations:consulting": "owner", "evaluations:reviewers": "owner",
    "evaluations:reviewers_remove": "owner",
    **{f"evaluations:panel_{action}": "ministry" for action in PANEL_ACTIONS},
    "evaluations:panel_result": "ministry", "evaluations:auto_assign": "ministry",
    "evaluations:zone_panels": "ministry", "evaluations:zone_member": "ministry",
    "evaluations:quality_rules": "ministry", "evaluations:quality_exclude": "ministry",
    "evaluations:feedback_rate": "ministry", "projects:good_faith": "ministry",
    "funding:decision_prepare": "ministry", "funding:decision_approve": "ministry",
    "funding:decision_letter": "ministry", "funding:select": "ministry", "funding:letters": "ministry",
    "programmes:call_create": "ministry", "programmes:call_edit": "ministry", "programmes:call_status": "ministry",
    "login": "anonymous", "password_change": "owner", "password_reset": "anonymous", "profile": "owner",
    "projects:report": "owner", "projects:report_start": "owner",
    "projects:plan_save": "owner", "projects:plan_submit": "owner", "projects:plan_endorse": "ministry",
    "projects:plan_return": "ministry", "projects:plan_approve": "ministry",
    **{f"projects:round_{action}": "ministry" for action in ROUND_ACTIONS},
    "projects:report_part": "owner", "projects:report_save": "owner", "projects:report_submit": "owner",
    "projects:report_attach": "partner", "projects:report_accept": "ministry", "projects:report_return": "ministry",
    "projects:round_create": "ministry", "projects:decide": "ministry", "projects:condition_close": "ministry",
    "reports:call_report": "ministry",
    "programmes:institutions": "ministry", "evaluations:pledge": "assigned_expert",
    # The second factor: an official enrols (no authenticator yet), staff renew their recovery codes; the
    # code page and removal send a verified or a required person on (their refusals: tests/accounts).
    "twofactor_enrol": "owner", "twofactor_codes_renew": "ministry", "login_verify": "ministry",
    "twofactor_remove": "ministry",
    "sessions_end_others": "owner", "session_end": "owner", "daily_digest": "owner",
    # People administration (the owner is Gwangju's regional administrator; the invitee waits) and the
    # invited person's page.
    "people_invite": "admin", "person_role": "admin", "person_access": "owner", "person_deactivate": "owner",
    "person_reset_second_factor": "owner", **{f"person_{action}": "owner" for action in PERSON_ACTIONS},
    "invitation_accept": "anonymous",
    "evaluations:expert_profile": "ministry", "evaluations:expert_export": "ministry",
    "verify_file": "anonymous",
    # The API's pages: a token of one's own (the owner has no second factor to type), an administrator's
    # service accounts (a wrong code is refused and counted; a locked-out administrator is logged out).
    "api_tokens:create": "owner", "api_tokens:revoke": "owner",
    "api_tokens:service_account_create": "admin", "api_tokens:service_account_token_create": "admin",
    # The public boards: the owner asks, edits and withdraws its question; staff answer and write notices.
    "public:ask_question": "owner", "public:question_edit": "owner", "public:question_withdraw": "owner",
    "public:answer_question": "ministry", "public:notice_create": "ministry", "public:notice_edit": "ministry",
    "public:notice_publish": "ministry", "public:notice_pin": "ministry",
    # Grant agreements: staff prepare (the world's exists: its page) and issue; the owner accepts its place.
    "agreements:prepare": "ministry", "agreements:issue": "ministry", "agreements:accept": "owner",
    # --- planning ---
    "programmes:guideline_create": "ministry", "programmes:guideline_revise": "ministry",
    "programmes:guideline_acknowledge": "owner",
    "proposals:theme_create": "owner", "proposals:theme_edit": "owner", "proposals:theme_attach": "owner",
    "proposals:opinion_add": "owner", "proposals:theme_select": "owner", "proposals:selection_sign_off": "partner",
    "proposals:theme_draft": "owner",
    # --- outcomes ---
    "projects:outcome_add": "owner", "projects:outcome_evidence_add": "owner", "projects:outcome_withdraw": "owner",
    "projects:outcome_review": "ministry",
    # --- rounds --- staff take a two-round call's shortlist from the ranking board
    "evaluations:shortlist_take": "ministry", "evaluations:presentation_slot": "ministry",
    "evaluations:presentation_attendance": "ministry",
    # --- stagepanels --- a stage round's automatic plan (settings, then the confirmation of the reviewed plan)
    "projects:round_auto_assign": "ministry",
    # --- amend --- (the request form: tests/agreements/test_amendments.py, on an agreement in force)
    "agreements:amendment_decide": "ministry",
    # --- patents --- (the world's consulting proposal, grown from a final theme)
    "proposals:patents_edit": "ministry", "proposals:patents_answer": "owner", "proposals:theme_drop": "owner",
    # --- payments --- (the world's agreement is not in force: the schedule and carry-over forms are 404 here;
    # their hostile amounts: tests/agreements/test_payments.py)
    "agreements:payment_record": "ministry", "agreements:schedule_generate": "ministry",
    "agreements:carry_over_decide": "ministry",
    # --- feasibility --- staff: expert groups, assigning and returning reviews; the assigned expert: the
    # declaration and the review
    "evaluations:expert_groups": "ministry", "evaluations:expert_group": "ministry",
    "evaluations:expert_group_member": "ministry", "evaluations:expert_group_assign": "ministry",
    "evaluations:theme_reviews": "ministry", "evaluations:theme_review_return": "ministry",
    "evaluations:theme_review_declare": "assigned_expert", "evaluations:theme_review_save": "assigned_expert",
    # --- themes --- staff unassign a review; the expert's pledge bound to a review
    "evaluations:theme_review_unassign": "ministry", "evaluations:theme_review_pledge": "assigned_expert",
    # --- end themes ---
    # --- spending --- (a region's CSV import; the grid and the file on an editable report: tests/projects/test_spending.py)
    "projects:spending_import": "owner",
    # --- scenarios --- staff start a scenario from the ranking, save it, turn it into decisions
    "funding:scenarios": "ministry", "funding:scenario": "ministry", "funding:scenario_decide": "ministry",
    # --- settlement --- (the world's settlement is proposed: staff's items and repayments are refused by its state,
    # the owner answers it; the full flow's hostile amounts: tests/agreements/test_settlement.py)
    "agreements:settlement_item_add": "ministry", "agreements:settlement_item_remove": "ministry",
    "agreements:settlement_move": "owner", "agreements:settlement_repayment": "ministry",
    "agreements:settlement_sanction": "ministry",
    # --- end settlement ---
    # --- money --- staff change a call's amendment thresholds
    "agreements:amendment_policy": "ministry",
    # --- end money ---
}
# The form's page, when the form posts to a URL of its own.
FORM_PAGE = {"evaluations:score": "evaluations:assignment", "evaluations:comment": "evaluations:assignment",
             "evaluations:declare": None, "proposals:action": "proposals:detail", "proposals:sign_off": "proposals:detail",
             "proposals:pdf_request": "proposals:detail",
             "proposals:consortium_invite": "proposals:step[consortium]",
             "proposals:consortium_remove": "proposals:step[consortium]",
             "programmes:call_status": "programmes:call_detail",
             "evaluations:quality_rules": "evaluations:quality", "evaluations:quality_exclude": "evaluations:quality",
             "evaluations:feedback_rate": "evaluations:feedback",
             "evaluations:reviewers_remove": "evaluations:reviewers",
             "sessions_end_others": "sessions", "session_end": "sessions", "daily_digest": "profile",
             "evaluations:expert_export": "evaluations:experts",
             "projects:report_start": "projects:detail", "projects:condition_close": "projects:round",
             **{f"projects:report_{action}": "projects:report"
                for action in ("part", "save", "submit", "accept", "return", "attach")},
             **{f"evaluations:panel_{action}": "evaluations:panel" for action in PANEL_ACTIONS},
             **{f"funding:decision_{action}": "funding:decision" for action in DECISION_ACTIONS},
             **{f"projects:plan_{action}": "projects:plan" for action in PLAN_ACTIONS},
             **{f"projects:round_{action}": "projects:round" for action in ROUND_ACTIONS},
             **{f"person_{action}": "person" for action in PERSON_ACTIONS},
             "public:question_withdraw": "public:my_questions", "public:notice_publish": "public:notice_detail",
             "public:notice_pin": "public:notice_detail",
             "agreements:issue": "agreements:version", "agreements:accept": "agreements:version",
             # --- planning ---
             "programmes:guideline_acknowledge": "programmes:guideline_detail",
             "proposals:theme_attach": "proposals:theme_detail", "proposals:opinion_add": "proposals:selection",
             "proposals:theme_select": "proposals:selection", "proposals:selection_sign_off": "proposals:selection",
             "proposals:theme_draft": "proposals:selection",
             # --- outcomes ---
             **{f"projects:outcome_{action}": "projects:outcomes"
                for action in ("add", "evidence_add", "review", "withdraw")},
             "evaluations:shortlist_take": "evaluations:ranking", "evaluations:presentation_slot": "evaluations:schedule",
             "evaluations:presentation_attendance": "evaluations:schedule",
             "agreements:amendment_decide": "agreements:amendment",
             # --- patents ---
             "proposals:patents_answer": "proposals:patents",
             # --- payments ---
             "agreements:schedule_generate": "agreements:project_money",
             "agreements:carry_over_decide": "agreements:project_money",
             # --- settlement ---
             **{f"agreements:settlement_{name}": "agreements:settlement"
                for name in ("item_add", "item_remove", "move", "repayment", "sanction")},
             # --- end settlement ---
             # --- feasibility ---
             "evaluations:expert_group_member": "evaluations:expert_group",
             "evaluations:expert_group_assign": "evaluations:expert_group",
             "evaluations:theme_review_return": "evaluations:theme_reviews", "evaluations:theme_review_declare": None,
             "evaluations:theme_review_save": "evaluations:theme_review",
             # --- themes ---
             "evaluations:theme_review_unassign": "evaluations:theme_reviews",
             # --- end themes ---
             # --- spending ---
             "projects:spending_import": "projects:report",
             # --- scenarios ---
             "funding:scenario_decide": "funding:scenario"}


@pytest.fixture
def editable(world, official, make_proposal):
    """A draft of the world's lead official, complete but unsigned, for the proposal forms."""
    draft = fill(make_proposal(partners=["jeonnam"], title_ko="편집 중인 과제", title_en="Being edited"), signed=False)
    return draft


# The planning forms (issue 17) are filled in from the world, not from the editable draft.
PLANNING_KEYS = ("proposals:theme_", "proposals:opinion_", "proposals:selection", "proposals:patents")


def form_url(world, draft, key: str) -> str:
    if key.startswith("proposals:") and key != "proposals:create" and not key.startswith(PLANNING_KEYS):
        name, _, step = key.partition("[")
        kwargs = {"pk": draft.pk}
        if step:
            kwargs["step"] = step.rstrip("]")
        return reverse(name, kwargs=kwargs)
    return url_of(world, key)


def hostile_posts(key: str, client, url: str, fields: list[str]) -> list:
    """Malformed posts to one form: none may be a server error; a refused one changes nothing."""
    failures = []

    @hypothesis_settings(max_examples=6, deadline=None, derandomize=True, database=None,
                         suppress_health_check=list(HealthCheck))
    @given(data=st.dictionaries(st.sampled_from(fields), HOSTILE_VALUE, max_size=len(fields)))
    def post(data):
        errors = []

        def record(sender, request, **kwargs):
            errors.append(repr(sys.exc_info()[1])[:200])

        got_request_exception.connect(record)
        try:
            with transaction.atomic():
                before = db_state()
                response = client.post(url, data)
                changed = db_state() != before
                transaction.set_rollback(True)
        finally:
            got_request_exception.disconnect(record)
        if response.status_code >= 500:
            failures.append((key, response.status_code, errors[:1], repr(data)[:200]))
        elif response.status_code == 200 and changed and key not in SAVES_AND_SHOWS:
            failures.append((key, "a refused post changed the database", repr(data)[:200]))

    post()
    return failures


def test_no_malformed_post_to_any_form_is_a_server_error_or_loses_saved_data(settings, world, editable):
    failures = []
    for key, who in FORMS.items():
        client = browser(settings, world.people[who], raise_request_exception=False)
        url = form_url(world, editable, key)
        page = FORM_PAGE.get(key, key)
        names = posted_fields(client, form_url(world, editable, page)) if page else []
        payload_keys = list(PAYLOADS[key](world)) if key in PAYLOADS else []
        fields = sorted(set(names) | set(payload_keys) | {"unexpected"})

        failures += hostile_posts(key, client, url, fields)
    assert failures == [], "\n".join(map(str, failures))


# Forms whose success is a page, not a redirect (their 200 may have saved something).
SAVES_AND_SHOWS = {"login", "password_reset", "profile", "evaluations:expert_profile", "evaluations:expert_export"}


# --- The annual report's actions: the posted part is an id or nothing ------------------------------

BAD_IDS = ["abc", "", " 1", "-1", "1.5", "1e3", "0x1F", "١٢٣", "１２３", "99999999999999999999", SCRIPT]


def test_a_posted_part_that_is_not_an_id_of_the_report_is_a_404_never_a_500(settings, world):
    """The split report views read the posted part through core.params.posted_id: anything but
    the id of one of the report's parts is "no such part"; nothing changes."""
    from projects.models import ReportPart

    url = url_of(world, "projects:report_part")
    foreign = ReportPart.objects.exclude(report__project=world.project).values_list("pk", flat=True).first()
    results = {}
    for who in ("owner", "partner"):
        client = browser(settings, world.people[who], raise_request_exception=False)
        for part in [*BAD_IDS, str(foreign or 10**9)]:
            before = db_state()
            response = client.post(url, {"part": part, "national": "1", "local": "1", "narrative": "x",
                                         "revision": "1"})
            results[(who, part)] = (response.status_code, db_state() == before)
    assert results == dict.fromkeys(results, (404, True))


REPORT_ACTIONS = ["part", "save", "submit", "accept", "return", "attach"]


def test_junk_in_every_field_of_a_report_action_is_never_a_server_error(settings, world):
    """Each action posted to with junk everywhere: a refusal (or, for staff, the move), never a 500.
    One world for every action: each post is rolled back before the next."""
    junk = {name: ["1", "abc"] for name in ("part", "national", "local", "narrative", "revision", "confirm",
                                          "comment", "file", "op")}
    kpis = {f"{kind}-{pk}": "1e309" for kind in ("kpi", "note")
            for pk in world.project.reports.get(year=2023).kpi_results.values_list("pk", flat=True)}
    statuses = {}
    for action in REPORT_ACTIONS:
        who = "ministry" if action in ("accept", "return") else "owner"
        client = browser(settings, world.people[who], raise_request_exception=False)
        with transaction.atomic():
            statuses[action] = client.post(url_of(world, f"projects:report_{action}"), {**junk, **kpis}).status_code
            transaction.set_rollback(True)
    assert {a: code in (302, 400, 403, 404) for a, code in statuses.items()} == dict.fromkeys(REPORT_ACTIONS, True), \
        statuses


# --- The split actions (panel, funding decision, stage round, plan): posted ids are the page's own or nothing ---

ROUND_IDS = {"round_assign": ("evaluation", "expert"), "round_unassign": ("assignment",),
             "round_report": ("evaluation",)}


def test_a_posted_id_that_is_not_one_of_the_round_s_is_a_404_never_a_500(settings, world):
    """The split round views read every posted id through core.params.posted_id: anything but the id
    of one of the round's evaluations or assignments, or of an expert, is "no such object"; nothing
    changes. Every action, on one world."""
    rnd = world.stage_evaluation.round
    valid = {"evaluation": str(world.stage_evaluation.pk), "expert": str(world.people["unassigned_expert"].pk),
             "assignment": str(rnd.assignments.first().pk)}
    foreign = {"evaluation": str(10**9), "expert": str(world.people["owner"].pk),  # not an expert
               "assignment": str(world.evaluation.pk)}  # the call's evaluation, not the round's
    client = browser(settings, world.people["ministry"], raise_request_exception=False)
    results = {}
    for action in sorted(ROUND_IDS):
        for name in ROUND_IDS[action]:
            for bad in [*BAD_IDS, foreign[name]]:
                before = db_state()
                response = client.post(url_of(world, f"projects:{action}"), {**valid, name: bad})
                results[(action, name, bad)] = (response.status_code, db_state() == before)
    assert results == dict.fromkeys(results, (404, True))


PANEL_IDS = {"panel_assign": "expert", "panel_unassign": "assignment", "panel_reopen": "scoresheet",
             "panel_chair": "assignment", "panel_override": "unsuitable"}


def test_a_posted_id_that_is_not_one_of_the_proposal_s_panel_is_a_404_never_a_500(settings, world):
    """The split panel views read the posted expert, assignment or scoresheet through
    core.params.posted_id: anything but the id of an expert, or of the proposal's own
    assignment or scoresheet, is "no such object"; nothing changes. Every action, on one world."""
    foreign = {"expert": str(world.people["owner"].pk),  # not an expert
               "assignment": str(world.consulting.pk),  # another proposal's
               "scoresheet": str(10**9), "unsuitable": str(10**9)}
    client = browser(settings, world.people["ministry"], raise_request_exception=False)
    results = {}
    for action, name in sorted(PANEL_IDS.items()):
        for bad in [*BAD_IDS, foreign[name]]:
            before = db_state()
            response = client.post(url_of(world, f"evaluations:{action}"), {name: bad, "kind": "evaluation",
                                                                            "reason": "의견 보완 요청"})
            results[(action, bad)] = (response.status_code, db_state() == before)
    assert results == dict.fromkeys(results, (404, True))


def test_a_posted_decision_that_is_not_one_of_the_proposal_s_is_a_404_never_a_500(settings, world):
    """The split decision views read the posted decision through core.params.posted_id."""
    client = browser(settings, world.people["ministry"], raise_request_exception=False)
    results = {}
    for action in ("approve", "letter"):
        for bad in [*BAD_IDS, str(10**9)]:
            before = db_state()
            response = client.post(url_of(world, f"funding:decision_{action}"),
                                   {"decision": bad, "confirm": "yes", "language": "en"})
            results[(action, bad)] = (response.status_code, db_state() == before)
    assert results == dict.fromkeys(results, (404, True))


def test_junk_in_every_field_of_a_round_or_plan_action_is_never_a_server_error(settings, world):
    """Each action posted to with junk everywhere (two values per field, one of them not a number):
    a refusal, a form shown back or the move, never a 500. One world: each post is rolled back."""
    actions = [*(f"round_{a}" for a in ROUND_ACTIONS), *(f"plan_{a}" for a in PLAN_ACTIONS)]
    cells = [f"{kind}-{world.people['owner'].region_id}-{year}" for kind in ("national", "local")
             for year in world.plan.year_list]
    junk = {name: ["1", "abc"] for name in ("evaluation", "expert", "assignment", "confirm", "comment", "goals",
                                          "years", "revision", "op", *cells)}
    statuses = {}
    for action in actions:
        who = "owner" if action in ("plan_save", "plan_submit") else "ministry"
        client = browser(settings, world.people[who], raise_request_exception=False)
        with transaction.atomic():
            statuses[action] = client.post(url_of(world, f"projects:{action}"), junk).status_code
            transaction.set_rollback(True)
    assert {a: code in (302, 400, 403, 404) for a, code in statuses.items()} == dict.fromkeys(actions, True), statuses


# --- Numbers that str.isdigit() accepts and int() refuses ----------------------------------------------


def test_a_digit_int_cannot_read_in_a_number_parameter_is_never_a_500(settings, world, editable):
    """"²".isdigit() is true yet int("²") fails: every number read from a request goes through
    core.params, so such a value is "no such number", not a server error. Every number on one world."""
    client = browser(settings, world.people["owner"], raise_request_exception=False)
    staff = browser(settings, world.people["ministry"], raise_request_exception=False)
    statuses = {}
    for number in ["²", "¹²", "①", "٣", "１"]:
        requests = {
            "create?call": client.get(reverse("proposals:create"), {"call": number}),
            "compare?a": client.get(url_of(world, "proposals:compare"), {"a": number, "b": number}),
            "sign_off revision": client.post(url_of(world, "proposals:sign_off"), {"revision": number}),
            "goals expected_revision": client.post(form_url(world, editable, "proposals:step[goals]"),
                                                   {"expected_revision": number, "vision": "x", "goals": "y"}),
            "round_create call": staff.get(reverse("projects:round_create"), {"call": number, "stage_number": number}),
            "proposal list call": client.get(reverse("proposals:list"), {"call": number}),
            "project list call, stage": client.get(reverse("projects:list"), {"call": number, "stage": number}),
            "call list year": client.get(reverse("programmes:call_list"), {"year": number}),
        }
        statuses.update({(number, name): r.status_code for name, r in requests.items()})
    assert {key: code < 500 for key, code in statuses.items()} == dict.fromkeys(statuses, True), statuses


# --- What was typed survives, what was saved stays -----------------------------------------------


def test_an_invalid_overview_keeps_the_saved_title_and_shows_back_what_was_typed(settings, official, proposal):
    client = browser(settings, official)
    url = reverse("proposals:step", args=[proposal.pk, "overview"])
    saved = proposal.title_ko
    typed = f"새 제목 {SCRIPT}"
    response = client.post(url, {"expected_revision": str(proposal.revision), "title_ko": typed, "title_en": "x",
                                 "cooperation_type": ["leap", "super_regional"], "industry": "-1",
                                 "summary": "가" * 20_000, "problem": "-1e309"})

    assert response.status_code == 200
    assert Proposal.objects.get(pk=proposal.pk).title_ko == saved
    field = form_fields(response)["title_ko"]
    assert field["value"] == typed  # shown back, as text (the parser unescaped the attribute)
    assert SCRIPT not in body_of(response)


def test_an_invalid_budget_keeps_the_saved_amounts_and_shows_back_what_was_typed(
    settings, official, complete_proposal
):
    client = browser(settings, official)
    url = reverse("proposals:step", args=[complete_proposal.pk, "budget"])
    before = list(complete_proposal.budget_lines.order_by("pk").values_list("national_won", "local_won"))
    year = complete_proposal.pilot_years()[0]
    response = client.post(url, {"expected_revision": str(complete_proposal.revision), "region": "gwangju",
                                 f"national_{year}": "12abc", f"local_{year}": "-5"})

    assert response.status_code == 200
    assert list(complete_proposal.budget_lines.order_by("pk").values_list("national_won", "local_won")) == before
    fields = form_fields(response)
    assert fields[f"national_{year}"]["value"] == "12abc"


def test_sql_in_a_search_box_is_just_text(settings, official):
    response = browser(settings, official).get(reverse("proposals:list"), {"q": "' OR 1=1 --", "page": "-1"})
    assert response.status_code == 200
    assert not re.search(r"Traceback|OperationalError|DataError", body_of(response))


@pytest.mark.parametrize("where", ["query", "form"])
def test_a_nul_character_in_any_parameter_is_a_400_not_a_database_error(settings, official, where):
    client = browser(settings, official, raise_request_exception=False)
    url = reverse("proposals:list")
    response = client.get(url, {"q": "계획\x00"}) if where == "query" else client.post(
        reverse("proposals:create"), {"title_ko": "제목\x00"})
    assert response.status_code == 400
    assert "NUL" in body_of(response)


def test_the_version_comparison_marks_changes_in_escaped_text():
    """The one place that builds HTML from proposal text (mark_safe) escapes every word it marks."""
    from proposals.services.versions import text_diff

    left, right, changed = text_diff(f"제목 {IMG}", f"제목 {SCRIPT}")

    assert changed
    assert "<script>" not in right and "<img" not in left
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in right and "&lt;img" in left
    assert "<ins>" in right and "<del>" in left


# --- Expert import: files that are not what they say -------------------------------------------

IMPORT_CONTENT = st.one_of(
    st.binary(max_size=600),
    st.lists(st.lists(HOSTILE_TEXT, max_size=6), max_size=5).map(
        lambda rows: "\r\n".join(",".join(cell.replace("\x00", "") for cell in row) for row in rows).encode(
            "utf-8", "surrogatepass")),
    st.sampled_from([b"\xff\xfe\x00u\x00s", b"username,name\r\n\"unterminated", "\ufeff".encode() + b"a" * 5000]),
)


def test_no_malformed_expert_file_is_a_server_error_and_refused_ones_import_nothing(settings, ministry):
    from accounts.models import User

    client = browser(settings, ministry, raise_request_exception=False)
    url = reverse("evaluations:expert_import")
    failures = []

    @hypothesis_settings(max_examples=25, deadline=None, derandomize=True, database=None,
                         suppress_health_check=list(HealthCheck))
    @given(content=IMPORT_CONTENT, name=st.sampled_from(["experts.csv", "experts.xlsx", "experts.txt", "e.xlsx.csv"]))
    def post(content, name):
        with transaction.atomic():
            users = User.objects.count()
            response = client.post(url, {"file": SimpleUploadedFile(name, content)})
            imported = User.objects.count() - users
            transaction.set_rollback(True)
        if response.status_code >= 500 or (response.status_code == 200 and imported and b"imported" not in
                                           response.content):
            failures.append((name, response.status_code, content[:80]))

    post()
    assert failures == []


def test_a_zip_bomb_named_xlsx_is_refused_by_the_expert_import(settings, ministry):
    response = browser(settings, ministry).post(reverse("evaluations:expert_import"),
                                                {"file": SimpleUploadedFile("experts.xlsx", zip_bomb())})
    assert response.status_code == 200
    assert "not a readable" in body_of(response) or "could not be read" in body_of(response)


# --- Results sealed until announced (proposals.disclosure) ---------------------------------------------

# The world's funded proposal is in a call whose results are not announced: its regions read "Under review".
SEALED_PROBES = ["funded", "FUNDED", " funded", "funded ", "Funded", "selected", "reserve", "not_selected",
                 "eligible", "funded' OR '1'='1", "under_review' OR 1=1 --", "pstate-funded", "%", "state", "-state"]


def test_a_tampered_state_filter_or_sort_never_tells_a_region_a_sealed_result(settings, world):
    """Every probe on one world (they only read)."""
    client = browser(settings, world.people["owner"])
    export = reverse("reports:export", kwargs={"dataset": "proposals", "fmt": "csv"})
    for value in SEALED_PROBES:
        for params in ({"state": value}, {"sort": value}, {"state": value, "sort": "-state"}):
            listed = client.get(reverse("proposals:list"), params)
            assert listed.status_code == 200, params
            shown = dict(listed_rows(listed))
            assert shown.get(world.funded.pk) in (None, "under_review"), params
            exported = client.get(export, params)
            assert exported.status_code == 200, params
            rows = list(csv.reader(io.StringIO(body_of(exported).lstrip("\ufeff"))))
            assert {r[rows[0].index("State")] for r in rows[1:] if r[0] == str(world.funded.pk)} <= {
                "Under review"}, params
    # Only the exact sealed value finds it, as "under review".
    found = listed_ids(client.get(reverse("proposals:list"), {"state": "under_review"}))
    assert world.funded.pk in found


# --- The second factor's code page: junk is a message at the field, counted, never a 500 ------------


@pytest.mark.parametrize("code", ["", " ", "0" * 33, SCRIPT, "١٢٣٤٥٦", "１２３４５６", "12;34", "' OR 1=1 --",
                                  "democode01' --", "a" * 32])
def test_junk_typed_as_a_second_factor_code_is_refused_at_the_field(settings, code):
    from django.test import Client

    from tests.factories import MinistryFactory
    from tests.login import csrf_token

    person = MinistryFactory()
    client = Client(raise_request_exception=True)
    page = client.get(reverse("login"))
    response = client.post(reverse("login"), {"username": person.username, "password": PASSWORD,
                                              "csrfmiddlewaretoken": csrf_token(page)})
    verify = client.post(response["Location"], {"code": code, "kind": "recovery"})
    assert verify.status_code == 400
    assert "is-invalid" in verify.content.decode()
    assert client.get("/")["Location"].startswith(reverse("login_verify"))


# --- The public pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/public/calls/abc/", "/public/calls/²/", "/public/calls/-1/",
                                  "/public/calls/1%00/", "/public/calls/99999999999999999999/results/",
                                  "/public/calls/1.5/results/"])
def test_a_public_address_with_an_id_that_is_not_one_is_a_404_never_a_500(path):
    assert Client(raise_request_exception=False).get(path).status_code in (400, 404)


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["abc", "²", "'; DROP TABLE x", "9" * 30, "\u0000", "-3"])
def test_junk_in_the_open_data_s_call_filter_is_an_empty_download_never_a_500(value):
    for name in ("public:open_data_csv", "public:open_data_json"):
        response = Client(raise_request_exception=False).get(reverse(name), {"call": value})
        assert response.status_code in (200, 400), (name, value)


@pytest.mark.django_db
def test_a_draft_call_s_public_pages_are_a_404(ministry):
    from programmes.models import CallStatus
    from tests.factories import CallFactory

    draft = CallFactory(status=CallStatus.DRAFT, created_by=ministry, updated_by=ministry)
    client = Client()
    assert client.get(reverse("public:call", args=[draft.pk])).status_code == 404
    assert client.get(reverse("public:results", args=[draft.pk])).status_code == 404
# --- The public boards: ids in the address, junk in the search box ---------------------------------

PUBLIC_BOARD_URLS = ["/public/calls/{}/questions/", "/public/calls/{}/questions/ask/", "/public/questions/{}/edit/",
                     "/public/questions/{}/answer/", "/public/notices/{}/", "/public/notices/{}/file/",
                     "/public/notices/{}/edit/"]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_a_bad_id_in_a_public_board_address_is_a_404_never_a_500(settings, ministry, bad):
    client = browser(settings, ministry, raise_request_exception=False)
    statuses = {url: client.get(url.format(bad)).status_code for url in PUBLIC_BOARD_URLS}
    assert set(statuses.values()) == {404}, statuses


@pytest.mark.parametrize("search", ["' OR 1=1 --", "가" * 20_000, SCRIPT, "%_%", "\\"])
def test_junk_in_a_public_board_search_is_just_text(settings, call, search):
    client = browser(settings, raise_request_exception=False)
    for url in (reverse("public:call_questions", args=[call.pk]), reverse("public:notices")):
        response = client.get(url, {"q": search, "page": "-1"})
        assert response.status_code == 200
        assert SCRIPT not in body_of(response)


# --- outcomes ---


OUTCOME_BASES = {
    "paper": {"title": "논문", "journal": "Marine Drugs", "issn": "1660-3397", "doi": "10.3390/md77777777",
              "occurred_on": "2024-03-02", "indexed": "yes"},
    "patent": {"title": "발명", "application_number": "10-2024-7777777", "occurred_on": "2024-05-01",
               "country": "KR", "applicants": "광주과학기술원", "inventors": "김민준", "patent_status": "applied"},
    "transfer": {"title": "기술", "partner": "(주)바다", "occurred_on": "2024-05-01", "amount_won": "50,000,000"},
    "startup": {"title": "(주)새싹", "occurred_on": "2024-05-01", "count": "1"},
    "jobs": {"occurred_on": "2024-05-01", "count": "3"},
    "investment": {"partner": "한국벤처투자", "occurred_on": "2024-05-01", "amount_won": "10억"},
}


def test_hostile_values_in_each_type_of_outcome_are_refused_at_the_field_never_a_500(settings, world):
    """Each field of each type's form (projects.services.outcomes.KIND_FIELDS), in an otherwise valid
    post, given hostile text: never a server error; a refused post (400, the form again) saves nothing,
    an accepted one (302) saves one record."""
    from projects.models import OutcomeRecord
    from projects.services.outcomes import KIND_FIELDS

    client = browser(settings, world.people["owner"], raise_request_exception=False)
    url = url_of(world, "projects:outcome_add")
    values = ["", "\x00", "-1", "99999999999999999999999", "1e309", "NaN", "2027-02-30", "9999-99-99", SCRIPT,
              "가" * 400, "10.1/x", "1660-339X", "../../etc/passwd"]
    failures, refused = [], 0
    for kind, spec in KIND_FIELDS.items():
        with transaction.atomic():
            assert client.post(url, {"kind": kind, **OUTCOME_BASES[kind]}).status_code == 302  # the base is valid
            transaction.set_rollback(True)
        for name in spec.fields:
            for bad in values:
                with transaction.atomic():
                    before = OutcomeRecord.objects.count()
                    response = client.post(url, {"kind": kind, **OUTCOME_BASES[kind], name: bad})
                    saved = OutcomeRecord.objects.count() - before
                    transaction.set_rollback(True)
                refused += response.status_code == 400
                if response.status_code not in (302, 400) or saved != (response.status_code == 302):
                    failures.append((kind, name, bad[:20], response.status_code, saved))
    assert failures == []
    assert refused > 100  # most hostile values are refused at their field
