"""Who gets what, for every URL of the portal and every role.

The URL patterns are walked from the root URLconf (admin/ is one block); each
is filled in with real objects of one world and requested by nine people. The
world: a Gwangju (lead) + Jeonnam proposal submitted and eligible, with an
attachment, an expert assigned and cleared, an expert who declared a conflict
and an expert with no assignment; a second Gwangju + Jeonnam proposal in
consulting with a comment; a third selected and funded (decision approved,
letter built, a batch); and a Busan proposal (the other region's own).

EXPECTED holds one row per URL: the status each person gets, in the order of
ROLES ("login" = redirected to the log-in page). POST-only endpoints also get a
POST row; a POST refused leaves every table of the portal's apps unchanged.
Every request runs in a transaction rolled back afterwards, so one cell never
changes the world of the next. A URL pattern without a row fails the test with
its name: a new page must say who may open it.

The read API (/api/v1/, the `api:` routes) has its own table, API_EXPECTED: the same people, each
with a personal access token of their own (every scope) instead of a log-in; anonymous sends none.
A new API route needs one row there (and, if its path names a new kind of id, one entry in
API_PARAMETERS); the test names every API route without a row.

To see the table as it is now (to add a row for a new URL):
ACCESS_MATRIX_PRINT=1 .venv/bin/pytest tests/megaproject/test_access_matrix.py -q -s
"""

import functools
import os
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import UserSession
from accounts.services import notify
from evaluations.models import AssignmentKind
from evaluations.services import assignment_declare, consulting_comment_add
from funding import services as funding_services
from funding.models import AwardLetter
from programmes.models import CallStatus
from proposals.services import attachment_add, proposal_send_to_consulting
from proposals.views import STEP_KEYS
from tests.api.tokens import bearer, token_for
from tests.clock import at
from tests.evaluations.conftest import NO_GROUNDS, assign, clear, criteria_of, fill, make_eligible, make_expert
from tests.factories import CallFactory
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
from tests.login import log_in
from tests.proposals.conftest import PDF, ProposalFactory, before_deadline  # noqa: F401

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "owner", "other_region", "partner", "assigned_expert", "unassigned_expert",
         "conflicted_expert", "ministry", "admin")
APPS = ("programmes", "accounts", "proposals", "evaluations", "funding", "projects", "reports", "audit", "public_pages",
        "agreements")

PANEL_ACTIONS = ("assign", "unassign", "reopen", "chair", "override")
OBJECTION_ACTIONS = ("review", "answer", "close", "assign")
DECISION_ACTIONS = ("prepare", "approve", "letter")
ROUND_ACTIONS = ("assign", "unassign", "start", "report")
PLAN_ACTIONS = ("save", "submit", "endorse", "return", "approve")
OUTCOME_ACTIONS = ("add", "evidence_add", "review", "withdraw")
PERSON_ACTIONS = ("reactivate", "invitation_resend", "invitation_revoke")

# Statuses per role, in the order of ROLES:
#   anon  owner  other partner assigned unassigned conflicted ministry admin
EXPECTED = {
    # --- the portal's frame ---
    # 503 while no Celery worker answers (tests without one); the same for everybody either way.
    "healthz": "200/503 200/503 200/503 200/503 200/503 200/503 200/503 200/503 200/503",
    "healthz_live": "200 200 200 200 200 200 200 200 200",
    "healthz_ready": "200/503 200/503 200/503 200/503 200/503 200/503 200/503 200/503 200/503",
    # The test client comes from 127.0.0.1, inside METRICS_ALLOWED_NETWORKS (tests/megaproject/test_metrics.py).
    "metrics": "200 200 200 200 200 200 200 200 200",
    "set_language": "302 302 302 302 302 302 302 302 302",
    "dashboard": "login 200 200 200 200 200 200 200 200",
    "todos": "login 200 200 200 200 200 200 200 200",
    "dashboard_figure_csv": "login 200 200 200 403 403 403 200 200",
    "verify": "200 200 200 200 200 200 200 200 200",
    # Anyone may check a PDF (nothing is stored; tests/funding/test_signed_letters.py).
    "verify_file": "200 200 200 200 200 200 200 200 200",
    "verify_file [POST]": "200 200 200 200 200 200 200 200 200",
    "admin": "302 302 302 302 302 302 302 302 200",
    # --- the public pages (public/): the same for everybody, logged in or not ---
    "sitemap": "200 200 200 200 200 200 200 200 200",
    "robots_txt": "200 200 200 200 200 200 200 200 200",
    "public:home": "200 200 200 200 200 200 200 200 200",
    "public:call": "200 200 200 200 200 200 200 200 200",
    # The world's call is open: no results yet (the 2023 call's: tests/public_pages/).
    "public:results": "404 404 404 404 404 404 404 404 404",
    "public:open_data": "200 200 200 200 200 200 200 200 200",
    "public:open_data_csv": "200 200 200 200 200 200 200 200 200",
    "public:open_data_json": "200 200 200 200 200 200 200 200 200",
    "public:calendar": "200 200 200 200 200 200 200 200 200",
    "public:privacy": "200 200 200 200 200 200 200 200 200",
    "public:terms": "200 200 200 200 200 200 200 200 200",
    # --- accounts ---
    "login": "200 302 302 302 302 302 302 302 302",
    "logout": "405 405 405 405 405 405 405 405 405",
    "logout [POST]": "302 302 302 302 302 302 302 302 302",
    # Single sign-on: no such page while OIDC_ENABLED is off (here). On, the first redirects
    # everyone to the identity provider and the second answers the provider's redirect
    # (tests/accounts/test_sso.py::test_with_sso_on_the_sso_addresses_redirect_or_refuse_for_everyone).
    "oidc_authentication_init": "404 404 404 404 404 404 404 404 404",
    "oidc_authentication_callback": "404 404 404 404 404 404 404 404 404",
    "profile": "login 200 200 200 200 200 200 200 200",
    "notifications": "login 200 200 200 200 200 200 200 200",
    # My sessions: everybody their own; the session ended is another of the owner's (others: 404).
    "sessions": "login 200 200 200 200 200 200 200 200",
    "sessions_end_others": "405 405 405 405 405 405 405 405 405",
    "daily_digest": "405 405 405 405 405 405 405 405 405",
    "daily_digest [POST]": "login 302 302 302 302 302 302 302 302",
    "sessions_end_others [POST]": "login 302 302 302 302 302 302 302 302",
    "session_end": "405 405 405 405 405 405 405 405 405",
    "session_end [POST]": "login 302 404 404 404 404 404 404 404",
    "notifications_read": "405 405 405 405 405 405 405 405 405",
    "notifications_read [POST]": "login 302 302 302 302 302 302 302 302",
    "password_change": "login 200 200 200 200 200 200 200 200",
    "password_change_done": "login 200 200 200 200 200 200 200 200",
    "password_reset": "200 200 200 200 200 200 200 200 200",
    "password_reset_done": "200 200 200 200 200 200 200 200 200",
    "password_reset_confirm": "302 302 302 302 302 302 302 302 302",
    "password_reset_complete": "200 200 200 200 200 200 200 200 200",
    # The second factor. Everyone here passed the log-in (staff typed their code): the code page sends them on.
    # Officials and experts have no authenticator: they may enrol; staff have one (enrolling again is refused
    # with a message, and only those to whom it is optional may remove it).
    "login_verify": "login 302 302 302 302 302 302 302 302",
    "twofactor_enrol": "login 200 200 200 200 200 200 302 302",
    "twofactor_codes": "login 200 200 200 200 200 200 200 200",
    "twofactor_codes_renew": "login 302 302 302 302 302 302 200 200",
    "twofactor_remove": "login 302 302 302 302 302 302 302 302",
    # People administration: administrators; the owner is also Gwangju's regional administrator, who manages
    # the world's invitee (a Gwangju official whose invitation waits) but never changes a role. The
    # invitation's own page is public (its link is the credential).
    "people": "login 200 403 403 403 403 403 403 200",
    "people_invite": "login 200 403 403 403 403 403 403 200",
    "person": "login 200 403 403 403 403 403 403 200",
    "person_role": "login 403 403 403 403 403 403 403 200",
    "person_access": "login 200 403 403 403 403 403 403 200",
    "person_deactivate": "login 200 403 403 403 403 403 403 200",
    "person_reset_second_factor": "login 200 403 403 403 403 403 403 200",
    **{f"person_{action}": "405 405 405 405 405 405 405 405 405" for action in PERSON_ACTIONS},
    **{f"person_{action} [POST]": "login 302 403 403 403 403 403 403 302" for action in PERSON_ACTIONS},
    "invitation_accept": "200 200 200 200 200 200 200 200 200",
    # --- calls ---
    "programmes:call_list": "login 200 200 200 200 200 200 200 200",
    "programmes:call_create": "login 403 403 403 403 403 403 200 200",
    "programmes:call_detail": "login 200 200 200 200 200 200 200 200",
    "programmes:call_edit": "login 403 403 403 403 403 403 200 200",
    "programmes:call_status": "405 405 405 405 405 405 405 405 405",
    "programmes:call_status [POST]": "login 403 403 403 403 403 403 302 302",
    "programmes:institutions": "login 403 403 403 403 403 403 200 200",
    # --- proposals (the eligible one) ---
    "proposals:list": "login 200 200 200 403 403 403 200 200",
    "proposals:create": "login 200 200 200 403 403 403 403 403",
    "proposals:detail": "login 200 404 200 404 404 404 200 200",
    # Submitted: no step is editable; each sends those who may read the proposal back to it.
    **{f"proposals:step[{step}]": "login 302 404 302 404 404 404 302 302" for step in STEP_KEYS if step != "review"},
    "proposals:step[review]": "login 200 404 200 404 404 404 200 200",
    "proposals:action": "405 405 405 405 405 405 405 405 405",
    "proposals:action [POST]": "login 302 404 302 404 404 404 302 302",
    "proposals:sign_off": "405 405 405 405 405 405 405 405 405",
    "proposals:sign_off [POST]": "login 302 404 302 404 404 404 302 302",
    "proposals:version": "login 200 404 200 404 404 404 200 200",
    "proposals:compare": "login 200 404 200 404 404 404 200 200",
    "proposals:attachment": "login 200 404 200 404 404 404 200 200",
    # The whole proposal as one PDF: asked for by those who may read the proposal; no PDF asked for yet here.
    "proposals:pdf_request": "405 405 405 405 405 405 405 405 405",
    "proposals:pdf_request [POST]": "login 302 404 302 404 404 404 302 302",
    "proposals:pdf_status": "login 404 404 404 404 404 404 404 404",
    "proposals:pdf_download": "login 404 404 404 404 404 404 404 404",
    "proposals:attachment_remove": "405 405 405 405 405 405 405 405 405",
    "proposals:attachment_remove [POST]": "login 302 404 302 404 404 404 302 302",
    # The consortium step's actions (submitted: the proposal can no longer be edited, said on its page).
    "proposals:consortium_invite": "405 405 405 405 405 405 405 405 405",
    "proposals:consortium_invite [POST]": "login 302 404 302 404 404 404 302 302",
    "proposals:consortium_remove": "405 405 405 405 405 405 405 405 405",
    "proposals:consortium_remove [POST]": "login 302 404 302 404 404 404 302 302",
    # --- evaluations ---
    "evaluations:experts": "login 403 403 403 403 403 403 200 200",
    "evaluations:expert_import": "login 403 403 403 403 403 403 200 200",
    # Contact details (personal data): the pool's CSV without them on GET, with them and a purpose on POST
    # (logged); the assigned expert's profile: masked for staff, who reveal with a purpose (POST, logged); the
    # expert reads their own and has nothing to reveal.
    "evaluations:expert_export": "login 403 403 403 403 403 403 200 200",
    "evaluations:expert_export [POST]": "login 403 403 403 403 403 403 200 200",
    "evaluations:expert_profile": "login 403 403 403 200 403 403 200 200",
    "evaluations:expert_profile [POST]": "login 403 403 403 403 403 403 200 200",
    "evaluations:assignments": "login 403 403 403 200 200 200 403 403",
    "evaluations:assignment": "login 404 404 404 200 404 404 404 404",
    # The confidentiality pledge of a call: only its experts (the conflicted one has an assignment on it too).
    "evaluations:pledge": "login 404 404 404 200 404 200 404 404",
    "evaluations:declare": "405 405 405 405 405 405 405 405 405",
    "evaluations:declare [POST]": "login 404 404 404 302 404 404 404 404",
    "evaluations:score": "405 405 405 405 405 405 405 405 405",
    "evaluations:score [POST]": "login 404 404 404 302 404 404 404 404",
    "evaluations:comment": "405 405 405 405 405 405 405 405 405",
    "evaluations:comment [POST]": "login 404 404 404 302 404 404 404 404",
    "evaluations:panel": "login 403 403 403 403 403 403 200 200",
    # The panel page's actions (staff: an expert joins, the cleared one leaves; no scores to reopen).
    **{f"evaluations:panel_{action}": "405 405 405 405 405 405 405 405 405" for action in PANEL_ACTIONS},
    "evaluations:panel_assign [POST]": "login 403 403 403 403 403 403 302 302",
    "evaluations:panel_unassign [POST]": "login 403 403 403 403 403 403 302 302",
    "evaluations:panel_reopen [POST]": "login 403 403 403 403 403 403 404 404",
    "evaluations:panel_chair [POST]": "login 403 403 403 403 403 403 302 302",
    # Nobody named an unsuitable reviewer in this world: the override asks for an entry there is none of.
    "evaluations:panel_override [POST]": "login 403 403 403 403 403 403 404 404",
    # The applicant's reviewer list: the lead region names, its partner and staff read, experts never.
    # The world's proposal has its panel: a post is refused with the reason on the page (400).
    "evaluations:reviewers": "login 200 404 200 404 404 404 200 200",
    "evaluations:reviewers [POST]": "login 400 404 403 404 404 404 403 403",
    "evaluations:reviewers_remove": "405 405 405 405 405 405 405 405 405",
    "evaluations:reviewers_remove [POST]": "login 404 404 403 404 404 404 403 403",
    "evaluations:panel_result": "login 403 403 403 403 403 403 200 200",
    "evaluations:panel_result [POST]": "login 403 403 403 403 403 403 302 302",
    "evaluations:consulting": "login 200 404 200 404 404 404 200 200",
    "evaluations:feedback": "login 403 404 403 404 404 404 200 200",
    "evaluations:auto_assign": "login 403 403 403 403 403 403 200 200",
    "evaluations:ranking": "login 403 403 403 403 403 403 200 200",
    "evaluations:progress": "login 403 403 403 403 403 403 200 200",
    # Objections (the 2023 call's results are announced; its not-selected proposal's objection is lodged:
    # staff start the review or dismiss it; closing a re-evaluation there is none of is refused at its
    # form; a re-evaluation panel without an upheld objection is refused, said on the objection's page).
    "evaluations:objection": "login 200 404 200 404 404 404 200 200",
    "evaluations:objections": "login 403 403 403 403 403 403 200 200",
    "evaluations:objection_detail": "login 403 403 403 403 403 403 200 200",
    **{f"evaluations:objection_{action}": "405 405 405 405 405 405 405 405 405" for action in OBJECTION_ACTIONS},
    "evaluations:objection_review [POST]": "login 403 403 403 403 403 403 302 302",
    "evaluations:objection_answer [POST]": "login 403 403 403 403 403 403 302 302",
    "evaluations:objection_close [POST]": "login 403 403 403 403 403 403 400 400",
    "evaluations:objection_assign [POST]": "login 403 403 403 403 403 403 302 302",
    "evaluations:objection_attachment": "login 200 404 200 404 404 404 200 200",
    # The evaluator quality record (staff) and the ratings of the comments (the lead region, once announced:
    # the world's call is not; no sheet of that number).
    "evaluations:quality": "login 403 403 403 403 403 403 200 200",
    "evaluations:quality_rules": "405 405 405 405 405 405 405 405 405",
    "evaluations:quality_rules [POST]": "login 403 403 403 403 403 403 302 302",
    "evaluations:quality_exclude": "405 405 405 405 405 405 405 405 405",
    "evaluations:quality_exclude [POST]": "login 403 403 403 403 403 403 302 302",
    "evaluations:feedback_rate": "405 405 405 405 405 405 405 405 405",
    "evaluations:feedback_rate [POST]": "login 403 404 403 404 404 404 404 404",
    # --- funding (the funded proposal; its call's results are not announced yet: sealed for the regions,
    # SEALED_UNTIL_ANNOUNCED below says what they get once announced) ---
    "funding:selection": "login 403 403 403 403 403 403 200 200",
    "funding:letters": "login 403 403 403 403 403 403 200 200",
    "funding:decision": "login 404 404 404 404 404 404 200 200",
    # The decision page's actions (the world's decision is approved: staff are told why nothing changes;
    # the English letter is built).
    **{f"funding:decision_{action}": "405 405 405 405 405 405 405 405 405" for action in DECISION_ACTIONS},
    "funding:decision_prepare [POST]": "login 404 404 404 404 404 404 400 400",
    "funding:decision_approve [POST]": "login 404 404 404 404 404 404 302 302",
    "funding:decision_letter [POST]": "login 404 404 404 404 404 404 302 302",
    "funding:batch_progress": "login 403 403 403 403 403 403 200 200",
    "funding:letter_status": "login 404 404 404 404 404 404 200 200",
    "funding:letter_download": "login 404 404 404 404 404 404 200 200",
    "funding:letter_retry": "405 405 405 405 405 405 405 405 405",
    "funding:letter_retry [POST]": "login 403 403 403 403 403 403 302 302",
    # --- reports (exports: an official's own, scoped to their region; the job is its requester's) ---
    "reports:exports": "login 200 200 200 403 403 403 200 200",
    "reports:export": "login 200 200 200 403 403 403 200 200",
    "reports:job": "login 200 404 404 404 404 404 200 200",
    "reports:job_progress": "login 200 404 404 404 404 404 200 200",
    "reports:job_download": "login 200 404 404 404 404 404 200 200",
    "reports:call_report": "login 403 403 403 403 403 403 200 200",
    "reports:call_report_status": "login 403 403 403 403 403 403 200 200",
    "reports:call_report_download": "login 403 403 403 403 403 403 200 200",
    # --- funded projects (the 2023 project: its report, round, condition, plan, stage report) ---
    "projects:list": "login 200 200 200 403 403 403 200 200",
    "projects:detail": "login 200 404 200 404 404 404 200 200",
    "projects:report_start": "405 405 405 405 405 405 405 405 405",
    "projects:report_start [POST]": "login 302 404 403 404 404 404 302 302",  # staff may open a report too
    "projects:report": "login 200 404 200 404 404 404 200 200",
    # The report page's actions (the world's report is submitted: the regions' edits are refused by its
    # state, staff review it).
    **{f"projects:report_{action}": "405 405 405 405 405 405 405 405 405"
       for action in ("part", "save", "submit", "accept", "return", "attach")},
    "projects:report_part [POST]": "login 400 404 403 404 404 404 403 403",
    "projects:report_save [POST]": "login 400 404 403 404 404 404 403 403",
    "projects:report_submit [POST]": "login 302 404 302 404 404 404 302 302",
    "projects:report_accept [POST]": "login 403 404 403 404 404 404 302 302",
    "projects:report_return [POST]": "login 403 404 403 404 404 404 302 302",
    "projects:report_attach [POST]": "login 400 404 400 404 404 404 403 403",
    "projects:attachment": "login 200 404 200 404 404 404 200 200",
    "projects:condition_close": "405 405 405 405 405 405 405 405 405",
    "projects:condition_close [POST]": "login 403 404 403 404 404 404 302 302",
    "projects:rounds": "login 403 403 403 403 403 403 200 200",
    "projects:round_create": "login 403 403 403 403 403 403 200 200",
    "projects:round": "login 403 403 403 403 403 403 200 200",
    # The round page's actions (the world's round is scoring and its project decided: staff are told
    # why nothing changes, on the round's page).
    **{f"projects:round_{action}": "405 405 405 405 405 405 405 405 405" for action in ROUND_ACTIONS},
    **{f"projects:round_{action} [POST]": "login 403 403 403 403 403 403 302 302" for action in ROUND_ACTIONS},
    "projects:decide": "login 403 403 403 403 403 403 302 302",  # decided already: back to the round
    "projects:good_faith": "login 403 403 403 403 403 403 200 200",
    "projects:stage_report_status": "login 200 404 200 404 404 404 200 200",
    "projects:stage_report_download": "login 200 404 200 404 404 404 200 200",
    "projects:plan": "login 200 404 200 404 404 404 200 200",
    # The plan page's actions (the world's plan is a draft: a region saves and the lead region submits;
    # endorsing, returning and approving a draft are refused by its state, on the plan's page).
    **{f"projects:plan_{action}": "405 405 405 405 405 405 405 405 405" for action in PLAN_ACTIONS},
    "projects:plan_save [POST]": "login 302 404 302 404 404 404 403 403",
    "projects:plan_submit [POST]": "login 302 404 403 404 404 404 403 403",
    "projects:plan_endorse [POST]": "login 302 404 302 404 404 404 302 302",
    "projects:plan_return [POST]": "login 302 404 302 404 404 404 302 302",
    "projects:plan_approve [POST]": "login 302 404 302 404 404 404 302 302",
    # --- the audit trail (read-only: GET only, staff only) ---
    "audit:trail": "login 403 403 403 403 403 403 200 200",
    "audit:export_csv": "login 403 403 403 403 403 403 200 200",
    # The access log of personal data: administrators only.
    "audit:personal_data": "login 403 403 403 403 403 403 403 200",
    "audit:personal_data_csv": "login 403 403 403 403 403 403 403 200",
    # --- the API's pages (api/; the API itself is walked by its own rows) ---
    "api_tokens:about": "200 200 200 200 200 200 200 200 200",
    # Everybody their own tokens; the revoked one is the owner's (a person's token: 404 even to an administrator).
    "api_tokens:list": "login 200 200 200 200 200 200 200 200",
    "api_tokens:create": "login 200 200 200 200 200 200 200 200",
    "api_tokens:revoke": "login 200 404 404 404 404 404 404 404",
    # Service accounts: administrators only.
    "api_tokens:service_accounts": "login 403 403 403 403 403 403 403 200",
    "api_tokens:service_account_create": "login 403 403 403 403 403 403 403 200",
    "api_tokens:service_account": "login 403 403 403 403 403 403 403 200",
    "api_tokens:service_account_token_create": "login 403 403 403 403 403 403 403 200",
    # --- the public boards (public/board_views.py): a call's answered questions and the published notices
    # for everybody; officials ask (the owner's question waits: only the owner edits or withdraws it, anyone
    # else is told there is no such question); staff answer and write notices ---
    "public:call_questions": "200 200 200 200 200 200 200 200 200",
    "public:ask_question": "login 200 200 200 403 403 403 403 403",
    "public:my_questions": "login 200 200 200 403 403 403 403 403",
    "public:question_edit": "login 200 404 404 404 404 404 404 404",
    "public:question_withdraw": "405 405 405 405 405 405 405 405 405",
    "public:question_withdraw [POST]": "login 302 404 404 404 404 404 404 404",
    "public:question_queue": "login 403 403 403 403 403 403 200 200",
    "public:answer_question": "login 403 403 403 403 403 403 200 200",
    "public:notices": "200 200 200 200 200 200 200 200 200",
    "public:notice_create": "login 403 403 403 403 403 403 200 200",
    "public:notice_detail": "200 200 200 200 200 200 200 200 200",
    "public:notice_attachment": "200 200 200 200 200 200 200 200 200",
    "public:notice_edit": "login 403 403 403 403 403 403 200 200",
    **{f"public:notice_{action}": "405 405 405 405 405 405 405 405 405" for action in ("publish", "pin")},
    **{f"public:notice_{action} [POST]": "login 403 403 403 403 403 403 302 302" for action in ("publish", "pin")},
    # --- agreements --- (the world's project has version 1 issued, its PDF built; the posts accept
    # Gwangju's place (the owner's) and issue again (refused: already issued))
    "agreements:prepare": "login 403 404 403 404 404 404 302 302",  # staff: it exists → its page
    "agreements:version": "login 200 404 200 404 404 404 200 200",
    "agreements:issue": "405 405 405 405 405 405 405 405 405",
    "agreements:issue [POST]": "login 403 404 403 404 404 404 302 302",
    "agreements:accept": "405 405 405 405 405 405 405 405 405",
    "agreements:accept [POST]": "login 302 404 403 404 404 404 403 403",
    "agreements:download": "login 200 404 200 404 404 404 200 200",
    # --- planning ---
    # Planning guidelines (a call with a planning period): staff publish and revise; everyone logged in
    # reads them; the officials of eligible regions (every region here) acknowledge.
    "programmes:guideline_create": "login 403 403 403 403 403 403 200 200",
    "programmes:guideline_detail": "login 200 200 200 200 200 200 200 200",
    "programmes:guideline_revise": "login 403 403 403 403 403 403 200 200",
    "programmes:guideline_acknowledge": "405 405 405 405 405 405 405 405 405",
    "programmes:guideline_acknowledge [POST]": "login 302 302 302 403 403 403 403 403",
    "programmes:guideline_file": "login 200 200 200 200 200 200 200 200",
    # Candidate themes (phase 1): the owner's Gwangju + Jeonnam theme; another region gets a 404, experts see
    # none; staff read every theme but only regions edit them (while discovery is open, as here).
    "proposals:theme_list": "login 200 200 200 403 403 403 200 200",
    "proposals:theme_create": "login 200 200 200 403 403 403 403 403",
    # (the assigned expert reviews the theme, pledged and declared: they read it and its files, and are refused
    # the regions' acts on it with a 403 — block themes)
    "proposals:theme_detail": "login 200 404 200 200 404 404 200 200",
    "proposals:theme_edit": "login 200 404 200 403 404 404 403 403",
    "proposals:theme_attach": "405 405 405 405 405 405 405 405 405",
    "proposals:theme_attach [POST]": "login 302 404 302 403 404 404 403 403",
    "proposals:theme_attachment": "login 200 404 200 200 404 404 200 200",
    # Theme selection (phase 2): officials of eligible regions record opinions; the lead region selects
    # among its own candidate themes (another region has none to choose: 400); partners sign off.
    "proposals:selection": "login 200 200 200 403 403 403 403 403",
    "proposals:opinion_add": "405 405 405 405 405 405 405 405 405",
    "proposals:opinion_add [POST]": "login 302 302 302 403 403 403 403 403",
    "proposals:theme_select": "405 405 405 405 405 405 405 405 405",
    "proposals:theme_select [POST]": "login 302 400 400 403 403 403 403 403",
    "proposals:selection_sign_off": "405 405 405 405 405 405 405 405 405",
    "proposals:selection_sign_off [POST]": "login 302 404 302 403 404 404 403 403",
    "proposals:opinion_minutes": "login 200 404 404 404 404 404 200 200",
    # The final theme becomes the proposal draft (phase 3): the lead region only (here the theme is not
    # selected yet: the owner is told so on the theme's page).
    "proposals:theme_draft": "405 405 405 405 405 405 405 405 405",
    "proposals:theme_draft [POST]": "login 302 404 403 403 404 404 403 403",
    # --- outcomes ---
    # A project's outcomes: whoever sees the project reads them and their evidence; a participating region
    # reports (the world's outcome is the owner's: the partner may not attach to it or withdraw it); staff review.
    "projects:outcomes": "login 200 404 200 404 404 404 200 200",
    "projects:outcome_dashboard": "login 200 200 200 403 403 403 200 200",
    "projects:outcome_evidence": "login 200 404 200 404 404 404 200 200",
    **{f"projects:outcome_{action}": "405 405 405 405 405 405 405 405 405" for action in OUTCOME_ACTIONS},
    "projects:outcome_add [POST]": "login 302 404 302 404 404 404 403 403",
    "projects:outcome_evidence_add [POST]": "login 302 404 403 404 404 404 403 403",
    "projects:outcome_review [POST]": "login 403 404 403 404 404 404 302 302",
    "projects:outcome_withdraw [POST]": "login 302 404 403 404 404 404 403 403",
    # --- zones --- the world's call has no zones: staff read the empty state; a member there is none of is a 404
    "evaluations:zone_panels": "login 403 403 403 403 403 403 200 200",
    "evaluations:zone_member": "405 405 405 405 405 405 405 405 405",
    "evaluations:zone_member [POST]": "login 403 403 403 403 403 403 404 404",
    # --- rounds --- staff take a two-round call's shortlist (the world's call has one round: refused, back to the board)
    "evaluations:shortlist_take": "405 405 405 405 405 405 405 405 405",
    "evaluations:shortlist_take [POST]": "login 403 403 403 403 403 403 302 302",
    # the presentation schedule (staff), the invitation (staff and the regions taking part, before the results
    # too), an expert's own calendar of presentations; the world's call has no presentation dates (slot refused: 400)
    "evaluations:schedule": "login 403 403 403 403 403 403 200 200",
    "evaluations:presentation": "login 200 404 200 404 404 404 200 200",
    "evaluations:presentation_slot": "405 405 405 405 405 405 405 405 405",
    "evaluations:presentation_slot [POST]": "login 403 403 403 403 403 403 400 400",
    "evaluations:presentation_attendance": "405 405 405 405 405 405 405 405 405",
    "evaluations:presentation_attendance [POST]": "login 403 403 403 403 403 403 302 302",
    "evaluations:presentations_ics": "login 403 403 403 200 200 200 403 403",
    # --- boards --- (a proposal's selection decision on its own page, opened from the selection board)
    "funding:select": "login 403 403 403 403 403 403 200 200",
    "funding:select [POST]": "login 403 403 403 403 403 403 302 302",
    # --- planning2 ---
    # Where every region stands in a call's planning period, and its CSV: staff only.
    "proposals:planning_status": "login 403 403 403 403 403 403 200 200",
    "proposals:planning_status_csv": "login 403 403 403 403 403 403 200 200",
    # --- stagepanels --- (a stage round's automatic panel plan: staff only)
    "projects:round_auto_assign": "login 403 403 403 403 403 403 200 200",
    # --- amend --- (the world's version is issued, not in force: the owner (the lead region) may request, but
    # there is nothing in force to amend → 404; an amendment row and its PDF attachment are stored)
    "agreements:amend": "login 404 404 403 404 404 404 403 403",
    "agreements:amendment": "login 200 404 200 404 404 404 200 200",
    "agreements:amendment_attachment": "login 200 404 200 404 404 404 200 200",
    "agreements:amendment_decide": "405 405 405 405 405 405 405 405 405",
    "agreements:amendment_decide [POST]": "login 403 404 403 404 404 404 302 302",  # staff endorse it
    "agreements:compare": "login 404 404 404 404 404 404 404 404",  # one version: nothing to compare
    # --- patents --- (the consulting proposal grew from a final theme; staff wrote its patent analysis with a
    # file: whoever reads the proposal and the cleared consulting expert read it; staff and that expert write
    # it, the regions taking part answer it; the lead region drops its candidate theme on a page of its own)
    "proposals:patents": "login 200 404 200 200 404 404 200 200",
    "proposals:patents_edit": "login 403 404 403 200 404 404 200 200",
    "proposals:patents_edit [POST]": "login 403 404 403 302 404 404 302 302",
    "proposals:patents_answer": "405 405 405 405 405 405 405 405 405",
    "proposals:patents_answer [POST]": "login 302 404 302 403 404 404 403 403",
    "proposals:patents_file": "login 200 404 200 200 404 404 200 200",
    "proposals:theme_drop": "login 200 404 403 403 404 404 403 403",
    "proposals:theme_drop [POST]": "login 302 404 403 403 404 404 403 403",
    # --- payments --- (the world's version is issued, not in force; its schedule rows are stored: a national
    # instalment, Gwangju's local one, and a carry-over requested. The money page is read by whoever sees the
    # project; staff may open the national instalment's payment page, a post is refused (not in force) with the
    # reason; the schedule and the carry-over form need an agreement in force: 404 for those who may act)
    "agreements:project_money": "login 200 404 200 404 404 404 200 200",
    "agreements:schedule": "login 403 404 403 404 404 404 404 404",
    "agreements:schedule_generate": "405 405 405 405 405 405 405 405 405",
    "agreements:schedule_generate [POST]": "login 403 404 403 404 404 404 302 302",
    "agreements:payment_record": "login 403 404 403 404 404 404 200 200",
    "agreements:payment_record [POST]": "login 403 404 403 404 404 404 400 400",
    "agreements:carry_over": "login 404 404 403 404 404 404 403 403",
    "agreements:carry_over_decide": "405 405 405 405 405 405 405 405 405",
    "agreements:carry_over_decide [POST]": "login 403 404 403 404 404 404 302 302",
    # --- feasibility --- (the planning call's expert group with the assigned expert as its chair; their
    # feasibility review of the owner's theme, declared and in draft: returning it is refused, 400)
    "evaluations:expert_groups": "login 403 403 403 403 403 403 200 200",
    "evaluations:expert_groups [POST]": "login 403 403 403 403 403 403 302 302",
    "evaluations:expert_group": "login 403 403 403 403 403 403 200 200",
    "evaluations:expert_group_member": "405 405 405 405 405 405 405 405 405",
    "evaluations:expert_group_member [POST]": "login 403 403 403 403 403 403 302 302",
    "evaluations:expert_group_assign": "405 405 405 405 405 405 405 405 405",
    "evaluations:expert_group_assign [POST]": "login 403 403 403 403 403 403 302 302",
    "evaluations:theme_reviews": "login 403 403 403 403 403 403 200 200",
    "evaluations:theme_reviews [POST]": "login 403 403 403 403 403 403 302 302",
    "evaluations:theme_review_return": "405 405 405 405 405 405 405 405 405",
    "evaluations:theme_review_return [POST]": "login 403 403 403 403 403 403 400 400",
    "evaluations:my_theme_reviews": "login 403 403 403 200 200 200 403 403",
    "evaluations:theme_review": "login 403 403 403 200 404 404 403 403",
    "evaluations:theme_review_declare": "405 405 405 405 405 405 405 405 405",
    "evaluations:theme_review_declare [POST]": "login 403 403 403 400 404 404 403 403",
    "evaluations:theme_review_save": "405 405 405 405 405 405 405 405 405",
    "evaluations:theme_review_save [POST]": "login 403 403 403 302 404 404 403 403",
    # --- themes --- (the review's own pledge page: its expert only, here already signed; staff unassign the
    # world's draft review with a reason)
    "evaluations:theme_review_pledge": "login 403 403 403 200 404 404 403 403",
    "evaluations:theme_review_pledge [POST]": "login 403 403 403 200 404 404 403 403",
    "evaluations:theme_review_unassign": "405 405 405 405 405 405 405 405 405",
    "evaluations:theme_review_unassign [POST]": "login 403 403 403 403 403 403 302 302",
    # --- end themes ---
    # --- spending --- (a region's CSV import into its own part; the world's report is submitted: the owner's
    # import is refused by its state, the partner may not touch the owner's part, staff import nothing)
    "projects:spending_import": "405 405 405 405 405 405 405 405 405",
    "projects:spending_import [POST]": "login 400 404 403 404 404 404 403 403",
    # --- scenarios --- (cut-line scenarios of the world's call: staff only; the world's scenario selects nothing,
    # so turning it into decisions is refused with its reason, back to its page; the comparison without the two
    # scenarios asked for is a 404)
    "funding:scenarios": "login 403 403 403 403 403 403 200 200",
    "funding:scenarios [POST]": "login 403 403 403 403 403 403 302 302",
    "funding:scenario_compare": "login 403 403 403 403 403 403 404 404",
    "funding:scenario": "login 403 403 403 403 403 403 200 200",
    # --- settlement --- (the world's 2023 settlement, written straight to the models: proposed to the owner (the
    # lead region) with a national item; its statement asked for, not built. The regions of the project read it,
    # the owner accepts it (a partner may not answer: 403); staff only list, open (it exists: told, back to its
    # page), add items (refused while proposed: 400), record repayments and sanctions (refused until confirmed: 400);
    # the PDF not ready yet is a 403 to those who may download it)
    "agreements:settlements": "login 403 403 403 403 403 403 200 200",
    "agreements:settlement": "login 200 404 200 404 404 404 200 200",
    "agreements:settlement_open": "405 405 405 405 405 405 405 405 405",
    "agreements:settlement_open [POST]": "login 403 404 403 404 404 404 302 302",
    "agreements:settlement_item_add": "405 405 405 405 405 405 405 405 405",
    "agreements:settlement_item_add [POST]": "login 403 404 403 404 404 404 400 400",
    "agreements:settlement_item_remove": "405 405 405 405 405 405 405 405 405",
    "agreements:settlement_item_remove [POST]": "login 403 404 403 404 404 404 302 302",
    "agreements:settlement_move": "405 405 405 405 405 405 405 405 405",
    "agreements:settlement_move [POST]": "login 302 404 403 404 404 404 403 403",
    "agreements:settlement_repayment": "405 405 405 405 405 405 405 405 405",
    "agreements:settlement_repayment [POST]": "login 403 404 403 404 404 404 400 400",
    "agreements:settlement_sanction": "405 405 405 405 405 405 405 405 405",
    "agreements:settlement_sanction [POST]": "login 403 404 403 404 404 404 400 400",
    "agreements:settlement_download": "login 403 404 403 404 404 404 403 403",
    # --- end settlement ---
    "funding:scenario [POST]": "login 403 403 403 403 403 403 302 302",
    "funding:scenario_decide": "405 405 405 405 405 405 405 405 405",
    "funding:scenario_decide [POST]": "login 403 403 403 403 403 403 302 302",
    # --- money --- (a call's amendment thresholds: staff read and change them, everyone else is refused)
    "agreements:amendment_policy": "login 403 403 403 403 403 403 200 200",
    "agreements:amendment_policy [POST]": "login 403 403 403 403 403 403 302 302",
    # --- end money ---
}

# --- The read API: statuses per role, each person with a token of their own (all scopes) ---------------
# Every operation answers anonymous (no token) 401, and every refusal is a problem detail
# (application/problem+json). The schema and its documentation page are public on purpose: they
# describe the API and hold no data, and another system reads them before it has a token.
# An object the person cannot see on the pages is a 404 here too (the same selectors).
#   anon  owner  other partner assigned unassigned conflicted ministry admin
API_EXPECTED = {
    # ninja's root: no page of its own (its URL only anchors the operations' paths).
    "api:api-root": "404 404 404 404 404 404 404 404 404",
    "api:openapi-json": "200 200 200 200 200 200 200 200 200",
    "api:openapi-view": "200 200 200 200 200 200 200 200 200",
    # Calls: as the call list and call page (the world's call is open: everyone logged in sees it).
    "api:list_calls": "401 200 200 200 200 200 200 200 200",
    "api:get_call": "401 200 200 200 200 200 200 200 200",
    # Proposals and their consulting and evaluation summaries: as the proposal page (an expert reads
    # their own assignments only; the evaluation summary answers a region with its figures sealed).
    "api:list_proposals": "401 200 200 200 200 200 200 200 200",
    "api:get_proposal": "401 200 404 200 404 404 404 200 200",
    "api:get_proposal_version": "401 200 404 200 404 404 404 200 200",
    "api:get_proposal_consulting": "401 200 404 200 404 404 404 200 200",
    "api:get_proposal_evaluation": "401 200 404 200 404 404 404 200 200",
    "api:list_my_assignments": "401 200 200 200 200 200 200 200 200",
    # Funding and projects: an expert cannot hold these scopes (api.scopes.scopes_for) → 403.
    "api:list_decisions": "401 200 200 200 403 403 403 200 200",
    "api:get_decision": "401 404 404 404 403 403 403 200 200",
    "api:get_letter_facts": "401 200 200 200 403 403 403 200 200",
    "api:list_projects": "401 200 200 200 403 403 403 200 200",
    "api:get_project": "401 200 404 200 403 403 403 200 200",
}

# The rows of API_EXPECTED that change for the regions once the world's call announces its results
# (like SEALED_UNTIL_ANNOUNCED for the pages).
API_SEALED_UNTIL_ANNOUNCED: dict[str, str] = {
    "api:get_decision": "401 200 404 200 403 403 403 200 200",
}

# The API's path parameters by name, filled in from the world: a new route whose parameters are
# named here needs nothing but its row in API_EXPECTED.
API_PARAMETERS = {
    "call_id": lambda w: w.call.pk,
    "proposal_id": lambda w: w.eligible.pk,
    "decision_id": lambda w: w.letter.decision_id,
    "letter_id": lambda w: w.letter.pk,
    "project_id": lambda w: w.project.pk,
    "report_id": lambda w: w.project.reports.order_by("pk").first().pk,
    "year": lambda w: 2023,
    "evaluation_id": lambda w: w.stage_evaluation.pk,
    "plan_id": lambda w: w.plan.pk,
    "assignment_id": lambda w: w.evaluation.pk,
    "version": lambda w: 1,
    "code": lambda w: w.letter.verification_code,
    "number": lambda w: 1,
}

# Results sealed until announced (proposals.disclosure): the rows of EXPECTED that change for the
# regions once the world's call announces its results. Before, the regions get the rows above.
SEALED_UNTIL_ANNOUNCED = {
    "public:results": "200 200 200 200 200 200 200 200 200",
    "funding:decision": "login 200 404 200 404 404 404 200 200",
    "funding:decision_prepare [POST]": "login 403 404 403 404 404 404 400 400",
    "funding:decision_approve [POST]": "login 403 404 403 404 404 404 302 302",
    "funding:decision_letter [POST]": "login 403 404 403 404 404 404 302 302",
    "funding:letter_status": "login 200 404 200 404 404 404 200 200",
    "funding:letter_download": "login 200 404 200 404 404 404 200 200",
    "evaluations:feedback": "login 200 404 200 404 404 404 200 200",
}

# What a POST to each POST-only endpoint carries: a change its owner could make.
PAYLOADS = {
    "logout": lambda w: {},
    "public:question_withdraw": lambda w: {},
    "public:notice_publish": lambda w: {"published": "0"},
    "public:notice_pin": lambda w: {"pinned": "1"},
    "verify_file": lambda w: {"document": SimpleUploadedFile("letter.pdf", b"%PDF-1.7 not one of ours")},
    "notifications_read": lambda w: {},
    "sessions_end_others": lambda w: {"confirm": "yes"},
    "daily_digest": lambda w: {"daily_digest": "on"},
    "session_end": lambda w: {"confirm": "yes"},
    **{f"person_{action}": lambda w: {} for action in PERSON_ACTIONS},
    "programmes:call_status": lambda w: {"status": "closed"},
    "proposals:action": lambda w: {"action": "start_revising", "confirm": "yes"},
    "proposals:sign_off": lambda w: {"revision": str(w.eligible.revision)},
    "proposals:attachment_remove": lambda w: {},
    "proposals:pdf_request": lambda w: {},
    "proposals:consortium_invite": lambda w: {"region": "busan"},
    "evaluations:objection_review": lambda w: {},
    "evaluations:objection_answer": lambda w: {"action": "dismiss", "answer": "절차상 하자가 없습니다.", "confirm": "on"},
    "evaluations:objection_close": lambda w: {"reevaluation_result": "원 결과 유지", "confirm": "on"},
    "evaluations:objection_assign": lambda w: {"expert": str(w.people["unassigned_expert"].pk)},
    "proposals:consortium_remove": lambda w: {"region": "jeonnam"},
    "evaluations:declare": lambda w: {"decision": "none", **NO_GROUNDS},
    "evaluations:score": lambda w: {f"score-{w.criterion.pk}": "7", f"comment-{w.criterion.pk}": "근거가 충분한 의견입니다. 보완 필요.",
                                    "draft": "1"},
    "evaluations:comment": lambda w: {"section": "goals", "text": "목표 지표의 근거를 보완해 주십시오."},
    "evaluations:panel_result": lambda w: {"consensus_comment": "패널 의견", "decision_reason": ""},
    "evaluations:panel_assign": lambda w: {"expert": str(w.people["unassigned_expert"].pk), "kind": "evaluation"},
    "evaluations:panel_unassign": lambda w: {"assignment": str(w.evaluation.pk)},
    # Nobody scored in this world: the reopen asks for a scoresheet there is none of.
    "evaluations:panel_reopen": lambda w: {"scoresheet": str(10**9), "reason": "의견 보완 요청"},
    "evaluations:quality_rules": lambda w: {"max_late_submissions": "2", "max_reopens": "1", "max_mean_abs_z": "1.5",
                                            "min_comment_length": "20", "min_average_rating": "2.5"},
    "evaluations:quality_exclude": lambda w: {"expert": str(w.people["unassigned_expert"].pk), "reason": "평가 품질 미흡"},
    "evaluations:feedback_rate": lambda w: {"scoresheet": str(10**9), "value": "4"},
    "evaluations:panel_chair": lambda w: {"assignment": str(w.evaluation.pk)},
    "evaluations:shortlist_take": lambda w: {"confirm": "on"},
    "evaluations:presentation_slot": lambda w: {"starts_at": f"{at(2027, 3, 12, 10):%Y-%m-%dT%H:%M}",
                                                "ends_at": f"{at(2027, 3, 12, 11):%Y-%m-%dT%H:%M}",
                                                "place": "정부세종청사"},
    "evaluations:presentation_attendance": lambda w: {"attendance": "attended"},
    "evaluations:panel_override": lambda w: {"unsuitable": str(10**9), "reason": "대체 불가"},
    "evaluations:reviewers": lambda w: {"form": "unsuitable", "name": "홍길동", "reason": "공동연구 중"},
    "evaluations:reviewers_remove": lambda w: {"unsuitable": str(10**9)},
    "funding:letter_retry": lambda w: {},
    "evaluations:expert_export": lambda w: {"export-purpose": "recruiting"},
    "evaluations:expert_profile": lambda w: {"purpose": "scheduling"},
    "funding:decision_prepare": lambda w: {**{f"national-{y}": "1800000000" for y in w.funded.pilot_years()},
                                           "conditions": "조건 없음"},
    "funding:decision_approve": lambda w: {"decision": str(w.letter.decision_id), "confirm": "yes"},
    "funding:decision_letter": lambda w: {"decision": str(w.letter.decision_id), "language": "en"},
    "projects:report_start": lambda w: {"year": "2024"},
    "projects:report_part": lambda w: {"part": str(own_report_part(w).pk), "national": "1", "local": "1",
                                       "narrative": "추진 실적", "revision": str(own_report_part(w).revision)},
    "projects:report_save": lambda w: {"narrative": "총괄 실적", "revision": "1"},
    "projects:report_submit": lambda w: {"confirm": "yes"},
    "projects:report_accept": lambda w: {"comment": ""},
    "projects:report_return": lambda w: {"comment": "집행 근거를 보완해 주십시오."},
    "projects:report_attach": lambda w: {"file": SimpleUploadedFile("실적.pdf", PDF)},
    "projects:condition_close": lambda w: {"evidence": "기업 3곳 유치 협약서", "confirm": "yes"},
    "projects:round_assign": lambda w: {"evaluation": str(w.stage_evaluation.pk),
                                        "expert": str(w.people["unassigned_expert"].pk)},
    "projects:round_unassign": lambda w: {"assignment": str(w.stage_evaluation.round.assignments.first().pk)},
    "projects:round_start": lambda w: {"confirm": "yes"},
    "projects:round_report": lambda w: {"evaluation": str(w.stage_evaluation.pk)},
    "projects:plan_save": lambda w: {"goals": "2단계 목표", "years": str(w.plan.years),
                                     "revision": str(w.plan.revision)},
    "projects:plan_submit": lambda w: {"confirm": "yes"},
    "projects:plan_endorse": lambda w: {},
    "projects:plan_return": lambda w: {"comment": "지방비 분담 근거를 보완해 주십시오."},
    "projects:plan_approve": lambda w: {"confirm": "yes"},
    "agreements:issue": lambda w: {"confirm": "yes"},
    "agreements:accept": lambda w: {"party": str(w.agreement.parties.get(kind="region",
                                                                        region=w.people["owner"].region).pk),
                                    "version": "1", "confirm": "yes"},
    # --- planning ---
    "programmes:guideline_acknowledge": lambda w: {},
    "proposals:theme_attach": lambda w: {"file": SimpleUploadedFile("역량.pdf", PDF), "description": "분석"},
    "proposals:opinion_add": lambda w: {"kind": "meeting", "held_on": "2026-11-20", "participants": "도민 40명",
                                        "summary": "의견 요약"},
    "proposals:theme_select": lambda w: {"theme": str(w.theme.pk), "reason": "설문 결과"},
    "proposals:selection_sign_off": lambda w: {},
    "proposals:theme_draft": lambda w: {},
    # --- outcomes ---
    "projects:outcome_add": lambda w: {"kind": "paper", "title": "신규 논문", "journal": "Marine Drugs",
                                       "doi": "10.3390/md99999999", "occurred_on": "2024-03-02", "indexed": "yes"},
    "projects:outcome_evidence_add": lambda w: {"file": SimpleUploadedFile("증빙.pdf", PDF)},
    "projects:outcome_review": lambda w: {"action": "confirm"},
    "projects:outcome_withdraw": lambda w: {"confirm": "yes"},
    # --- zones --- (a member the world does not have: staff get a 404)
    "evaluations:zone_member": lambda w: {"action": "chair", "member": str(10**9)},
    # --- boards ---
    "funding:select": lambda w: {"action": "reserve", "reason": "예비 1순위"},
    # --- amend ---
    "agreements:amendment_decide": lambda w: {"action": "endorse", "confirm": "yes"},
    # --- patents ---
    "proposals:patents_edit": lambda w: {"landscape": "소자 구조 특허 다수", "risk": "low", "patents-TOTAL_FORMS": "1",
                                         "patents-INITIAL_FORMS": "0", "patents-0-number": "KR 10-1234567",
                                         "patents-0-title": "뉴로모픽 소자"},
    "proposals:patents_answer": lambda w: {"answer": "회피 설계를 계획에 반영"},
    "proposals:theme_drop": lambda w: {"status_reason": "수요 부족", "confirm": "on"},
    # --- payments ---
    "agreements:schedule_generate": lambda w: {"confirm": "yes"},
    "agreements:payment_record": lambda w: {"paid_on": "2023-04-01", "amount_won": "1,000,000", "reference": "T-1"},
    "agreements:carry_over_decide": lambda w: {"action": "approve", "confirm": "yes"},
    # --- settlement ---
    "agreements:settlement_open": lambda w: {},
    "agreements:settlement_item_add": lambda w: {"item-source": "national", "item-category": "personnel",
                                                 "item-amount_won": "1,000,000", "item-reason": "증빙 누락"},
    "agreements:settlement_item_remove": lambda w: {"reason": "증빙 확인"},
    "agreements:settlement_move": lambda w: {"move-action": "accept", "move-confirm": "on"},
    "agreements:settlement_repayment": lambda w: {"repay-source": "national", "repay-paid_on": "2024-03-02",
                                                  "repay-amount_won": "1,000,000", "repay-reference": "R-1"},
    "agreements:settlement_sanction": lambda w: {"sanction-amount_won": "1,000,000", "sanction-reasons": "반복"},
    # --- end settlement ---
    # --- feasibility ---
    "evaluations:expert_groups": lambda w: {"name_ko": "새 전문가 그룹"},
    "evaluations:expert_group_member": lambda w: {"action": "chair", "member": str(w.group_member.pk)},
    "evaluations:expert_group_assign": lambda w: {"confirm": "yes"},
    "evaluations:theme_reviews": lambda w: {"expert": str(w.people["unassigned_expert"].pk)},
    "evaluations:theme_review_return": lambda w: {"review": str(w.theme_review.pk), "returned_reason": "근거 보강"},
    "evaluations:theme_review_declare": lambda w: {"decision": "none"},
    # --- themes ---
    "evaluations:theme_review_pledge": lambda w: {"agree": "on", "signed_name": "전문가"},
    "evaluations:theme_review_unassign": lambda w: {"review": str(w.theme_review.pk), "unassigned_reason": "일정 불가"},
    # --- end themes ---
    "evaluations:theme_review_save": lambda w: {"feasibility_grade": "4", "recommendation": "recommend",
                                                "reasons": "실현 가능", "action": "save"},
    # --- spending ---
    "projects:spending_import": lambda w: {"part": str(own_report_part(w).pk), "file": SimpleUploadedFile(
        "spending.csv", "연도,재원,비목,금액\n2023,국비,인건비,1000\n2023,지방비,인건비,200\n".encode())},
    # --- scenarios ---
    "funding:scenarios": lambda w: {"name": "대안 시나리오", "top": "", "notes": ""},
    "funding:scenario": lambda w: {"name": "예산 내 상위 5개", "notes": "메모"},
    "funding:scenario_decide": lambda w: {"confirm": "on"},
    # --- money ---
    "agreements:amendment_policy": lambda w: {"small_pct": "5", "small_max_won": "5천만"},
    # --- end money ---
}

# The URL parameters of each pattern, filled in from the world.
FILL = {
    "verify": lambda w: {"code": w.letter.verification_code},
    **{f"public:{name}": lambda w: {"pk": w.call.pk} for name in ("call_questions", "ask_question")},
    **{f"public:{name}": lambda w: {"pk": w.question.pk} for name in ("question_edit", "question_withdraw",
                                                                        "answer_question")},
    **{f"public:notice_{name}": lambda w: {"pk": w.notice.pk} for name in ("detail", "attachment", "edit",
                                                                             "publish", "pin")},
    "dashboard_figure_csv": lambda w: {"slug": "proposals"},
    # The owner as stored now: logging in changes last_login, which a reset token depends on.
    "password_reset_confirm": lambda w: {"uidb64": urlsafe_base64_encode(force_bytes(w.people["owner"].pk)),
                                         "token": default_token_generator.make_token(
                                             type(w.people["owner"]).objects.get(pk=w.people["owner"].pk))},
    "session_end": lambda w: {"public_id": w.other_session.public_id},
    "programmes:call_detail": lambda w: {"pk": w.call.pk},
    "public:call": lambda w: {"pk": w.call.pk},
    "public:results": lambda w: {"pk": w.call.pk},
    "evaluations:expert_profile": lambda w: {"pk": w.people["assigned_expert"].pk},
    "programmes:call_edit": lambda w: {"pk": w.call.pk},
    "programmes:call_status": lambda w: {"pk": w.call.pk},
    "proposals:detail": lambda w: {"pk": w.eligible.pk},
    "proposals:step": lambda w: {"pk": w.eligible.pk},
    "proposals:action": lambda w: {"pk": w.eligible.pk},
    "proposals:sign_off": lambda w: {"pk": w.eligible.pk},
    "proposals:version": lambda w: {"pk": w.eligible.pk, "number": 1},
    "proposals:compare": lambda w: {"pk": w.eligible.pk},
    "proposals:attachment": lambda w: {"pk": w.eligible.pk, "attachment_id": w.attachment.pk},
    "proposals:attachment_remove": lambda w: {"pk": w.eligible.pk, "attachment_id": w.attachment.pk},
    "proposals:pdf_request": lambda w: {"pk": w.eligible.pk},
    "proposals:pdf_status": lambda w: {"pk": w.eligible.pk},
    "proposals:pdf_download": lambda w: {"pk": w.eligible.pk},
    "evaluations:objection": lambda w: {"pk": w.objection.proposal_id},
    "evaluations:objections": lambda w: {"pk": w.objection.proposal.call_id},
    "evaluations:objection_detail": lambda w: {"pk": w.objection.pk},
    **{f"evaluations:objection_{action}": lambda w: {"pk": w.objection.pk} for action in OBJECTION_ACTIONS},
    **{name: lambda w: {"pk": w.invitee.pk} for name in ("person", "person_role", "person_access", "person_deactivate",
                                                         "person_reset_second_factor")},
    **{f"person_{action}": lambda w: {"pk": w.invitee.pk} for action in PERSON_ACTIONS},
    "invitation_accept": lambda w: {"token": w.invitation_token},
    "api_tokens:revoke": lambda w: {"pk": w.owner_token.pk},
    "api_tokens:service_account": lambda w: {"pk": w.service_account.pk},
    "api_tokens:service_account_token_create": lambda w: {"pk": w.service_account.pk},
    "evaluations:objection_attachment": lambda w: {"pk": w.objection_file.pk},
    "proposals:consortium_invite": lambda w: {"pk": w.eligible.pk},
    "proposals:consortium_remove": lambda w: {"pk": w.eligible.pk},
    "evaluations:assignment": lambda w: {"pk": w.evaluation.pk},
    "evaluations:declare": lambda w: {"pk": w.undeclared.pk},
    "evaluations:score": lambda w: {"pk": w.evaluation.pk},
    "evaluations:comment": lambda w: {"pk": w.consulting.pk},
    "evaluations:panel": lambda w: {"pk": w.eligible.pk},
    "evaluations:panel_result": lambda w: {"pk": w.eligible.pk},
    **{f"evaluations:panel_{action}": lambda w: {"pk": w.eligible.pk} for action in PANEL_ACTIONS},
    "evaluations:consulting": lambda w: {"pk": w.in_consulting.pk},
    "evaluations:reviewers": lambda w: {"pk": w.eligible.pk},
    "evaluations:reviewers_remove": lambda w: {"pk": w.eligible.pk},
    "evaluations:feedback": lambda w: {"pk": w.eligible.pk},
    "evaluations:auto_assign": lambda w: {"pk": w.call.pk},
    "evaluations:ranking": lambda w: {"pk": w.call.pk},
    "evaluations:shortlist_take": lambda w: {"pk": w.call.pk},
    "evaluations:schedule": lambda w: {"pk": w.call.pk},
    **{f"evaluations:presentation{part}": lambda w: {"pk": w.eligible.pk} for part in ("", "_slot", "_attendance")},
    "evaluations:progress": lambda w: {"pk": w.call.pk},
    "evaluations:quality": lambda w: {"pk": w.call.pk},
    "evaluations:quality_rules": lambda w: {"pk": w.call.pk},
    "evaluations:quality_exclude": lambda w: {"pk": w.call.pk},
    "evaluations:feedback_rate": lambda w: {"pk": w.eligible.pk},
    "evaluations:pledge": lambda w: {"pk": w.call.pk},
    "funding:selection": lambda w: {"pk": w.call.pk},
    "funding:letters": lambda w: {"pk": w.call.pk},
    "funding:decision": lambda w: {"pk": w.funded.pk},
    **{f"funding:decision_{action}": lambda w: {"pk": w.funded.pk} for action in DECISION_ACTIONS},
    "funding:batch_progress": lambda w: {"pk": w.batch.pk},
    "funding:letter_status": lambda w: {"pk": w.letter.pk},
    "funding:letter_download": lambda w: {"pk": w.letter.pk},
    "funding:letter_retry": lambda w: {"pk": w.letter.pk},
    "reports:export": lambda w: {"dataset": "proposals", "fmt": "csv"},
    "reports:job": lambda w: {"pk": w.own_job.pk},
    "reports:job_progress": lambda w: {"pk": w.own_job.pk},
    "reports:job_download": lambda w: {"pk": w.own_job.pk},
    "reports:call_report": lambda w: {"pk": w.call.pk},
    "reports:call_report_status": lambda w: {"pk": w.call.pk},
    "reports:call_report_download": lambda w: {"pk": w.call.pk},
    "projects:detail": lambda w: {"pk": w.project.pk},
    "projects:report_start": lambda w: {"pk": w.project.pk},
    "projects:report": lambda w: {"pk": w.project.pk, "year": 2023},
    **{f"projects:report_{action}": lambda w: {"pk": w.project.pk, "year": 2023}
       for action in ("part", "save", "submit", "accept", "return", "attach")},
    "projects:attachment": lambda w: {"pk": w.report_attachment.pk},
    "projects:condition_close": lambda w: {"pk": w.condition.pk},
    "projects:round": lambda w: {"pk": w.stage_evaluation.round_id},
    "projects:decide": lambda w: {"pk": w.stage_evaluation.pk},
    "projects:good_faith": lambda w: {"pk": w.stage_evaluation.pk},
    "projects:stage_report_status": lambda w: {"pk": w.stage_report.pk},
    "projects:stage_report_download": lambda w: {"pk": w.stage_report.pk},
    "projects:plan": lambda w: {"pk": w.plan.pk},
    **{f"projects:round_{action}": lambda w: {"pk": w.stage_evaluation.round_id} for action in ROUND_ACTIONS},
    **{f"projects:plan_{action}": lambda w: {"pk": w.plan.pk} for action in PLAN_ACTIONS},
    "agreements:prepare": lambda w: {"pk": w.project.pk},
    **{f"agreements:{name}": lambda w: {"pk": w.agreement.pk} for name in ("version", "issue", "accept")},
    "agreements:download": lambda w: {"pk": w.agreement.document.pk},
    # --- planning ---
    "programmes:guideline_create": lambda w: {"pk": w.planning_call.pk},
    **{f"programmes:guideline_{name}": lambda w: {"pk": w.guideline.pk} for name in ("detail", "revise", "acknowledge")},
    "programmes:guideline_file": lambda w: {"pk": w.guideline.pk, "version": w.guideline.versions.get().pk},
    "proposals:theme_create": lambda w: {"call_pk": w.planning_call.pk},
    **{f"proposals:theme_{name}": lambda w: {"pk": w.theme.pk} for name in ("detail", "edit", "attach")},
    "proposals:theme_attachment": lambda w: {"pk": w.theme.pk, "attachment_id": w.theme.attachments.get().pk},
    **{f"proposals:{name}": lambda w: {"call_pk": w.planning_call.pk} for name in ("selection", "opinion_add",
                                                                                 "theme_select")},
    "proposals:selection_sign_off": lambda w: {"pk": w.theme.pk},
    "proposals:theme_draft": lambda w: {"pk": w.theme.pk},
    "proposals:opinion_minutes": lambda w: {"pk": w.opinion.pk},
    **{f"proposals:{name}": lambda w: {"call_pk": w.planning_call.pk} for name in ("planning_status",
                                                                                 "planning_status_csv")},
    # --- outcomes ---
    "projects:outcomes": lambda w: {"pk": w.project.pk},
    "projects:outcome_add": lambda w: {"pk": w.project.pk},
    **{f"projects:outcome_{action}": lambda w: {"pk": w.outcome.pk} for action in ("evidence_add", "review",
                                                                                   "withdraw")},
    "projects:outcome_evidence": lambda w: {"pk": w.outcome_evidence.pk},
    # --- zones ---
    **{f"evaluations:{name}": lambda w: {"pk": w.call.pk} for name in ("zone_panels", "zone_member")},
    # --- boards ---
    "funding:select": lambda w: {"pk": w.eligible.pk},
    # --- stagepanels ---
    "projects:round_auto_assign": lambda w: {"pk": w.stage_evaluation.round_id},
    # --- amend ---
    "agreements:amend": lambda w: {"pk": w.agreement.agreement_id},
    "agreements:amendment": lambda w: {"pk": w.amendment.pk},
    "agreements:amendment_attachment": lambda w: {"pk": w.amendment.attachments.get().pk},
    "agreements:amendment_decide": lambda w: {"pk": w.amendment.pk},
    "agreements:compare": lambda w: {"pk": w.agreement.agreement_id},
    # --- patents ---
    **{f"proposals:{name}": lambda w: {"pk": w.in_consulting.pk} for name in ("patents", "patents_edit",
                                                                             "patents_answer", "patents_file")},
    "proposals:theme_drop": lambda w: {"pk": w.theme.pk},
    # --- payments ---
    "agreements:project_money": lambda w: {"pk": w.project.pk},
    **{f"agreements:{name}": lambda w: {"pk": w.agreement.agreement_id}
       for name in ("schedule", "schedule_generate", "carry_over")},
    "agreements:payment_record": lambda w: {"pk": w.national_instalment.pk},
    "agreements:carry_over_decide": lambda w: {"pk": w.carry_over.pk},
    # --- feasibility ---
    "evaluations:expert_groups": lambda w: {"pk": w.planning_call.pk},
    **{f"evaluations:{name}": lambda w: {"pk": w.group_member.group_id} for name in (
        "expert_group", "expert_group_member", "expert_group_assign")},
    **{f"evaluations:{name}": lambda w: {"pk": w.theme.pk} for name in ("theme_reviews", "theme_review_return")},
    **{f"evaluations:{name}": lambda w: {"pk": w.theme_review.pk} for name in (
        "theme_review", "theme_review_declare", "theme_review_save")},
    # --- themes ---
    "evaluations:theme_review_unassign": lambda w: {"pk": w.theme.pk},
    "evaluations:theme_review_pledge": lambda w: {"pk": w.theme_review.pk},
    # --- end themes ---
    # --- spending ---
    "projects:spending_import": lambda w: {"pk": w.project.pk, "year": 2023},
    # --- settlement ---
    **{f"agreements:{name}": lambda w: {"pk": w.agreement.agreement_id, "year": 2023}
       for name in ("settlement", "settlement_open")},
    **{f"agreements:settlement_{name}": lambda w: {"pk": w.settlement.pk}
       for name in ("item_add", "move", "repayment", "sanction")},
    "agreements:settlement_item_remove": lambda w: {"pk": w.settlement_item.pk},
    "agreements:settlement_download": lambda w: {"pk": w.settlement_document.pk},
    # --- end settlement ---
    # --- scenarios ---
    **{f"funding:{name}": lambda w: {"pk": w.call.pk} for name in ("scenarios", "scenario_compare")},
    **{f"funding:{name}": lambda w: {"pk": w.scenario.pk} for name in ("scenario", "scenario_decide")},
    # --- money ---
    "agreements:amendment_policy": lambda w: {"pk": w.call.pk},
    # --- end money ---
}


# --- The URL patterns ------------------------------------------------------------------------------


def url_patterns(resolver=None, namespace=""):
    """(qualified name, pattern) of every named URL pattern; admin/ as one entry."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                yield "admin", entry
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_patterns(entry, inner)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name}" if entry.name else f"<unnamed {entry.pattern}>"), entry


def cells() -> list[str]:
    """Matrix keys: one per pattern (the proposal step once per step)."""
    found = []
    for name, _pattern in url_patterns():
        found += [f"{name}[{step}]" for step in STEP_KEYS] if name == "proposals:step" else [name]
    return found


def is_api(key: str) -> bool:
    return key.startswith("api:")


def api_parameters(key: str) -> list[str]:
    """The names of an API route's path parameters."""
    pattern = dict(url_patterns())[key].pattern
    return list(pattern.regex.groupindex)


def api_url_of(world, key: str) -> str:
    return reverse(key, kwargs={name: API_PARAMETERS[name](world) for name in api_parameters(key)})


def api_scope(url: str) -> str | None:
    """The scope the token of a request to this API URL must carry (None: no token needed)."""
    for cell in getattr(resolve(url).func, "__closure__", None) or ():
        for operation in getattr(cell.cell_contents, "operations", ()):
            for auth in operation.auth_callbacks:
                if getattr(auth, "scope", None):
                    return auth.scope
    return None


def url_of(world, key: str) -> str:
    if is_api(key):
        return api_url_of(world, key)
    if key == "admin":
        return reverse("admin:index")
    name, _, step = key.partition("[")
    kwargs = FILL[name](world) if name in FILL else {}
    if step:
        kwargs["step"] = step.rstrip("]")
    return reverse(name, kwargs=kwargs)


# --- The world ------------------------------------------------------------------------------------


@pytest.fixture
def world(call, letter, ministry, ministry2, admin_user, official, partner_official, outsider_official, expert,  # noqa: F811
          make_proposal, before_deadline, django_capture_on_commit_callbacks, build_letter):  # noqa: F811
    call.panel_size = 2
    call.save()
    draft = make_proposal(partners=["jeonnam"], title_ko="평가 과제", title_en="Evaluated")
    attachment = attachment_add(actor=official, proposal=draft, upload=SimpleUploadedFile("계획서.pdf", PDF),
                                description="상세 계획")
    eligible = make_eligible(draft, ministry=ministry, now=before_deadline)
    evaluation = clear(assign(eligible, expert, by=ministry))
    conflicted = make_expert("conflicted")
    assignment_declare(actor=conflicted, assignment=assign(eligible, conflicted, by=ministry), conflict=True,
                       note="같은 학과")
    second = make_eligible(make_proposal(partners=["jeonnam"], title_ko="두 번째 과제"), ministry=ministry,
                           now=before_deadline)
    undeclared = assign(second, expert, by=ministry)
    in_consulting = proposal_send_to_consulting(
        actor=official, proposal=fill(make_proposal(partners=["jeonnam"], title_ko="컨설팅 과제")), now=before_deadline)
    consulting = clear(assign(in_consulting, expert, by=ministry, kind=AssignmentKind.CONSULTING))
    consulting_comment_add(actor=expert, assignment=consulting, section="overview", text="서술을 구체화해 주십시오.")
    ProposalFactory(call=call, lead_region=outsider_official.region, title_ko="부산 과제")
    with django_capture_on_commit_callbacks(execute=False):
        batch = funding_services.letters_batch(actor=ministry, call=call)
    letter = build_letter(AwardLetter.objects.get(pk=letter.pk))
    for person in (official, expert, ministry):
        notify(users=[person], message="알림", url="/")
    projects = funded_project_world(official=official, partner_official=partner_official, ministry=ministry,
                                    ministry2=ministry2, make_proposal=make_proposal)
    reports = reports_world(call=call, ministry=ministry, official=official)
    objections = objection_world(call=projects["project"].proposal.call, official=official,
                                 make_proposal=make_proposal)
    people = {
        "anonymous": None, "owner": official, "other_region": outsider_official, "partner": partner_official,
        "assigned_expert": expert, "unassigned_expert": make_expert("unassigned"), "conflicted_expert": conflicted,
        "ministry": ministry, "admin": admin_user,
    }
    return SimpleNamespace(
        call=call, eligible=eligible, attachment=attachment, evaluation=evaluation, undeclared=undeclared,
        in_consulting=in_consulting, consulting=consulting, funded=letter.decision.proposal, letter=letter,
        batch=batch, criterion=criteria_of(call)[0], people=people, **projects, **reports, **objections,
        # A log-in session of the owner in another browser (its row; the store no longer has it).
        other_session=UserSession.objects.create(user=official, public_id="0f" * 16),
        **people_world(official=official, admin_user=admin_user),
        **api_world(official=official, admin_user=admin_user),
        **boards_world(call=call, official=official, ministry=ministry),
        **agreement_world(project=projects["project"], ministry=ministry),
        **planning_world(ministry=ministry, official=official),
        **feasibility_world(ministry=ministry, expert=expert),
        **outcomes_world(project=projects["project"], official=official),
        **rounds_world(eligible=eligible, ministry=ministry),
        **patents_world(in_consulting=in_consulting, ministry=ministry, official=official),
        **payments_world(project=projects["project"], official=official),
        **settlement_world(project=projects["project"], ministry=ministry),  # --- settlement ---
        **scenarios_world(call=call, ministry=ministry),
    )


def patents_world(*, in_consulting, ministry, official):
    """The consulting proposal grown from Gwangju + Jeonnam's final theme (written straight to the models),
    with staff's patent analysis and its file."""
    from proposals.models import CandidateTheme, ThemeRegion, ThemeSelection, ThemeStatus
    from proposals.services.patents import patent_analysis_save

    final = CandidateTheme.objects.create(call=in_consulting.call, lead_region=in_consulting.lead_region,
                                          status=ThemeStatus.SELECTED, title_ko="컨설팅 과제의 최종 테마",
                                          created_by=official)
    ThemeRegion.objects.bulk_create([ThemeRegion(theme=final, region_id=p.region_id, is_lead=p.is_lead)
                                     for p in in_consulting.participations.all()])
    ThemeSelection.objects.create(theme=final, reason="의견 수렴 결과", selected_by=official)
    in_consulting.origin_theme = final
    in_consulting.save(update_fields=["origin_theme"])
    analysis = patent_analysis_save(actor=ministry, proposal=in_consulting,
                                    fields={"landscape": "해외 기업 특허 다수", "risk": "low"},
                                    upload=SimpleUploadedFile("특허분석.pdf", PDF))
    return {"patent_analysis": analysis}


def payments_world(*, project, official):
    """--- payments --- The world's agreement's schedule rows, stored (its version is issued, not in force): a
    national instalment and Gwangju's local one; and a carry-over the owner requested."""
    import datetime

    from agreements.models import Agreement, CarryOver, Instalment

    agreement = Agreement.objects.get(project=project)
    version = agreement.versions.get()
    national = Instalment.objects.create(agreement=agreement, version=version, year=2023, source="national",
                                         number=1, due_date=datetime.date(2023, 3, 31), amount_won=900_000_000)
    Instalment.objects.create(agreement=agreement, version=version, year=2023, source="local",
                              region_id=official.region_id, number=1, due_date=datetime.date(2023, 6, 30),
                              amount_won=200_000_000)
    carry = CarryOver.objects.create(agreement=agreement, year=2023, amount_won=100_000_000, reasons="납품 지연",
                                     requested_by=official)
    return {"national_instalment": national, "carry_over": carry}


# --- settlement ---
def settlement_world(*, project, ministry):
    """The world's 2023 settlement, written straight to the models (its agreement is not in force): proposed to
    the owner by `ministry`, with one national item, and its statement asked for (not built)."""
    from django.utils import timezone

    from agreements.models import Agreement, Settlement, SettlementDocument, SettlementItem

    agreement = Agreement.objects.get(project=project)
    settlement = Settlement.objects.create(agreement=agreement, year=2023, state="proposed", opened_by=ministry,
                                           proposed_by=ministry, proposed_at=timezone.now(),
                                           national_due_won=10_000_000)
    item = SettlementItem.objects.create(settlement=settlement, source="national", category="personnel",
                                         amount_won=10_000_000, reason="증빙 누락", added_by=ministry)
    document = SettlementDocument.objects.create(settlement=settlement, kind="statement", requested_by=ministry)
    return {"settlement": settlement, "settlement_item": item, "settlement_document": document}
# --- end settlement ---


def scenarios_world(*, call, ministry):
    """A cut-line scenario of the world's call (no line: it selects nothing)."""
    from funding.models import Scenario

    return {"scenario": Scenario.objects.create(call=call, name="예산 내 상위 5개", created_by=ministry)}


def planning_world(*, ministry, official):
    """A call with a planning period whose theme discovery is open today (every region eligible), a
    guideline with its file, and the owner's Gwangju + Jeonnam candidate theme with a file."""
    import datetime

    from django.utils import timezone

    from programmes.models import Region
    from programmes.services import guideline_publish
    from proposals.services.themes import opinion_record, theme_attachment_add, theme_create

    today = timezone.localdate()

    def day(n):
        return today + datetime.timedelta(days=n)

    planning_call = CallFactory(
        title="기획 공모", planning_start=day(-10), discovery_end=day(10), selection_end=day(20), planning_end=day(30),
        consulting_start=day(-10), consulting_end=day(35),
        submission_deadline=datetime.datetime.combine(day(40), datetime.time(18), tzinfo=timezone.get_current_timezone()),
        review_start=day(45), review_end=day(50), announcement_date=day(60), created_by=ministry)
    guideline = guideline_publish(actor=ministry, call=planning_call, phase="discovery", title_ko="발굴 지침",
                                  text="후보 주제를 발굴하십시오.", upload=SimpleUploadedFile("지침.pdf", PDF))
    theme = theme_create(actor=official, call=planning_call, fields={"title_ko": "뉴로모픽 소자"},
                         partners=[Region.objects.get(code="jeonnam")])
    theme_attachment_add(actor=official, theme=theme, upload=SimpleUploadedFile("역량.pdf", PDF))
    opinion = opinion_record(actor=official, call=planning_call, kind="meeting", held_on=today, participants="도민 40명",
                             summary="의견 요약", upload=SimpleUploadedFile("회의록.pdf", PDF))
    return {"planning_call": planning_call, "guideline": guideline, "theme": theme, "opinion": opinion}


def feasibility_world(*, ministry, expert):
    """The planning call's expert group chaired by the assigned expert, and their feasibility review of the
    owner's candidate theme: pledged, declared (no conflict), in draft."""
    from django.utils import timezone

    from evaluations.models import ConfidentialityPledge, ExpertGroup, ExpertGroupMember, ThemeReview
    from proposals.models import CandidateTheme

    theme = CandidateTheme.objects.get(title_ko="뉴로모픽 소자")
    group = ExpertGroup.objects.create(call=theme.call, name_ko="반도체 전문가 그룹", created_by=ministry)
    member = ExpertGroupMember.objects.create(group=group, expert=expert, is_chair=True, added_by=ministry)
    review = ThemeReview.objects.create(theme=theme, expert=expert, group=group, assigned_by=ministry,
                                        declared_at=timezone.now())
    # --- themes --- the review's confidentiality pledge, signed (before the declaration)
    ConfidentialityPledge.objects.create(expert=expert, call=theme.call, theme_review=review,
                                         signed_name=expert.display_name)
    # --- end themes ---
    return {"group_member": member, "theme_review": review}


def outcomes_world(*, project, official):
    """A paper of the project reported by the owner's region, with its evidence."""
    import datetime

    from projects.models import OutcomeEvidence
    from projects.services import outcomes

    outcome = outcomes.outcome_add(actor=official, project=project, kind="paper", data={
        "title": "해양바이오 소재", "journal": "Marine Drugs", "doi": "10.3390/md21010001",
        "occurred_on": datetime.date(2024, 3, 2), "indexed": True})
    evidence = OutcomeEvidence(record=outcome, original_name="논문.pdf", extension="pdf", size=len(PDF),
                               uploaded_by=official)
    evidence.file.save("paper.pdf", ContentFile(PDF), save=False)
    evidence.save()
    return {"outcome": outcome, "outcome_evidence": evidence}



def rounds_world(*, eligible, ministry):
    """The eligible proposal shortlisted with a presentation that has started (its invitation,
    attendance)."""
    from datetime import timedelta

    from django.utils import timezone

    from evaluations.models import PresentationSlot, ShortlistEntry

    ShortlistEntry.objects.create(call=eligible.call, proposal=eligible, written_rank=1, written_score=80,
                                  taken_by=ministry)
    start = timezone.now() - timedelta(hours=1)
    return {"slot": PresentationSlot.objects.create(proposal=eligible, starts_at=start,
                                                    ends_at=start + timedelta(minutes=40),
                                                    place="정부세종청사", set_by=ministry)}


def api_world(*, official, admin_user):
    """A token of the owner, and a ministry service account (the API's pages)."""
    from datetime import timedelta

    from django.utils import timezone

    from api import services

    token, _secret = services.create_token(by=official, owner=official, name="분석 스크립트", scopes=["read:calls"],
                                           expires_at=timezone.now() + timedelta(days=30))
    account = services.service_account_create(by=admin_user, username="ntis-reader", display_name="NTIS 연계",
                                              role="ministry")
    return {"owner_token": token, "service_account": account}


def people_world(*, official, admin_user):
    """The owner made Gwangju's regional administrator, and a Gwangju official invited (link waiting)."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Invitation
    from accounts.people import token_digest
    from tests.factories import OfficialFactory

    type(official).objects.filter(pk=official.pk).update(is_region_admin=True)
    official.is_region_admin = True
    invitee = OfficialFactory(username="invitee@example.kr", email="invitee@example.kr", region=official.region,
                              display_name="초대받은 담당자", is_active=False)
    invitee.set_unusable_password()
    invitee.save()
    token = "matrix-invitation-token-0123456789abcdefghijk"
    Invitation.objects.create(user=invitee, token_hash=token_digest(token), created_by=admin_user,
                              expires_at=timezone.now() + timedelta(days=7))
    return {"invitee": invitee, "invitation_token": token}


def boards_world(*, call, official, ministry):
    """A question of the owner waiting for its answer, and a published notice with a file."""
    from public_pages import boards
    from public_pages.models import Notice

    question = boards.question_ask(actor=official, call=call, title="매칭 기준 질의", body="지방비 매칭 기준은?")
    notice = boards.notice_save(actor=ministry, notice=Notice(), title="설명회 안내", body="세종에서 엽니다.",
                                call=call, upload=SimpleUploadedFile("안내.pdf", PDF))
    return {"question": question, "notice": boards.notice_publish(actor=ministry, notice=notice, published=True)}


def funded_project_world(*, official, partner_official, ministry, ministry2, make_proposal):  # noqa: F811
    """A Gwangju + Jeonnam project of a 2023 call: its 2023 report submitted with an attachment, its
    pilot-end round decided "continue with conditions" (a condition, a plan in draft), a stage report."""
    from projects.models import Condition, Outcome, ReportAttachment, ReportStatus, StagePlan, StageReport
    from projects.services import reports
    from tests.projects.conftest import complete_report, decide, evaluation_of, fund, ready_round

    call = CallFactory(year=2023, status=CallStatus.ANNOUNCED, title="2023년 공모", created_by=ministry,
                       updated_by=ministry)
    project = fund(fill(make_proposal(call=call, partners=["jeonnam"], title_ko="2023 과제")), prepared_by=ministry,
                   approved_by=ministry2)
    report = reports.report_open(actor=official, project=project, year=2023)
    complete_report(report, lead=official, partner=partner_official)
    reports.report_submit(actor=official, report=report)
    attachment = ReportAttachment(report=report, region_id=partner_official.region_id, original_name="실적.pdf",
                                  extension="pdf", size=len(PDF), uploaded_by=partner_official)
    attachment.file.save("evidence.pdf", ContentFile(PDF), save=False)
    attachment.save()
    evaluation = evaluation_of(ready_round(call, by=ministry, expert=make_expert("stage-expert")), project)
    decide(evaluation, by=ministry, outcome=Outcome.CONDITIONS, conditions=[{"text": "기업 유치 실적 보완"}])
    stage_report = StageReport(evaluation=evaluation, status=ReportStatus.DONE, requested_by=ministry, size=len(PDF))
    stage_report.file.save("stage.pdf", ContentFile(PDF), save=False)
    stage_report.save()
    return {"project": project, "report_attachment": attachment, "stage_evaluation": evaluation,
            "condition": Condition.objects.get(evaluation=evaluation), "stage_report": stage_report,
            "plan": StagePlan.objects.get(evaluation=evaluation)}


def objection_world(*, call, official, make_proposal):  # noqa: F811
    """The 2023 call's results announced now: a Gwangju + Jeonnam proposal not selected, whose
    objection (with a file) is lodged."""
    from django.utils import timezone

    from evaluations.models import Objection, ObjectionAttachment
    from proposals.models import ProposalState

    type(call).objects.filter(pk=call.pk).update(announced_at=timezone.now())
    rejected = make_proposal(call=call, partners=["jeonnam"], state=ProposalState.NOT_SELECTED,
                             title_ko="미선정 과제")
    objection = Objection.objects.create(proposal=rejected, grounds="점수 편차", lodged_by=official,
                                         lodged_at=timezone.now())
    objection_file = ObjectionAttachment(objection=objection, original_name="근거.pdf", extension=".pdf", kind="PDF",
                                         size=len(PDF), uploaded_by=official)
    objection_file.file.save("근거.pdf", ContentFile(PDF), save=False)
    objection_file.save()
    return {"objection": objection, "objection_file": objection_file}


def own_report_part(world):
    """The lead region's part of the project's 2023 report."""
    from projects.models import ReportPart

    return ReportPart.objects.get(report__project=world.project, report__year=2023,
                                  region_id=world.people["owner"].region_id)


def reports_world(*, call, ministry, official):
    """The call's result report and a Gwangju official's export, both built."""
    from django.conf import settings

    from reports import services

    report = services.call_report_request(actor=ministry, call=call)
    own_job = services.export_request(actor=official, key="proposals", fmt="csv", filters={})
    if not settings.CELERY_TASK_ALWAYS_EAGER or report.status != "done":
        services.call_report_build(report_id=report.pk)
        services.export_build(job_id=own_job.pk)
    own_job.refresh_from_db()
    return {"own_job": own_job}


# Columns every request may write, refused or not: the activity of the log-in session making it
# (accounts.sessions notes it once a minute).
ACTIVITY = {"accounts.UserSession": ("last_seen_at", "session_key")}


def state_columns(model) -> list:
    return [f for f in model._meta.concrete_fields if f.name not in ACTIVITY.get(model._meta.label, ())]


def db_state() -> dict:
    """Every row of every table of APPS (the ACTIVITY columns aside): equal before and after a request
    only if it wrote nothing there. On PostgreSQL the server compares the rows: one digest per table."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(state_digest_sql())
            return {label: (count, digest) for label, count, digest in cursor.fetchall()}
    return {model._meta.label: list(model.objects.order_by("pk").values(*[f.attname for f in state_columns(model)]))
            for app in APPS for model in apps.get_app_config(app).get_models()}


@functools.cache
def state_digest_sql() -> str:
    """One query: per table, its row count and the md5 of its rows as text, in the order of the pk."""
    quote = connection.ops.quote_name
    selects = []
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            row = ", ".join(f"t.{quote(f.column)}" for f in state_columns(model))
            selects.append(f"SELECT '{model._meta.label}', count(*), md5(coalesce(string_agg(ROW({row})::text, "
                           f"'|' ORDER BY t.{quote(model._meta.pk.column)}), '')) FROM {quote(model._meta.db_table)} t")
    return " UNION ALL ".join(selects)


def outcome(response, url: str) -> str:
    if response.status_code == 302 and response["Location"].startswith(f"{reverse('login')}?next="):
        return "login"
    return str(response.status_code)


def matches(row: str, expected: str) -> bool:
    """Cell by cell; an expected cell may allow alternatives ("200/503")."""
    return all(got in want.split("/") for got, want in zip(row.split(), expected.split(), strict=True))


# --- The tests ------------------------------------------------------------------------------------


def test_every_url_pattern_of_the_portal_has_a_row_in_the_matrix():
    keys = [key for key in cells() if not is_api(key)]
    missing = [key for key in keys if key not in EXPECTED]
    assert not missing, f"URL patterns without a row in the access matrix: {', '.join(missing)}"
    posts = {key.removesuffix(" [POST]") for key in EXPECTED if key.endswith(" [POST]")}
    assert posts == set(PAYLOADS)
    stale = set(EXPECTED) - set(keys) - {f"{k} [POST]" for k in posts}
    assert not stale, f"rows for URLs that no longer exist: {sorted(stale)}"
    assert all(len(row.split()) == len(ROLES) for row in EXPECTED.values())


def test_every_api_route_has_a_row_and_its_parameters_are_known():
    keys = [key for key in cells() if is_api(key)]
    missing = [key for key in keys if key not in API_EXPECTED]
    assert not missing, (f"API routes without a row in API_EXPECTED (tests/megaproject/test_access_matrix.py): "
                         f"{', '.join(missing)}")
    stale = set(API_EXPECTED) - set(keys)
    assert not stale, f"API_EXPECTED rows for routes that no longer exist: {sorted(stale)}"
    assert set(API_SEALED_UNTIL_ANNOUNCED) <= set(API_EXPECTED)
    unknown = {key: name for key in keys for name in api_parameters(key) if name not in API_PARAMETERS}
    assert not unknown, f"API path parameters without an entry in API_PARAMETERS: {unknown}"
    assert all(len(row.split()) == len(ROLES) for row in API_EXPECTED.values())


def observe_api(world, keys) -> tuple[dict, list]:
    """{key: statuses in the order of ROLES} of every API key, each person sending a token of their own
    (anonymous: none); and the refusals that were not a problem detail."""
    secrets = {role: token_for(user, name="matrix") for role, user in world.people.items() if user is not None}
    observed, not_problems = {}, []
    for role in ROLES:
        client = Client()
        headers = bearer(secrets[role]) if role in secrets else {}
        for key in keys:
            url = url_of(world, key)
            with transaction.atomic():
                response = client.get(url, **headers)
                transaction.set_rollback(True)
            observed.setdefault(key, {})[role] = str(response.status_code)
            if response.status_code >= 400 and key != "api:api-root" and response["Content-Type"] != "application/problem+json":
                not_problems.append((key, role, response.status_code, response["Content-Type"]))
    return {key: " ".join(by_role[r] for r in ROLES) for key, by_role in observed.items()}, not_problems


def test_every_role_with_its_own_token_gets_exactly_the_expected_status_on_every_api_route(world):
    keys = [key for key in cells() if is_api(key) and (key in API_EXPECTED or os.environ.get("ACCESS_MATRIX_PRINT"))]
    table, not_problems = observe_api(world, keys)
    if os.environ.get("ACCESS_MATRIX_PRINT"):
        for key, row in table.items():
            print(f'    "{key}": "{row}",')
    differences = {key: f"got {row!r}, expected {API_EXPECTED.get(key)!r}" for key, row in table.items()
                   if key not in API_EXPECTED or not matches(row, API_EXPECTED[key])}
    assert differences == {}, f"roles: {' '.join(ROLES)}"
    assert not_problems == [], "refusals that are not application/problem+json"


def test_a_token_without_the_scope_of_an_api_route_is_refused_403_even_for_ministry_staff(world):
    from api.scopes import Scope

    refused = {}
    for key in [key for key in cells() if is_api(key)]:
        url = url_of(world, key)
        scope = api_scope(url)
        if scope is None:
            continue
        others = [s for s in Scope.values if s != scope]
        response = Client().get(url, **bearer(token_for(world.people["ministry"], scopes=others, name=f"without {scope}")))
        refused[key] = (response.status_code, response["Content-Type"], scope in response.json().get("detail", ""))
    assert refused, "no API route asks for a scope"
    assert refused == dict.fromkeys(refused, (403, "application/problem+json", True))


def observe(settings, world, keys) -> tuple[dict, list]:
    """{cell: statuses in the order of ROLES} of every key (GET, and POST where it has a payload), and the
    refused POSTs that changed a table."""
    observed, refusals_that_changed = {}, []
    for role, user in world.people.items():
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        if user is not None:
            log_in(client, user)
        for key in keys:
            url = url_of(world, key)
            methods = ["GET"] + (["POST"] if key in PAYLOADS else [])
            for method in methods:
                cell = key if method == "GET" else f"{key} [POST]"
                with transaction.atomic():
                    before = db_state() if method == "POST" else None
                    response = client.get(url) if method == "GET" else client.post(url, PAYLOADS[key](world))
                    status = outcome(response, url)
                    if before is not None and status in ("login", "403", "404") and db_state() != before:
                        refusals_that_changed.append((cell, role))
                    transaction.set_rollback(True)
                observed.setdefault(cell, {})[role] = status
                if response.streaming:  # read to the end: the test client then closes it without closing the DB
                    b"".join(response.streaming_content)
                if key == "logout" and method == "POST" and user is not None:
                    log_in(client, user)
    return {cell: " ".join(by_role[r] for r in ROLES) for cell, by_role in observed.items()}, refusals_that_changed


def test_every_role_gets_exactly_the_expected_status_on_every_url(settings, world):
    keys = [key for key in cells()  # the other test names the rest; the API has its own test
            if not is_api(key) and (key in EXPECTED or os.environ.get("ACCESS_MATRIX_PRINT"))]
    table, refusals_that_changed = observe(settings, world, keys)
    if os.environ.get("ACCESS_MATRIX_PRINT"):
        for cell, row in table.items():
            print(f'    "{cell}": "{row}",')
    differences = {cell: f"got {table[cell]!r}, expected {EXPECTED.get(cell)!r}" for cell in table
                   if cell not in EXPECTED or not matches(table[cell], EXPECTED[cell])}
    assert differences == {}, f"roles: {' '.join(ROLES)}"
    assert refusals_that_changed == []


def test_once_the_call_announces_its_results_the_regions_get_what_was_sealed(settings, world):
    world.call.status = CallStatus.ANNOUNCED
    world.call.save()
    keys = sorted({cell.removesuffix(" [POST]") for cell in SEALED_UNTIL_ANNOUNCED})
    table, refusals_that_changed = observe(settings, world, keys)
    expected = {cell: SEALED_UNTIL_ANNOUNCED.get(cell, EXPECTED[cell]) for cell in table}
    differences = {cell: f"got {table[cell]!r}, expected {expected[cell]!r}" for cell in table
                   if not matches(table[cell], expected[cell])}
    api_table, not_problems = observe_api(world, sorted(API_SEALED_UNTIL_ANNOUNCED))
    differences |= {key: f"got {row!r}, expected {API_SEALED_UNTIL_ANNOUNCED[key]!r}" for key, row in api_table.items()
                    if not matches(row, API_SEALED_UNTIL_ANNOUNCED[key])}
    assert differences == {}, f"roles: {' '.join(ROLES)}"
    assert refusals_that_changed == []
    assert not_problems == []


def agreement_world(*, project, ministry):
    """The funded project's agreement: version 1 prepared and issued, its PDF stored (`agreement` is the
    version)."""
    from agreements.models import AgreementDocument
    from agreements.services import lifecycle

    version = lifecycle.agreement_prepare(actor=ministry, project=project)
    version = lifecycle.agreement_transition(actor=ministry, version=version, action="issue")
    document = AgreementDocument.objects.get(version=version)
    document.file.save("agreement.pdf", ContentFile(PDF), save=False)
    document.status, document.size = "done", len(PDF)
    document.save()
    from agreements.models import Amendment, AmendmentAttachment

    amendment = Amendment.objects.create(agreement=version.agreement, base_version=version, kind="organisations",
                                         reasons="참여기관 변경", description="위탁기관 추가",
                                         requested_by=version.agreement.project.proposal.created_by)
    attachment = AmendmentAttachment(amendment=amendment, original_name="근거.pdf", extension=".pdf", kind="PDF",
                                     size=len(PDF), uploaded_by=amendment.requested_by)
    attachment.file.save("근거.pdf", ContentFile(PDF), save=False)
    attachment.save()
    return {"agreement": version, "amendment": amendment}
