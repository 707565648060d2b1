"""Award letters: requested per approved decision and language, built by a worker, verifiable by code."""
import hashlib
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.permissions import require
from programmes.models import Call
from proposals.models import Proposal
from proposals.selectors import officials_of

from ..models import (
    AwardLetter,
    DecisionState,
    FundingDecision,
    LetterBatch,
    LetterStatus,
)


def notify_regions(proposal: Proposal, message: str, url: str = "") -> None:
    from accounts.services import notify

    notify(users=officials_of(proposal), message=message, url=url or f"/funding/proposals/{proposal.pk}/")


# --- Letters -------------------------------------------------------------------------


def _enqueue(letter_id: int) -> None:
    from ..tasks import generate_award_letter

    transaction.on_commit(lambda: generate_award_letter.delay(letter_id=letter_id))


@transaction.atomic
def letter_request(*, actor, decision: FundingDecision, language: str = "ko", batch=None) -> AwardLetter:
    """Ask for the decision's letter (created once per language; asking again rebuilds it)."""
    require(actor, "funding.generate_letters")
    if decision.state != DecisionState.APPROVED:
        raise ValidationError(_("Letters are issued for approved decisions only."))
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Unknown language."))
    letter, _created = AwardLetter.objects.select_for_update().get_or_create(
        decision=decision, language=language, defaults={"requested_by": actor})
    if batch is not None:
        batch.letters.add(letter)
    if letter.status == LetterStatus.RUNNING:
        return letter  # already being built: never two builds of one letter
    AwardLetter.objects.filter(pk=letter.pk).update(status=LetterStatus.PENDING, error="", attempts=0,
                                                    requested_by=actor)
    _enqueue(letter.pk)
    letter.refresh_from_db()
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


def batch_progress(batch: LetterBatch) -> dict:
    counts = dict.fromkeys(LetterStatus.values, 0)
    for status in batch.letters.values_list("status", flat=True):
        counts[status] += 1
    finished = counts[LetterStatus.DONE] + counts[LetterStatus.FAILED]
    return {"total": batch.total, "done": counts[LetterStatus.DONE], "failed": counts[LetterStatus.FAILED],
            "finished": finished >= batch.total, "percent": int(100 * finished / batch.total) if batch.total else 100}


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
        "verify_url": f"{settings.PORTAL_BASE_URL}/verify/{letter.verification_code}",
        "issued_on": letter.issued_on or timezone.localdate(),
        "pilot_first": proposal.call.year, "pilot_last": proposal.call.year + proposal.call.pilot_years - 1,
    }


def letter_html(letter: AwardLetter) -> str:
    with translation.override(letter.language):
        return render_to_string("funding/letter.html", letter_context(letter))


def letter_build(*, letter_id: int) -> AwardLetter:
    """Build and store one letter. Idempotent: the same decision version and language
    always update the same row; the PDF is stored under a new name first and the row
    switched to it only when complete, so a half-written file is never served."""
    from ..pdf import render_pdf

    with transaction.atomic():
        letter = AwardLetter.objects.select_for_update().get(pk=letter_id)
        if letter.attempts >= settings.LETTER_MAX_ATTEMPTS:
            letter.status = LetterStatus.FAILED
            letter.error = letter.error or _("Gave up after %(n)s attempts.") % {"n": letter.attempts}
            letter.save(update_fields=["status", "error"])
            return letter
        letter.attempts += 1
        letter.status = LetterStatus.RUNNING
        if letter.issued_on is None:
            letter.issued_on = timezone.localdate()
        letter.save(update_fields=["attempts", "status", "issued_on"])
    pdf = render_pdf(letter_html(letter))  # slow work outside any transaction
    checksum = hashlib.sha256(pdf).hexdigest()
    name = f"letters/{letter.decision.reference}-{letter.language}-{checksum[:12]}.pdf"
    _pause_for_fault_tests()
    storage = letter.file.storage
    stored = storage.save(name, ContentFile(pdf)) if not storage.exists(name) else name
    with transaction.atomic():
        current = AwardLetter.objects.select_for_update().get(pk=letter_id)
        old = current.file.name
        first_time = current.generated_at is None
        current.file.name = stored
        current.checksum = checksum
        current.size = len(pdf)
        current.status = LetterStatus.DONE
        current.error = ""
        current.generated_at = timezone.now()
        current.save(update_fields=["file", "checksum", "size", "status", "error", "generated_at"])
        if old and old != stored:
            transaction.on_commit(lambda: storage.delete(old))
        if first_time:
            notify_regions(current.decision.proposal, _("The award letter for “%(title)s” is ready.") % {
                "title": current.decision.proposal.title_ko}, url=f"/funding/letters/{current.pk}/download/")
    return current


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


def letter_failed(*, letter_id: int, error: str, final: bool) -> None:
    AwardLetter.objects.filter(pk=letter_id).update(
        status=LetterStatus.FAILED if final else LetterStatus.PENDING, error=error[:2000])


def letter_for_download(*, user, letter_id: int) -> AwardLetter:
    from django.http import Http404

    letter = AwardLetter.objects.select_related("decision__proposal").filter(pk=letter_id).first()
    if letter is None or not user.has_perm("funding.download_letter", letter):
        raise Http404
    if letter.status != LetterStatus.DONE or not letter.file:
        raise PermissionDenied
    return letter
