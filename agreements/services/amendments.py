"""Amendments (변경 협약): the lead region's official requests a change to the agreement in force —
its organisations, the lead researcher, moving money between spending categories or between years,
or the period (within the call's maximum total years: projects.services.lifecycle's ten-year rule) —
with reasons and attachments (checked like the portal's other uploads).

Money: one amount moves from (year, source, region, category) to (year, the same source and region,
category). Between categories the year stays, so each year's and each source's totals are kept; between
years the category stays and the call's local-matching rule (programmes.money) must still hold each
year. Every problem is raised at the field the form shows it at.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, User
from accounts.services import notify
from audit.services import AuditAction, record
from core.moves import Move, check_move, move_of
from core.permissions import require
from programmes.categories import SpendingCategory
from programmes.money import TOTAL, YEARS, Cell, MatchingRule
from projects.services.lifecycle import check_ten_year_rule
from proposals.selectors import officials_of
from proposals.services.attachments import validate_upload

from ..models import (
    MONEY_KINDS,
    Agreement,
    AgreementLine,
    AgreementParty,
    AgreementState,
    AgreementVersion,
    Amendment,
    AmendmentAttachment,
    AmendmentKind,
    AmendmentPolicy,
    AmendmentState,
    FundSource,
)

K = AmendmentKind
S = AmendmentState
OPEN_STATES = (S.REQUESTED, S.ENDORSED)
MONEY_FIELDS = ("source", "region", "from_year", "from_category", "to_year", "to_category", "amount_won")


def balances(version: AgreementVersion) -> dict[tuple, int]:
    """The version's money as {(year, source, region id, category): won}."""
    return {(ln.year, ln.source, ln.region_id, ln.category): ln.amount_won for ln in version.lines.all()}


def moved(lines: dict[tuple, int], a: Amendment) -> dict[tuple, int]:
    """The lines after the amendment's money move (the lines unchanged for other kinds)."""
    lines = dict(lines)
    if a.kind in MONEY_KINDS:
        source = (a.from_year, a.source, a.region_id, a.from_category)
        target = (a.to_year, a.source, a.region_id, a.to_category)
        lines[source] = lines.get(source, 0) - a.amount_won
        lines[target] = lines.get(target, 0) + a.amount_won
        if lines[source] == 0:
            del lines[source]
    return lines


def _check_money(a: Amendment, version: AgreementVersion, call) -> None:
    missing = {f: _("Required for a move of money.") for f in MONEY_FIELDS
               if getattr(a, f if f != "region" else "region_id") in (None, "")
               and not (f == "region" and a.source == FundSource.NATIONAL)}
    if a.kind == K.MONEY_CATEGORIES:
        missing.pop("to_year", None)
        a.to_year = a.from_year
    else:
        missing.pop("to_category", None)
        a.to_category = a.from_category
    if missing:
        raise ValidationError(missing)
    if a.source == FundSource.NATIONAL:
        a.region = None
    elif a.region_id not in {p.region_id for p in version.agreement.project.proposal.participations.all()}:
        raise ValidationError({"region": _("Local funds are paid by a participating region: choose one.")})
    years = version.years
    for f in ("from_year", "to_year"):
        if getattr(a, f) not in years:
            raise ValidationError({f: _("The agreement runs from %(first)s to %(last)s.") % {
                "first": version.start_year, "last": version.end_year}})
    if a.kind == K.MONEY_CATEGORIES and a.from_category == a.to_category:
        raise ValidationError({"to_category": _("Choose another category than the one the money comes from.")})
    if a.kind == K.MONEY_YEARS and a.from_year == a.to_year:
        raise ValidationError({"to_year": _("Choose another year than the one the money comes from.")})
    if a.kind == K.MONEY_CATEGORIES and a.to_category == SpendingCategory.UNCLASSIFIED:
        raise ValidationError({"to_category": _("Money is moved into a spending category, not out of them.")})
    lines = balances(version)
    held = lines.get((a.from_year, a.source, a.region_id, a.from_category), 0)
    if a.amount_won > held:
        raise ValidationError({"amount_won": _(
            "Only %(held)s won is there to move (%(year)s, %(category)s).") % {
            "held": f"{held:,}", "year": a.from_year, "category": SpendingCategory(a.from_category).label}})
    if a.kind == K.MONEY_YEARS:
        cells: dict[int, list[int]] = {}
        for (year, source, _region, _category), won in moved(lines, a).items():
            cells.setdefault(year, [0, 0])[0 if source == FundSource.NATIONAL else 1] += won
        problems = MatchingRule.of(call).problems([Cell(None, y, n, lc) for y, (n, lc) in cells.items()],
                                                  levels=(YEARS, TOTAL))
        if problems:
            raise ValidationError({"amount_won": list(problems.values())})


def _check(a: Amendment, version: AgreementVersion) -> None:
    project = version.agreement.project
    if not a.reasons.strip():
        raise ValidationError({"reasons": _("Give the reasons for the change.")})
    if a.kind in (K.ORGANISATIONS, K.LEAD_RESEARCHER) and not a.description.strip():
        raise ValidationError({"description": _("Describe the change: who leaves, who joins, who takes over.")})
    if a.kind == K.PERIOD:
        if a.new_end_year is None or a.new_end_year <= version.end_year:
            raise ValidationError({"new_end_year": _("The new last year comes after %(last)s.") % {
                "last": version.end_year}})
        try:
            check_ten_year_rule(project, adding_years=a.new_end_year - version.end_year)
        except ValidationError as exc:
            raise ValidationError({"new_end_year": exc.message_dict.get("years", exc.messages)}) from None
    if a.kind in MONEY_KINDS:
        _check_money(a, version, project.proposal.call)


def amendment_request(*, actor, agreement: Agreement, kind: str, reasons: str, description: str = "",
                      new_end_year: int | None = None, money: dict | None = None, uploads=()) -> Amendment:
    """The lead region's official asks for a change to the version in force. One open amendment at a
    time; the attachments are checked before anything is saved (a refused file saves nothing)."""
    require(actor, "agreements.request_amendment", agreement)
    if kind not in K.values:
        raise ValidationError({"kind": _("Choose the kind of change.")})
    checked = []
    for upload in uploads:
        try:
            checked.append((upload, *validate_upload(upload)))
        except ValidationError as exc:
            raise ValidationError({"attachments": exc.messages}) from None
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().select_related("project__proposal__call").get(
            pk=agreement.pk)
        version = (AgreementVersion.objects.filter(agreement=agreement, state=AgreementState.IN_FORCE)
                   .select_related("agreement__project__proposal__call").first())
        if version is None:
            raise ValidationError(_("Only an agreement in force is amended."))
        if agreement.amendments.filter(state__in=OPEN_STATES).exists():
            raise ValidationError(_("An amendment of this agreement is already under way: wait for its outcome."))
        if AgreementVersion.objects.filter(agreement=agreement, state__in=(AgreementState.DRAFT,
                                                                           AgreementState.ISSUED)).exists():
            raise ValidationError(_("A new version of this agreement awaits acceptance: amend it once in force."))
        a = Amendment(agreement=agreement, base_version=version, kind=kind, reasons=(reasons or "").strip(),
                      description=(description or "").strip(), requested_by=actor,
                      new_end_year=new_end_year if kind == K.PERIOD else None)
        if kind in MONEY_KINDS:
            for f, value in (money or {}).items():
                setattr(a, f, value)
        _check(a, version)
        a.full_clean(exclude=["agreement", "base_version", "requested_by", "region"])
        a.save()
        for upload, name, ext, file_kind in checked:
            att = AmendmentAttachment(amendment=a, kind=file_kind, uploaded_by=actor)
            att.take(upload, name=name, ext=ext)
            att.save()
        record(actor=actor, action=AuditAction.AMENDMENT_STATE, obj=a,
               summary=_("Amendment of agreement %(ref)s requested: %(kind)s.") % {
                   "ref": version.reference, "kind": a.get_kind_display()},
               after={"state": a.state, "kind": a.kind, "amount_won": a.amount_won,
                      "from": f"{a.from_year} {a.from_category}" if a.amount_won else None,
                      "to": f"{a.to_year} {a.to_category}" if a.amount_won else None,
                      "new_end_year": a.new_end_year, "attachments": len(checked)})
    notify(users=User.objects.filter(role=Role.MINISTRY, is_active=True),
           message=_("An amendment of the agreement for “%(title)s” is requested: %(kind)s.") % {
               "title": agreement.project.proposal.title_ko, "kind": a.get_kind_display()},
           url=f"/agreements/amendments/{a.pk}/")
    return a


# --- Approval: small changes by one staff member, larger ones by a second (four eyes) -------------------

MOVES = {
    "endorse": Move(gettext_lazy("Endorse"), frozenset({S.REQUESTED}), S.ENDORSED, "agreements.endorse_amendment",
                    gettext_lazy("This amendment is “%(state)s”: only a requested one is endorsed.")),
    "approve": Move(gettext_lazy("Approve"), frozenset({S.REQUESTED, S.ENDORSED}), S.APPROVED,
                    "agreements.approve_amendment",
                    gettext_lazy("This amendment is “%(state)s”: it cannot be approved now.")),
    "refuse": Move(gettext_lazy("Refuse"), frozenset({S.REQUESTED, S.ENDORSED}), S.REFUSED,
                   "agreements.decide_amendment",
                   gettext_lazy("This amendment is “%(state)s”: it cannot be refused now.")),
    "return": Move(gettext_lazy("Return to the region"), frozenset({S.REQUESTED, S.ENDORSED}), S.RETURNED,
                   "agreements.decide_amendment",
                   gettext_lazy("This amendment is “%(state)s”: it cannot be returned now.")),
}


def policy_for(call) -> AmendmentPolicy:
    """The call's thresholds (the defaults when the call has no policy row)."""
    return AmendmentPolicy.objects.filter(call=call).first() or AmendmentPolicy(call=call)


def is_small(a: Amendment) -> bool:
    """A money move within the call's thresholds (of the year the money leaves); every other kind is large."""
    if a.kind not in MONEY_KINDS or not a.amount_won:
        return False
    policy = policy_for(a.agreement.project.proposal.call)
    year_total = sum(won for (year, *_rest), won in balances(a.base_version).items() if year == a.from_year)
    return (a.amount_won <= policy.small_max_won
            and Decimal(a.amount_won) * 100 <= Decimal(policy.small_pct) * year_total)


def _new_version(*, actor, a: Amendment) -> AgreementVersion:
    """The approved amendment as the next version, issued: the lines after the money move, the new period,
    the parties again (each must accept this version)."""
    from .lifecycle import agreement_transition

    base = AgreementVersion.objects.select_for_update().get(pk=a.base_version_id)
    if base.state != AgreementState.IN_FORCE:
        raise ValidationError(_("The version amended is no longer in force: the amendment cannot be applied."))
    number = a.agreement.versions.order_by("-number").values_list("number", flat=True).first() + 1
    version = AgreementVersion.objects.create(
        agreement=a.agreement, number=number, state=AgreementState.DRAFT, start_year=base.start_year,
        end_year=a.new_end_year or base.end_year, conditions=base.conditions, stage_rule=base.stage_rule,
        prepared_by=actor)
    AgreementLine.objects.bulk_create(
        [AgreementLine(version=version, year=year, source=source, region_id=region, category=category, amount_won=won)
         for (year, source, region, category), won in sorted(moved(balances(base), a).items(), key=str)])
    AgreementParty.objects.bulk_create(
        [AgreementParty(version=version, kind=p.kind, region_id=p.region_id, name=p.name, order=p.order)
         for p in base.parties.all()])
    return agreement_transition(actor=actor, version=version, action="issue")


def amendment_transition(*, actor, amendment: Amendment, action: str, note: str = "") -> Amendment:
    """Endorse, approve, refuse or return an amendment. A small one (`is_small`) is approved by one staff
    member; a larger one is endorsed by one and approved by another (the four-eyes permission refuses the
    endorser). Refusing and returning need reasons. Approving makes the next version, issued."""
    move = move_of(MOVES, action)
    with transaction.atomic():
        a = Amendment.objects.select_for_update().select_related(
            "agreement__project__proposal__call", "base_version").get(pk=amendment.pk)
        check_move(move, actor=actor, obj=a)
        note = (note or "").strip()
        if action in ("refuse", "return") and not note:
            raise ValidationError({"note": _("Give the reasons: the region reads them.")})
        if action == "approve" and a.state == S.REQUESTED and not is_small(a):
            raise ValidationError(_("A large change is endorsed by one staff member and approved by another: "
                                    "endorse it first."))
        before = a.state
        now = timezone.now()
        a.state = move.target
        fields = ["state"]
        if action == "endorse":
            a.endorsed_by, a.endorsed_at = actor, now
            fields += ["endorsed_by", "endorsed_at"]
        else:
            a.decided_by, a.decided_at, a.decision_note = actor, now, note
            fields += ["decided_by", "decided_at", "decision_note"]
        if action == "approve":
            a.new_version = _new_version(actor=actor, a=a)
            fields.append("new_version")
        a.save(update_fields=fields)
        record(actor=actor, action=AuditAction.AMENDMENT_STATE, obj=a,
               summary=_("Amendment of agreement %(ref)s: %(move)s.") % {
                   "ref": a.base_version.reference, "move": move.label},
               before={"state": before},
               after={"state": a.state, "note": note or None, "small": is_small(a),
                      "new_version": a.new_version.number if a.new_version else None})
    title = a.agreement.project.proposal.title_ko
    url = f"/agreements/amendments/{a.pk}/"
    if action == "endorse":
        notify(users=User.objects.filter(role=Role.MINISTRY, is_active=True).exclude(pk=actor.pk), url=url,
               message=_("An amendment of the agreement for “%(title)s” is endorsed: a second staff member "
                         "approves it.") % {"title": title})
    else:
        notify(users=officials_of(a.agreement.project.proposal), url=url,
               message=_("The amendment of the agreement for “%(title)s” is %(state)s.") % {
                   "title": title, "state": a.get_state_display()})
    return a
