"""Evaluation fixtures and helpers (the test modules import the helpers from here).

The proposal fixtures and page helpers of tests/proposals/conftest.py are
re-exported, so messages are compared in English here too. Experts come from
Daejeon unless a test says otherwise, so they are conflict-free for the
Gwangju (lead) + Jeonnam proposals.

`eligible_proposal` goes the real way: complete and signed, submitted before
the deadline, eligibility passed by ministry staff, which freezes the version
experts read. Tests that only need many eligible proposals use
`eligible_factory` (straight to the model, no version).
"""

import datetime

import pytest
from django.utils import timezone

from evaluations.models import Assignment, AssignmentKind, ConfidentialityPledge, Score, Scoresheet, ScoresheetState
from evaluations.services import assignment_declare, panel_assign, scoresheet_save
from programmes.models import DECLARED_GROUNDS
from proposals.models import Proposal, ProposalState
from proposals.services import proposal_check_eligibility, proposal_submit
from tests.factories import ExpertFactory, in_review, industry, region
from tests.proposals.conftest import (  # noqa: F401  (fixtures shared with the proposals tests)
    ProposalFactory,
    _english,
    _media_root,
    before_deadline,
    client,
    complete_proposal,
    fill,
    form_fields,
    make_proposal,
    messages_of,
    official_of,
    other_client,
    proposal,
    text_of,
)

# The declaration page's answers "no" to every ground a call has experts declare (all, by default).
NO_GROUNDS = {f"ground_{g}": "no" for g in DECLARED_GROUNDS}

# Long enough for the default score_comment_min_length (20).
COMMENT = "근거: 목표와 예산이 단계별로 잘 연결되어 있음."


def make_expert(username: str, *, home: str = "daejeon", affiliation: str = "한국과학기술원", industries=None,
                display_name: str | None = None, **profile):
    """An expert with a profile: home region code, affiliation and fields of expertise (codes)."""
    codes = ["secondary-batteries"] if industries is None else industries
    return ExpertFactory(
        username=username, display_name=display_name or f"전문가 {username}",
        profile__home_region=region(home), profile__affiliation=affiliation,
        profile__industries=[industry(c) for c in codes], **{f"profile__{k}": v for k, v in profile.items()},
    )


def make_eligible(draft: Proposal, *, ministry, now) -> Proposal:
    """Complete, sign, submit (by the lead region's official) and pass eligibility."""
    fill(draft)
    proposal_submit(actor=official_of(draft.lead_region), proposal=draft, now=now)
    proposal_check_eligibility(actor=ministry, proposal=draft, passed=True)
    return Proposal.objects.select_related("call").get(pk=draft.pk)


@pytest.fixture
def eligible_proposal(proposal, ministry, official, before_deadline):  # noqa: F811  (the imported fixtures)
    """The Gwangju + Jeonnam proposal, submitted (v1) and eligible for evaluation."""
    return make_eligible(proposal, ministry=ministry, now=before_deadline)


@pytest.fixture
def eligible_factory(call, official):
    """Eligible proposals straight from the factory (Gwangju leads; no frozen version)."""

    def make(**kwargs) -> Proposal:
        kwargs.setdefault("call", call)
        kwargs.setdefault("state", ProposalState.ELIGIBLE)
        kwargs.setdefault("submitted_at", timezone.now() - datetime.timedelta(days=1))
        return ProposalFactory(**kwargs)

    return make


def criteria_of(call) -> list:
    return list(call.criteria.order_by("order", "pk"))


def assign(target: Proposal, expert, *, by, kind=AssignmentKind.EVALUATION, pledged: bool = True) -> Assignment:
    """Assign through the service; the expert has signed the call's confidentiality pledge
    unless `pledged` is False."""
    assignment = panel_assign(actor=by, proposal=target, expert=expert, kind=kind)
    if pledged:
        pledge(expert, target.call)
    return assignment


def pledge(expert, call) -> ConfidentialityPledge:
    """The expert's signed confidentiality pledge for the call (straight to the model)."""
    return ConfidentialityPledge.objects.get_or_create(expert=expert, call=call,
                                                       defaults={"signed_name": expert.display_name})[0]


def clear(assignment: Assignment) -> Assignment:
    """The expert declares no conflict."""
    return assignment_declare(actor=assignment.expert, assignment=assignment, conflict=False)


def score_values(call, scores, comment: str = COMMENT) -> dict:
    """{criterion id: (value, comment)} for the call's criteria in order."""
    return {c.pk: ("" if s is None else str(s), comment) for c, s in zip(criteria_of(call), scores, strict=True)}


def submit_scores(assignment: Assignment, scores, *, comment: str = COMMENT, confidence=2) -> Scoresheet:
    return scoresheet_save(actor=assignment.expert, assignment=assignment,
                           values=score_values(assignment.proposal.call, scores, comment), submit=True,
                           now=in_review(assignment.proposal.call), confidence=confidence)


def scored(target: Proposal, expert, scores, *, by) -> Assignment:
    """Assign, declare no conflict and submit these scores (one per criterion, in order)."""
    assignment = clear(assign(target, expert, by=by))
    submit_scores(assignment, scores)
    return assignment


def sheet_in_db(target: Proposal, expert, scores, *, submitted_at=None, state=ScoresheetState.SUBMITTED,
                by=None, confidence=None) -> Assignment:
    """The same as `scored`, written straight to the models (for tests that need many)."""
    assignment = Assignment.objects.create(
        kind=AssignmentKind.EVALUATION, expert=expert, proposal=target, assigned_by=by or expert,
        declared_at=timezone.now(),
    )
    sheet = Scoresheet.objects.create(assignment=assignment, state=state, confidence=confidence,
                                      submitted_at=submitted_at or timezone.now())
    Score.objects.bulk_create([Score(scoresheet=sheet, criterion=c, value=s, comment=COMMENT)
                               for c, s in zip(criteria_of(target.call), scores, strict=True)])
    return assignment
