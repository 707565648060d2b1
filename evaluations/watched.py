"""What the audit trail watches in evaluations (called from EvaluationsConfig.ready())."""

from audit.registry import watch

from .models import (
    Assignment,
    CommentAnswer,
    CommentRating,
    ConfidentialityPledge,
    ConsultingComment,
    ExpertExclusion,
    ExpertProfile,
    Objection,
    ObjectionAttachment,
    PanelResult,
    PresentationSlot,
    Score,
    Scoresheet,
    SuggestedField,
    UnsuitableReviewer,
    ZonePanelMember,
)


def _assignment(a) -> str:
    return f"{a.get_kind_display()}: {a.expert} → {a.proposal.title_ko}"


def register() -> None:
    watch(ExpertProfile)
    watch(ZonePanelMember, describe=lambda m: f"{m._meta.verbose_name}: {m.zone} · {m.expert}")
    watch(Assignment, describe=_assignment)
    watch(Scoresheet, describe=lambda sheet: _assignment(sheet.assignment))
    watch(Score, describe=lambda s: f"{s.scoresheet.assignment.expert} → {s.scoresheet.assignment.proposal.title_ko}: "
                                    f"{s.criterion}")
    watch(ConfidentialityPledge, describe=lambda p: f"{p._meta.verbose_name}: {p.expert} · {p.call}")
    watch(CommentRating, describe=lambda r: f"{r._meta.verbose_name}: {_assignment(r.scoresheet.assignment)}")
    # Consulting comments and the region's answers: who wrote what, when (and the data version the
    # dashboards' to-do lists are cached by moves with them).
    watch(ConsultingComment, describe=lambda c: f"{c._meta.verbose_name}: {_assignment(c.assignment)}")
    watch(CommentAnswer, describe=lambda a: f"{a._meta.verbose_name}: {a.comment.round.proposal.title_ko}")
    watch(ExpertExclusion)
    watch(PanelResult, describe=lambda r: f"{r._meta.verbose_name}: {r.proposal.title_ko}")
    watch(Objection, describe=lambda o: f"{o._meta.verbose_name}: {o.proposal.title_ko}")
    watch(ObjectionAttachment, describe=lambda a: f"{a.objection.proposal.title_ko}: {a.original_name}")
    # The applicant's reviewer list (staff-only trail; never shown to experts).
    watch(UnsuitableReviewer, describe=lambda e: f"{e._meta.verbose_name}: {e} → {e.proposal.title_ko}")
    watch(PresentationSlot, describe=lambda s: f"{s._meta.verbose_name}: {s.proposal.title_ko}")
    watch(SuggestedField, describe=lambda s: f"{s._meta.verbose_name}: {s} → {s.proposal.title_ko}")
