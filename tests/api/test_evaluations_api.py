"""The consulting and evaluation summaries: what each role reads, and when.

Evaluation: three experts scored the Gwangju + Jeonnam proposal, all criteria 10, 8 and 3 (totals
100, 80 and 30; the aggregate 70), as in tests/evaluations/test_feedback.py. Before the call's
results are announced a region reads no figure; afterwards the aggregate per criterion, the panel's
comment and the anonymised comments — never an individual score. Staff read it all at once, with the
normalised figures and the rank.

Consulting: a second proposal sent to consulting (v1), a Daejeon consultant's two comments.
"""

import pytest
from django.conf import settings
from django.test import Client

from api.scopes import Scope
from evaluations.models import AssignmentKind, PanelResult
from evaluations.services import consulting_answer, consulting_comment_add
from programmes.models import CallStatus
from proposals.services import proposal_send_to_consulting
from tests.api.tokens import bearer, token_for
from tests.evaluations.conftest import (  # noqa: F401  (fixtures)
    _english,
    _media_root,
    assign,
    before_deadline,
    clear,
    complete_proposal,
    eligible_factory,
    eligible_proposal,
    make_expert,
    make_proposal,
    proposal,
    scored,
    sheet_in_db,
)

pytestmark = pytest.mark.django_db

CONSENSUS = "지역 간 역할 분담이 명확함."
DECISION = "상위 2개 과제 선정"
OVERVIEW_COMMENT = "지역 문제와 기술 목표의 연결이 약합니다. 보완하세요."
LINKS_COMMENT = "연계 사업의 예산 중복 여부를 밝혀 주십시오."
# Keys that hold rubric facts or counts, not scores.
NOT_SCORES = {"id", "proposal_id", "weight", "max_score", "number", "evaluators"}


def get(client, user, url, scopes=None):
    # English labels: the language switcher's cookie (the API answers in Korean otherwise, like the pages).
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en", **bearer(token_for(user, scopes=scopes)))


def evaluation_url(target) -> str:
    return f"/api/v1/proposals/{target.pk}/evaluation"


def consulting_url(target) -> str:
    return f"/api/v1/proposals/{target.pk}/consulting"


@pytest.fixture
def evaluated(eligible_proposal, ministry):  # noqa: F811
    judges = []
    for n, score in enumerate([10, 8, 3]):
        judge = make_expert(f"judge-{n}", display_name=f"심사위원 {n}")
        scored(eligible_proposal, judge, [score] * 5, by=ministry)
        judges.append(judge)
    PanelResult.objects.create(proposal=eligible_proposal, consensus_comment=CONSENSUS, decision_reason=DECISION, updated_by=ministry)
    eligible_proposal.judges = judges
    return eligible_proposal


def announce(target, *, reveal_panel_names=False):
    call = target.call
    call.status, call.reveal_panel_names = CallStatus.ANNOUNCED, reveal_panel_names
    call.save()


def numbers_in(value, key=None) -> list:
    """Every number in a JSON body, but under the keys that hold rubric facts or counts."""
    if isinstance(value, dict):
        return [n for k, v in value.items() for n in numbers_in(v, k)]
    if isinstance(value, list):
        return [n for v in value for n in numbers_in(v, key)]
    if isinstance(value, bool) or key in NOT_SCORES:
        return []
    return [value] if isinstance(value, int | float) else []


# --- The evaluation summary -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["official", "partner_official"])
def test_before_the_announcement_a_region_reads_no_figure(client, request, evaluated, who):
    body = get(client, request.getfixturevalue(who), evaluation_url(evaluated)).json()
    assert body == {
        "proposal_id": evaluated.pk,
        "state": {"code": "under_review", "label": "Under review"},
        "disclosed": False,
        "result": None,
        "criteria": [],
        "panel": None,
        "panel_members": None,
        "comments": [],
    }


@pytest.mark.parametrize("who", ["official", "partner_official"])
def test_after_the_announcement_a_region_reads_the_aggregate_per_criterion_and_the_panels_comment(client, request, evaluated, who):
    announce(evaluated)
    body = get(client, request.getfixturevalue(who), evaluation_url(evaluated)).json()
    assert body["disclosed"] is True
    # Each criterion: mean score (10 + 8 + 3)/3 = 7 of 10, points 7/10 × weight; total (100 + 80 + 30)/3 = 70.
    assert [(c["weight"], c["mean_score"], c["mean_points"]) for c in body["criteria"]] == [
        (25, 7, pytest.approx(17.5)),
        (25, 7, pytest.approx(17.5)),
        (20, 7, pytest.approx(14)),
        (15, 7, pytest.approx(10.5)),
        (15, 7, pytest.approx(10.5)),
    ]
    assert body["result"] == {
        "evaluators": 3,
        "trimmed_mean": pytest.approx(70),
        "mean": None,
        "std": None,
        "normalised_mean": None,
        "normalised_trimmed": None,
        "disagreement": None,
        "rank": None,
        "normalised_rank": None,
    }
    assert body["panel"] == {"consensus_comment": CONSENSUS, "decision_reason": DECISION}


def test_a_region_never_reads_an_individual_score_nor_an_evaluators_name(client, evaluated, official):
    announce(evaluated, reveal_panel_names=False)
    response = get(client, official, evaluation_url(evaluated))
    body = response.json()
    figures = numbers_in(body)
    assert [x for x in figures if round(x, 6) in {100, 80, 30, 10, 8, 3}] == []
    assert len(body["comments"]) == 3 and {c["number"] for c in body["comments"]} == {1, 2, 3}
    assert all(set(c) == {"number", "overall", "criteria"} for c in body["comments"])
    assert "심사위원" not in response.content.decode()
    assert body["panel_members"] is None


def test_the_panels_names_are_read_only_when_the_call_reveals_them(client, evaluated, official):
    announce(evaluated, reveal_panel_names=True)
    assert get(client, official, evaluation_url(evaluated)).json()["panel_members"] == ["심사위원 0", "심사위원 1", "심사위원 2"]


@pytest.mark.parametrize("who", ["ministry", "admin_user"])
def test_staff_read_at_once_the_normalised_figures_and_the_rank(client, request, evaluated, eligible_factory, ministry, who):  # noqa: F811
    # A second proposal scored higher by the same judges: the evaluated one ranks second.
    better = eligible_factory(title_ko="더 나은 과제")
    for judge in evaluated.judges:
        sheet_in_db(better, judge, [10] * 5, by=ministry)
    body = get(client, request.getfixturevalue(who), evaluation_url(evaluated)).json()
    result = body["result"]
    assert (body["disclosed"], body["state"]["code"], result["evaluators"]) == (True, "eligible", 3)
    assert (result["trimmed_mean"], result["mean"], result["rank"], result["normalised_rank"]) == (
        pytest.approx(70),
        pytest.approx(70),
        2,
        2,
    )
    assert result["std"] == pytest.approx(29.439, abs=0.01) and result["disagreement"] is True
    assert result["normalised_trimmed"] is not None
    assert body["panel_members"] == ["심사위원 0", "심사위원 1", "심사위원 2"]


@pytest.mark.parametrize("who", ["outsider_official", "expert"])
def test_another_region_and_an_expert_get_a_404_even_after_the_announcement(client, request, evaluated, who):
    announce(evaluated)
    response = get(client, request.getfixturevalue(who), evaluation_url(evaluated))
    assert (response.status_code, response["Content-Type"]) == (404, "application/problem+json")


def test_an_evaluator_of_the_proposal_reads_it_only_through_their_assignments(client, evaluated):
    judge = evaluated.judges[0]
    assert get(client, judge, evaluation_url(evaluated)).status_code == 404
    items = get(client, judge, "/api/v1/evaluations/assignments").json()["items"]
    assert [(a["proposal"]["id"], a["kind"]["code"], a["status"]["code"]) for a in items] == [
        (evaluated.pk, "evaluation", "scores_submitted")
    ]
    assert "score" not in str(items).replace("scores_submitted", "").replace("Scores submitted", "")


# --- Consulting ---------------------------------------------------------------------------------------------


@pytest.fixture
def in_consulting(complete_proposal, official, before_deadline):  # noqa: F811
    return proposal_send_to_consulting(actor=official, proposal=complete_proposal, now=before_deadline)


@pytest.fixture
def commented(in_consulting, ministry, official):
    consultant = clear(
        assign(in_consulting, make_expert("consultant", display_name="정자문 교수"), by=ministry, kind=AssignmentKind.CONSULTING)
    )
    overview = consulting_comment_add(actor=consultant.expert, assignment=consultant, section="overview", text=OVERVIEW_COMMENT)
    consulting_comment_add(actor=consultant.expert, assignment=consultant, section="links", text=LINKS_COMMENT)
    consulting_answer(actor=official, comment=overview, text="연결 고리를 보완했습니다.")
    return consultant


@pytest.mark.parametrize("who", ["official", "partner_official"])
def test_a_participating_region_reads_the_comments_and_answers_without_the_consultants_name(client, request, commented, in_consulting, who):
    response = get(client, request.getfixturevalue(who), consulting_url(in_consulting))
    body = response.json()
    assert body["consultants"] is None
    [rnd] = body["rounds"]
    assert (rnd["number"], rnd["version"], rnd["opened_at"][-6:]) == (1, 1, "+09:00")
    assert [(c["section"]["code"], c["text"], c["expert"], c["changed_since"]) for c in rnd["comments"]] == [
        ("links", LINKS_COMMENT, None, False),
        ("overview", OVERVIEW_COMMENT, None, False),
    ]
    assert rnd["comments"][1]["answer"]["text"] == "연결 고리를 보완했습니다."
    assert "정자문 교수" not in response.content.decode()


def test_the_consultants_name_is_read_when_the_call_reveals_it(client, commented, in_consulting, official):
    in_consulting.call.reveal_expert_names = True
    in_consulting.call.save()
    comments = get(client, official, consulting_url(in_consulting)).json()["rounds"][0]["comments"]
    assert [c["expert"] for c in comments] == ["정자문 교수", "정자문 교수"]


def test_staff_read_the_consultants_and_their_names(client, commented, in_consulting, ministry):
    body = get(client, ministry, consulting_url(in_consulting)).json()
    assert body["consultants"] == ["정자문 교수"]
    assert {c["expert"] for c in body["rounds"][0]["comments"]} == {"정자문 교수"}


@pytest.mark.parametrize("who", ["outsider_official", "expert"])
def test_consulting_of_another_regions_proposal_is_a_404(client, request, commented, in_consulting, who):
    assert get(client, request.getfixturevalue(who), consulting_url(in_consulting)).status_code == 404


def test_the_consultant_reads_their_assignment_not_the_proposals_consulting_page(client, commented, in_consulting):
    assert get(client, commented.expert, consulting_url(in_consulting)).status_code == 404
    items = get(client, commented.expert, "/api/v1/evaluations/assignments").json()["items"]
    assert [(a["kind"]["code"], a["status"]["code"], a["declared_at"][-6:]) for a in items] == [("consulting", "consulting", "+09:00")]


# --- Assignments, language and scopes ------------------------------------------------------------------------


def test_an_expert_reads_only_their_own_assignments_and_staff_have_none(client, in_consulting, ministry, expert):
    other = make_expert("other-consultant")
    assign(in_consulting, other, by=ministry, kind=AssignmentKind.CONSULTING)
    mine = assign(in_consulting, expert, by=ministry, kind=AssignmentKind.CONSULTING)
    items = get(client, expert, "/api/v1/evaluations/assignments").json()["items"]
    assert [(a["id"], a["status"]["code"], a["declared_at"]) for a in items] == [(mine.pk, "declaration_needed", None)]
    assert get(client, ministry, "/api/v1/evaluations/assignments").json()["count"] == 0


def test_labels_are_korean_first_and_english_when_asked(client, commented, in_consulting, official):
    korean = Client(HTTP_ACCEPT_LANGUAGE="ko")
    comments = korean.get(consulting_url(in_consulting), **bearer(token_for(official))).json()["rounds"][0]["comments"]
    assert [c["section"]["label"] for c in comments] == ["연계 사업", "개요"]
    comments = get(client, official, consulting_url(in_consulting)).json()["rounds"][0]["comments"]
    assert [c["section"]["label"] for c in comments] == ["Linked projects", "Overview"]


@pytest.mark.parametrize("path", ["evaluation", "consulting"])
def test_a_token_without_the_evaluations_scope_is_refused(client, evaluated, official, ministry, path):
    response = get(client, ministry, f"/api/v1/proposals/{evaluated.pk}/{path}", scopes=[Scope.PROPOSALS])
    assert response.status_code == 403
    assert Scope.EVALUATIONS.value in response.json()["detail"]
    assert client.get(f"/api/v1/proposals/{evaluated.pk}/{path}").status_code == 401
    assert get(client, ministry, "/api/v1/evaluations/assignments", scopes=[Scope.PROPOSALS]).status_code == 403
