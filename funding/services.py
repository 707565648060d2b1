"""Selection, funding decisions (four eyes, envelope-safe) and award letters."""

import hashlib
import time
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.rules import require
from audit.services import AuditAction, record
from programmes.models import Call, MatchingBasis
from proposals.models import Proposal, ProposalState
from proposals.selectors import officials_of
from proposals.services import proposal_transition
from proposals.services.budget import required_local

from .models import (
    AwardLetter,
    DecisionState,
    FundingDecision,
    FundingYear,
    LetterBatch,
    LetterStatus,
    LocalObligation,
    SelectionNote,
)

SELECTION_ACTIONS = {"select", "reserve", "not_select"}


# --- Selection -------------------------------------------------------------------


@transaction.atomic
def selection_decide(*, actor, proposal: Proposal, action: str, reason: str) -> Proposal:
    """Selected, reserve or not selected, with a reason (recorded on the proposal too)."""
    if action not in SELECTION_ACTIONS:
        raise ValidationError(_("Unknown decision."))
    proposal = proposal_transition(actor=actor, proposal=proposal, action=action, reason=reason)
    SelectionNote.objects.update_or_create(proposal=proposal, defaults={"reason": reason.strip(),
                                                                         "decided_by": actor})
    return proposal


# --- Envelope ---------------------------------------------------------------------


def committed_won(call: Call) -> int:
    return FundingDecision.objects.filter(
        proposal__call=call, state=DecisionState.APPROVED
    ).aggregate(total=Sum("national_total_won"))["total"] or 0


def envelope_status(call: Call) -> dict:
    # Committed (approved) and prepared in one query.
    totals = FundingDecision.objects.filter(proposal__call=call).aggregate(
        committed=Sum("national_total_won", filter=Q(state=DecisionState.APPROVED)),
        prepared=Sum("national_total_won", filter=Q(state=DecisionState.PREPARED)))
    committed, prepared = totals["committed"] or 0, totals["prepared"] or 0
    return {"envelope": call.envelope_won, "committed": committed, "remaining": call.envelope_won - committed,
            "prepared": prepared}


# --- Decisions ----------------------------------------------------------------------


def decision_problems(*, proposal: Proposal, years: dict, obligations: dict) -> dict:
    """The call's rules over a decision. Keys: ("national", year), ("local", region id, year),
    ("year", year), ("total",) — so each message can sit at its cell."""
    call = proposal.call
    pilot = proposal.pilot_years()
    region_ids = set(proposal.participations.values_list("region_id", flat=True))
    pct = Decimal(call.min_local_matching_pct)
    basis = call.matching_basis
    problems = {}

    def short(need: Decimal) -> str:
        return _("Local funds must be at least %(pct)s%% of the %(basis)s: at least %(need)s won.") % {
            "pct": f"{pct.normalize():f}",
            "basis": _("national funding") if basis == MatchingBasis.NATIONAL else _("total project cost"),
            "need": f"{int(need.to_integral_value(rounding='ROUND_CEILING')):,}",
        }

    for year, national in years.items():
        if year not in pilot:
            problems[("national", year)] = _("Funding is decided for the pilot years %(first)s–%(last)s only.") % {
                "first": pilot[0], "last": pilot[-1]}
        elif national < 0:
            problems[("national", year)] = _("Amounts cannot be negative.")
    for (region_id, year), local in obligations.items():
        if region_id not in region_ids:
            problems[("local", region_id, year)] = _("This region does not take part in the project.")
        elif year not in pilot:
            problems[("local", region_id, year)] = _(
                "Funding is decided for the pilot years %(first)s–%(last)s only.") % {"first": pilot[0], "last": pilot[-1]}
        elif local < 0:
            problems[("local", region_id, year)] = _("Amounts cannot be negative.")
    # Every region states its own local funds for every funded year (a missing entry counts as 0).
    for region_id in region_ids:
        for year in pilot:
            if years.get(year, 0) > 0 and obligations.get((region_id, year), 0) == 0:
                problems.setdefault(("local", region_id, year),
                                    _("Each region states its own local funds for every year."))
    for year in pilot:
        national = years.get(year, 0)
        local = sum(v for (r, y), v in obligations.items() if y == year)
        need = required_local(national=national, local=local, other=0, pct=pct, basis=basis)
        if Decimal(local) < need:
            problems[("year", year)] = short(need)
    total_national = sum(v for y, v in years.items() if y in pilot)
    total_local = sum(obligations.values())
    need = required_local(national=total_national, local=total_local, other=0, pct=pct, basis=basis)
    if Decimal(total_local) < need:
        problems[("total",)] = short(need)
    if total_national > call.cap_won:
        problems[("cap",)] = _("National funding of %(total)s won exceeds the per-project cap of %(cap)s won.") % {
            "total": f"{total_national:,}", "cap": f"{call.cap_won:,}"}
    if total_national == 0:
        problems[("cap",)] = _("Grant some national funding.")
    return problems


class DecisionInvalid(ValidationError):
    def __init__(self, problems: dict):
        super().__init__(list(dict.fromkeys(problems.values())))
        self.problems = problems


@transaction.atomic
def funding_prepare(*, actor, proposal: Proposal, years: dict, obligations: dict,
                    conditions: str = "") -> FundingDecision:
    """Prepare (or re-prepare) the decision; a new version replaces an unapproved one."""
    require(actor, "funding.prepare")
    proposal = Proposal.objects.select_for_update().select_related("call").get(pk=proposal.pk)
    if proposal.state != ProposalState.SELECTED:
        raise ValidationError(_("Only a selected proposal can get a funding decision (now “%(state)s”).") % {
            "state": proposal.get_state_display()})
    problems = decision_problems(proposal=proposal, years=years, obligations=obligations)
    if problems:
        raise DecisionInvalid(problems)
    replaced = FundingDecision.objects.filter(proposal=proposal, state=DecisionState.PREPARED).order_by("-version").first()
    before = decision_amounts(replaced) if replaced else None
    FundingDecision.objects.filter(proposal=proposal, state=DecisionState.PREPARED).update(
        state=DecisionState.WITHDRAWN)
    version = (FundingDecision.objects.filter(proposal=proposal).order_by("-version")
               .values_list("version", flat=True).first() or 0) + 1
    decision = FundingDecision.objects.create(
        proposal=proposal, version=version, conditions=conditions.strip(), prepared_by=actor,
        national_total_won=sum(years.values()),
    )
    FundingYear.objects.bulk_create([FundingYear(decision=decision, year=y, national_won=v)
                                     for y, v in sorted(years.items())])
    LocalObligation.objects.bulk_create([LocalObligation(decision=decision, region_id=r, year=y, local_won=v)
                                         for (r, y), v in sorted(obligations.items())])
    record(actor=actor, action=AuditAction.FUNDING_PREPARE, obj=decision, before=before, after=decision_amounts(decision),
           summary=_("Version %(v)s prepared") % {"v": decision.version})
    return decision


def decision_amounts(decision: FundingDecision) -> dict:
    """A decision's money as the audit trail shows it (before → after)."""
    return {
        _("Version"): decision.version, _("State"): decision.get_state_display(),
        _("National total (won)"): decision.national_total_won,
        **{_("National %(year)s (won)") % {"year": fy.year}: fy.national_won for fy in decision.years.order_by("year")},
        **{_("Local %(region)s %(year)s (won)") % {"region": o.region, "year": o.year}: o.local_won
           for o in decision.obligations.select_related("region").order_by("region__order", "year")},
        _("Conditions"): decision.conditions,
    }


@transaction.atomic
def funding_approve(*, actor, decision: FundingDecision) -> FundingDecision:
    """Four eyes and the envelope, safe under concurrency: the call's row is locked
    (SELECT … FOR UPDATE) so approvals of the same call run one after the other."""
    require(actor, "funding.prepare")
    # One lock order everywhere: call, then proposal, then decision (no deadlock with funding_prepare).
    call = Call.objects.select_for_update().get(pk=decision.proposal.call_id)
    Proposal.objects.select_for_update().filter(pk=decision.proposal_id).first()
    decision = FundingDecision.objects.select_for_update().select_related("proposal").get(pk=decision.pk)
    if decision.state != DecisionState.PREPARED:
        raise ValidationError(_("This decision is “%(state)s” and cannot be approved.") % {
            "state": decision.get_state_display()})
    if decision.prepared_by_id == actor.pk:
        raise ValidationError(_("Four eyes: the person who prepared a decision cannot approve it. "
                                "Ask another staff member."))
    committed = committed_won(call)
    if committed + decision.national_total_won > call.envelope_won:
        raise ValidationError(_(
            "Approving would exceed the call's envelope: %(committed)s won committed + %(this)s won > "
            "%(envelope)s won (remaining %(remaining)s won).") % {
            "committed": f"{committed:,}", "this": f"{decision.national_total_won:,}",
            "envelope": f"{call.envelope_won:,}", "remaining": f"{call.envelope_won - committed:,}"})
    decision.state = DecisionState.APPROVED
    decision.approved_by = actor
    decision.approved_at = timezone.now()
    decision.save(update_fields=["state", "approved_by", "approved_at"])
    record(actor=actor, action=AuditAction.FUNDING_APPROVE, obj=decision, summary=_("Four-eyes approval"),
           before={"state": DecisionState.PREPARED, "committed_won": committed},
           after={"state": decision.state, "committed_won": committed + decision.national_total_won,
                  "national_total_won": decision.national_total_won})
    proposal_transition(actor=actor, proposal=decision.proposal, action="fund",
                        reason=_("Funding decision v%(v)s approved.") % {"v": decision.version})
    from projects.services.lifecycle import project_open

    project_open(decision=decision)  # the funded project's workspace and its pilot stage
    letter_request(actor=actor, decision=decision, language="ko")
    _notify_regions(decision.proposal, _("The funding decision for “%(title)s” was approved; the award letter "
                                         "is being prepared.") % {"title": decision.proposal.title_ko})
    return decision


def _notify_regions(proposal: Proposal, message: str, url: str = "") -> None:
    from accounts.services import notify

    notify(users=officials_of(proposal), message=message, url=url or f"/funding/proposals/{proposal.pk}/")


# --- Letters -------------------------------------------------------------------------


def _enqueue(letter_id: int) -> None:
    from .tasks import generate_award_letter

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
    from .pdf import render_pdf

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
            _notify_regions(current.decision.proposal, _("The award letter for “%(title)s” is ready.") % {
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
