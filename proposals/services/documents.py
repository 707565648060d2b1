"""The whole proposal as one Korean A4 PDF (내부결재용), a generated document (core.documents):
one per revision of the plan, asked for from the proposal page by whoever may view the
proposal, built by a worker on the document task base, stored under a new name and switched
to only when complete.

What it prints is taken when it is asked for (`pdf_content`): the plan of that revision
(versions.snapshot), its budget grid with the call's matching check, and the regions'
sign-offs — as plain JSON on the row, so the file shows exactly the revision asked for. It
never prints a sealed result: the state is the one the regions see (proposals.disclosure).
Asking again for the same revision reuses the document, unless what it prints changed
meanwhile (a region signed off) or its build failed.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.documents.models import DocumentStatus
from core.documents.seal import document_seal
from core.documents.services import build_document, document_for_download, request_document
from core.documents.verification import Verified
from core.permissions import require

from .. import disclosure
from ..models import OrganisationKind, Proposal, ProposalDocument, ProposalState, StageKind
from ..selectors import budget_summary, participations_of
from .budget import budget_problems
from .editing import budget_cells
from .versions import snapshot

PERMISSION = "proposals.download_proposal_pdf"
REUSED = frozenset({DocumentStatus.PENDING, DocumentStatus.RUNNING, DocumentStatus.DONE})


def _enqueue(document_id: int) -> None:
    from ..tasks import generate_proposal_pdf

    generate_proposal_pdf.delay(document_id=document_id)


def pdf_content(proposal: Proposal) -> dict:
    """What the PDF of the proposal's current revision prints, as JSON (in Korean)."""
    with translation.override("ko"):
        participations = participations_of(proposal)
        budget = budget_summary(proposal, participations)
        problems = budget_problems(call=proposal.call, cells=budget_cells(proposal),
                                   years=proposal.project_years(), pilot_years=proposal.pilot_years())
        shown = disclosure.region_disclosure(proposal)
        return {
            "plan": snapshot(proposal),
            "state": shown.state,
            "call": {"title": proposal.call.title, "year": proposal.call.year},
            "lead_region": proposal.lead_region.name_ko,
            "cooperation_type": str(proposal.get_cooperation_type_display()),
            "budget": {
                "regions": [p.region.name_ko for p in participations],
                "rows": [{"year": r["year"], "pilot": r["pilot"],
                          "cells": [[c["national"], c["local"], c["other"]] for c in r["cells"]],
                          "national": r["national"], "local": r["local"], "other": r["other"], "total": r["total"]}
                         for r in budget["rows"]],
                "total": budget["total"], "pilot_national": budget["pilot_national"], "cap": budget["cap"],
                "min_local_pct": str(proposal.call.min_local_matching_pct),
                "problems": sorted({str(p) for p in problems.values()}),
            },
            "sign_offs": [{"region": p.region.name_ko, "lead": p.is_lead,
                           "signed": p.is_signed_for(proposal.revision),
                           "by": p.signed_off_by.display_name if p.is_signed_for(proposal.revision) else "",
                           "at": timezone.localtime(p.signed_off_at).strftime("%Y-%m-%d %H:%M")
                           if p.is_signed_for(proposal.revision) else ""}
                          for p in participations],
            "versions": [v.number for v in proposal.versions.filter(revision=proposal.revision)],
        }


@transaction.atomic
def proposal_pdf_request(*, actor, proposal: Proposal) -> ProposalDocument:
    """Ask for the PDF of the proposal's current revision: reused when it is built (or being
    built) and prints the same; built (again) otherwise."""
    require(actor, PERMISSION, proposal)
    locked = (Proposal.objects.select_for_update(of=("self",)).select_related("call", "lead_region", "industry")
              .get(pk=proposal.pk))
    content = pdf_content(locked)
    row = ProposalDocument.objects.select_for_update().filter(proposal=locked, revision=locked.revision).first()
    if row is not None and row.status in REUSED and row.content == content:
        return row
    if row is not None and row.status == DocumentStatus.RUNNING:
        raise ValidationError(_("The PDF is being built; ask again once it is ready."))
    if row is not None:
        ProposalDocument.objects.filter(pk=row.pk).update(content=content)
    else:
        ProposalDocument.objects.create(proposal=locked, revision=locked.revision, content=content,
                                        requested_by=actor)
    return request_document(ProposalDocument, proposal=locked, revision=locked.revision, requested_by=actor,
                            enqueue=_enqueue)


def reference(document: ProposalDocument) -> str:
    return f"MEGA-{document.proposal.call.year}-{document.proposal_id:04d}-R{document.revision}"


def pdf_html(document: ProposalDocument, *, seal: bool = True) -> str:
    """The PDF's HTML, in Korean, with its seal (verification code, QR code, signer)."""
    content = document.content
    state = content.get("state", "")
    with translation.override("ko"):
        state_label = (disclosure.UNDER_REVIEW_LABEL if state == disclosure.UNDER_REVIEW
                       else ProposalState(state).label if state in ProposalState.values else "")
        return render_to_string("proposals/proposal_pdf.html", {
            "document": document, "c": content, "snap": content.get("plan", {}), "state_label": state_label,
            "reference": reference(document), "generated_on": timezone.localdate(),
            "stage_kinds": dict(StageKind.choices), "org_kinds": dict(OrganisationKind.choices),
            "seal": document_seal(document) if seal else None,
        })


def proposal_pdf_build(*, document_id: int) -> ProposalDocument:
    """Build and store the PDF (core.documents.services.build_document)."""
    return build_document(
        ProposalDocument, document_id, html=pdf_html, select_related=("proposal__call",),
        name=lambda r, checksum: f"proposal-pdfs/proposal-{r.proposal_id}-r{r.revision}-{checksum[:12]}.pdf")


def current_pdf(proposal: Proposal) -> ProposalDocument | None:
    """The PDF of the proposal's current revision, if one was asked for (no query when the proposal
    came from selectors.proposal_page and has none)."""
    if hasattr(proposal, "current_pdf_id") and proposal.current_pdf_id is None:
        return None
    return ProposalDocument.objects.filter(proposal=proposal, revision=proposal.revision).first()


def proposal_pdf_progress(document: ProposalDocument) -> dict:
    document.refresh_from_db()
    done = document.finished
    return {"total": 1, "done": int(document.status == DocumentStatus.DONE),
            "failed": int(document.status == DocumentStatus.FAILED), "finished": done,
            "percent": 100 if done else 0, "status": document.status,
            "status_label": str(document.get_status_display())}


def proposal_pdf_for_download(*, user, document_id: int) -> ProposalDocument:
    return document_for_download(ProposalDocument.objects.select_related("proposal__call"), document_id,
                                 user=user, perm="proposals.download_proposal_pdf")


def verify_proposal_pdf(code: str) -> Verified | None:
    """The public check of a ready proposal PDF by its code (registered in ProposalsConfig.ready):
    which proposal and revision it is, nothing of its content."""
    document = (ProposalDocument.objects.select_related("proposal__call")
                .filter(verification_code=code, status=DocumentStatus.DONE).first())
    if document is None:
        return None
    return Verified("proposals/verify_proposal_pdf.html", {
        "document": document, "proposal": document.proposal, "reference": reference(document)})
