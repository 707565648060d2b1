"""The middle-out consulting loop: experts comment per section on the version
sent to consulting; the region answers and revises; the next round starts from
the next version sent. Each comment shows whether a later version changed its
section."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.permissions import require
from proposals.models import Proposal, ProposalState, VersionKind
from proposals.selectors import officials_of
from proposals.services.versions import snapshot

from ..models import Assignment, CommentAnswer, ConsultingComment, ConsultingRound, PlanSection

SECTION_KEYS = {
    PlanSection.OVERVIEW: ["title_ko", "title_en", "industry", "summary", "problem"],
    PlanSection.GOALS: ["vision", "goals", "kpis"],
    PlanSection.ROADMAP: ["stages"],
    PlanSection.BUDGET: ["budget"],
    PlanSection.LINKS: ["links"],
}


def current_round(proposal: Proposal) -> ConsultingRound | None:
    """The round of the latest version sent to consulting (created on first use)."""
    version = proposal.versions.filter(kind=VersionKind.CONSULTING).order_by("-number").first()
    if version is None:
        return None
    rnd = ConsultingRound.objects.filter(proposal=proposal, version=version).first()
    if rnd is None:
        number = ConsultingRound.objects.filter(proposal=proposal).count() + 1
        rnd = ConsultingRound.objects.create(proposal=proposal, version=version, number=number)
    return rnd


def section_changed(section: str, old: dict, new: dict) -> bool:
    return any(old.get(k) != new.get(k) for k in SECTION_KEYS[section])


@transaction.atomic
def consulting_comment_add(*, actor, assignment: Assignment, section: str, text: str, now=None) -> ConsultingComment:
    """An expert's comment on a section, while the proposal is in consulting and within the
    call's consulting window (Korea time; `now` defaults to the present)."""
    require(actor, "evaluations.comment", assignment)
    proposal = Proposal.objects.select_for_update().select_related("call").get(pk=assignment.proposal_id)
    if proposal.state != ProposalState.CONSULTING:
        raise ValidationError(_("Comments are taken while the proposal is in consulting."))
    proposal.call.check_window("consulting", now=now)
    if section not in PlanSection.values:
        raise ValidationError({"section": _("Choose a section of the plan.")})
    if len(text.strip()) < 10:
        raise ValidationError({"text": _("Write at least 10 characters.")})
    rnd = current_round(proposal)
    if rnd is None:
        raise ValidationError(_("No version was sent to consulting yet."))
    comment = ConsultingComment.objects.create(round=rnd, assignment=assignment, section=section, text=text.strip())
    from accounts.services import notify

    notify(users=officials_of(proposal),
           message=_("A consultant commented on “%(section)s” of “%(title)s”.") % {
               "section": PlanSection(section).label, "title": proposal.title_ko},
           url=f"/evaluations/proposals/{proposal.pk}/consulting/")
    return comment


@transaction.atomic
def consulting_answer(*, actor, comment: ConsultingComment, text: str) -> CommentAnswer:
    proposal = comment.round.proposal
    require(actor, "evaluations.answer_comments", proposal)
    if proposal.state not in {ProposalState.CONSULTING, ProposalState.REVISING, ProposalState.DRAFT}:
        raise ValidationError(_("Answers are taken while the plan is being revised."))
    if not text.strip():
        raise ValidationError({"text": _("Write your answer.")})
    if CommentAnswer.objects.filter(comment=comment).exists():
        raise ValidationError(_("This comment already has an answer."))
    return CommentAnswer.objects.create(comment=comment, author=actor, text=text.strip())


def comments_for(*, user, proposal: Proposal) -> list[dict]:
    """Comments by round with answers and the 'changed since' flag; experts' names
    only for staff, or for officials when the call allows it."""
    if not (user.has_perm("evaluations.view_consulting", proposal)):
        raise PermissionDenied
    show_names = user.has_perm("evaluations.manage_panels") or proposal.call.reveal_expert_names
    latest_snap = snapshot(proposal)
    rounds = []
    for rnd in ConsultingRound.objects.filter(proposal=proposal).select_related("version"):
        items = []
        for c in rnd.comments.select_related("assignment__expert", "answer__author"):
            items.append({
                "comment": c,
                "expert": c.assignment.expert if show_names else None,
                "changed": section_changed(c.section, rnd.version.snapshot, latest_snap),
                "answer": getattr(c, "answer", None),
            })
        rounds.append({"round": rnd, "items": items})
    return rounds

