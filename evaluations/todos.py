"""The evaluations' to-dos (core.todos), each from the permission and the state that allow it.

Experts: sign a call's confidentiality pledge, declare conflicts, score (due at the call's
review window end, the re-evaluation's deadline or a stage round's), write consulting comments. Officials:
answer the consultants' comments. Staff: objections to decide, drafts in consulting without
a consultant. Nothing here names a result: an assignment is work, not an outcome."""

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_expert, is_official, is_staff_member
from core.todos import LOW, URGENT, Todo, end_of_day
from proposals.models import ProposalState
from proposals.selectors import proposals_visible_to

from . import hooks
from .models import (
    Assignment,
    AssignmentKind,
    CommentAnswer,
    ConfidentialityPledge,
    ConsultingComment,
    Objection,
    ObjectionState,
    ScoresheetState,
)

SCORED = (AssignmentKind.EVALUATION, AssignmentKind.STAGE, AssignmentKind.REEVALUATION)


def _scoring_open(assignment) -> bool:
    """The same checks as services.scoring.scoresheet_save makes before a score is taken."""
    from .services.objections import check_reevaluation_scoring_open

    try:
        if assignment.kind == AssignmentKind.STAGE:
            hooks.check_scoring_open(assignment=assignment)
        elif assignment.kind == AssignmentKind.REEVALUATION:
            check_reevaluation_scoring_open(assignment=assignment)
        elif assignment.proposal.state != ProposalState.ELIGIBLE:
            return False
    except ValidationError:
        return False
    return True


def _score_due(assignment):
    if assignment.kind == AssignmentKind.REEVALUATION:
        objection = Objection.objects.filter(proposal_id=assignment.proposal_id).first()
        return end_of_day(objection.reevaluation_deadline) if objection else None
    if assignment.kind == AssignmentKind.EVALUATION:
        return end_of_day(assignment.proposal.call.review_end)
    kind_hooks = hooks.registered(assignment.kind)  # a stage round's own deadline, if it sets one
    return end_of_day(kind_hooks.due(assignment=assignment)) if kind_hooks and kind_hooks.due else None


def expert_todos(user):
    if not is_expert(user):
        return []
    mine = (Assignment.objects.filter(expert=user, conflict_declared=False)
            .select_related("proposal__call", "scoresheet")
            .annotate(commented=Exists(ConsultingComment.objects.filter(assignment=OuterRef("pk"))))
            .order_by("pk"))
    live = [a for a in mine if (a.kind == AssignmentKind.CONSULTING and a.proposal.state == ProposalState.CONSULTING)
            or (a.kind in SCORED and getattr(getattr(a, "scoresheet", None), "state", None) != ScoresheetState.SUBMITTED
                and _scoring_open(a))]
    pledged = set(ConfidentialityPledge.objects.filter(expert=user, theme_review__isnull=True).values_list("call_id", flat=True))
    out, calls_to_pledge = [], {}
    for a in live:
        call = a.proposal.call
        due = end_of_day(call.consulting_end) if a.kind == AssignmentKind.CONSULTING else _score_due(a)
        if call.pk not in pledged:
            calls_to_pledge.setdefault(call.pk, (call, due))
            continue  # nothing of a proposal before the pledge: its other steps follow
        url = reverse("evaluations:assignment", args=[a.pk])
        if a.declared_at is None:
            out.append(Todo(kind="evaluations.declare", title=_("Declare any conflict of interest"), url=url, due=due,
                            label=a.proposal.title, priority=URGENT))
        elif a.kind == AssignmentKind.CONSULTING:
            if not a.commented and user.has_perm("evaluations.comment", a):
                out.append(Todo(kind="evaluations.comment", title=_("Write your consulting comments"), url=url,
                                due=due, label=a.proposal.title))
        elif user.has_perm("evaluations.score", a):
            out.append(Todo(kind="evaluations.score", title=format_lazy(_("Score this proposal ({kind})"),
                                                                         kind=a.get_kind_display()),
                            url=url, due=due, label=a.proposal.title))
    for call, due in calls_to_pledge.values():
        out.append(Todo(kind="evaluations.pledge", title=_("Sign the confidentiality pledge"),
                        url=reverse("evaluations:pledge", args=[call.pk]), due=due, label=call.title,
                        priority=URGENT))
    return out


def official_todos(user):
    """Consulting comments not answered yet, one item per proposal."""
    if not is_official(user):
        return []
    editable = proposals_visible_to(user=user).filter(state__in=ProposalState.editable())
    comments = (ConsultingComment.objects.filter(round__proposal__in=editable)
                .exclude(Exists(CommentAnswer.objects.filter(comment=OuterRef("pk"))))
                .select_related("round__proposal__call").order_by("round__proposal_id", "pk"))
    by_proposal: dict = {}
    for comment in comments:
        by_proposal.setdefault(comment.round.proposal_id, [comment.round.proposal, 0])[1] += 1
    out = []
    for proposal, n in by_proposal.values():
        if not user.has_perm("evaluations.answer_comments", proposal):
            continue
        out.append(Todo(kind="evaluations.answer_comments",
                        title=format_lazy(_("Answer the consultants' comments ({n} open)"), n=n),
                        url=reverse("evaluations:consulting", args=[proposal.pk]),
                        due=end_of_day(proposal.call.consulting_end), label=proposal.title))
    return out


def staff_todos(user):
    if not is_staff_member(user):
        return []
    out = []
    if user.has_perm("evaluations.answer_objection"):
        for o in (Objection.objects.filter(state__in=[ObjectionState.LODGED, ObjectionState.UNDER_REVIEW])
                  .select_related("proposal__call").order_by("lodged_at")):
            out.append(Todo(kind="evaluations.objection", title=_("Decide the objection"),
                            url=reverse("evaluations:objection_detail", args=[o.pk]), due=None,
                            label=o.proposal.title, priority=URGENT))
    if user.has_perm("evaluations.manage_panels"):
        waiting = (proposals_visible_to(user=user).filter(state=ProposalState.CONSULTING)
                   .exclude(Exists(Assignment.objects.filter(proposal=OuterRef("pk"), kind=AssignmentKind.CONSULTING,
                                                             conflict_declared=False)))
                   .select_related("call").order_by("pk"))
        for p in waiting:
            out.append(Todo(kind="evaluations.assign_consultants", title=_("Assign consultants to this draft"),
                            url=reverse("evaluations:panel", args=[p.pk]), due=end_of_day(p.call.consulting_end),
                            label=p.title, priority=LOW))
    return out


def feasibility_todos(user):
    """An expert's feasibility reviews of candidate themes: declare, then write and submit (or rewrite a
    returned one), due at the end of the call's selection phase; none once that phase has closed."""
    from .models import ReviewState, ThemeReview

    if not is_expert(user):
        return []
    out = []
    reviews = (ThemeReview.objects.filter(expert=user, conflict_declared=False,
                                          state__in=[ReviewState.DRAFT, ReviewState.RETURNED])
               .select_related("theme__call", "theme__lead_region", "pledge").order_by("pk"))
    for r in reviews:
        call = r.theme.call
        if call.planning_phase_refusal("selection") is not None:
            continue
        url = reverse("evaluations:theme_review", args=[r.pk])
        due = end_of_day(call.selection_end)
        if not r.is_pledged:
            out.append(Todo(kind="evaluations.theme_pledge", title=_("Sign the confidentiality pledge"),
                            url=reverse("evaluations:theme_review_pledge", args=[r.pk]), due=due, label=call.title,
                            priority=URGENT))
        elif r.declared_at is None:
            out.append(Todo(kind="evaluations.theme_declare", title=_("Declare any conflict with a candidate theme"),
                            url=url, due=due, label=call.title, priority=URGENT))
        else:
            title = (_("Rewrite your returned feasibility review") if r.state == ReviewState.RETURNED
                     else _("Review the feasibility of a candidate theme"))
            out.append(Todo(kind="evaluations.theme_review", title=title, url=url, due=due, label=r.theme.title))
    return out
