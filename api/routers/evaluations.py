"""Consulting and evaluation summaries, as the person may see them on the evaluation pages
(evaluations.selectors, evaluations.services.consulting, the rules of accounts.rules).

- /proposals/{id}/consulting: the proposal's consulting page — rounds, comments, answers; the
  consultants' names only where the page shows them (staff, or a call that reveals them).
- /proposals/{id}/evaluation: the feedback page. Staff read the aggregate, its normalised variant and
  the proposal's rank on the call's board. A participating region reads only what its results page
  shows, and only once the call's results are announced: before that every figure is absent (null,
  `disclosed` false), as the page is refused. Never an individual evaluator's score, to anyone here.
- /evaluations/assignments: an expert's own assignments (their "My assignments" page).

A proposal the person cannot open in the browser is a 404 (an expert reads a proposal only through
their assignment, never by its id).
"""

import datetime

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema
from ninja.pagination import paginate

from evaluations import selectors
from evaluations.models import AssignmentKind, PanelResult, PlanSection, ScoresheetState
from evaluations.services.consulting import comments_for
from proposals import disclosure
from proposals.selectors import proposal_for

from ..auth import token_auth
from ..errors import ERRORS
from ..pagination import Mapped, Page
from ..schemas import Labelled, labelled, seoul
from ..scopes import Scope
from .proposals import MAX_ID, CallRef

# Mounted at /proposals: the consulting and evaluation of one proposal.
proposal_router = Router(tags=["evaluations"], auth=token_auth(Scope.EVALUATIONS))
# Mounted at /evaluations: what is the token owner's own.
router = Router(tags=["evaluations"], auth=token_auth(Scope.EVALUATIONS))

SCORED_KINDS = {AssignmentKind.EVALUATION, AssignmentKind.REEVALUATION, AssignmentKind.STAGE}


# --- Schemas ----------------------------------------------------------------------------------------


class AnswerOut(Schema):
    author: str
    text: str
    created_at: datetime.datetime


class ConsultingCommentOut(Schema):
    id: int
    section: Labelled
    expert: str | None = Field(description="The consultant's name, only where the consulting page shows it.")
    text: str
    created_at: datetime.datetime
    changed_since: bool = Field(description="The current plan differs in this section from the version commented on.")
    answer: AnswerOut | None


class ConsultingRoundOut(Schema):
    number: int
    version: int = Field(description="The number of the version sent to consulting that this round comments on.")
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None
    comments: list[ConsultingCommentOut]


class Consulting(Schema):
    proposal_id: int
    consultants: list[str] | None = Field(description="The assigned consultants' names (ministry and administrators only).")
    rounds: list[ConsultingRoundOut]


class CriterionResult(Schema):
    id: int
    name: str
    weight: int
    max_score: int
    mean_score: float | None = Field(description="The evaluators' mean score on this criterion (0..max_score).")
    mean_points: float | None = Field(description="The mean points on this criterion (0..weight).")


class Result(Schema):
    evaluators: int = Field(description="How many evaluators' submitted scores count.")
    trimmed_mean: float | None = Field(description="The total, 0–100 (the highest and lowest dropped from five evaluators).")
    mean: float | None = Field(None, description="Staff only: the plain mean of the totals.")
    std: float | None = Field(None, description="Staff only: the totals' standard deviation.")
    normalised_mean: float | None = Field(None, description="Staff only.")
    normalised_trimmed: float | None = Field(None, description="Staff only: the trimmed mean of the normalised totals.")
    disagreement: bool | None = Field(None, description="Staff only: the totals spread widely.")
    rank: int | None = Field(None, description="Staff only: the place on the call's ranking board by the trimmed mean.")
    normalised_rank: int | None = Field(None, description="Staff only: the place by the normalised trimmed mean.")


class Panel(Schema):
    consensus_comment: str
    decision_reason: str


class EvaluatorComments(Schema):
    number: int = Field(description='"Evaluator 1", "Evaluator 2", …: an order that follows neither the assignments nor the names.')
    overall: str
    criteria: list[dict[str, str]] = Field(description="Per criterion commented on: {criterion, comment}.")


class EvaluationSummary(Schema):
    proposal_id: int
    state: Labelled = Field(description="The proposal's state as the token's owner sees it.")
    disclosed: bool = Field(description="The results may be shown to the token's owner; when false every figure is null.")
    result: Result | None
    criteria: list[CriterionResult]
    panel: Panel | None
    panel_members: list[str] | None = Field(description="The evaluators' names, where the results page shows them.")
    comments: list[EvaluatorComments]


class ProposalRef(Schema):
    id: int
    title: str


class AssignmentOut(Schema):
    id: int
    kind: Labelled
    proposal: ProposalRef
    call: CallRef
    status: Labelled
    assigned_at: datetime.datetime
    declared_at: datetime.datetime | None


# --- Shaping ------------------------------------------------------------------------------------------


def _consulting_item(item: dict) -> dict:
    comment, answer = item["comment"], item["answer"]
    return {
        "id": comment.pk,
        "section": labelled(comment.section, PlanSection),
        "expert": str(item["expert"]) if item["expert"] is not None else None,
        "text": comment.text,
        "created_at": seoul(comment.created_at),
        "changed_since": item["changed"],
        "answer": {"author": str(answer.author), "text": answer.text, "created_at": seoul(answer.created_at)} if answer else None,
    }


def _status(assignment) -> dict:
    """The badge of the "My assignments" page."""
    if assignment.declared_at is None:
        return {"code": "declaration_needed", "label": _("Declaration needed")}
    if assignment.conflict_declared:
        return {"code": "withdrawn", "label": _("Withdrawn (conflict)")}
    if assignment.kind in SCORED_KINDS:
        sheet = getattr(assignment, "scoresheet", None)
        if sheet is not None and sheet.state == ScoresheetState.SUBMITTED:
            return {"code": "scores_submitted", "label": _("Scores submitted")}
        if sheet is not None:
            return {"code": "draft_saved", "label": _("Draft saved")}
        return {"code": "to_score", "label": _("To score")}
    return {"code": "consulting", "label": _("Consulting")}


def _assignment(assignment) -> dict:
    proposal, call = assignment.proposal, assignment.proposal.call
    return {
        "id": assignment.pk,
        "kind": labelled(assignment.kind, AssignmentKind),
        "proposal": {"id": proposal.pk, "title": proposal.title},
        "call": {"id": call.pk, "title": call.title, "year": call.year},
        "status": _status(assignment),
        "assigned_at": seoul(assignment.assigned_at),
        "declared_at": seoul(assignment.declared_at),
    }


def _figure(value) -> float | None:
    return None if value is None else float(value)


# --- Endpoints -------------------------------------------------------------------------------------------


@proposal_router.get("/{proposal_id}/consulting", response={200: Consulting, **ERRORS}, summary="A proposal's consulting comments")
def get_proposal_consulting(request, proposal_id: int = Path(..., ge=1, le=MAX_ID)):
    """The consulting rounds of a proposal as its consulting page shows them: each round's comments by
    section, whether the plan changed since in that section, and the region's answers. 404 when the
    token's owner may not open the page (another region's proposal; an expert — they read their own
    comments on their assignment)."""
    user = request.user
    proposal = proposal_for(user=user, pk=proposal_id)
    if not user.has_perm("evaluations.view_consulting", proposal):
        raise Http404
    staff = user.has_perm("evaluations.manage_panels")
    consultants = None
    if staff:
        consultants = [str(a.expert) for a in proposal.assignments.filter(kind=AssignmentKind.CONSULTING).select_related("expert")]
    return {
        "proposal_id": proposal.pk,
        "consultants": consultants,
        "rounds": [
            {
                "number": r["round"].number,
                "version": r["round"].version.number,
                "opened_at": seoul(r["round"].opened_at),
                "closed_at": seoul(r["round"].closed_at),
                "comments": [_consulting_item(i) for i in r["items"]],
            }
            for r in comments_for(user=user, proposal=proposal)
        ],
    }


@proposal_router.get("/{proposal_id}/evaluation", response={200: EvaluationSummary, **ERRORS}, summary="A proposal's evaluation summary")
def get_proposal_evaluation(request, proposal_id: int = Path(..., ge=1, le=MAX_ID)):
    """The evaluation of a proposal as its results page shows it: the aggregate per criterion and in
    total, the panel's consensus comment and the decision's reason, the evaluators' comments without
    their names or scores. Staff also read the normalised figures and the rank. A participating region
    reads them only once the call's results are announced (before, `disclosed` is false and every figure
    null). 404 when the token's owner may not open the proposal."""
    user = request.user
    proposal = proposal_for(user=user, pk=proposal_id)
    code, label = disclosure.shown_state(user=user, proposal=proposal)
    body = {
        "proposal_id": proposal.pk,
        "state": {"code": code, "label": label},
        "disclosed": False,
        "result": None,
        "criteria": [],
        "panel": None,
        "panel_members": None,
        "comments": [],
    }
    if not user.has_perm("evaluations.view_feedback", proposal):
        return body
    staff = user.has_perm("evaluations.manage_panels")
    call = proposal.call
    criteria = list(call.criteria.all())
    result = selectors.call_results(call=call, criteria=selectors.criteria_of(call)).get(proposal.pk)
    figures = None
    if result is not None:
        figures = {"evaluators": result.evaluators, "trimmed_mean": _figure(result.trimmed_mean)}
        if staff:
            figures.update(
                mean=_figure(result.mean),
                std=_figure(result.std),
                normalised_mean=_figure(result.normalised_mean),
                normalised_trimmed=_figure(result.normalised_trimmed),
                disagreement=result.disagreement,
                rank=selectors.rank_of(proposal=proposal, criteria=criteria),
                normalised_rank=selectors.rank_of(proposal=proposal, criteria=criteria, normalised=True),
            )
    panel = PanelResult.objects.filter(proposal=proposal).first()
    members = None
    if staff or call.reveal_panel_names:
        members = sorted(
            {
                str(a.expert)
                for a in proposal.assignments.filter(kind=AssignmentKind.EVALUATION, conflict_declared=False).select_related("expert")
            }
        )
    return {
        **body,
        "disclosed": True,
        "result": figures,
        "criteria": [
            {
                "id": c.pk,
                "name": c.name,
                "weight": c.weight,
                "max_score": c.max_score,
                "mean_score": _figure(result.by_criterion_score.get(c.pk)) if result else None,
                "mean_points": _figure(result.by_criterion.get(c.pk)) if result else None,
            }
            for c in criteria
        ],
        "panel": {
            "consensus_comment": panel.consensus_comment if panel else "",
            "decision_reason": (panel.decision_reason if panel else "") or proposal.state_reason,
        },
        "panel_members": members,
        "comments": [
            {
                "number": c["number"],
                "overall": c["overall"],
                "criteria": [{"criterion": criterion.name, "comment": text} for criterion, text in c["criteria"]],
            }
            for c in selectors.feedback_comments(proposal=proposal)
        ],
    }


@router.get("/assignments", response={200: list[AssignmentOut], **ERRORS}, summary="My assignments")
@paginate(Page)
def list_my_assignments(request):
    """The token owner's own assignments as an expert (consulting, evaluation, stage evaluation), newest
    first, with the status their assignments page shows. Anyone else has none."""
    return Mapped(selectors.assignments_of(user=request.user).order_by("-assigned_at", "-pk"), _assignment)
