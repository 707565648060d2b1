"""Who may reach what in the evaluations app, generated from the URL configuration.

The world: two eligible Gwangju + Jeonnam proposals and one in consulting. The
panel expert (`expert`) has a cleared evaluation of the first, an undeclared
evaluation of the second and a cleared consulting assignment (with a comment)
on the third. Every URL of evaluations.urls is filled in for that world and
requested with GET and POST by a Busan official, an expert with no assignment
and an anonymous visitor: none of them gets the page, sees a proposal or
changes anything. The POST bodies are real: the owner of each page (ministry
staff, the panel expert, the lead region) making the same requests does change
the database, so the refusals are not vacuous.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, User
from evaluations import urls as evaluation_urls
from evaluations.models import (
    Assignment,
    AssignmentKind,
    CommentAnswer,
    CommentRating,
    ConfidentialityPledge,
    ConsultingComment,
    ConsultingRound,
    ExpertExclusion,
    ExpertProfile,
    Objection,
    ObjectionAttachment,
    ObjectionRemedy,
    ObjectionState,
    PanelResult,
    PresentationSlot,
    Score,
    Scoresheet,
    ScoresheetEvent,
    ShortlistEntry,
    SuggestedField,
    UnsuitableReviewer,
    ZonePanelMember,
)
from evaluations.services import consulting_comment_add, panel_auto_plan
from programmes.models import Call, CallStatus, QualityRules
from proposals.models import Proposal, ProposalState
from proposals.services import proposal_send_to_consulting
from tests.clock import at, on
from tests.evaluations.conftest import (
    COMMENT,
    NO_GROUNDS,
    assign,
    clear,
    criteria_of,
    fill,
    make_eligible,
    make_expert,
    scored,
    submit_scores,
)
from tests.factories import CallFactory
from tests.login import log_in
from tests.proposals.conftest import PDF

pytestmark = pytest.mark.django_db

PANEL_ACTIONS = {"panel_assign", "panel_unassign", "panel_reopen", "panel_chair",
                 "panel_override"}  # the panel page's, one URL each
OBJECTION_ACTIONS = {"objection_review", "objection_answer", "objection_close", "objection_assign"}
# The presentation round (services.rounds): the shortlist, the schedule's slot and attendance, the invitation, the
# panel's calendar.
ROUNDS_POST = {"shortlist_take", "presentation_slot", "presentation_attendance"}
# Zone panels (services.zones): the page and its member actions (seat, chair, remove), one URL.
ZONE_POST = {"zone_member"}
POST_ONLY = {"declare", "score", "comment", "feedback_rate", "reviewers_remove", *PANEL_ACTIONS,
             "quality_rules", "quality_exclude", *OBJECTION_ACTIONS, *ROUNDS_POST, *ZONE_POST}
GET_ONLY = {"panel", "quality", "objections", "objection_detail", "objection_attachment",
            "schedule", "presentation", "presentations_ics"}  # their actions post elsewhere
QUALITY_ACTIONS = {"quality_rules", "quality_exclude"}  # the quality page's, one URL each
STAFF_ONLY = {"experts", "expert_import", "expert_profile", "expert_export", "panel", "panel_result", "auto_assign", "ranking", "progress",
              "quality", *PANEL_ACTIONS, *QUALITY_ACTIONS, "objections", "objection_detail", *OBJECTION_ACTIONS,
              *ROUNDS_POST, "schedule", "zone_panels", "zone_member"}
OWN_LIST = {"assignments", "presentations_ics"}  # every expert has one; it must not show the world's proposals

CSV = "\ufeffusername,name,email,affiliation,home_region\r\nnew-expert,새 전문가,new@example.kr,한국과학기술원,daejeon\r\n"

# Which object of the world each URL is about.
FILL = {
    "experts": None, "expert_import": None, "assignments": None, "expert_export": None,
    "expert_profile": lambda w: w.spare.pk,  # another expert's profile (an expert reads only their own)
    "assignment": lambda w: w.evaluation.pk, "declare": lambda w: w.undeclared.pk, "score": lambda w: w.evaluation.pk,
    "comment": lambda w: w.consulting.pk,
    "panel": lambda w: w.eligible.pk, "panel_result": lambda w: w.eligible.pk, "feedback": lambda w: w.eligible.pk,
    "panel_chair": lambda w: w.eligible.pk, "panel_override": lambda w: w.eligible.pk,
    # The reviewer list of a proposal whose panel is still to come (the lead region may change it).
    "reviewers": lambda w: w.in_consulting.pk, "reviewers_remove": lambda w: w.in_consulting.pk,
    "objection": lambda w: w.rejected.pk, "objections": lambda w: w.announced.pk,
    "objection_detail": lambda w: w.upheld.pk, "objection_review": lambda w: w.lodged.pk,
    "objection_answer": lambda w: w.lodged.pk, "objection_close": lambda w: w.upheld.pk,
    "objection_assign": lambda w: w.upheld.pk, "objection_attachment": lambda w: w.objection_file.pk,
    "pledge": lambda w: w.call.pk,
    "panel_assign": lambda w: w.eligible.pk, "panel_unassign": lambda w: w.eligible.pk,
    "panel_reopen": lambda w: w.sheet.assignment.proposal_id,
    "consulting": lambda w: w.in_consulting.pk,
    "auto_assign": lambda w: w.call.pk, "ranking": lambda w: w.call.pk, "progress": lambda w: w.call.pk,
    "feedback_rate": lambda w: w.sheet.assignment.proposal_id,
    "quality": lambda w: w.call.pk, "quality_rules": lambda w: w.call.pk, "quality_exclude": lambda w: w.call.pk,
    "shortlist_take": lambda w: w.call.pk, "schedule": lambda w: w.call.pk, "presentation": lambda w: w.eligible.pk,
    "presentation_slot": lambda w: w.eligible.pk, "presentation_attendance": lambda w: w.eligible.pk,
    "presentations_ics": None,
    "zone_panels": lambda w: w.call.pk, "zone_member": lambda w: w.call.pk,
}
# What a POST to each URL carries: a real change its owner could make.
PAYLOADS = {
    "experts": lambda w: {},
    # Reading contact details with a purpose (logged, tests/evaluations/test_contact_details.py).
    "expert_profile": lambda w: {"purpose": "scheduling"},
    "expert_export": lambda w: {"export-purpose": "recruiting"},
    "expert_import": lambda w: {"file": SimpleUploadedFile("experts.csv", CSV.encode())},
    "assignments": lambda w: {},
    "assignment": lambda w: {},
    "declare": lambda w: {"decision": "none", **NO_GROUNDS},
    "score": lambda w: {f"score-{w.criterion.pk}": "7", f"comment-{w.criterion.pk}": COMMENT, "draft": "1"},
    "comment": lambda w: {"section": "goals", "text": "목표 지표의 근거를 보완해 주십시오."},
    "panel": lambda w: {"op": "assign", "expert": w.spare.pk, "kind": "evaluation"},
    "panel_assign": lambda w: {"expert": w.spare.pk, "kind": "evaluation"},
    "panel_unassign": lambda w: {"assignment": w.evaluation.pk},
    "panel_reopen": lambda w: {"scoresheet": w.sheet.pk, "reason": "의견 보완 요청"},
    "panel_result": lambda w: {"consensus_comment": "가로챈 패널 의견", "decision_reason": ""},
    "consulting": lambda w: {"comment": w.comment.pk, "text": "가로챈 답변"},
    "panel_chair": lambda w: {"assignment": w.evaluation.pk},
    "panel_override": lambda w: {"unsuitable": w.named.pk, "reason": "해당 분야 전문가가 달리 없음"},
    "reviewers": lambda w: {"form": "unsuitable", "name": "홍길동", "institution": "가상대학교", "reason": "공동연구 중"},
    "reviewers_remove": lambda w: {"unsuitable": w.own_entry.pk},
    "feedback": lambda w: {},
    "auto_assign": lambda w: {"signature": panel_auto_plan(call=w.call).signature},
    "ranking": lambda w: {},
    "progress": lambda w: {},
    "feedback_rate": lambda w: {"scoresheet": w.sheet.pk, "value": "4"},
    "quality": lambda w: {},
    "quality_rules": lambda w: {"max_late_submissions": "3", "max_reopens": "1", "max_mean_abs_z": "1.5",
                                "min_comment_length": "20", "min_average_rating": "2.5"},
    "quality_exclude": lambda w: {"expert": w.spare.pk, "reason": "평가 품질 미흡"},
    "objection": lambda w: {"grounds": "평가 점수 합산에 오류가 있습니다."},
    "objections": lambda w: {},
    "objection_detail": lambda w: {},
    "objection_review": lambda w: {},
    "objection_answer": lambda w: {"action": "dismiss", "answer": "절차상 하자가 없습니다.", "confirm": "on"},
    "objection_close": lambda w: {"reevaluation_result": "재평가 결과 원 결과 유지", "confirm": "on"},
    "objection_assign": lambda w: {"expert": w.spare.pk},
    "objection_attachment": lambda w: {},
    "pledge": lambda w: {"agree": "on", "signed_name": "김민준 교수"},
    "shortlist_take": lambda w: {"confirm": "on"},
    "schedule": lambda w: {},
    "presentation": lambda w: {},
    "presentation_slot": lambda w: {"starts_at": f"{at(2027, 3, 12, 10):%Y-%m-%dT%H:%M}",
                                    "ends_at": f"{at(2027, 3, 12, 11):%Y-%m-%dT%H:%M}", "place": "세종청사"},
    "presentation_attendance": lambda w: {"attendance": "attended"},
    "presentations_ics": lambda w: {},
    "zone_panels": lambda w: {},
    "zone_member": lambda w: {"action": "chair", "member": str(10**9)},
}
# Who owns each page (for the check that the same requests work for them).
OWNER = {
    **dict.fromkeys(STAFF_ONLY | {"feedback", "feedback_rate"}, "ministry"),
    **dict.fromkeys(("assignments", "assignment", "declare", "score", "comment", "pledge", "presentations_ics"),
                    "panel_expert"),
    "presentation": "official",
    "consulting": "official", "objection": "official", "objection_attachment": "official",
    "reviewers": "official", "reviewers_remove": "official",
}
WRITES = {"expert_import", "declare", "score", "comment", "panel_result", "consulting", "auto_assign",
          "feedback_rate", *PANEL_ACTIONS, *QUALITY_ACTIONS, "objection", *OBJECTION_ACTIONS, "reviewers",
          "reviewers_remove", "presentation_slot", "presentation_attendance"}
# progress queues reminders to a worker (test_progress_and_reminders covers it); this world's call has one round,
# so no shortlist is taken (test_rounds covers it)
# nor has zones (its zone panels page shows none and confirms no plan: test_zone_panels covers them)
NOT_POSTED_BY_OWNER = {"progress", "shortlist_take", "zone_panels", "zone_member"}

# The feasibility pages (evaluations.feasibility_views: expert groups and reviews of a call's candidate themes,
# not of a proposal): the portal-wide matrix (tests/megaproject/test_access_matrix.py) holds their rows for every
# role, tests/evaluations/test_feasibility.py their rules.
PATTERNS = [p for p in evaluation_urls.urlpatterns if p.callback.__module__ != "evaluations.feasibility_views"]
NAMES = [p.name for p in PATTERNS]
MODELS = [User, ExpertProfile, Assignment, Scoresheet, Score, ScoresheetEvent, ConsultingRound, ConsultingComment,
          CommentAnswer, PanelResult, Notification, Proposal, Call, CommentRating, ExpertExclusion, QualityRules,
          Objection, ObjectionAttachment, UnsuitableReviewer, SuggestedField, ConfidentialityPledge, ShortlistEntry,
          PresentationSlot, ZonePanelMember]


def url_of(world, name) -> str:
    fill_in = FILL[name]
    return reverse(f"evaluations:{name}", args=[fill_in(world)] if fill_in else [])


def db_state() -> dict:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}


@pytest.fixture
def world(call, ministry, official, partner_official, expert, make_proposal, before_deadline):
    call.panel_size = 2
    call.save()
    eligible = make_eligible(make_proposal(partners=["jeonnam"], title_ko="평가 과제 가", title_en="Evaluated A"),
                             ministry=ministry, now=before_deadline)
    second = make_eligible(make_proposal(partners=["jeonnam"], title_ko="평가 과제 나", title_en="Evaluated B"),
                           ministry=ministry, now=before_deadline)
    in_consulting = proposal_send_to_consulting(
        actor=official, proposal=fill(make_proposal(partners=["jeonnam"], title_ko="컨설팅 과제", title_en="Consulted")),
        now=before_deadline)
    evaluation = clear(assign(eligible, expert, by=ministry))
    undeclared = assign(second, expert, by=ministry)
    consulting = clear(assign(in_consulting, expert, by=ministry, kind=AssignmentKind.CONSULTING))
    comment = consulting_comment_add(actor=expert, assignment=consulting, section="overview",
                                     text="지역 문제 서술을 구체화해 주십시오.")
    sheet = scored(second, make_expert("scorer"), [8, 7, 6, 5, 4], by=ministry).scoresheet  # staff may reopen it
    objections = objection_world(make_proposal=make_proposal, official=official, ministry=ministry)
    # The region named an expert unsuitable before the panel (staff may override it), and one on the
    # proposal still in consulting (the lead region may remove it).
    named = UnsuitableReviewer.objects.create(proposal=eligible, expert=make_expert("named"), reason="경쟁 과제 수행",
                                              named_by=official)
    own_entry = UnsuitableReviewer.objects.create(proposal=in_consulting, name="홍길동", reason="공동연구 중",
                                                  named_by=official)
    # The eligible proposal is invited to present (its presentation started an hour ago).
    call.presentation_start, call.presentation_end = on(2027, 3, 10), on(2027, 3, 20)
    call.save()
    ShortlistEntry.objects.create(call=call, proposal=eligible, written_rank=1, written_score=80, taken_by=ministry)
    PresentationSlot.objects.create(proposal=eligible, starts_at=timezone.now() - datetime.timedelta(hours=1),
                                    ends_at=timezone.now(), place="정부세종청사", set_by=ministry)
    return SimpleNamespace(
        call=call, eligible=eligible, in_consulting=in_consulting, evaluation=evaluation, undeclared=undeclared,
        consulting=consulting, comment=comment, criterion=criteria_of(call)[0], spare=make_expert("spare"), sheet=sheet,
        proposals=[eligible, second, in_consulting, *objections["objected"]], **objections, named=named,
        own_entry=own_entry,
    )


def objection_world(*, make_proposal, official, ministry) -> dict:
    """A call announced now with three Gwangju + Jeonnam proposals not selected: one without an
    objection, one whose objection was lodged, one whose objection was upheld for a re-evaluation
    (a file attached, a new panel member's scores submitted)."""
    announced = CallFactory(year=2026, status=CallStatus.ANNOUNCED, announced_at=timezone.now(), created_by=ministry,
                            updated_by=ministry)
    rejected, lodged_on, upheld_on = (
        make_proposal(call=announced, partners=["jeonnam"], state=ProposalState.NOT_SELECTED, title_ko=f"미선정 {n}",
                      title_en=f"Not selected {n}") for n in "ABC")
    lodged = Objection.objects.create(proposal=lodged_on, grounds="점수 편차", lodged_by=official,
                                      lodged_at=timezone.now())
    upheld = Objection.objects.create(proposal=upheld_on, grounds="점수 편차", lodged_by=official,
                                      lodged_at=timezone.now(), state=ObjectionState.UPHELD, answer="재평가",
                                      remedy=ObjectionRemedy.RE_EVALUATION,
                                      reevaluation_deadline=timezone.localdate() + datetime.timedelta(days=14))
    objection_file = ObjectionAttachment(objection=upheld, original_name="근거.pdf", extension=".pdf", kind="PDF",
                                         size=len(PDF), uploaded_by=official)
    objection_file.file.save("근거.pdf", ContentFile(PDF), save=False)
    objection_file.save()
    submit_scores(clear(assign(upheld_on, make_expert("re-judge"), by=ministry, kind=AssignmentKind.REEVALUATION)),
                  [7, 7, 7, 7, 7])
    return {"announced": announced, "rejected": rejected, "lodged": lodged, "upheld": upheld,
            "objection_file": objection_file, "objected": [rejected, lodged_on, upheld_on]}


@pytest.fixture
def panel_expert(expert):
    return expert


def browser(settings, user=None) -> Client:
    c = Client()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        log_in(c, user)
    return c


def outcome(response, url) -> str:
    if response.status_code == 302 and response["Location"] == f"{reverse('login')}?next={url}":
        return "login"
    return str(response.status_code)


def shows(body: bytes, proposals) -> bool:
    """The page gives away one of the world's proposals: a title or its summary."""
    texts = [t for p in proposals for t in (p.title_ko, p.title_en)] + [proposals[0].summary]
    return any(text.encode() in body for text in texts)


def expected(name, who, method) -> str:
    if (method == "GET" and name in POST_ONLY) or (method == "POST" and name in GET_ONLY):
        return "405"
    if who == "anonymous":
        return "login"
    if name in STAFF_ONLY:
        return "403"
    if name in OWN_LIST:
        return "200" if who == "unassigned expert" else "403"
    return "404"


# --- The guard: no URL can be left out ----------------------------------------------------------


def test_every_url_of_the_evaluations_app_is_in_the_matrix():
    names = set(NAMES)
    assert len(NAMES) == len(names)
    assert set(FILL) == set(PAYLOADS) == set(OWNER) == names
    assert {param for p in PATTERNS for param in p.pattern.converters} == {"pk"}
    assert {name for name, fill_in in FILL.items() if fill_in is None} == {
        p.name for p in PATTERNS if not p.pattern.converters}
    assert names >= POST_ONLY | GET_ONLY | STAFF_ONLY | OWN_LIST | WRITES | NOT_POSTED_BY_OWNER


# --- Outsiders ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_an_outsider_an_unassigned_expert_and_an_anonymous_visitor_get_nothing_and_change_nothing(
    settings, world, outsider_official, name
):
    url = url_of(world, name)
    people = {"outsider": outsider_official, "unassigned expert": make_expert("unassigned"), "anonymous": None}
    results, wanted = {}, {}
    for who, user in people.items():
        c = browser(settings, user)
        for method in ("GET", "POST"):
            before = db_state()
            response = c.get(url) if method == "GET" else c.post(url, PAYLOADS[name](world))
            results[(who, method)] = {
                "status": outcome(response, url),
                "database changed": db_state() != before,
                "shows a proposal": shows(response.content, world.proposals),
            }
            wanted[(who, method)] = {
                "status": expected(name, who, method), "database changed": False, "shows a proposal": False}
    assert results == wanted


@pytest.mark.parametrize("name", sorted(STAFF_ONLY))
def test_staff_pages_are_403_for_the_regions_officials_and_the_panel_expert(
    settings, world, official, partner_official, expert, name
):
    url = url_of(world, name)
    results = {}
    for user in (official, partner_official, expert):
        c = browser(settings, user)
        before = db_state()
        get, post = c.get(url), c.post(url, PAYLOADS[name](world))
        results[user.username] = (get.status_code, post.status_code, db_state() != before)
    get_status, post_status = 405 if name in POST_ONLY else 403, 405 if name in GET_ONLY else 403
    assert results == dict.fromkeys(("official-gwangju", "official-jeonnam", "expert1"),
                                    (get_status, post_status, False))


# --- The owners: the same requests work ----------------------------------------------------------


def test_the_owner_of_every_url_opens_it_and_every_write_takes_effect(settings, request, world):
    results, wanted = {}, {}
    for name in NAMES:
        url = url_of(world, name)
        c = browser(settings, request.getfixturevalue(OWNER[name]))
        with transaction.atomic():
            get = c.get(url)
            before = db_state()
            post = None if name in NOT_POSTED_BY_OWNER else c.post(url, PAYLOADS[name](world))
            changed = db_state() != before
            transaction.set_rollback(True)
        opens = name not in POST_ONLY
        # The quality page names a proposal only as a late submission's evidence (none in this world); the
        # pledge names only the call.
        shows_world = opens and name not in {"experts", "expert_import", "expert_profile", "expert_export",
                                             "quality", "objection_attachment", "pledge", "presentations_ics",
                                             "zone_panels"}
        body = b"".join(get.streaming_content) if get.streaming else get.content
        results[name] = (get.status_code, shows(body, world.proposals), post and post.status_code, changed)
        wanted[name] = (200 if opens else 405, shows_world,
                        None if name in NOT_POSTED_BY_OWNER else 405 if name in GET_ONLY
                        else (302 if name in WRITES - {"expert_import"} else 200),
                        name in WRITES)
    assert results == wanted
