"""Year-end settlement (정산) of a project year (issue 18). docs/settlement.md.

The figures of a year, per source × spending category, in exact integer won:

- granted: the agreement version in force (its lines of the year);
- spent: the spending lines of the year's accepted annual report (every region's part);
- unspent: granted − spent (national funds: plus what was carried in from the year before);
- carried over: the approved carry-over out of the year (이월);
- disallowed: the items staff mark (불인정), each at most what was spent in its cell.

Amount to return = (national unspent − approved carry-over, never below zero) + disallowed national funds,
to the ministry; plus each region's disallowed local funds, to that region's account (shown separately: a
region's own unspent local funds are not returned).

The states (SETTLEMENT_MOVES beside `settlement_transition`, the one writer of a settlement's state):
draft → proposed (staff) → accepted or disputed (the lead region's official; disputed goes back to staff, who
change the items and propose again) → confirmed (a second staff member: four eyes) → closed (once the amount due
is repaid in full; at once when nothing is due). Confirming asks the worker for the settlement statement and,
when money is due, the repayment notice (due in 30 days).
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
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
from programmes.categories import SpendingCategory
from projects.models import ReportState, SpendingLine
from proposals.selectors import officials_of

from ..models import (
    Agreement,
    AgreementState,
    CarryOver,
    CarryOverState,
    FundSource,
    Settlement,
    SettlementDocument,
    SettlementDocumentKind,
    SettlementItem,
    SettlementRepayment,
    SettlementSanction,
    SettlementState,
    SettlementStep,
)

S = SettlementState
REPAYMENT_DAYS = 30
DEFAULT_ACCOUNT = "한국은행 국고수납계좌 (과학기술정보통신부 세입) — 납부 시 정산 번호를 적어 주십시오."


def repayment_account() -> str:
    """Where national funds are returned: settings.SETTLEMENT_REPAYMENT_ACCOUNT (docs/configuration.md)."""
    return getattr(settings, "SETTLEMENT_REPAYMENT_ACCOUNT", "") or DEFAULT_ACCOUNT


# --- The figures -----------------------------------------------------------------------------------------


@dataclass
class Cell:
    granted: int = 0
    spent: int = 0
    disallowed: int = 0

    @property
    def unspent(self) -> int:
        return self.granted - self.spent


@dataclass
class FigureRow:
    category: str
    label: str
    national: Cell
    local: Cell


@dataclass
class Figures:
    year: int
    rows: list
    national: Cell
    local: Cell
    carried_in: int
    carried_over: int
    local_by_region: list = field(default_factory=list)  # (region, Cell) per participating region

    @property
    def national_unspent(self) -> int:
        """The year's national funds (with what was carried in) not spent; never below zero."""
        return max(self.national.granted + self.carried_in - self.national.spent, 0)

    @property
    def national_not_carried(self) -> int:
        return max(self.national_unspent - self.carried_over, 0)

    @property
    def national_due(self) -> int:
        return self.national_not_carried + self.national.disallowed

    @property
    def local_due(self) -> int:
        return self.local.disallowed

    @property
    def local_due_by_region(self) -> list:
        return [(region, cell.disallowed) for region, cell in self.local_by_region if cell.disallowed]

    @property
    def amount_due(self) -> int:
        return self.national_due + self.local_due


def accepted_report_spending(agreement: Agreement, year: int):
    return SpendingLine.objects.filter(part__report__project_id=agreement.project_id, part__report__year=year,
                                       part__report__state=ReportState.ACCEPTED)


def figures_of(agreement: Agreement, year: int, *, items=None) -> Figures:
    """The year's figures per source × category (a fixed number of queries). `items`: the disallowed items to
    count (the settlement's, by default none)."""
    from ..selectors import version_in_force

    version = version_in_force(agreement.project)
    cells: dict[tuple[str, str], Cell] = {}
    regions = [p.region for p in agreement.project.proposal.participations.select_related("region")
               .order_by("-is_lead", "region__order")]
    by_region: dict[int, Cell] = {r.pk: Cell() for r in regions}

    def cell(source, category) -> Cell:
        return cells.setdefault((source, category), Cell())

    if version is not None:
        for line in version.lines.filter(year=year):
            cell(line.source, line.category).granted += line.amount_won
            if line.source == FundSource.LOCAL and line.region_id in by_region:
                by_region[line.region_id].granted += line.amount_won
    for row in (accepted_report_spending(agreement, year).values("source", "category", "part__region_id")
                .annotate(won=Sum("amount_won"))):
        cell(row["source"], row["category"]).spent += row["won"]
        if row["source"] == FundSource.LOCAL and row["part__region_id"] in by_region:
            by_region[row["part__region_id"]].spent += row["won"]
    for item in items or ():
        cell(item.source, item.category).disallowed += item.amount_won
        if item.source == FundSource.LOCAL and item.region_id in by_region:
            by_region[item.region_id].disallowed += item.amount_won
    rows = []
    for category in SpendingCategory:
        national, local = cells.get((FundSource.NATIONAL, category.value)), cells.get((FundSource.LOCAL,
                                                                                       category.value))
        if national is None and local is None:
            continue
        rows.append(FigureRow(category.value, category.label, national or Cell(), local or Cell()))

    def total(source) -> Cell:
        out = Cell()
        for (s, _c), c in cells.items():
            if s == source:
                out.granted += c.granted
                out.spent += c.spent
                out.disallowed += c.disallowed
        return out

    approved = CarryOver.objects.filter(agreement=agreement, state=CarryOverState.APPROVED)
    carried_in = approved.filter(year=year - 1).aggregate(won=Sum("amount_won"))["won"] or 0
    carried_over = approved.filter(year=year).aggregate(won=Sum("amount_won"))["won"] or 0
    return Figures(year=year, rows=rows, national=total(FundSource.NATIONAL), local=total(FundSource.LOCAL),
                   carried_in=carried_in, carried_over=carried_over,
                   local_by_region=[(r, by_region[r.pk]) for r in regions])


def settlement_figures(settlement: Settlement) -> Figures:
    return figures_of(settlement.agreement, settlement.year, items=list(settlement.items.all()))


# --- Opening and the disallowed items (staff) -----------------------------------------------------------


def _step(settlement: Settlement, actor, action: str, label, note: str = "") -> None:
    SettlementStep.objects.create(settlement=settlement, actor=actor, action=action, label=str(label), note=note)


def settlement_open(*, actor, agreement: Agreement, year: int | None) -> Settlement:
    """Staff open the settlement of a year of the agreement in force whose annual report is accepted."""
    require(actor, "agreements.edit_settlement", agreement)
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().select_related("project__proposal").get(pk=agreement.pk)
        version = agreement.versions.filter(state=AgreementState.IN_FORCE).first()
        if version is None:
            raise ValidationError(_("A year is settled once the agreement is in force."))
        if year is None or year not in version.years:
            raise ValidationError({"year": _("The agreement runs from %(first)s to %(last)s: choose one of its "
                                             "years.") % {"first": version.start_year, "last": version.end_year}})
        if not agreement.project.reports.filter(year=year, state=ReportState.ACCEPTED).exists():
            raise ValidationError({"year": _("The annual report of %(year)s is not accepted yet: its spending is "
                                             "what a settlement checks.") % {"year": year}})
        if Settlement.objects.filter(agreement=agreement, year=year).exists():
            raise ValidationError({"year": _("The settlement of %(year)s is already open.") % {"year": year}})
        settlement = Settlement.objects.create(agreement=agreement, year=year, opened_by=actor)
        _step(settlement, actor, "open", gettext_lazy("Opened"))
        record(actor=actor, action=AuditAction.SETTLEMENT, obj=settlement,
               summary=_("Settlement of %(year)s opened for agreement %(ref)s.") % {
                   "year": year, "ref": agreement.reference},
               after={"state": settlement.state, "year": year})
    return settlement


def _locked(settlement: Settlement) -> Settlement:
    Agreement.objects.select_for_update().filter(pk=settlement.agreement_id).first()
    return Settlement.objects.select_for_update().select_related("agreement__project__proposal__call").get(
        pk=settlement.pk)


def _not_editable(settlement: Settlement):
    return ValidationError(_("This settlement is “%(state)s”: its items change only while it is a draft or "
                             "disputed.") % {"state": settlement.get_state_display()})


def item_add(*, actor, settlement: Settlement, source: str, category: str, amount_won: int | None, reason: str,
             region=None) -> SettlementItem:
    """Staff mark spending as disallowed: at most what was spent in that cell (source × category, and the
    region for local funds), less the items already marked there; reasons required."""
    require(actor, "agreements.edit_settlement", settlement)
    reason = (reason or "").strip()
    with transaction.atomic():
        settlement = _locked(settlement)
        if not settlement.is_editable:
            raise _not_editable(settlement)
        if source not in FundSource.values:
            raise ValidationError({"source": _("Choose the source of the funds.")})
        if category not in SpendingCategory.values:
            raise ValidationError({"category": _("Choose the spending category.")})
        region_id = getattr(region, "pk", region) if source == FundSource.LOCAL else None
        regions = set(settlement.agreement.project.proposal.participations.values_list("region_id", flat=True))
        if source == FundSource.LOCAL and region_id not in regions:
            raise ValidationError({"region": _("Local funds are spent by a participating region: choose one.")})
        if not amount_won or amount_won < 1:
            raise ValidationError({"amount_won": _("Type the amount disallowed.")})
        if not reason:
            raise ValidationError({"reason": _("Give the reasons the region reads for this item.")})
        spent_qs = accepted_report_spending(settlement.agreement, settlement.year).filter(source=source,
                                                                                          category=category)
        marked_qs = settlement.items.filter(source=source, category=category)
        if region_id is not None:
            spent_qs = spent_qs.filter(part__region_id=region_id)
            marked_qs = marked_qs.filter(region_id=region_id)
        spent = spent_qs.aggregate(won=Sum("amount_won"))["won"] or 0
        marked = marked_qs.aggregate(won=Sum("amount_won"))["won"] or 0
        if amount_won > spent - marked:
            raise ValidationError({"amount_won": _(
                "At most %(left)s won can be disallowed in %(category)s (%(source)s): %(spent)s won spent, "
                "%(marked)s won already disallowed.") % {
                "left": f"{max(spent - marked, 0):,}", "category": SpendingCategory(category).label,
                "source": FundSource(source).label, "spent": f"{spent:,}", "marked": f"{marked:,}"}})
        item = SettlementItem.objects.create(settlement=settlement, source=source, region_id=region_id,
                                             category=category, amount_won=amount_won, reason=reason,
                                             added_by=actor)
        record(actor=actor, action=AuditAction.SETTLEMENT, obj=settlement,
               summary=_("Disallowed item of %(won)s won added to the settlement of %(year)s.") % {
                   "won": f"{amount_won:,}", "year": settlement.year},
               after={"item": item.pk, "source": source, "region": region_id, "category": category,
                      "amount_won": amount_won, "reason": reason})
    return item


def item_remove(*, actor, item: SettlementItem, reason: str) -> None:
    """Staff take an item back (while the settlement is a draft or disputed), saying why."""
    require(actor, "agreements.edit_settlement", item.settlement)
    reason = (reason or "").strip()
    with transaction.atomic():
        settlement = _locked(item.settlement)
        if not settlement.is_editable:
            raise _not_editable(settlement)
        if not reason:
            raise ValidationError({"reason": _("Say why the item is taken back.")})
        item = SettlementItem.objects.select_for_update().get(pk=item.pk, settlement=settlement)
        before = {"source": item.source, "region": item.region_id, "category": item.category,
                  "amount_won": item.amount_won, "reason": item.reason}
        item.delete()
        _step(settlement, actor, "item_remove", gettext_lazy("Disallowed item taken back"),
              f"{before['amount_won']:,} — {reason}")
        record(actor=actor, action=AuditAction.SETTLEMENT, obj=settlement,
               summary=_("Disallowed item of %(won)s won taken back from the settlement of %(year)s.") % {
                   "won": f"{before['amount_won']:,}", "year": settlement.year},
               before=before, after={"reason": reason})


# --- The moves --------------------------------------------------------------------------------------------


SETTLEMENT_MOVES = {
    "propose": Move(gettext_lazy("Propose to the region"), frozenset({S.DRAFT, S.DISPUTED}), S.PROPOSED,
                    "agreements.edit_settlement",
                    gettext_lazy("This settlement is “%(state)s”: only a draft or a disputed one is proposed.")),
    "accept": Move(gettext_lazy("Accept"), frozenset({S.PROPOSED}), S.ACCEPTED, "agreements.answer_settlement",
                   gettext_lazy("This settlement is “%(state)s”: only a proposed one is answered.")),
    "dispute": Move(gettext_lazy("Dispute"), frozenset({S.PROPOSED}), S.DISPUTED, "agreements.answer_settlement",
                    gettext_lazy("This settlement is “%(state)s”: only a proposed one is answered.")),
    "confirm": Move(gettext_lazy("Confirm"), frozenset({S.ACCEPTED}), S.CONFIRMED, "agreements.confirm_settlement",
                    gettext_lazy("This settlement is “%(state)s”: only one the region accepted is confirmed.")),
    "close": Move(gettext_lazy("Close (repaid in full)"), frozenset({S.CONFIRMED}), S.CLOSED,
                  "agreements.record_recovery",
                  gettext_lazy("This settlement is “%(state)s”: only a confirmed one is closed.")),
}


def settlement_transition(*, actor, settlement: Settlement, action: str, note: str = "") -> Settlement:
    """The one writer of a settlement's state. Propose fixes the amounts due from the figures as they stand;
    the region's dispute needs its reasons; confirm (by anyone but the proposer) checks the figures did not
    change since proposed, sets the repayment due date (30 days, Seoul) and asks for the PDFs; a settlement
    with nothing due closes at once. Close: the amount due is repaid in full (recovery_record)."""
    move = move_of(SETTLEMENT_MOVES, action)
    note = (note or "").strip()
    with transaction.atomic():
        settlement = _locked(settlement)
        check_move(move, actor=actor, obj=settlement)
        before = settlement.state
        now = timezone.now()
        fields = ["state"]
        figures = settlement_figures(settlement)
        if action == "propose":
            settlement.national_due_won, settlement.local_due_won = figures.national_due, figures.local_due
            settlement.proposed_by, settlement.proposed_at = actor, now
            settlement.answer_text, settlement.answered_by, settlement.answered_at = "", None, None
            fields += ["national_due_won", "local_due_won", "proposed_by", "proposed_at", "answer_text",
                       "answered_by", "answered_at"]
        elif action in ("accept", "dispute"):
            if action == "dispute" and not note:
                raise ValidationError({"note": _("Give the reasons for the dispute: staff read them.")})
            settlement.answer_text, settlement.answered_by, settlement.answered_at = note, actor, now
            fields += ["answer_text", "answered_by", "answered_at"]
        elif action == "confirm":
            if (figures.national_due, figures.local_due) != (settlement.national_due_won, settlement.local_due_won):
                raise ValidationError(_("The figures changed since the settlement was proposed (%(then)s won due, "
                                        "now %(now)s won): propose it again.") % {
                    "then": f"{settlement.amount_due_won:,}", "now": f"{figures.amount_due:,}"})
            settlement.confirmed_by, settlement.confirmed_at = actor, now
            settlement.due_on = (seoul_today() + datetime.timedelta(days=REPAYMENT_DAYS)
                                 if settlement.amount_due_won else None)
            fields += ["confirmed_by", "confirmed_at", "due_on"]
        elif action == "close" and repaid_of(settlement) != (settlement.national_due_won,
                                                            settlement.local_due_won):
            raise ValidationError(_("A settlement closes once the amount due is repaid in full."))
        settlement.state = move.target
        if action == "confirm" and not settlement.amount_due_won:
            settlement.state = S.CLOSED  # nothing to recover
        if settlement.state == S.CLOSED:
            settlement.closed_at = now
            fields.append("closed_at")
        settlement.save(update_fields=fields)
        _step(settlement, actor, action, move.label, note)
        record(actor=actor, action=AuditAction.SETTLEMENT, obj=settlement,
               summary=_("Settlement of %(year)s for agreement %(ref)s: %(move)s.") % {
                   "year": settlement.year, "ref": settlement.agreement.reference, "move": move.label},
               before={"state": before},
               after={"state": settlement.state, "note": note or None,
                      "national_due_won": settlement.national_due_won, "local_due_won": settlement.local_due_won})
        if action == "confirm":
            from .documents import settlement_documents_request

            settlement_documents_request(actor=actor, settlement=settlement)
    _tell(settlement, action, actor)
    return settlement


def _tell(settlement: Settlement, action: str, actor) -> None:
    proposal = settlement.agreement.project.proposal
    url = f"/agreements/{settlement.agreement_id}/settlements/{settlement.year}/"
    title = proposal.title_ko
    if action == "propose":
        notify(users=officials_of(proposal).filter(region_id=proposal.lead_region_id), url=url,
               message=_("The settlement of %(year)s for “%(title)s” is proposed: accept it or dispute it.") % {
                   "year": settlement.year, "title": title})
    elif action in ("accept", "dispute"):
        notify(users=User.objects.filter(role=Role.MINISTRY, is_active=True), url=url,
               message=_("The region answered the settlement of %(year)s for “%(title)s”: %(state)s.") % {
                   "year": settlement.year, "title": title, "state": settlement.get_state_display()})
    elif action == "confirm":
        notify(users=officials_of(proposal), url=url,
               message=_("The settlement of %(year)s for “%(title)s” is confirmed: %(won)s won to return.") % {
                   "year": settlement.year, "title": title, "won": f"{settlement.amount_due_won:,}"})


# Named entry points (what the views, tests and the demo call).
def settlement_propose(*, actor, settlement: Settlement) -> Settlement:
    return settlement_transition(actor=actor, settlement=settlement, action="propose")


def settlement_answer(*, actor, settlement: Settlement, accept: bool, reasons: str = "") -> Settlement:
    return settlement_transition(actor=actor, settlement=settlement, action="accept" if accept else "dispute",
                                 note=reasons)


def settlement_confirm(*, actor, settlement: Settlement) -> Settlement:
    return settlement_transition(actor=actor, settlement=settlement, action="confirm")


# --- Recovery and sanctions --------------------------------------------------------------------------------


def repaid_of(settlement: Settlement) -> tuple[int, int]:
    """(national, local) won repaid so far."""
    rows = dict(settlement.repayments.values_list("source").annotate(won=Sum("amount_won")))
    return rows.get(FundSource.NATIONAL, 0) or 0, rows.get(FundSource.LOCAL, 0) or 0


def recovery_record(*, actor, settlement: Settlement, source: str, paid_on: datetime.date | None,
                    amount_won: int | None, reference: str) -> SettlementRepayment:
    """Staff record money returned against a confirmed settlement: partial payments allowed, never more than
    is still due for the source; the settlement closes when everything due is repaid."""
    require(actor, "agreements.record_recovery", settlement)
    reference = (reference or "").strip()
    with transaction.atomic():
        settlement = _locked(settlement)
        if settlement.state != S.CONFIRMED:
            raise ValidationError(_("This settlement is “%(state)s”: repayments are recorded once it is confirmed "
                                    "and until it is closed.") % {"state": settlement.get_state_display()})
        if source not in FundSource.values:
            raise ValidationError({"source": _("Choose the source of the funds returned.")})
        if paid_on is None:
            raise ValidationError({"paid_on": _("Give the date of the repayment.")})
        if paid_on > seoul_today():
            raise ValidationError({"paid_on": _("A repayment is recorded once made: the date is still to come.")})
        if not amount_won or amount_won < 1:
            raise ValidationError({"amount_won": _("Type the amount repaid.")})
        if not reference:
            raise ValidationError({"reference": _("Give the repayment's reference (e.g. the transfer number).")})
        national, local = repaid_of(settlement)
        due = settlement.national_due_won if source == FundSource.NATIONAL else settlement.local_due_won
        left = due - (national if source == FundSource.NATIONAL else local)
        if amount_won > left:
            raise ValidationError({"amount_won": _(
                "At most %(left)s won of %(source)s is still due (%(due)s won due): an overpayment is refused.") % {
                "left": f"{max(left, 0):,}", "source": FundSource(source).label, "due": f"{due:,}"}})
        repayment = SettlementRepayment.objects.create(settlement=settlement, source=source, paid_on=paid_on,
                                                       amount_won=amount_won, reference=reference,
                                                       recorded_by=actor)
        _step(settlement, actor, "repayment", gettext_lazy("Repayment recorded"),
              f"{FundSource(source).label} {amount_won:,} ({paid_on.isoformat()}, {reference})")
        record(actor=actor, action=AuditAction.SETTLEMENT, obj=settlement,
               summary=_("Repayment of %(won)s won recorded against the settlement of %(year)s.") % {
                   "won": f"{amount_won:,}", "year": settlement.year},
               after={"source": source, "paid_on": str(paid_on), "amount_won": amount_won, "reference": reference,
                      "still_due": left - amount_won})
        if repaid_of(settlement) == (settlement.national_due_won, settlement.local_due_won):
            settlement_transition(actor=actor, settlement=settlement, action="close")
    return repayment


def sanction_record(*, actor, settlement: Settlement, amount_won: int | None, reasons: str) -> SettlementSanction:
    """Staff decide to reduce the next year's national funding, with reasons (on a confirmed or closed
    settlement). At most the next year's national funds of the agreement in force, less earlier reductions."""
    require(actor, "agreements.record_recovery", settlement)
    reasons = (reasons or "").strip()
    with transaction.atomic():
        settlement = _locked(settlement)
        if settlement.state not in (S.CONFIRMED, S.CLOSED):
            raise ValidationError(_("A sanction is decided on a confirmed settlement."))
        year = settlement.year + 1
        version = settlement.agreement.versions.filter(state=AgreementState.IN_FORCE).first()
        if version is None or year not in version.years:
            raise ValidationError(_("The agreement has no year %(year)s: there is no next year's funding to "
                                    "reduce.") % {"year": year})
        if not amount_won or amount_won < 1:
            raise ValidationError({"amount_won": _("Type the reduction of next year's national funds.")})
        if not reasons:
            raise ValidationError({"reasons": _("Give the reasons for the sanction.")})
        national = version.lines.filter(year=year, source=FundSource.NATIONAL).aggregate(
            won=Sum("amount_won"))["won"] or 0
        earlier = SettlementSanction.objects.filter(settlement__agreement=settlement.agreement, year=year).aggregate(
            won=Sum("amount_won"))["won"] or 0
        if amount_won > national - earlier:
            raise ValidationError({"amount_won": _(
                "At most %(left)s won: the national funds of %(year)s (%(national)s won), less earlier "
                "reductions.") % {"left": f"{max(national - earlier, 0):,}", "year": year,
                                  "national": f"{national:,}"}})
        sanction = SettlementSanction.objects.create(settlement=settlement, year=year, amount_won=amount_won,
                                                     reasons=reasons, recorded_by=actor)
        _step(settlement, actor, "sanction", gettext_lazy("Sanction decided"),
              f"{year}: −{amount_won:,} — {reasons}")
        record(actor=actor, action=AuditAction.SETTLEMENT, obj=settlement,
               summary=_("Next year's national funding reduced by %(won)s won (%(year)s) on the settlement of "
                         "%(settled)s.") % {"won": f"{amount_won:,}", "year": year, "settled": settlement.year},
               after={"year": year, "amount_won": amount_won, "reasons": reasons})
    notify(users=officials_of(settlement.agreement.project.proposal),
           url=f"/agreements/{settlement.agreement_id}/settlements/{settlement.year}/",
           message=_("The national funding of %(year)s for “%(title)s” is reduced by %(won)s won.") % {
               "year": year, "title": settlement.agreement.project.proposal.title_ko, "won": f"{amount_won:,}"})
    return sanction


def documents_of(settlement: Settlement) -> list[SettlementDocument]:
    order = {k: i for i, k in enumerate(SettlementDocumentKind.values)}
    return sorted(settlement.documents.all(), key=lambda d: order.get(d.kind, 9))
