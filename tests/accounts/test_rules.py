"""Every permission of accounts/rules.py for every role, as one table.

Rows are roles, columns are (permission, object). The officials are those of
Gwangju (home region), Jeonnam (its partner) and Busan (an outsider). The open
and closed calls are open to Gwangju and Jeonnam only; the third call is open to
Daegu only.

The evaluations columns are about Gwangju (lead) + Jeonnam proposals, one of a
call under review and one of a call whose results are announced, and about the
assignments of the `expert` fixture on them: evaluations and consulting,
cleared (declared no conflict), undeclared or withdrawn (declared a conflict),
beside another expert's evaluation.
"""

import datetime

import pytest
import rules
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from accounts.models import Role, User, UserSession
from core.permissions import Refused, refusal_reason, require
from evaluations.models import Assignment, AssignmentKind, Scoresheet, ScoresheetState
from funding.models import AwardLetter, FundingDecision
from programmes.models import CallStatus, Region
from proposals.models import ProposalDocument
from public_pages.models import Question
from reports.models import ExportJob
from tests.factories import AdminFactory, CallFactory, ExpertFactory, MinistryFactory, OfficialFactory
from tests.proposals.conftest import ProposalFactory

Y, N = True, False

PORTAL_COLUMNS = [
    ("programmes.list_calls", None),
    ("programmes.view_call", "draft call"),
    ("programmes.view_call", "open call"),
    ("programmes.add_call", None),
    ("programmes.change_call", "open call"),
    ("programmes.change_call_status", "open call"),
    ("programmes.apply_to_call", "open call"),
    ("programmes.apply_to_call", "closed call"),
    ("programmes.apply_to_call", "open call for Daegu only"),
    ("programmes.view_region_dashboard", "Gwangju"),
    ("programmes.view_region_dashboard", "Busan"),
    ("evaluations.view_expert_pool", None),
    ("evaluations.view_expert_profile", "self"),
    ("evaluations.view_expert_profile", "another expert"),
    ("accounts.manage_users", None),
    ("accounts.use_admin_site", None),
]

EVALUATION_COLUMNS = [
    ("evaluations.manage_panels", None),
    ("evaluations.import_experts", None),
    ("evaluations.view_ranking", None),
    ("evaluations.reopen_scoresheet", "submitted scoresheet"),
    ("evaluations.list_assignments", None),
    ("evaluations.view_assignment", "own cleared evaluation"),
    ("evaluations.view_assignment", "another expert's evaluation"),
    ("evaluations.score", "own cleared evaluation"),
    ("evaluations.score", "own undeclared evaluation"),
    ("evaluations.score", "own withdrawn evaluation"),
    ("evaluations.score", "own cleared consulting"),
    ("evaluations.score", "another expert's evaluation"),
    ("evaluations.comment", "own cleared consulting"),
    ("evaluations.comment", "own undeclared consulting"),
    ("evaluations.comment", "own cleared evaluation"),
    ("evaluations.view_consulting", "proposal under review"),
    ("evaluations.answer_comments", "proposal under review"),
    ("evaluations.view_feedback", "proposal under review"),
    ("evaluations.view_feedback", "proposal announced"),
]
FUNDING_COLUMNS = [
    ("funding.view_board", None),
    ("funding.prepare", None),
    ("funding.approve", "decision prepared by ministry"),
    ("funding.generate_letters", None),
    ("funding.view_decision", "decision prepared by ministry"),
    ("funding.download_letter", "letter"),
    ("funding.view_decision", "approved decision, results announced"),
    ("funding.download_letter", "letter of the approved decision, results announced"),
]

DASHBOARD_COLUMNS = [
    ("reports.view_dashboard_figures", None),
]

COLUMNS = PORTAL_COLUMNS + EVALUATION_COLUMNS + FUNDING_COLUMNS + DASHBOARD_COLUMNS

# fmt: off
#                            list  view   view  add   chg   chg    apply apply  apply  dash  dash   pool  prof  prof   manage admin
#                            calls draft  open  call  call  status open  closed Daegu  Gwangju Busan      self  other  users  site
PORTAL_TABLE = {
    "official":             (Y,    N,     Y,    N,    N,    N,     Y,    N,     N,     Y,    N,     N,    N,    N,     N,     N),
    "partner_official":     (Y,    N,     Y,    N,    N,    N,     Y,    N,     N,     N,    N,     N,    N,    N,     N,     N),
    "outsider_official":    (Y,    N,     Y,    N,    N,    N,     N,    N,     N,     N,    Y,     N,    N,    N,     N,     N),
    "expert":               (Y,    N,     Y,    N,    N,    N,     N,    N,     N,     N,    N,     N,    Y,    N,     N,     N),
    "ministry":             (Y,    Y,     Y,    Y,    Y,    Y,     N,    N,     N,     Y,    Y,     Y,    Y,    Y,     N,     N),
    "admin_user":           (Y,    Y,     Y,    Y,    Y,    Y,     N,    N,     N,     Y,    Y,     Y,    Y,    Y,     Y,     Y),
    "anonymous":            (N,    N,     N,    N,    N,    N,     N,    N,     N,     N,    N,     N,    N,    N,     N,     N),
}
# Evaluation columns, numbered in the order of EVALUATION_COLUMNS:
#   1 manage panels, 2 import experts, 3 view ranking, 4 reopen a submitted scoresheet, 5 list assignments,
#   6–7 view assignment: own cleared evaluation, another expert's evaluation,
#   8–12 score: own cleared / undeclared / withdrawn evaluation, own cleared consulting, another expert's evaluation,
#   13–15 comment: own cleared consulting, own undeclared consulting, own cleared evaluation,
#   16 view consulting, 17 answer comments, 18–19 view feedback: call under review, results announced.
#                            1   2   3   4   5   6   7   8   9   10  11  12  13  14  15  16  17  18  19
EVALUATION_TABLE = {
    "official":             (N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  Y,  Y,  N,  Y),
    "partner_official":     (N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  Y,  Y,  N,  Y),
    "outsider_official":    (N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N),
    "expert":               (N,  N,  N,  N,  Y,  Y,  N,  Y,  N,  N,  N,  N,  Y,  N,  N,  N,  N,  N,  N),
    "ministry":             (Y,  Y,  Y,  Y,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  Y,  N,  Y,  Y),
    "admin_user":           (Y,  Y,  Y,  Y,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  Y,  N,  Y,  Y),
    "anonymous":            (N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N),
}
# Funding columns: board, prepare, approve a decision ministry prepared (four eyes), build letters,
# view the Gwangju + Jeonnam decision prepared in a call under review, download its letter (never a
# region's: unapproved and sealed), view and download the approved one of a call whose results are announced.
#                            board prep approve letters view download view+ download+
FUNDING_TABLE = {
    "official":             (N,    N,   N,      N,      N,   N,       Y,    Y),
    "partner_official":     (N,    N,   N,      N,      N,   N,       Y,    Y),
    "outsider_official":    (N,    N,   N,      N,      N,   N,       N,    N),
    "expert":               (N,    N,   N,      N,      N,   N,       N,    N),
    "ministry":             (Y,    Y,   N,      Y,      Y,   Y,       Y,    Y),
    "admin_user":           (Y,    Y,   Y,      Y,      Y,   Y,       Y,    Y),
    "anonymous":            (N,    N,   N,      N,      N,   N,       N,    N),
}
# Dashboard figures: staff see the programme's, every official their own region's (scoped by reports.figures).
#                            figures
DASHBOARD_TABLE = {
    "official":             (Y,),
    "partner_official":     (Y,),
    "outsider_official":    (Y,),
    "expert":               (N,),
    "ministry":             (Y,),
    "admin_user":           (Y,),
    "anonymous":            (N,),
}
# fmt: on
TABLE = {role: PORTAL_TABLE[role] + EVALUATION_TABLE[role] + FUNDING_TABLE[role] + DASHBOARD_TABLE[role]
         for role in PORTAL_TABLE}

# Audit trail: ministry staff and administrators browse and export it; nobody else sees it.
AUDIT_COLUMNS = [("audit.view_trail", None)]
AUDIT_TABLE = {"official": (N,), "partner_official": (N,), "outsider_official": (N,), "expert": (N,),
               "ministry": (Y,), "admin_user": (Y,), "anonymous": (N,)}
COLUMNS = COLUMNS + AUDIT_COLUMNS
TABLE = {role: TABLE[role] + AUDIT_TABLE[role] for role in TABLE}

# Exports and reports: the exports page; export proposals, comments, evaluations (coded), evaluations with
# names, funding; download the Gwangju official's export job; build and download a call's result report.
REPORTS_COLUMNS = [
    ("reports.view_exports", None),
    ("reports.export_proposals", None),
    ("reports.export_comments", None),
    ("reports.export_evaluations", None),
    ("reports.export_evaluations_named", None),
    ("reports.export_funding", None),
    ("reports.download_export", "export job of the Gwangju official"),
    ("reports.generate_call_report", "open call"),
    ("reports.download_call_report", "open call"),
]
# fmt: off
#                            page  props comm  evals named fund  job   build download
REPORTS_TABLE = {
    "official":             (Y,    Y,    Y,    N,    N,    Y,    Y,    N,    N),
    "partner_official":     (Y,    Y,    Y,    N,    N,    Y,    N,    N,    N),
    "outsider_official":    (Y,    Y,    Y,    N,    N,    Y,    N,    N,    N),
    "expert":               (N,    N,    N,    N,    N,    N,    N,    N,    N),
    "ministry":             (Y,    Y,    Y,    Y,    Y,    Y,    Y,    Y,    Y),
    "admin_user":           (Y,    Y,    Y,    Y,    Y,    Y,    Y,    Y,    Y),
    "anonymous":            (N,    N,    N,    N,    N,    N,    N,    N,    N),
}
# fmt: on
COLUMNS = COLUMNS + REPORTS_COLUMNS
TABLE = {role: TABLE[role] + REPORTS_TABLE[role] for role in TABLE}

# Annual reports export (registered by the projects app): like the other region-scoped exports.
ANNUAL_EXPORT_COLUMNS = [("reports.export_annual_reports", None)]
ANNUAL_EXPORT_TABLE = {"official": (Y,), "partner_official": (Y,), "outsider_official": (Y,), "expert": (N,),
                       "ministry": (Y,), "admin_user": (Y,), "anonymous": (N,)}
COLUMNS = COLUMNS + ANNUAL_EXPORT_COLUMNS
TABLE = {role: TABLE[role] + ANNUAL_EXPORT_TABLE[role] for role in TABLE}

# Which calls a list shows (drafts: staff only), and each role's own landing dashboard (an administrator,
# a superuser included, lands on the administrator's).
# fmt: off
#                            drafts admin ministry expert official
LANDING_COLUMNS = [
    ("programmes.view_draft_calls", None),
    ("reports.view_admin_dashboard", None),
    ("reports.view_ministry_dashboard", None),
    ("reports.view_expert_dashboard", None),
    ("reports.view_official_dashboard", None),
]
LANDING_TABLE = {
    "official":             (N,     N,    N,       N,     Y),
    "partner_official":     (N,     N,    N,       N,     Y),
    "outsider_official":    (N,     N,    N,       N,     Y),
    "expert":               (N,     N,    N,       Y,     N),
    "ministry":             (Y,     N,    Y,       N,     N),
    "admin_user":           (Y,     Y,    N,       N,     N),
    "anonymous":            (N,     N,    N,       N,     N),
}
# fmt: on
COLUMNS = COLUMNS + LANDING_COLUMNS
TABLE = {role: TABLE[role] + LANDING_TABLE[role] for role in TABLE}

# Funded projects, about a funded Gwangju (lead) + Jeonnam project: its workspace, each region's part of an
# annual report, the report's review and attachments, stage rounds, the outcome, conditions, the follow-up
# plan (endorsed by ministry: four eyes), the stage-evaluation report before and after the outcome; and the
# expert's cleared assignment on the project's stage panel (scored like a selection evaluation).
PROJECT_COLUMNS = [
    ("projects.list_projects", None),
    ("projects.view_project", "funded project"),
    ("projects.edit_report_part", "Gwangju's report part"),
    ("projects.edit_report_part", "Jeonnam's report part"),
    ("projects.edit_report", "funded project"),
    ("projects.submit_report", "funded project"),
    ("projects.review_report", "annual report"),
    ("projects.view_report_attachment", "annual report"),
    ("projects.manage_stage_rounds", None),
    ("projects.decide_stage", "stage evaluation"),
    ("projects.close_condition", "condition"),
    ("projects.edit_plan", "plan endorsed by ministry"),
    ("projects.submit_plan", "plan endorsed by ministry"),
    ("projects.endorse_plan", "plan endorsed by ministry"),
    ("projects.approve_plan", "plan endorsed by ministry"),
    ("projects.request_stage_report", "stage evaluation"),
    ("projects.download_stage_report", "stage report, outcome decided"),
    ("projects.download_stage_report", "stage report, outcome not decided"),
    ("evaluations.score", "own cleared stage evaluation"),
    ("evaluations.view_assignment", "own cleared stage evaluation"),
]
# Numbered in the order of PROJECT_COLUMNS: 1 list, 2 view, 3–4 edit part: Gwangju's, Jeonnam's, 5 edit report
# (KPIs, narrative), 6 submit report, 7 review, 8 attachments, 9 stage rounds, 10 decide, 11 close condition,
# 12 edit plan, 13 submit plan, 14 endorse, 15 approve, 16 request stage report, 17–18 download it: decided,
# not decided, 19 score and 20 view the own stage assignment.
# fmt: off
#                            1   2   3   4   5   6   7   8   9   10  11  12  13  14  15  16  17  18  19  20
PROJECT_TABLE = {
    "official":             (Y,  Y,  Y,  N,  Y,  Y,  N,  Y,  N,  N,  N,  Y,  Y,  N,  N,  N,  Y,  N,  N,  N),
    "partner_official":     (Y,  Y,  N,  Y,  N,  N,  N,  Y,  N,  N,  N,  Y,  N,  N,  N,  N,  Y,  N,  N,  N),
    "outsider_official":    (Y,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N),
    "expert":               (N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  Y,  Y),
    "ministry":             (Y,  Y,  N,  N,  N,  N,  Y,  Y,  Y,  Y,  Y,  N,  N,  Y,  N,  Y,  Y,  Y,  N,  N),
    "admin_user":           (Y,  Y,  N,  N,  N,  N,  Y,  Y,  Y,  Y,  Y,  N,  N,  Y,  Y,  Y,  Y,  Y,  N,  N),
    "anonymous":            (N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N,  N),
}
# fmt: on
COLUMNS = COLUMNS + PROJECT_COLUMNS
TABLE = {role: TABLE[role] + PROJECT_TABLE[role] for role in TABLE}

# Operations: the details of the readiness check, and why a generated document failed: staff only.
OPERATIONS_COLUMNS = [("accounts.view_health_details", None), ("core.view_document_errors", None)]
OPERATIONS_TABLE = {"official": (N, N), "partner_official": (N, N), "outsider_official": (N, N), "expert": (N, N),
                    "ministry": (Y, Y), "admin_user": (Y, Y), "anonymous": (N, N)}
COLUMNS = COLUMNS + OPERATIONS_COLUMNS
TABLE = {role: TABLE[role] + OPERATIONS_TABLE[role] for role in TABLE}
# The whole proposal as one PDF (proposals.download_proposal_pdf): whoever may view the proposal — staff and
# the regions taking part; experts and other regions never. Asked on the proposal and on its PDF's row.
PROPOSAL_PDF_COLUMNS = [("proposals.download_proposal_pdf", "proposal under review"),
                        ("proposals.download_proposal_pdf", "PDF of the proposal under review")]
PROPOSAL_PDF_TABLE = {"official": (Y, Y), "partner_official": (Y, Y), "outsider_official": (N, N), "expert": (N, N),
                      "ministry": (Y, Y), "admin_user": (Y, Y), "anonymous": (N, N)}
COLUMNS = COLUMNS + PROPOSAL_PDF_COLUMNS
TABLE = {role: TABLE[role] + PROPOSAL_PDF_TABLE[role] for role in TABLE}


# Objections, the evaluator quality record, the ratings of comments (Gwangju lead + Jeonnam proposals, one
# under review, one announced) and the good-faith review of an insufficient stage grade (opened by ministry:
# four eyes, the opener does not decide).
# fmt: off
#                                                quality rate   rate  view   view  lodge  list   answer review decide sanction
INTEGRITY_COLUMNS = [
    ("evaluations.manage_quality", None),
    ("evaluations.rate_comments", "proposal under review"),
    ("evaluations.rate_comments", "proposal announced"),
    ("evaluations.view_objection", "proposal under review"),
    ("evaluations.view_objection", "proposal announced"),
    ("evaluations.lodge_objection", "proposal announced"),
    ("evaluations.list_objections", None),
    ("evaluations.answer_objection", None),
    ("projects.review_good_faith", None),
    ("projects.decide_good_faith", "good-faith review opened by ministry"),
    ("projects.record_sanction", None),
]
INTEGRITY_TABLE = {
    "official":             (N,     N,    Y,    N,     Y,    Y,     N,     N,     N,     N,     N),
    "partner_official":     (N,     N,    N,    N,     Y,    N,     N,     N,     N,     N,     N),
    "outsider_official":    (N,     N,    N,    N,     N,    N,     N,     N,     N,     N,     N),
    "expert":               (N,     N,    N,    N,     N,    N,     N,     N,     N,     N,     N),
    "ministry":             (Y,     Y,    Y,    Y,     Y,    N,     Y,     Y,     Y,     N,     Y),
    "admin_user":           (Y,     Y,    Y,    Y,     Y,    N,     Y,     Y,     Y,     Y,     Y),
    "anonymous":            (N,     N,    N,    N,     N,    N,     N,     N,     N,     N,     N),
}
# fmt: on
COLUMNS = COLUMNS + INTEGRITY_COLUMNS
TABLE = {role: TABLE[role] + INTEGRITY_TABLE[role] for role in TABLE}

# The applicant's reviewer list (the lead region names, every participating region and staff read it) and
# the institutions registry (staff).
# fmt: off
#                                                name  read   institutions
REVIEWER_COLUMNS = [
    ("evaluations.name_reviewers", "proposal under review"),
    ("evaluations.view_reviewer_list", "proposal under review"),
    ("programmes.manage_institutions", None),
]
REVIEWER_TABLE = {
    "official":             (Y,    Y,     N),
    "partner_official":     (N,    Y,     N),
    "outsider_official":    (N,    N,     N),
    "expert":               (N,    N,     N),
    "ministry":             (N,    Y,     Y),
    "admin_user":           (N,    Y,     Y),
    "anonymous":            (N,    N,     N),
}
# fmt: on
COLUMNS = COLUMNS + REVIEWER_COLUMNS
TABLE = {role: TABLE[role] + REVIEWER_TABLE[role] for role in TABLE}

# The second factor: everyone logged in enrols and renews recovery codes; removing it is for those to
# whom it is optional (officials; experts of calls that do not require it), never ministry or administrators.
# fmt: off
#                                                manage remove
SECOND_FACTOR_COLUMNS = [("accounts.manage_second_factor", None), ("accounts.remove_second_factor", None)]
SECOND_FACTOR_TABLE = {
    "official":             (Y,     Y),
    "partner_official":     (Y,     Y),
    "outsider_official":    (Y,     Y),
    "expert":               (Y,     Y),
    "ministry":             (Y,     N),
    "admin_user":           (Y,     N),
    "anonymous":            (N,     N),
}
# fmt: on
COLUMNS = COLUMNS + SECOND_FACTOR_COLUMNS
TABLE = {role: TABLE[role] + SECOND_FACTOR_TABLE[role] for role in TABLE}


# Log-in sessions: each person ends their own ("My sessions"), nobody another's.
SESSION_COLUMNS = [("accounts.end_session", "session of the Gwangju official")]
SESSION_TABLE = {"official": (Y,), "partner_official": (N,), "outsider_official": (N,), "expert": (N,),
                 "ministry": (N,), "admin_user": (N,), "anonymous": (N,)}
COLUMNS = COLUMNS + SESSION_COLUMNS
TABLE = {role: TABLE[role] + SESSION_TABLE[role] for role in TABLE}
# People administration (accounts.people): administrators manage everybody but themselves; a regional
# administrator (`region_admin`, a Gwangju official flagged so) the Gwangju officials only, never roles, other
# regions, other roles or themselves. The targets: another Gwangju official, a Busan official, a ministry
# person (saved), and the same three about to be invited (unsaved).
# fmt: off
#                                                list  view  view  view   manage manage manage manage invite invite invite role  role
#                                                      GJ    Busan mnstry GJ     Busan  mnstry self   GJ     Busan  mnstry GJ    self
PEOPLE_COLUMNS = [
    ("accounts.manage_people", None),
    ("accounts.view_person", "Gwangju official"),
    ("accounts.view_person", "Busan official"),
    ("accounts.view_person", "ministry person"),
    ("accounts.manage_person", "Gwangju official"),
    ("accounts.manage_person", "Busan official"),
    ("accounts.manage_person", "ministry person"),
    ("accounts.manage_person", "self"),
    ("accounts.invite_person", "new Gwangju official"),
    ("accounts.invite_person", "new Busan official"),
    ("accounts.invite_person", "new ministry person"),
    ("accounts.change_role", "Gwangju official"),
    ("accounts.change_role", "self"),
]
PEOPLE_TABLE = {
    "official":             (N,    N,    N,    N,     N,     N,     N,     N,     N,     N,     N,     N,    N),
    "partner_official":     (N,    N,    N,    N,     N,     N,     N,     N,     N,     N,     N,     N,    N),
    "outsider_official":    (N,    N,    N,    N,     N,     N,     N,     N,     N,     N,     N,     N,    N),
    "expert":               (N,    N,    N,    N,     N,     N,     N,     N,     N,     N,     N,     N,    N),
    "ministry":             (N,    N,    N,    N,     N,     N,     N,     N,     N,     N,     N,     N,    N),
    "admin_user":           (Y,    Y,    Y,    Y,     Y,     Y,     Y,     N,     Y,     Y,     Y,     Y,    N),
    "anonymous":            (N,    N,    N,    N,     N,     N,     N,     N,     N,     N,     N,     N,    N),
}
# A regional administrator is a Gwangju official in every other column (see expected_of), except on what the
# `official` fixture owns.
REGION_ADMIN_PEOPLE = (Y,    Y,    N,    N,     Y,     N,     N,     N,     Y,     N,     N,     N,    N)
# fmt: on
NOT_THE_OFFICIAL_S_OWN = {("reports.download_export", "export job of the Gwangju official"): N,
                         ("accounts.end_session", "session of the Gwangju official"): N}
COLUMNS = COLUMNS + PEOPLE_COLUMNS
TABLE = {role: TABLE[role] + PEOPLE_TABLE[role] for role in TABLE}


def people_targets(*, gwangju) -> dict:
    """The people of PEOPLE_COLUMNS: saved ones, and the same about to be invited (unsaved)."""
    busan = Region.objects.get(code="busan")
    return {
        "Gwangju official": OfficialFactory(username="official-gwangju-2", region=gwangju),
        "Busan official": OfficialFactory(username="official-busan-2", region=busan),
        "ministry person": MinistryFactory(username="ministry-3"),
        "new Gwangju official": User(username="new-gj", role=Role.OFFICIAL, region=gwangju),
        "new Busan official": User(username="new-bs", role=Role.OFFICIAL, region=busan),
        "new ministry person": User(username="new-ms", role=Role.MINISTRY),
    }


@pytest.fixture
def region_admin(db):
    return OfficialFactory(username="region-admin-gwangju", region=Region.objects.get(code="gwangju"),
                           is_region_admin=True)


def expected_of(role: str) -> dict[str, bool]:
    """The row of `role`; the regional administrator's is the Gwangju official's but for the people columns."""
    row = dict(zip(COLUMNS, TABLE["official" if role == "region_admin" else role], strict=True))
    if role == "region_admin":
        row.update(zip(PEOPLE_COLUMNS, REGION_ADMIN_PEOPLE, strict=True))
        row.update(NOT_THE_OFFICIAL_S_OWN)
    return {column_name(perm, target): allowed for (perm, target), allowed in row.items()}
# Personal data (Personal Information Protection Act): an expert's contact details are shown in full, with a
# purpose and logged, to whoever sees the pool (the expert sees their own without asking, on the profile);
# the access log is read by administrators only.
# fmt: off
#                                                reveal self  reveal other  access log
PERSONAL_DATA_COLUMNS = [
    ("evaluations.reveal_expert_contacts", "self"),
    ("evaluations.reveal_expert_contacts", "another expert"),
    ("audit.view_personal_data_log", None),
]
PERSONAL_DATA_TABLE = {
    "official":             (N,    N,     N),
    "partner_official":     (N,    N,     N),
    "outsider_official":    (N,    N,     N),
    "expert":               (N,    N,     N),
    "ministry":             (Y,    Y,     N),
    "admin_user":           (Y,    Y,     Y),
    "anonymous":            (N,    N,     N),
}
# fmt: on
COLUMNS = COLUMNS + PERSONAL_DATA_COLUMNS
TABLE = {role: TABLE[role] + PERSONAL_DATA_TABLE[role] for role in TABLE}
# The public boards (public_pages/rules.py): any official asks on a published call and edits or withdraws
# their own question while it waits; staff answer and write notices.
# fmt: off
#                                                ask   ask    own   edit  withdraw queue answer notices
#                                                open  draft  list  own   own
PUBLIC_BOARD_COLUMNS = [
    ("public.ask_question", "open call"),
    ("public.ask_question", "draft call"),
    ("public.view_own_questions", None),
    ("public.edit_question", "question of the Gwangju official"),
    ("public.withdraw_question", "question of the Gwangju official"),
    ("public.view_question_queue", None),
    ("public.answer_question", "question of the Gwangju official"),
    ("public.manage_notices", None),
]
PUBLIC_BOARD_TABLE = {
    "official":             (Y,    N,     Y,    Y,    Y,       N,    N,     N),
    "partner_official":     (Y,    N,     Y,    N,    N,       N,    N,     N),
    "outsider_official":    (Y,    N,     Y,    N,    N,       N,    N,     N),
    "expert":               (N,    N,     N,    N,    N,       N,    N,     N),
    "ministry":             (N,    N,     N,    N,    N,       Y,    Y,     Y),
    "admin_user":           (N,    N,     N,    N,    N,       Y,    Y,     Y),
    "anonymous":            (N,    N,     N,    N,    N,       N,    N,     N),
}
# fmt: on
COLUMNS = COLUMNS + PUBLIC_BOARD_COLUMNS
# The regional administrator is another Gwangju official: the question is not theirs.
NOT_THE_OFFICIAL_S_OWN.update({("public.edit_question", "question of the Gwangju official"): N,
                               ("public.withdraw_question", "question of the Gwangju official"): N})
TABLE = {role: TABLE[role] + PUBLIC_BOARD_TABLE[role] for role in TABLE}


# A region's budget in a proposal (object: the region's participation). Each region edits its own
# budget while the proposal is editable; the lead region (Gwangju) sees Jeonnam's read-only.
# fmt: off
#                                 Gwangju's Jeonnam's Gwangju's, submitted
BUDGET_COLUMNS = [
    ("proposals.edit_region_budget", "Gwangju's budget in a draft"),
    ("proposals.edit_region_budget", "Jeonnam's budget in a draft"),
    ("proposals.edit_region_budget", "Gwangju's budget in a submitted proposal"),
]
BUDGET_TABLE = {
    "official":             (Y,    N,    N),
    "partner_official":     (N,    Y,    N),
    "outsider_official":    (N,    N,    N),
    "expert":               (N,    N,    N),
    "ministry":             (N,    N,    N),
    "admin_user":           (N,    N,    N),
    "anonymous":            (N,    N,    N),
}
# fmt: on
COLUMNS = COLUMNS + BUDGET_COLUMNS
TABLE = {role: TABLE[role] + BUDGET_TABLE[role] for role in TABLE}


# Grant agreements (agreements app), about the agreement of a funded Gwangju (lead) + Jeonnam project: read
# it, prepare and issue it (staff), accept each party's place on a version (staff the ministry's, each region
# its own, the lead region the lead institution's), download its PDF; and the agreements export.
# fmt: off
#                                 view  prep  issue acc-m acc-gj acc-jn acc-inst pdf  export
AGREEMENT_COLUMNS = [
    ("agreements.view_agreement", "agreement version"),
    ("agreements.prepare_agreement", "funded project"),
    ("agreements.issue_agreement", "agreement version"),
    ("agreements.accept_agreement", "the ministry's place"),
    ("agreements.accept_agreement", "Gwangju's place"),
    ("agreements.accept_agreement", "Jeonnam's place"),
    ("agreements.accept_agreement", "the lead institution's place"),
    ("agreements.download_agreement", "agreement PDF"),
    ("reports.export_agreements", None),
]
AGREEMENT_TABLE = {
    "official":             (Y,    N,    N,    N,    Y,     N,     Y,       Y,   Y),
    "partner_official":     (Y,    N,    N,    N,    N,     Y,     N,       Y,   Y),
    "outsider_official":    (N,    N,    N,    N,    N,     N,     N,       N,   Y),
    "expert":               (N,    N,    N,    N,    N,     N,     N,       N,   N),
    "ministry":             (Y,    Y,    Y,    Y,    N,     N,     N,       Y,   Y),
    "admin_user":           (Y,    Y,    Y,    Y,    N,     N,     N,       Y,   Y),
    "anonymous":            (N,    N,    N,    N,    N,     N,     N,       N,   N),
}
# fmt: on
COLUMNS = COLUMNS + AGREEMENT_COLUMNS
TABLE = {role: TABLE[role] + AGREEMENT_TABLE[role] for role in TABLE}

# --- patents --- The patent analysis of a Gwangju (lead) + Jeonnam draft in consulting grown from a final theme,
# on which the expert consults (cleared): staff and that expert write it (never on a proposal that did not grow
# from a theme), whoever reads the proposal and that expert read it, the regions taking part answer it while
# the plan can change (not once submitted).
# fmt: off
#                              write  write-no-theme  view  answer  answer-submitted
PATENT_COLUMNS = [
    ("proposals.write_patent_analysis", "draft grown from a theme"),
    ("proposals.write_patent_analysis", "proposal under review"),
    ("proposals.view_patent_analysis", "draft grown from a theme"),
    ("proposals.answer_patent_analysis", "draft grown from a theme"),
    ("proposals.answer_patent_analysis", "submitted proposal grown from a theme"),
]
PATENT_TABLE = {
    "official":             (N,    N,             Y,    Y,      N),
    "partner_official":     (N,    N,             Y,    Y,      N),
    "outsider_official":    (N,    N,             N,    N,      N),
    "expert":               (Y,    N,             Y,    N,      N),
    "ministry":             (Y,    N,             Y,    N,      N),
    "admin_user":           (Y,    N,             Y,    N,      N),
    "anonymous":            (N,    N,             N,    N,      N),
}
# fmt: on
COLUMNS = COLUMNS + PATENT_COLUMNS
TABLE = {role: TABLE[role] + PATENT_TABLE[role] for role in TABLE}


def patent_targets(*, ministry, expert, gwangju, jeonnam) -> dict:
    """The objects of PATENT_COLUMNS, written straight to the models."""
    from proposals.models import CandidateTheme, ProposalState

    call = CallFactory(status=CallStatus.OPEN, eligible_regions=[gwangju, jeonnam])
    found = {}
    for name, state in (("draft grown from a theme", ProposalState.CONSULTING),
                        ("submitted proposal grown from a theme", ProposalState.SUBMITTED)):
        theme = CandidateTheme.objects.create(call=call, lead_region=gwangju, status="selected", title_ko=name,
                                              created_by=ministry)
        found[name] = proposal = ProposalFactory(call=call, lead_region=gwangju, partners=["jeonnam"],
                                                 created_by=ministry, state=state, origin_theme=theme)
        Assignment.objects.create(kind=AssignmentKind.CONSULTING, expert=expert, proposal=proposal,
                                  assigned_by=ministry, declared_at=timezone.now())
    return found


def agreement_targets(*, project, gwangju, jeonnam) -> dict:
    """The objects of AGREEMENT_COLUMNS, unsaved (the rules read their attributes only)."""
    from agreements.models import (
        Agreement,
        AgreementDocument,
        AgreementParty,
        AgreementVersion,
        Amendment,
        CarryOver,
        Instalment,
    )

    agreement = Agreement(project=project)
    version = AgreementVersion(agreement=agreement, number=1)
    return {
        "agreement": agreement,
        "amendment": Amendment(agreement=agreement, base_version=version),
        "agreement version": version,
        "the ministry's place": AgreementParty(version=version, kind="ministry"),
        "Gwangju's place": AgreementParty(version=version, kind="region", region=gwangju),
        "Jeonnam's place": AgreementParty(version=version, kind="region", region=jeonnam),
        "the lead institution's place": AgreementParty(version=version, kind="institution", region=gwangju),
        "agreement PDF": AgreementDocument(version=version),
        # --- payments ---
        "national instalment": Instalment(agreement=agreement, source="national"),
        "Gwangju's local instalment": Instalment(agreement=agreement, source="local", region=gwangju),
        "Jeonnam's local instalment": Instalment(agreement=agreement, source="local", region=jeonnam),
        "carry-over": CarryOver(agreement=agreement, year=2023),
    }


def budget_targets(*, ministry, gwangju, jeonnam) -> dict:
    from proposals.models import ProposalState

    call = CallFactory(status=CallStatus.OPEN, eligible_regions=[gwangju, jeonnam])
    draft, submitted = (ProposalFactory(call=call, lead_region=gwangju, partners=["jeonnam"], created_by=ministry,
                                        state=state) for state in (ProposalState.DRAFT, ProposalState.SUBMITTED))
    return {
        "Gwangju's budget in a draft": draft.participations.get(region=gwangju),
        "Jeonnam's budget in a draft": draft.participations.get(region=jeonnam),
        "Gwangju's budget in a submitted proposal": submitted.participations.get(region=gwangju),
    }

def project_targets(*, ministry, expert, gwangju, jeonnam) -> dict:
    """The objects of PROJECT_COLUMNS, written straight to the models."""
    from projects.models import (
        AnnualReport,
        Condition,
        GoodFaithReview,
        Outcome,
        OutcomeRecord,
        PlanState,
        Project,
        ProjectStage,
        ReportPart,
        StageEvaluation,
        StagePlan,
        StageReport,
        StageRound,
    )

    call = CallFactory(status=CallStatus.ANNOUNCED, eligible_regions=[gwangju, jeonnam])
    funded = ProposalFactory(call=call, lead_region=gwangju, partners=["jeonnam"], created_by=ministry)
    project = Project.objects.create(proposal=funded, start_year=call.year)
    stage = ProjectStage.objects.create(project=project, number=1, start_year=call.year, years=3)
    report = AnnualReport.objects.create(project=project, year=call.year, due_on=call.announcement_date)
    rounds = [StageRound.objects.create(call=call, stage_number=n, title=f"{n}단계 평가", year=call.year + 2,
                                        envelope_won=1, opened_by=ministry) for n in (1, 2)]
    decided, undecided = (StageEvaluation.objects.create(round=r, project=project, stage=stage, outcome=outcome)
                          for r, outcome in zip(rounds, (Outcome.CONTINUE, ""), strict=True))
    return {
        "funded project": project,
        "Gwangju's outcome": OutcomeRecord.objects.create(  # --- outcomes ---
            project=project, region=gwangju, year=call.year, kind="paper", title="논문",
            occurred_on=datetime.date(call.year, 5, 1), entered_by=ministry),
        "Gwangju's report part": ReportPart.objects.create(report=report, region=gwangju),
        "Jeonnam's report part": ReportPart.objects.create(report=report, region=jeonnam),
        "annual report": report,
        "stage evaluation": undecided,
        "good-faith review opened by ministry": GoodFaithReview.objects.create(evaluation=undecided, opened_by=ministry),
        "condition": Condition.objects.create(evaluation=decided, text="사업화 전략 보완"),
        "plan endorsed by ministry": StagePlan.objects.create(
            evaluation=decided, project=project, stage_number=2, start_year=call.year + 3, years=3,
            state=PlanState.ENDORSED, endorsed_by=ministry),
        "stage report, outcome decided": StageReport.objects.create(evaluation=decided, requested_by=ministry),
        "stage report, outcome not decided": StageReport.objects.create(evaluation=undecided, requested_by=ministry),
        "own cleared stage evaluation": Assignment.objects.create(
            kind=AssignmentKind.STAGE, expert=expert, proposal=funded, stage_number=undecided.round.stage_number,
            assigned_by=ministry, declared_at=timezone.now()),
    }


@pytest.fixture
def targets(ministry, expert, official):
    gwangju, jeonnam = Region.objects.get(code="gwangju"), Region.objects.get(code="jeonnam")
    another_expert = ExpertFactory(username="expert-other")
    under_review, announced, third = (
        ProposalFactory(call=CallFactory(status=status, eligible_regions=[gwangju, jeonnam]), lead_region=gwangju,
                        partners=["jeonnam"], created_by=ministry)
        for status in (CallStatus.REVIEW, CallStatus.ANNOUNCED, CallStatus.REVIEW)
    )

    def assignment(kind, proposal, *, declared=True, conflict=False, of=expert):
        return Assignment.objects.create(
            kind=kind, expert=of, proposal=proposal, assigned_by=ministry,
            declared_at=timezone.now() if declared else None, conflict_declared=conflict,
            conflict_note="이해관계" if conflict else "")

    cleared = assignment(AssignmentKind.EVALUATION, under_review)
    decision = FundingDecision.objects.create(proposal=under_review, prepared_by=ministry, national_total_won=1)
    told = FundingDecision.objects.create(proposal=announced, prepared_by=ministry, approved_by=ministry,
                                          state="approved", national_total_won=1)
    found = {
        "decision prepared by ministry": decision,
        "letter": AwardLetter.objects.create(decision=decision, requested_by=ministry),
        "approved decision, results announced": told,
        "letter of the approved decision, results announced": AwardLetter.objects.create(decision=told,
                                                                                         requested_by=ministry),
        None: None,
        "draft call": CallFactory(status=CallStatus.DRAFT, created_by=ministry),
        "open call": CallFactory(status=CallStatus.OPEN, eligible_regions=[gwangju, jeonnam]),
        "closed call": CallFactory(status=CallStatus.CLOSED, eligible_regions=[gwangju, jeonnam]),
        "open call for Daegu only": CallFactory(eligible_regions=[Region.objects.get(code="daegu")]),
        "Gwangju": gwangju,
        "Busan": Region.objects.get(code="busan"),
        "another expert": another_expert,
        "submitted scoresheet": Scoresheet.objects.create(assignment=cleared, state=ScoresheetState.SUBMITTED,
                                                          submitted_at=timezone.now()),
        "own cleared evaluation": cleared,
        "own undeclared evaluation": assignment(AssignmentKind.EVALUATION, announced, declared=False),
        "own withdrawn evaluation": assignment(AssignmentKind.EVALUATION, third, conflict=True),
        "own cleared consulting": assignment(AssignmentKind.CONSULTING, under_review),
        "own undeclared consulting": assignment(AssignmentKind.CONSULTING, announced, declared=False),
        "another expert's evaluation": assignment(AssignmentKind.EVALUATION, under_review, of=another_expert),
        "proposal under review": under_review,
        "proposal announced": announced,
        "PDF of the proposal under review": ProposalDocument.objects.create(proposal=under_review, revision=1,
                                                                            requested_by=ministry),
        "session of the Gwangju official": UserSession.objects.create(user=official, public_id="ab" * 16),
        "export job of the Gwangju official": ExportJob.objects.create(
            requested_by=official, dataset="proposals", format="csv", expires_at=timezone.now()),
        "question of the Gwangju official": Question.objects.create(
            call=CallFactory(status=CallStatus.OPEN), asked_by=official, region=gwangju, title="지방비 질의",
            body="매칭 기준을 알려 주십시오."),
        **project_targets(ministry=ministry, expert=expert, gwangju=gwangju, jeonnam=jeonnam),
        **people_targets(gwangju=gwangju),
        **budget_targets(ministry=ministry, gwangju=gwangju, jeonnam=jeonnam),
    }
    found.update(agreement_targets(project=found["funded project"], gwangju=gwangju, jeonnam=jeonnam))
    found.update(patent_targets(ministry=ministry, expert=expert, gwangju=gwangju, jeonnam=jeonnam))
    from programmes.models import Guideline

    found["planning guideline"] = Guideline.objects.create(call=found["open call"], phase="discovery",
                                                           title_ko="발굴 지침", created_by=ministry)
    found.update(feasibility_targets(ministry=ministry, expert=expert, official=official, gwangju=gwangju,
                                     jeonnam=jeonnam, call=found["open call"]))
    return found


def feasibility_targets(*, ministry, expert, official, gwangju, jeonnam, call) -> dict:
    """A Gwangju + Jeonnam candidate theme and the expert's feasibility reviews of it and of another theme."""
    from evaluations.models import ConfidentialityPledge, ThemeReview
    from proposals.models import CandidateTheme, ThemeRegion

    themes = []
    for title in ("뉴로모픽 소자", "AI 반도체"):
        theme = CandidateTheme.objects.create(call=call, lead_region=gwangju, title_ko=title, created_by=official)
        ThemeRegion.objects.bulk_create([ThemeRegion(theme=theme, region=gwangju, is_lead=True),
                                         ThemeRegion(theme=theme, region=jeonnam)])
        themes.append(theme)
    cleared = ThemeReview.objects.create(theme=themes[0], expert=expert, assigned_by=ministry, declared_at=timezone.now())
    ConfidentialityPledge.objects.create(expert=expert, call=call, theme_review=cleared, signed_name=expert.display_name)
    return {
        "Gwangju + Jeonnam candidate theme": themes[0],
        "own cleared theme review": ThemeReview.objects.get(pk=cleared.pk),
        "own undeclared theme review": ThemeReview.objects.create(theme=themes[1], expert=expert,
                                                                  assigned_by=ministry),
    }


def column_name(perm: str, target: str | None) -> str:
    return f"{perm}({target})" if target else perm


def permissions_of(user, targets) -> dict[str, bool]:
    """The user's answer for every column of the table."""
    return {
        column_name(perm, target): user.has_perm(perm, user if target == "self" else targets[target])
        for perm, target in COLUMNS
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*TABLE, "region_admin"])
def test_each_role_has_exactly_the_permissions_of_the_table(request, targets, role):
    user = AnonymousUser() if role == "anonymous" else request.getfixturevalue(role)
    actual = permissions_of(user, targets)
    assert actual == expected_of(role)


def test_the_table_covers_every_registered_permission_outside_proposals():
    registered = {perm for perm in rules.permissions.permissions if not perm.startswith("proposals.")}
    assert sorted(registered) == sorted({perm for perm, _ in COLUMNS if not perm.startswith("proposals.")})
    # the proposals permissions this table has (the others: tests/proposals/test_access.py) are registered
    assert {perm for perm, _ in COLUMNS if perm.startswith("proposals.")} <= set(rules.permissions.permissions)


def test_require_refuses_a_permission_the_user_lacks(official):
    with pytest.raises(PermissionDenied):
        require(official, "programmes.add_call")


def test_require_lets_a_permitted_user_through(ministry):
    assert require(ministry, "programmes.add_call") is None


@pytest.mark.django_db
@pytest.mark.parametrize(("perm", "target", "message"), [
    ("funding.approve", "decision prepared by ministry",
     "Four eyes: the person who prepared a decision cannot approve it. Ask another staff member."),
    ("projects.approve_plan", "plan endorsed by ministry",
     "Four eyes: the person who endorsed a plan cannot approve it. Ask another staff member."),
])
def test_the_four_eyes_rule_tells_the_preparer_or_endorser_why_they_may_not_approve(
    targets, ministry, admin_user, official, perm, target, message
):
    obj = targets[target]
    with translation.override("en"), pytest.raises(Refused) as refused:
        require(ministry, perm, obj)
    assert (refused.value.messages, refused.value.perm) == ([message], perm)
    with translation.override("en"):
        assert refusal_reason(ministry, perm, obj) == message
    # Someone else is let through, and an official is refused without a reason to read.
    assert (require(admin_user, perm, obj), refusal_reason(admin_user, perm, obj)) == (None, None)
    with pytest.raises(PermissionDenied) as plain:
        require(official, perm, obj)
    assert (type(plain.value), refusal_reason(official, perm, obj)) == (PermissionDenied, None)


@pytest.mark.django_db
def test_an_official_without_a_region_gets_no_regional_permission():
    """The database refuses such a user; an unsaved one still must not pass the rules."""
    stray = User(username="stray", role=Role.OFFICIAL, region=None)
    call = CallFactory()
    gwangju = Region.objects.get(code="gwangju")
    assert (
        stray.has_perm("programmes.apply_to_call", call),
        stray.has_perm("programmes.view_region_dashboard", gwangju),
    ) == (False, False)


@pytest.mark.django_db
def test_a_superuser_is_held_to_the_same_rules_as_the_admin_role(admin_user, targets):
    """Django lets an active superuser pass every permission; the portal's own ones follow the rules only."""
    superuser = AdminFactory(username="root", is_superuser=True)
    assert permissions_of(superuser, targets) == permissions_of(admin_user, targets)


@pytest.mark.django_db
def test_a_deactivated_account_keeps_none_of_its_permissions(ministry, targets):
    ministry.is_active = False
    ministry.save()
    assert set(permissions_of(ministry, targets).values()) == {False}


# --- outcomes --- The outcomes registry of the funded Gwangju (lead) + Jeonnam project: whoever sees the
# project reads its outcomes; a participating region reports; only the reporting region edits (evidence,
# withdrawal) its own; staff review; the dashboard and the export: staff and every official (their region's).
OUTCOME_COLUMNS = [
    ("projects.view_outcomes", "funded project"),
    ("projects.report_outcome", "funded project"),
    ("projects.edit_outcome", "Gwangju's outcome"),
    ("projects.review_outcome", None),
    ("projects.view_outcome_dashboard", None),
    ("reports.export_outcomes", None),
]
OUTCOME_TABLE = {"official": (Y, Y, Y, N, Y, Y), "partner_official": (Y, Y, N, N, Y, Y),
                 "outsider_official": (N, N, N, N, Y, Y), "expert": (N, N, N, N, N, N),
                 "ministry": (Y, N, N, Y, Y, Y), "admin_user": (Y, N, N, Y, Y, Y), "anonymous": (N, N, N, N, N, N)}
COLUMNS = COLUMNS + OUTCOME_COLUMNS
TABLE = {role: TABLE[role] + OUTCOME_TABLE[role] for role in TABLE}


# --- planning and rounds --- Planning guidelines of a published call open to Gwangju and Jeonnam: staff publish
# them and see who read them; everyone logged in reads them; the officials of the call's eligible regions
# acknowledge them. The presentation round's shortlist, schedule and attendance: staff.
PLANNING_COLUMNS = [
    ("programmes.manage_guidelines", "open call"),
    ("programmes.view_guideline", "planning guideline"),
    ("programmes.acknowledge_guideline", "planning guideline"),
    ("programmes.view_guideline_readers", None),
    ("evaluations.manage_rounds", None),
]
PLANNING_TABLE = {"official": (N, Y, Y, N, N), "partner_official": (N, Y, Y, N, N),
                  "outsider_official": (N, Y, N, N, N), "expert": (N, Y, N, N, N),
                  "ministry": (Y, Y, N, Y, Y), "admin_user": (Y, Y, N, Y, Y), "anonymous": (N, N, N, N, N)}
COLUMNS = COLUMNS + PLANNING_COLUMNS
TABLE = {role: TABLE[role] + PLANNING_TABLE[role] for role in TABLE}


# --- amend --- Amendments of the funded Gwangju (lead) + Jeonnam project's agreement: the lead region's official
# requests; whoever sees the project reads them; staff endorse, refuse or return, and approve (an amendment nobody
# endorsed: any staff member; the four-eyes refusal of its endorser: tests/agreements/test_amendments.py).
AMENDMENT_COLUMNS = [
    ("agreements.request_amendment", "agreement"),
    ("agreements.view_amendment", "amendment"),
    ("agreements.endorse_amendment", "amendment"),
    ("agreements.decide_amendment", "amendment"),
    ("agreements.approve_amendment", "amendment"),
]
AMENDMENT_TABLE = {"official": (Y, Y, N, N, N), "partner_official": (N, Y, N, N, N),
                   "outsider_official": (N, N, N, N, N), "expert": (N, N, N, N, N),
                   "ministry": (N, Y, Y, Y, Y), "admin_user": (N, Y, Y, Y, Y), "anonymous": (N, N, N, N, N)}
COLUMNS = COLUMNS + AMENDMENT_COLUMNS
TABLE = {role: TABLE[role] + AMENDMENT_TABLE[role] for role in TABLE}


# --- payments --- The funded Gwangju (lead) + Jeonnam project's money: whoever sees the project reads it; staff
# set the schedule and record national payments; each region records its own local payments; the lead region
# asks for carry-over; staff decide it; the payments export.
PAYMENT_COLUMNS = [
    ("agreements.view_money", "agreement"),
    ("agreements.edit_schedule", "agreement"),
    ("agreements.record_payment", "national instalment"),
    ("agreements.record_payment", "Gwangju's local instalment"),
    ("agreements.record_payment", "Jeonnam's local instalment"),
    ("agreements.request_carry_over", "agreement"),
    ("agreements.decide_carry_over", "carry-over"),
    ("reports.export_payments", None),
    ("reports.export_settlements", None),
]
PAYMENT_TABLE = {"official": (Y, N, N, Y, N, Y, N, Y, Y), "partner_official": (Y, N, N, N, Y, N, N, Y, Y),
                 "outsider_official": (N, N, N, N, N, N, N, Y, Y), "expert": (N, N, N, N, N, N, N, N, N),
                 "ministry": (Y, Y, Y, N, N, N, Y, Y, Y), "admin_user": (Y, Y, Y, N, N, N, Y, Y, Y),
                 "anonymous": (N, N, N, N, N, N, N, N, N)}
COLUMNS = COLUMNS + PAYMENT_COLUMNS
TABLE = {role: TABLE[role] + PAYMENT_TABLE[role] for role in TABLE}


# --- settlement --- Year-end settlements (the agreement's, before any is opened: no draft is shown to the
# regions) and a call's amendment thresholds: staff.
SETTLEMENT_COLUMNS = [(perm, "agreement") for perm in (
    "agreements.view_settlement", "agreements.edit_settlement", "agreements.answer_settlement",
    "agreements.confirm_settlement", "agreements.record_recovery", "agreements.download_settlement")] + [
    ("agreements.list_settlements", None), ("agreements.change_amendment_policy", None)]
SETTLEMENT_TABLE = {"official": (N, N, N, N, N, Y, N, N), "partner_official": (N, N, N, N, N, Y, N, N),
                    "outsider_official": (N,) * 8, "expert": (N,) * 8,
                    "ministry": (Y, Y, N, Y, Y, Y, Y, Y), "admin_user": (Y, Y, N, Y, Y, Y, Y, Y),
                    "anonymous": (N,) * 8}
COLUMNS = COLUMNS + SETTLEMENT_COLUMNS
TABLE = {role: TABLE[role] + SETTLEMENT_TABLE[role] for role in TABLE}


# --- feasibility --- Expert groups and feasibility reviews of candidate themes: staff manage them; an expert
# lists their reviews, reads the theme and writes only after declaring no conflict on their own review; the
# regions taking part in a theme (and staff) read the consolidated advice on it.
FEASIBILITY_COLUMNS = [
    ("evaluations.manage_feasibility", None),
    ("evaluations.list_theme_reviews", None),
    ("evaluations.view_theme_review", "own cleared theme review"),
    ("evaluations.read_reviewed_theme", "own cleared theme review"),
    ("evaluations.write_theme_review", "own cleared theme review"),
    ("evaluations.read_reviewed_theme", "own undeclared theme review"),
    ("evaluations.view_theme_advice", "Gwangju + Jeonnam candidate theme"),
]
FEASIBILITY_TABLE = {"official": (N, N, N, N, N, N, Y), "partner_official": (N, N, N, N, N, N, Y),
                     "outsider_official": (N, N, N, N, N, N, N), "expert": (N, Y, Y, Y, Y, N, N),
                     "ministry": (Y, N, Y, N, N, N, Y), "admin_user": (Y, N, Y, N, N, N, Y),
                     "anonymous": (N, N, N, N, N, N, N)}
COLUMNS = COLUMNS + FEASIBILITY_COLUMNS
TABLE = {role: TABLE[role] + FEASIBILITY_TABLE[role] for role in TABLE}


# --- scenarios --- Cut-line scenarios of a call (build, compare, turn into prepared decisions): staff only.
SCENARIO_COLUMNS = [("funding.manage_scenarios", None)]
SCENARIO_TABLE = {"official": (N,), "partner_official": (N,), "outsider_official": (N,), "expert": (N,),
                  "ministry": (Y,), "admin_user": (Y,), "anonymous": (N,)}
COLUMNS = COLUMNS + SCENARIO_COLUMNS
TABLE = {role: TABLE[role] + SCENARIO_TABLE[role] for role in TABLE}
