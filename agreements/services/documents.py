"""The agreement's PDF (Korean A4), a generated document (core.documents): one per version (the
one-to-one key makes the task idempotent), asked for when the version is issued, built by a worker
on the document task base, signed, with its verification code and QR code."""

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.documents.models import DocumentStatus
from core.documents.seal import document_seal
from core.documents.services import build_document, document_for_download, request_document
from core.documents.verification import Verified

from ..models import AgreementDocument, AgreementVersion
from ..selectors import version_grid


def _enqueue(document_id: int) -> None:
    from ..tasks import generate_agreement_document

    generate_agreement_document.delay(document_id=document_id)


@transaction.atomic
def agreement_document_request(*, actor, version: AgreementVersion) -> AgreementDocument:
    """Asked for by the issue move (its permission checked there); asking again rebuilds it."""
    return request_document(AgreementDocument, version=version, requested_by=actor, enqueue=_enqueue)


def agreement_context(version: AgreementVersion) -> dict:
    version = AgreementVersion.objects.select_related(
        "agreement__project__proposal__call__programme", "agreement__project__proposal__lead_region",
        "agreement__project__proposal__industry", "agreement__decision").get(pk=version.pk)
    proposal = version.agreement.project.proposal
    return {"version": version, "agreement": version.agreement, "proposal": proposal, "call": proposal.call,
            "grid": version_grid(version), "parties": list(version.parties.select_related("region")),
            "generated_on": timezone.localdate()}


def agreement_html(version: AgreementVersion, *, document: AgreementDocument | None = None) -> str:
    with translation.override("ko"):
        context = agreement_context(version)
        if document is not None:
            context["seal"] = document_seal(document)
        return render_to_string("agreements/agreement_pdf.html", context)


def agreement_document_build(*, document_id: int) -> AgreementDocument:
    return build_document(
        AgreementDocument, document_id, html=lambda d: agreement_html(d.version, document=d),
        select_related=("version__agreement__project__proposal__call",),
        name=lambda d, checksum: f"agreements/{d.version.reference}-{checksum[:12]}.pdf")


def agreement_document_for_download(*, user, document_id: int) -> AgreementDocument:
    return document_for_download(AgreementDocument.objects.select_related("version__agreement__project__proposal"),
                                 document_id, user=user, perm="agreements.download_agreement")


def verify_agreement(code: str) -> Verified | None:
    """The public verification of an agreement's PDF by its code: which project and version, nothing
    of its money."""
    document = (AgreementDocument.objects.select_related("version__agreement__project__proposal")
                .filter(verification_code=code, status=DocumentStatus.DONE).first())
    if document is None:
        return None
    return Verified("agreements/verify_agreement.html", {
        "document": document, "version": document.version, "proposal": document.version.agreement.project.proposal})


# --- Settlement (정산): the statement and the repayment notice ---------------------------------------------


def _enqueue_settlement(document_id: int) -> None:
    from ..tasks import generate_settlement_document

    generate_settlement_document.delay(document_id=document_id)


def settlement_documents_request(*, actor, settlement) -> list:
    """Asked for by the confirm move (inside its transaction): the statement always, the repayment notice when
    money is due."""
    from ..models import SettlementDocument, SettlementDocumentKind

    kinds = [SettlementDocumentKind.STATEMENT]
    if settlement.amount_due_won:
        kinds.append(SettlementDocumentKind.NOTICE)
    return [request_document(SettlementDocument, settlement=settlement, kind=kind, requested_by=actor,
                             enqueue=_enqueue_settlement) for kind in kinds]


def settlement_html(document) -> str:
    from ..models import Settlement
    from .settlement import repayment_account, settlement_figures

    with translation.override("ko"):
        settlement = Settlement.objects.select_related(
            "agreement__project__proposal__call__programme", "agreement__project__proposal__lead_region",
            "proposed_by", "confirmed_by", "answered_by").get(pk=document.settlement_id)
        figures = settlement_figures(settlement)
        context = {"settlement": settlement, "agreement": settlement.agreement,
                   "proposal": settlement.agreement.project.proposal, "figures": figures,
                   "items": list(settlement.items.select_related("region")), "account": repayment_account(),
                   "generated_on": timezone.localdate(), "seal": document_seal(document)}
        template = ("agreements/settlement_notice_pdf.html" if document.kind == "notice"
                    else "agreements/settlement_pdf.html")
        return render_to_string(template, context)


def settlement_document_build(*, document_id: int):
    from ..models import SettlementDocument

    return build_document(
        SettlementDocument, document_id, html=settlement_html,
        select_related=("settlement__agreement__project__proposal__call",),
        name=lambda d, checksum: f"settlements/{d.settlement.reference}-{d.kind}-{checksum[:12]}.pdf")


def settlement_document_for_download(*, user, document_id: int):
    from ..models import SettlementDocument

    return document_for_download(SettlementDocument.objects.select_related("settlement__agreement__project__proposal"),
                                 document_id, user=user, perm="agreements.download_settlement")


def verify_settlement(code: str) -> Verified | None:
    """The public verification of a settlement PDF by its code: which project, year and document."""
    from ..models import SettlementDocument

    document = (SettlementDocument.objects.select_related("settlement__agreement__project__proposal")
                .filter(verification_code=code, status=DocumentStatus.DONE).first())
    if document is None:
        return None
    return Verified("agreements/verify_settlement.html", {
        "document": document, "settlement": document.settlement,
        "proposal": document.settlement.agreement.project.proposal})
