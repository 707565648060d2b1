"""Stage grades and the good-faith review (성실수행 검토).

A stage evaluation's panel score (the trimmed mean, as the ranking uses) is graded by
the round's thresholds: excellent (우수) from `excellent_from` on, insufficient (미흡)
below `insufficient_below`, average (보통) between. Grading an evaluation insufficient
opens a good-faith review: staff record the evidence (text, optionally a file), then a
second staff member — not the one who opened it (four eyes) — decides whether the
project was performed in good faith. Until that decision a termination cannot be
decided on the project; a sanction can be recorded only after a review found no good
faith.

The review's life is a table of moves beside one transition function (as
proposals.services.lifecycle): open (created by `stage_grade`) → decided.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import AuditAction, record
from core.moves import Move, check_move, move_of
from core.permissions import require

from ..models import GoodFaithReview, Grade, ReviewState, Sanction, SanctionKind, StageEvaluation, StageRound


def grade_of(score, rnd: StageRound) -> str:
    """Excellent at or above the round's `excellent_from`, insufficient below its
    `insufficient_below`, average between."""
    score = Decimal(str(score))
    if score >= rnd.excellent_from:
        return Grade.EXCELLENT
    if score < rnd.insufficient_below:
        return Grade.INSUFFICIENT
    return Grade.AVERAGE


def panel_score(evaluation: StageEvaluation) -> Decimal | None:
    """The panel's trimmed mean, to two places (None before any submitted sheet)."""
    from .stages import round_results

    result = round_results(evaluation.round).get(evaluation.pk)
    if result is None or not result.evaluators:
        return None
    return Decimal(str(result.trimmed_mean)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def stage_grade(*, actor, evaluation: StageEvaluation) -> StageEvaluation:
    """Grade the panel's score; an insufficient grade opens the good-faith review."""
    require(actor, "projects.decide_stage", evaluation)
    evaluation = StageEvaluation.objects.select_for_update().select_related("round", "project__proposal").get(
        pk=evaluation.pk)
    if evaluation.grade:
        raise ValidationError(_("This stage evaluation is already graded (%(grade)s).") % {
            "grade": evaluation.get_grade_display()})
    score = panel_score(evaluation)
    if score is None:
        raise ValidationError(_("No evaluator has submitted scores yet; the grade is given from the scores."))
    evaluation.grade = grade_of(score, evaluation.round)
    evaluation.grade_score = score
    evaluation.graded_by = actor
    evaluation.graded_at = timezone.now()
    evaluation.save(update_fields=["grade", "grade_score", "graded_by", "graded_at"])
    record(actor=actor, action=AuditAction.STAGE_GRADE, obj=evaluation, summary=evaluation.project.proposal.title_ko,
           after={"grade": evaluation.grade, "score": score, "excellent_from": evaluation.round.excellent_from,
                  "insufficient_below": evaluation.round.insufficient_below})
    if evaluation.grade == Grade.INSUFFICIENT:
        review = GoodFaithReview.objects.create(evaluation=evaluation, opened_by=actor)
        record(actor=actor, action=AuditAction.GOOD_FAITH, obj=review, summary=evaluation.project.proposal.title_ko,
               after={"state": review.state})
    return evaluation


@transaction.atomic
def good_faith_evidence_save(*, actor, review: GoodFaithReview, evidence: str, upload=None) -> GoodFaithReview:
    """The evidence of an open review: text, and optionally one file (PDF, HWP, DOCX, …)."""
    from proposals.services.attachments import validate_upload

    require(actor, "projects.review_good_faith", review)
    review = GoodFaithReview.objects.select_for_update().get(pk=review.pk)
    if review.state != ReviewState.OPEN:
        raise ValidationError(_("This good-faith review is decided; its evidence no longer changes."))
    if not (evidence or "").strip():
        raise ValidationError({"evidence": _("Describe the evidence of how the project was carried out.")})
    review.evidence = evidence.strip()
    update = ["evidence"]
    if upload is not None:
        try:
            name, ext, _kind = validate_upload(upload)
        except ValidationError as exc:
            raise ValidationError({"attachment": exc.messages}) from exc
        review.attachment_name, review.attachment_extension = name, ext
        review.attachment.save(name, upload, save=False)
        update += ["attachment", "attachment_name", "attachment_extension"]
    review.save(update_fields=update)
    return review


def good_faith_decide(*, actor, review: GoodFaithReview, good_faith, reason: str) -> GoodFaithReview:
    return good_faith_transition(actor=actor, review=review, action="decide", good_faith=good_faith, reason=reason)


# --- The review's move: open → decided ------------------------------------------------------------


GOOD_FAITH_MOVES = {
    # Four eyes (accounts.rules): whoever opened the review cannot decide it.
    "decide": Move(gettext_lazy("Decide the good-faith review"), frozenset({ReviewState.OPEN}),
                   ReviewState.DECIDED, "projects.decide_good_faith",
                   gettext_lazy("This good-faith review is already decided.")),
}


@transaction.atomic
def good_faith_transition(*, actor, review: GoodFaithReview, action: str, good_faith=None,
                          reason: str = "") -> GoodFaithReview:
    move = move_of(GOOD_FAITH_MOVES, action)
    review = GoodFaithReview.objects.select_for_update().select_related("evaluation__project__proposal").get(
        pk=review.pk)
    check_move(move, actor=actor, obj=review)
    errors = {}
    if not review.evidence:
        errors["evidence"] = _("Record the evidence before the decision.")
    if good_faith not in (True, False):
        errors["good_faith"] = _("Choose whether the project was performed in good faith.")
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason for the decision; it is recorded.")
    if errors:
        raise ValidationError(errors)
    before = review.state
    review.state = move.target
    review.good_faith = good_faith
    review.decision_reason = reason.strip()
    review.decided_by = actor
    review.decided_at = timezone.now()
    review.save(update_fields=["state", "good_faith", "decision_reason", "decided_by", "decided_at"])
    record(actor=actor, action=AuditAction.GOOD_FAITH, obj=review, summary=review.decision_reason,
           before={"state": before}, after={"state": review.state, "good_faith": good_faith})
    return review


# --- What the review gates -------------------------------------------------------------------------


def check_termination_allowed(evaluation: StageEvaluation, score) -> None:
    """A project whose score grades insufficient is terminated only once its good-faith review is
    decided (raises a ValidationError keyed "outcome")."""
    if score is None or grade_of(score, evaluation.round) != Grade.INSUFFICIENT:
        return
    review = GoodFaithReview.objects.filter(evaluation=evaluation).first()
    if review is None or not review.is_decided:
        raise ValidationError({"outcome": _(
            "The score is graded insufficient: a good-faith review must be decided (by a second staff member) "
            "before the project can be terminated.")})


@transaction.atomic
def sanction_record(*, actor, evaluation: StageEvaluation, kind: str, measure: str) -> Sanction:
    """Record a sanction on the evaluated project: only after a good-faith review found that the
    insufficient result was not performed in good faith."""
    require(actor, "projects.record_sanction", evaluation)
    evaluation = StageEvaluation.objects.select_related("project__proposal").get(pk=evaluation.pk)
    review = GoodFaithReview.objects.select_for_update().filter(evaluation=evaluation).first()
    if review is None:
        raise ValidationError(_("A sanction follows an insufficient grade and its good-faith review; "
                                "this evaluation has none."))
    if not review.is_decided:
        raise ValidationError(_("The good-faith review is not decided yet; a sanction waits for its decision."))
    if review.good_faith:
        raise ValidationError(_("The review found the project performed in good faith: no sanction."))
    errors = {}
    if kind not in SanctionKind.values:
        errors["kind"] = _("Choose the kind of sanction.")
    if not (measure or "").strip():
        errors["measure"] = _("Describe the measure (e.g. two years without participation).")
    if errors:
        raise ValidationError(errors)
    sanction = Sanction.objects.create(project=evaluation.project, evaluation=evaluation, kind=kind,
                                       measure=measure.strip(), recorded_by=actor)
    record(actor=actor, action=AuditAction.SANCTION, obj=sanction, summary=sanction.measure,
           after={"kind": kind, "measure": sanction.measure, "review": review.pk})
    return sanction
