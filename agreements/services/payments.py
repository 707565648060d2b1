"""Payments (issue 18): the schedule of instalments, the disbursements recorded against it, and carry-over
of unspent national funds (이월). docs/agreements.md, "Payments and carry-over".

- The schedule opens once the agreement is in force (every party accepted). `schedule_generate` makes the
  default from the version in force (`default_instalments`): national funds in two instalments a year
  (31 March and 30 September; the first takes the odd won), local funds in one instalment per region a
  year (30 June). Staff change due dates and amounts (`schedule_save`) of instalments nothing was paid
  on yet; each year × source × region must still add up to the agreement.
- A new version in force (an approved amendment, accepted by every party) moves the unpaid part of the
  schedule onto its figures (`schedule_follow_version`, called by the agreement's lifecycle): an
  instalment with a payment never changes.
- Staff record national payments, each region its own local payments (`payment_record`): never more
  than what the instalment still has unpaid (the instalment row is locked while it is checked).
- The lead region asks to carry unspent national funds of a year into the next (`carry_over_request`);
  one staff member approves or refuses (`carry_over_transition`). The limit: the call's
  `carry_over_max_pct` of the year's national funds, and never more than the year's unspent funds.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, User
from accounts.services import notify
from audit.services import AuditAction, record
from core.moves import Move, check_move, move_of
from core.permissions import require
from core.todos import seoul_today
from proposals.selectors import officials_of

from ..models import (
    Agreement,
    AgreementState,
    AgreementVersion,
    CarryOver,
    CarryOverState,
    FundSource,
    Instalment,
    Payment,
)

# The default schedule: (month, day) of each instalment, per source.
NATIONAL_DUE = ((3, 31), (9, 30))
LOCAL_DUE = ((6, 30),)
# An amount added by an amendment to a year × source × region whose instalments are all paid: a new one.
LATE_DUE = (12, 15)


def version_in_force_of(agreement: Agreement) -> AgreementVersion:
    version = agreement.versions.filter(state=AgreementState.IN_FORCE).first()
    if version is None:
        raise ValidationError(_("Payments open once every party has accepted the agreement: it is not in force."))
    return version


def agreed_amounts(version: AgreementVersion) -> dict[tuple, int]:
    """The version's money as {(year, source, region id or None): won} (categories added up)."""
    out: dict[tuple, int] = {}
    for line in version.lines.all():
        key = (line.year, line.source, line.region_id if line.source == FundSource.LOCAL else None)
        out[key] = out.get(key, 0) + line.amount_won
    return out


def split(total: int, parts: int) -> list[int]:
    """`total` won in `parts` instalments, exact: the first takes the odd won."""
    base, rest = divmod(total, parts)
    return [base + (rest if i == 0 else 0) for i in range(parts)]


def default_instalments(year: int, source: str, total: int) -> list[tuple[datetime.date, int]]:
    dues = NATIONAL_DUE if source == FundSource.NATIONAL else LOCAL_DUE
    return [(datetime.date(year, m, d), won) for (m, d), won in zip(dues, split(total, len(dues)), strict=True)]


def paid_by_instalment(instalments) -> dict[int, int]:
    ids = [i.pk for i in instalments]
    return {row["instalment_id"]: row["won"] for row in
            Payment.objects.filter(instalment_id__in=ids).values("instalment_id").annotate(won=Sum("amount_won"))}


@transaction.atomic
def schedule_generate(*, actor, agreement: Agreement) -> list[Instalment]:
    """Staff make the default schedule from the version in force. Once: the schedule is then edited."""
    require(actor, "agreements.edit_schedule", agreement)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    version = version_in_force_of(agreement)
    if agreement.instalments.exists():
        raise ValidationError(_("This agreement already has a payment schedule: change it instead."))
    rows = []
    for (year, source, region_id), total in sorted(agreed_amounts(version).items(), key=str):
        for number, (due, won) in enumerate(default_instalments(year, source, total), start=1):
            rows.append(Instalment(agreement=agreement, version=version, year=year, source=source,
                                   region_id=region_id, number=number, due_date=due, amount_won=won))
    Instalment.objects.bulk_create(rows)
    record(actor=actor, action=AuditAction.PAYMENT, obj=agreement,
           summary=_("Payment schedule of agreement %(ref)s made from version %(n)s: %(count)s instalments.") % {
               "ref": agreement.reference, "n": version.number, "count": len(rows)},
           after={f"{r.year} {r.source} {r.region_id or '-'} #{r.number}": [str(r.due_date), r.amount_won]
                  for r in rows})
    return rows


def _group_label(year: int, source: str, region_name: str | None) -> str:
    if source == FundSource.NATIONAL:
        return _("%(year)s national funds") % {"year": year}
    return _("%(year)s local funds of %(region)s") % {"year": year, "region": region_name}


@transaction.atomic
def schedule_save(*, actor, agreement: Agreement, changes: dict[int, tuple[datetime.date, int]]) -> None:
    """Staff change the due date and amount of instalments ({instalment id: (due date, won)}). Instalments
    with a payment are not changed; every year × source × region must still add up to the agreement in
    force (refused otherwise, naming the row)."""
    require(actor, "agreements.edit_schedule", agreement)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    version = version_in_force_of(agreement)
    instalments = list(Instalment.objects.select_for_update(of=("self",)).filter(agreement=agreement)
                       .select_related("region").order_by("year", "source", "region__order", "number"))
    paid = paid_by_instalment(instalments)
    before, after = {}, {}
    for inst in instalments:
        if inst.pk not in changes:
            continue
        due, won = changes[inst.pk]
        if (due, won) == (inst.due_date, inst.amount_won):
            continue
        field = f"instalment-{inst.pk}"
        if paid.get(inst.pk):
            raise ValidationError({field: _("Instalment %(n)s of %(group)s has a payment: it no longer changes.") % {
                "n": inst.number, "group": _group_label(inst.year, inst.source, inst.region and inst.region.name)}})
        if won is None or won < 0:
            raise ValidationError({field: _("Type the amount of instalment %(n)s.") % {"n": inst.number}})
        if due is None or due.year not in (inst.year, inst.year + 1):
            raise ValidationError({field: _("Instalment %(n)s of %(group)s falls due in %(year)s (or early the "
                                            "next year).") % {
                "n": inst.number, "group": _group_label(inst.year, inst.source, inst.region and inst.region.name),
                "year": inst.year}})
        before[inst.pk] = [str(inst.due_date), inst.amount_won]
        inst.due_date, inst.amount_won = due, won
        after[inst.pk] = [str(due), won]
    agreed = agreed_amounts(version)
    sums: dict[tuple, int] = {}
    names = {}
    for inst in instalments:
        sums[inst.group] = sums.get(inst.group, 0) + inst.amount_won
        names[inst.group] = inst.region.name if inst.region_id else None
    for group, won in sums.items():
        if won != agreed.get(group, 0):
            year, source, _region = group
            first = next(i for i in instalments if i.group == group)
            raise ValidationError({f"instalment-{first.pk}": _(
                "%(group)s: the instalments add up to %(sum)s won, the agreement says %(agreed)s won.") % {
                "group": _group_label(year, source, names[group]), "sum": f"{won:,}",
                "agreed": f"{agreed.get(group, 0):,}"}})
    if not after:
        return
    Instalment.objects.bulk_update([i for i in instalments if i.pk in after], ["due_date", "amount_won"])
    record(actor=actor, action=AuditAction.PAYMENT, obj=agreement,
           summary=_("Payment schedule of agreement %(ref)s changed: %(count)s instalments.") % {
               "ref": agreement.reference, "count": len(after)},
           before={str(k): v for k, v in before.items()}, after={str(k): v for k, v in after.items()})


def schedule_follow_version(*, actor, version: AgreementVersion) -> None:
    """A new version came into force: the unpaid part of the schedule follows its figures. Instalments with
    a payment keep their amounts; what is left of each year × source × region goes to its unpaid
    instalments in proportion to their amounts (the last takes the odd won), or to a new instalment
    (15 December) when every one is paid; a year × source × region the schedule did not have gets the
    default instalments. Called inside the lifecycle's transaction; nothing happens without a schedule."""
    agreement = version.agreement
    instalments = list(Instalment.objects.select_for_update().filter(agreement=agreement)
                       .order_by("year", "source", "region_id", "number"))
    if not instalments:
        return
    paid = paid_by_instalment(instalments)
    groups: dict[tuple, list[Instalment]] = {}
    for inst in instalments:
        groups.setdefault(inst.group, []).append(inst)
    agreed = agreed_amounts(version)
    changed, created = [], []
    for group in sorted(set(groups) | set(agreed), key=str):
        year, source, region_id = group
        total = agreed.get(group, 0)
        rows = groups.get(group, [])
        if not rows:
            created += [Instalment(agreement=agreement, version=version, year=year, source=source,
                                   region_id=region_id, number=n, due_date=due, amount_won=won)
                        for n, (due, won) in enumerate(default_instalments(year, source, total), start=1)]
            continue
        locked = [i for i in rows if paid.get(i.pk)]
        unpaid = [i for i in rows if not paid.get(i.pk)]
        left = max(total - sum(i.amount_won for i in locked), 0)
        if unpaid:
            weights = [i.amount_won for i in unpaid]
            base = sum(weights)
            shares = ([left * w // base for w in weights] if base else split(left, len(unpaid))[::-1])
            shares[-1] += left - sum(shares)
            for inst, won in zip(unpaid, shares, strict=True):
                inst.amount_won, inst.version = won, version
                changed.append(inst)
        elif left:
            created.append(Instalment(agreement=agreement, version=version, year=year, source=source,
                                      region_id=region_id, number=max(i.number for i in rows) + 1,
                                      due_date=datetime.date(year, *LATE_DUE), amount_won=left))
    Instalment.objects.bulk_update(changed, ["amount_won", "version"])
    Instalment.objects.bulk_create(created)
    record(actor=actor, action=AuditAction.PAYMENT, obj=agreement,
           summary=_("The unpaid part of the payment schedule of agreement %(ref)s follows version %(n)s.") % {
               "ref": agreement.reference, "n": version.number},
           after={f"{i.year} {i.source} {i.region_id or '-'} #{i.number}": i.amount_won for i in changed + created})


def payment_record(*, actor, instalment: Instalment, paid_on: datetime.date | None, amount_won: int | None,
                   reference: str) -> Payment:
    """Record a disbursement against an instalment: staff for national funds, the paying region's official
    for its local funds. Never more than the instalment still has unpaid, never a date to come (Seoul)."""
    require(actor, "agreements.record_payment", instalment)
    reference = (reference or "").strip()
    with transaction.atomic():
        instalment = Instalment.objects.select_for_update(of=("self",)).select_related(
            "agreement__project__proposal", "region").get(pk=instalment.pk)
        version_in_force_of(instalment.agreement)
        if paid_on is None:
            raise ValidationError({"paid_on": _("Give the date of the payment.")})
        if paid_on > seoul_today():
            raise ValidationError({"paid_on": _("A payment is recorded once made: the date is still to come.")})
        if not reference:
            raise ValidationError({"reference": _("Give the payment's reference (e.g. the transfer number).")})
        if not amount_won or amount_won < 1:
            raise ValidationError({"amount_won": _("Type the amount paid.")})
        paid = instalment.payments.aggregate(won=Sum("amount_won"))["won"] or 0
        unpaid = instalment.amount_won - paid
        if amount_won > unpaid:
            raise ValidationError({"amount_won": _(
                "At most %(unpaid)s won is scheduled and unpaid for this instalment (%(amount)s won scheduled, "
                "%(paid)s won paid).") % {"unpaid": f"{max(unpaid, 0):,}", "amount": f"{instalment.amount_won:,}",
                                          "paid": f"{paid:,}"}})
        payment = Payment(instalment=instalment, paid_on=paid_on, amount_won=amount_won, reference=reference,
                          recorded_by=actor)
        payment.full_clean(exclude=["instalment", "recorded_by"])
        payment.save()
        record(actor=actor, action=AuditAction.PAYMENT, obj=instalment.agreement,
               summary=_("Payment of %(won)s won recorded: %(year)s %(source)s, instalment %(n)s.") % {
                   "won": f"{amount_won:,}", "year": instalment.year, "source": instalment.get_source_display(),
                   "n": instalment.number},
               after={"instalment": instalment.pk, "paid_on": str(paid_on), "amount_won": amount_won,
                      "reference": reference, "unpaid_after": unpaid - amount_won})
    if instalment.source == FundSource.NATIONAL:
        proposal = instalment.agreement.project.proposal
        notify(users=officials_of(proposal).filter(region_id=proposal.lead_region_id),
               url=f"/agreements/projects/{instalment.agreement.project_id}/money/",
               message=_("National funds of %(won)s won were paid for “%(title)s” (%(year)s, instalment %(n)s).") % {
                   "won": f"{amount_won:,}", "title": proposal.title_ko, "year": instalment.year,
                   "n": instalment.number})
    return payment


# --- Carry-over (이월) --------------------------------------------------------------------------------------


def national_spent(project) -> dict[int, int]:
    from ..selectors import spent_of

    out: dict[int, int] = {}
    for (year, source, _region), won in spent_of(project).items():
        if source == FundSource.NATIONAL:
            out[year] = out.get(year, 0) + won
    return out


def carry_over_limits(*, agreement: Agreement, year: int, exclude_pk: int | None = None) -> dict:
    """What may still be carried out of `year`: the call's share of the year's national funds (less what is
    already approved out of it) and the year's unspent national funds (its funds, plus what was carried in,
    less what was spent and what was already carried out)."""
    version = version_in_force_of(agreement)
    national = sum(won for (y, source, _r), won in agreed_amounts(version).items()
                   if y == year and source == FundSource.NATIONAL)
    approved = CarryOver.objects.filter(agreement=agreement, state=CarryOverState.APPROVED).exclude(pk=exclude_pk)
    carried_in = approved.filter(year=year - 1).aggregate(won=Sum("amount_won"))["won"] or 0
    carried_out = approved.filter(year=year).aggregate(won=Sum("amount_won"))["won"] or 0
    pct = Decimal(agreement.project.proposal.call.carry_over_max_pct)
    cap = int(Decimal(national) * pct / 100)  # whole won, rounded down
    spent = national_spent(agreement.project).get(year, 0)
    return {"national": national, "pct": pct, "cap": max(cap - carried_out, 0),
            "unspent": max(national + carried_in - spent - carried_out, 0)}


def _check_carry_over(*, agreement: Agreement, year: int, amount_won: int, exclude_pk: int | None = None) -> None:
    version = version_in_force_of(agreement)
    if year not in version.years or year + 1 not in version.years:
        raise ValidationError({"year": _("Funds are carried into a later year of the agreement (%(first)s–%(last)s): "
                                         "choose a year before %(last)s.") % {
            "first": version.start_year, "last": version.end_year}})
    limits = carry_over_limits(agreement=agreement, year=year, exclude_pk=exclude_pk)
    if amount_won > limits["cap"]:
        raise ValidationError({"amount_won": _(
            "At most %(cap)s won may be carried out of %(year)s: %(pct)s%% of its national funds (%(national)s "
            "won), less what is already carried over.") % {
            "cap": f"{limits['cap']:,}", "year": year, "pct": f"{limits['pct'].normalize():f}",
            "national": f"{limits['national']:,}"}})
    if amount_won > limits["unspent"]:
        raise ValidationError({"amount_won": _(
            "Only %(unspent)s won of %(year)s's national funds is unspent (from the annual reports).") % {
            "unspent": f"{limits['unspent']:,}", "year": year}})


def carry_over_request(*, actor, agreement: Agreement, year: int | None, amount_won: int | None,
                       reasons: str) -> CarryOver:
    """The lead region's official asks to carry unspent national funds of `year` into the next year."""
    require(actor, "agreements.request_carry_over", agreement)
    reasons = (reasons or "").strip()
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().select_related("project__proposal__call").get(
            pk=agreement.pk)
        if year is None:
            raise ValidationError({"year": _("Choose the year the funds are carried out of.")})
        if not amount_won or amount_won < 1:
            raise ValidationError({"amount_won": _("Type the amount to carry over.")})
        if not reasons:
            raise ValidationError({"reasons": _("Give the reasons for the carry-over.")})
        if CarryOver.objects.filter(agreement=agreement, year=year, state=CarryOverState.REQUESTED).exists():
            raise ValidationError({"year": _("A carry-over out of %(year)s already awaits a decision.") % {
                "year": year}})
        _check_carry_over(agreement=agreement, year=year, amount_won=amount_won)
        carry = CarryOver.objects.create(agreement=agreement, year=year, amount_won=amount_won, reasons=reasons,
                                         requested_by=actor)
        record(actor=actor, action=AuditAction.CARRY_OVER, obj=carry,
               summary=_("Carry-over of %(won)s won from %(year)s into %(next)s requested.") % {
                   "won": f"{amount_won:,}", "year": year, "next": year + 1},
               after={"state": carry.state, "year": year, "amount_won": amount_won})
    notify(users=User.objects.filter(role=Role.MINISTRY, is_active=True),
           url=f"/agreements/projects/{agreement.project_id}/money/",
           message=_("A carry-over of %(won)s won from %(year)s is requested for “%(title)s”.") % {
               "won": f"{amount_won:,}", "year": year, "title": agreement.project.proposal.title_ko})
    return carry


C = CarryOverState
CARRY_OVER_MOVES = {
    "approve": Move(gettext_lazy("Approve"), frozenset({C.REQUESTED}), C.APPROVED, "agreements.decide_carry_over",
                    gettext_lazy("This carry-over is “%(state)s”: only a requested one is decided.")),
    "refuse": Move(gettext_lazy("Refuse"), frozenset({C.REQUESTED}), C.REFUSED, "agreements.decide_carry_over",
                   gettext_lazy("This carry-over is “%(state)s”: only a requested one is decided.")),
}


def carry_over_transition(*, actor, carry_over: CarryOver, action: str, note: str = "") -> CarryOver:
    """One staff member approves (the limits checked again, as they stand now) or refuses (with reasons)."""
    move = move_of(CARRY_OVER_MOVES, action)
    note = (note or "").strip()
    with transaction.atomic():
        Agreement.objects.select_for_update().filter(pk=carry_over.agreement_id).first()
        carry = CarryOver.objects.select_for_update().select_related("agreement__project__proposal__call").get(
            pk=carry_over.pk)
        check_move(move, actor=actor, obj=carry)
        if action == "refuse" and not note:
            raise ValidationError({"note": _("Give the reasons: the region reads them.")})
        if action == "approve":
            _check_carry_over(agreement=carry.agreement, year=carry.year, amount_won=carry.amount_won,
                              exclude_pk=carry.pk)
        before = carry.state
        carry.state = move.target
        carry.decided_by, carry.decided_at, carry.decision_note = actor, timezone.now(), note
        carry.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        record(actor=actor, action=AuditAction.CARRY_OVER, obj=carry,
               summary=_("Carry-over of %(won)s won from %(year)s: %(move)s.") % {
                   "won": f"{carry.amount_won:,}", "year": carry.year, "move": move.label},
               before={"state": before}, after={"state": carry.state, "note": note or None})
    proposal = carry.agreement.project.proposal
    notify(users=officials_of(proposal).filter(region_id=proposal.lead_region_id),
           url=f"/agreements/projects/{carry.agreement.project_id}/money/",
           message=_("The carry-over from %(year)s for “%(title)s” is %(state)s.") % {
               "year": carry.year, "title": proposal.title_ko, "state": carry.get_state_display()})
    return carry
