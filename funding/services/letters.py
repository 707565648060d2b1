"""Award letters: requested per approved decision and language, built by a worker, verifiable by code."""
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.documents.seal import document_seal
from core.documents.services import build_document, document_for_download, request_document
from core.documents.verification import Verified
from core.permissions import require
from programmes.models import Call
from proposals.disclosure import region_disclosure
from proposals.models import Proposal
from proposals.selectors import officials_of, participations_of

from ..models import (
    AwardLetter,
    DecisionState,
    FundingDecision,
    LetterBatch,
    LetterStatus,
)


def notify_regions(proposal: Proposal, message: str, url: str = "") -> None:
    """Tell the regions of the proposal, once they may know its results (proposals.disclosure):
    before the call's results are announced the message is not sent (decisions_announced tells
    them then)."""
    from accounts.services import notify

    if not region_disclosure(proposal).results:
        return
    notify(users=officials_of(proposal), message=message, url=url or f"/funding/proposals/{proposal.pk}/")


def decisions_announced(sender, *, call, actor, **kwargs) -> None:
    """Receiver of programmes' `call_announced`: the regions hear of the decisions approved before."""
    for decision in (FundingDecision.objects.filter(proposal__call=call, state=DecisionState.APPROVED)
                     .select_related("proposal__call").order_by("proposal_id")):
        notify_regions(decision.proposal, _("The funding decision for “%(title)s” was approved; its award letter "
                                             "is on the decision page.") % {"title": decision.proposal.title_ko})


# --- Letters -------------------------------------------------------------------------


def _enqueue(letter_id: int) -> None:
    from ..tasks import generate_award_letter

    generate_award_letter.delay(letter_id=letter_id)


@transaction.atomic
def letter_request(*, actor, decision: FundingDecision, language: str = "ko", batch=None) -> AwardLetter:
    """Ask for the decision's letter (created once per language; asking again rebuilds it)."""
    require(actor, "funding.generate_letters")
    if decision.state != DecisionState.APPROVED:
        raise ValidationError(_("Letters are issued for approved decisions only."))
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Unknown language."))
    letter = request_document(AwardLetter, decision=decision, language=language, requested_by=actor,
                              enqueue=_enqueue)
    if batch is not None:
        batch.letters.add(letter)
    return letter


@transaction.atomic
def letters_batch(*, actor, call: Call) -> LetterBatch:
    require(actor, "funding.generate_letters")
    decisions = list(FundingDecision.objects.filter(proposal__call=call, state=DecisionState.APPROVED))
    if not decisions:
        raise ValidationError(_("No approved decision in this call yet."))
    batch = LetterBatch.objects.create(call=call, total=len(decisions), requested_by=actor)
    for d in decisions:
        letter_request(actor=actor, decision=d, language="ko", batch=batch)
    return batch


def letter_context(letter: AwardLetter) -> dict:
    decision = FundingDecision.objects.select_related("proposal__call__programme", "proposal__lead_region",
                                                      "approved_by", "prepared_by").get(pk=letter.decision_id)
    proposal = decision.proposal
    regions = [p.region for p in proposal.participations.select_related("region")]
    years = list(decision.years.all())
    obligations = list(decision.obligations.select_related("region"))
    rows = []
    for fy in years:
        locals_ = [(r, next((o.local_won for o in obligations if o.region_id == r.pk and o.year == fy.year), 0))
                   for r in regions]
        rows.append({"year": fy.year, "national": fy.national_won, "locals": locals_,
                     "local_total": sum(v for _r, v in locals_)})
    return {
        "letter": letter, "decision": decision, "proposal": proposal, "call": proposal.call, "regions": regions,
        "rows": rows, "national_total": sum(r["national"] for r in rows),
        "local_total": sum(r["local_total"] for r in rows),
        "region_totals": [(r, sum(o.local_won for o in obligations if o.region_id == r.pk)) for r in regions],
        "seal": document_seal(letter),
        "issued_on": letter.issued_on or timezone.localdate(),
        "pilot_first": proposal.call.year, "pilot_last": proposal.call.year + proposal.call.pilot_years - 1,
    }


def letter_html(letter: AwardLetter) -> str:
    with translation.override(letter.language):
        return render_to_string("funding/letter.html", letter_context(letter))


def letter_build(*, letter_id: int) -> AwardLetter:
    """Build and store one letter (core.documents.services.build_document). Idempotent:
    the same decision version and language always update the same row; the PDF is
    stored under a new name first and the row switched to it only when complete, so a
    half-written file is never served. The regions hear when it is first ready."""
    return build_document(
        AwardLetter, letter_id, html=letter_html, claim=_date_the_letter,
        name=lambda letter, checksum: f"letters/{letter.decision.reference}-{letter.language}-{checksum[:12]}.pdf",
        before_store=lambda _letter: _pause_for_fault_tests(), after_switch=_announce_first_letter)


def _date_the_letter(letter: AwardLetter) -> list[str]:
    if letter.issued_on is None:
        letter.issued_on = timezone.localdate()
    return ["issued_on"]


def _announce_first_letter(letter: AwardLetter, first_time: bool) -> None:
    if first_time:
        notify_regions(letter.decision.proposal, _("The award letter for “%(title)s” is ready.") % {
            "title": letter.decision.proposal.title_ko}, url=f"/funding/letters/{letter.pk}/download/")


def _pause_for_fault_tests() -> None:
    """Only when LETTER_TEST_PAUSE_FILE is set (fault tests): say that the build got here,
    then wait while that file exists (at most a minute)."""
    path = settings.LETTER_TEST_PAUSE_FILE
    if not path:
        return
    Path(f"{path}.reached").touch()
    deadline = time.monotonic() + 60
    while Path(path).exists() and time.monotonic() < deadline:
        time.sleep(0.1)


def letter_for_download(*, user, letter_id: int) -> AwardLetter:
    return document_for_download(AwardLetter.objects.select_related("decision__proposal"), letter_id, user=user,
                                 perm="funding.download_letter")


def verify_letter(code: str) -> Verified | None:
    """The public verification of a ready letter by its code (registered with
    core.documents.verification in FundingConfig.ready): its main facts, nothing else."""
    letter = (AwardLetter.objects.select_related("decision__proposal__call", "decision__proposal__lead_region")
              .filter(verification_code=code, status=LetterStatus.DONE).first())
    if letter is None:
        return None
    decision = letter.decision
    proposal = decision.proposal
    return Verified("funding/verify_letter.html", {
        "letter": letter, "decision": decision, "proposal": proposal,
        "regions": [p.region for p in participations_of(proposal)],
        "years": list(decision.years.all()),
    })
