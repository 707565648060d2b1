"""Phase 3 of the planning period: the patent analysis of the draft that grew from a final theme.

Staff or an expert consulting on the proposal write it (landscape, key patents, white spaces, the risk
of infringement, a file checked by content); the regions taking part answer it. Once answered it is
closed to edits: the region answered what it read (a later correction goes into consulting).
Every write checks permission, validates, writes in a transaction and is audited (AuditAction.PLANNING)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import AuditAction, record
from core.permissions import require
from core.uploads import validate_upload

from ..models import InfringementRisk, KeyPatent, PatentAnalysis, Proposal

ANALYSIS_FIELDS = ("landscape", "white_spaces", "risk", "risk_comment")
PATENT_FIELDS = ("number", "title", "holder", "country", "legal_status")
PATENT_LIMITS = {"number": 60, "title": 300, "holder": 200, "country": 60, "legal_status": 60}


def _clean_patents(patents) -> list[dict]:
    """The key patents typed (empty rows dropped); a row needs its number and title."""
    rows, errors = [], []
    for line, row in enumerate(patents or (), start=1):
        row = {name: (row.get(name) or "").strip() for name in PATENT_FIELDS}
        if not any(row.values()):
            continue
        if not row["number"] or not row["title"]:
            errors.append(_("Key patent, row %(row)s: give its number and title.") % {"row": line})
        for name, limit in PATENT_LIMITS.items():
            if len(row[name]) > limit:
                errors.append(_("Key patent, row %(row)s: at most %(limit)s characters.") % {
                    "row": line, "limit": limit})
        rows.append(row)
    if errors:
        raise ValidationError({"patents": errors})
    return rows


def _check_fields(fields: dict) -> dict:
    cleaned = {name: (fields.get(name) or "").strip() for name in ANALYSIS_FIELDS}
    errors = {}
    if not cleaned["landscape"]:
        errors["landscape"] = _("Summarise the patent landscape.")
    if cleaned["risk"] not in InfringementRisk.values:
        errors["risk"] = _("Choose the risk of infringement: low, medium or high.")
    elif cleaned["risk"] != InfringementRisk.LOW and not cleaned["risk_comment"]:
        errors["risk_comment"] = _("Explain a medium or high risk of infringement.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def patent_analysis_save(*, actor, proposal: Proposal, fields: dict, patents=(), upload=None) -> PatentAnalysis:
    """Write (or, until the region answers, rewrite) the proposal's patent analysis; `patents` are the
    key patents' rows (dicts of PATENT_FIELDS, replacing the ones kept); `upload` replaces the file."""
    require(actor, "proposals.write_patent_analysis", proposal)
    cleaned = _check_fields(fields)
    rows = _clean_patents(patents)
    checked = None
    if upload:
        try:
            checked = validate_upload(upload)
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
    stored = None
    if checked:
        stored = PatentAnalysis(proposal=proposal, extension=checked[1])
        stored.file.save(checked[0], upload, save=False)  # slow storage outside the transaction
    try:
        with transaction.atomic():
            locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
            require(actor, "proposals.write_patent_analysis", locked)
            analysis = PatentAnalysis.objects.select_for_update().filter(proposal=locked).first()
            created = analysis is None
            if created:
                analysis = PatentAnalysis(proposal=locked, written_by=actor)
            elif analysis.is_answered:
                raise ValidationError(_("The region has answered this patent analysis; it can no longer be "
                                        "changed. Add what changed as a consulting comment."))
            before = {name: getattr(analysis, name) for name in ANALYSIS_FIELDS}
            for name, value in cleaned.items():
                setattr(analysis, name, value)
            old_file = analysis.file.name if analysis.file else ""
            if stored is not None:
                analysis.file, analysis.file_name, analysis.extension = stored.file.name, checked[0], checked[1]
            analysis.save()
            analysis.patents.all().delete()
            KeyPatent.objects.bulk_create([KeyPatent(analysis=analysis, order=i, **row) for i, row in enumerate(rows)])
            record(actor=actor, action=AuditAction.PLANNING, obj=locked,
                   summary=(_("Patent analysis written") if created else _("Patent analysis changed")),
                   before={} if created else {k: v for k, v in before.items() if cleaned[k] != v},
                   after={k: v for k, v in cleaned.items() if created or before[k] != v} | {
                       "patents": len(rows), **({"file": checked[0]} if checked else {})})
    except Exception:
        if stored is not None:
            stored.file.delete(save=False)
        raise
    if stored is not None and old_file:
        analysis.file.storage.delete(old_file)
    return analysis


def patent_analysis_answer(*, actor, analysis: PatentAnalysis, answer: str) -> PatentAnalysis:
    """A region taking part answers the analysis: how its plan takes it into account. It may restate
    its answer while the plan can change (each answer is in the audit trail)."""
    with transaction.atomic():
        analysis = PatentAnalysis.objects.select_for_update().select_related("proposal").get(pk=analysis.pk)
        require(actor, "proposals.answer_patent_analysis", analysis.proposal)
        if not (answer or "").strip():
            raise ValidationError({"answer": _("Say how your plan takes the patent analysis into account.")})
        before = analysis.answer
        analysis.answer, analysis.answered_by, analysis.answered_at = answer.strip(), actor, timezone.now()
        analysis.save(update_fields=["answer", "answered_by", "answered_at", "updated_at"])
        record(actor=actor, action=AuditAction.PLANNING, obj=analysis.proposal,
               summary=_("Patent analysis answered"), before={"answer": before}, after={"answer": analysis.answer})
    return analysis
