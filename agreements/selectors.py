"""Reads of the agreements app shared by pages, the PDF, the exports and the hooks it gives projects."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from programmes.categories import SpendingCategory
from projects.models import Project
from projects.selectors import projects_visible_to

from .models import (
    Agreement,
    AgreementLine,
    AgreementParty,
    AgreementState,
    AgreementVersion,
    Amendment,
    FundSource,
    Settlement,
    SettlementState,
)


def agreements_visible_to(*, user) -> QuerySet[Agreement]:
    """The agreements of the projects the user sees (projects' own visibility: staff all, an official
    their region's projects once their call's results are announced, experts none)."""
    return Agreement.objects.filter(project__in=projects_visible_to(user=user).values("pk"))


def settlements_visible_to(*, user) -> QuerySet[Settlement]:
    """The year-end settlements the user may read: those of the agreements they see; a draft stays with staff
    (the rule agreements.view_settlement says the same of one settlement)."""
    settlements = Settlement.objects.filter(agreement__in=agreements_visible_to(user=user).values("pk"))
    if not user.has_perm("agreements.list_settlements"):
        settlements = settlements.exclude(state=SettlementState.DRAFT)
    return settlements


def version_for(*, user, pk: int) -> AgreementVersion:
    """A version of an agreement the user sees, else 404."""
    return get_object_or_404(
        AgreementVersion.objects.select_related("agreement__project__proposal__call",
                                                "agreement__project__proposal__lead_region",
                                                "agreement__decision", "issued_by", "prepared_by")
        .filter(agreement__in=agreements_visible_to(user=user)), pk=pk)


def version_in_force(project: Project) -> AgreementVersion | None:
    return (AgreementVersion.objects.filter(agreement__project=project, state=AgreementState.IN_FORCE)
            .select_related("agreement").first())


def agreement_in_force(project: Project) -> bool:
    """Every party accepted a version of the project's agreement, and one is in force: what opens a
    project's payments and spending (registered in projects.hooks as its agreement check)."""
    return AgreementVersion.objects.filter(agreement__project=project, state=AgreementState.IN_FORCE).exists()


def equipment_approved(project: Project, year: int) -> bool:
    """The version in force approves equipment for `year`: a line of that year in the equipment
    category with money on it (registered in projects.hooks for the spending rules)."""
    return AgreementLine.objects.filter(
        version__agreement__project=project, version__state=AgreementState.IN_FORCE, year=year,
        category=SpendingCategory.EQUIPMENT, amount_won__gt=0).exists()


def current_version(agreement: Agreement) -> AgreementVersion | None:
    """The latest version: the one being prepared or issued, else the one in force."""
    return agreement.versions.order_by("-number").first()


def versions_of(agreement: Agreement) -> list[AgreementVersion]:
    return list(agreement.versions.order_by("-number").prefetch_related(
        Prefetch("parties", queryset=AgreementParty.objects.select_related("accepted_by"))))


@dataclass
class GridRow:
    year: int
    national: int = 0
    local: dict = field(default_factory=dict)  # region id → won

    @property
    def local_total(self) -> int:
        return sum(self.local.values())

    @property
    def total(self) -> int:
        return self.national + self.local_total


@dataclass
class Grid:
    regions: list
    rows: list

    @property
    def national_total(self) -> int:
        return sum(r.national for r in self.rows)

    @property
    def local_totals(self) -> list[int]:
        return [sum(r.local.get(region.pk, 0) for r in self.rows) for region in self.regions]

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)

    def cells(self, row: GridRow) -> list[int]:
        return [row.local.get(region.pk, 0) for region in self.regions]


def version_grid(version: AgreementVersion) -> Grid:
    """The version's money as a year × (national, local per region) grid; two queries."""
    proposal = version.agreement.project.proposal
    regions = [p.region for p in proposal.participations.select_related("region").order_by("-is_lead",
                                                                                           "region__order")]
    rows: dict[int, GridRow] = {}
    for line in version.lines.all():
        row = rows.setdefault(line.year, GridRow(year=line.year))
        if line.source == FundSource.NATIONAL:
            row.national += line.amount_won
        else:
            row.local[line.region_id] = row.local.get(line.region_id, 0) + line.amount_won
    grid = Grid(regions=regions, rows=[rows[y] for y in sorted(rows)])
    for row in grid.rows:
        row.cells = grid.cells(row)
    return grid


@dataclass
class CategoryGrid:
    """The version's money per year × spending category (the categories it uses, in the vocabulary's order)."""

    categories: list  # (value, label)
    rows: list  # (year, [won per category], year total)
    totals: list  # won per category
    total: int


def category_grid(version: AgreementVersion) -> CategoryGrid:
    amounts: dict[tuple[int, str], int] = {}
    for line in version.lines.all():
        amounts[line.year, line.category] = amounts.get((line.year, line.category), 0) + line.amount_won
    used = {c for _y, c in amounts}
    categories = [(c.value, c.label) for c in SpendingCategory if c.value in used]
    years = sorted({y for y, _c in amounts})
    rows = [(y, [amounts.get((y, c), 0) for c, _label in categories]) for y in years]
    rows = [(y, cells, sum(cells)) for y, cells in rows]
    totals = [sum(cells[i] for _y, cells, _t in rows) for i in range(len(categories))]
    return CategoryGrid(categories=categories, rows=rows, totals=totals, total=sum(totals))


def amendment_for(*, user, pk: int) -> Amendment:
    """An amendment of an agreement the user sees, else 404."""
    return get_object_or_404(
        Amendment.objects.select_related("agreement__project__proposal", "base_version", "region", "requested_by")
        .filter(agreement__in=agreements_visible_to(user=user)), pk=pk)


@dataclass
class CompareRow:
    year: int
    source: str
    region: str
    category: str
    before: int
    after: int

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def difference(self) -> int:
        return self.after - self.before


def compare_versions(old: AgreementVersion, new: AgreementVersion) -> dict:
    """Two versions side by side: the money per year × region × source × category (each row marked when it
    changed), the period, the conditions and the parties (organisations)."""
    from programmes.categories import SpendingCategory

    def amounts(version):
        return {(ln.year, ln.source, ln.region_id, ln.category): ln.amount_won
                for ln in version.lines.select_related("region")}

    names = {ln.region_id: ln.region.name for v in (old, new) for ln in v.lines.select_related("region")
             if ln.region_id}
    before, after = amounts(old), amounts(new)
    order = {c.value: i for i, c in enumerate(SpendingCategory)}
    keys = sorted(set(before) | set(after), key=lambda k: (k[0], k[1] != FundSource.NATIONAL, names.get(k[2], ""),
                                                          order.get(k[3], 99)))
    rows = [CompareRow(year=y, source=FundSource(s).label, region=names.get(r, "") if r else "",
                       category=SpendingCategory(c).label, before=before.get((y, s, r, c), 0),
                       after=after.get((y, s, r, c), 0)) for y, s, r, c in keys]
    parties_old = [p.name for p in old.parties.all()]
    parties_new = [p.name for p in new.parties.all()]
    return {
        "rows": rows, "total_before": sum(before.values()), "total_after": sum(after.values()),
        "total_difference": sum(after.values()) - sum(before.values()),
        "period_changed": (old.start_year, old.end_year) != (new.start_year, new.end_year),
        "conditions_changed": old.conditions != new.conditions,
        "parties_old": parties_old, "parties_new": parties_new, "parties_changed": parties_old != parties_new,
        "changed_count": sum(r.changed for r in rows),
    }


# --- Payments (agreements.services.payments) -------------------------------------------------------------


def spent_of(project: Project) -> dict[tuple, int]:
    """What the project spent, as {(year, source, region id or None for national funds): won}: today the
    totals of the regions' parts of its submitted or accepted annual reports (projects.ReportPart). The one
    place payments read spending from (spending by category will answer here)."""
    from django.db.models import Sum

    from projects.models import ReportPart, ReportState

    rows = (ReportPart.objects.filter(report__project=project,
                                      report__state__in=(ReportState.SUBMITTED, ReportState.ACCEPTED))
            .values("report__year", "region_id")
            .annotate(national=Sum("national_spent_won"), local=Sum("local_spent_won")))
    out: dict[tuple, int] = {}
    for row in rows:
        key = (row["report__year"], FundSource.NATIONAL, None)
        out[key] = out.get(key, 0) + row["national"]
        out[row["report__year"], FundSource.LOCAL, row["region_id"]] = row["local"]
    return out


@dataclass
class InstalmentRow:
    instalment: object
    paid: int
    overdue: bool

    @property
    def unpaid(self) -> int:
        return max(self.instalment.amount_won - self.paid, 0)


@dataclass
class MoneyRow:
    """One year × source (× region for local funds) of the project money page."""

    year: int
    source: str
    region: object  # None for national funds
    agreed: int = 0
    scheduled: int = 0
    paid: int = 0
    spent: int = 0
    carried_in: int = 0
    carried_out: int = 0
    instalments: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return FundSource(self.source).label if self.region is None else f"{FundSource(self.source).label} · {self.region.name}"

    @property
    def available(self) -> int:
        """The funds of the year: the agreement's, plus carried in, less carried out (national funds)."""
        return self.agreed + self.carried_in - self.carried_out

    @property
    def overdue(self) -> list:
        return [r for r in self.instalments if r.overdue]


def money_of(agreement: Agreement, *, today=None) -> dict:
    """The project money page: per year and source (local per region) the agreement's amount, the schedule,
    what was paid and spent, carry-over in and out, each instalment flagged when overdue (its due date passed
    in Seoul and it is not fully paid); and the carry-overs. A fixed number of queries."""
    from django.db.models import Sum

    from core.todos import seoul_today

    from .models import CarryOver, CarryOverState, Instalment, Payment

    today = today or seoul_today()
    version = version_in_force(agreement.project)
    instalments = list(Instalment.objects.filter(agreement=agreement).select_related("region")
                       .order_by("year", "source", "region__order", "number"))
    paid = {row["instalment_id"]: row["won"] for row in Payment.objects.filter(instalment__agreement=agreement)
            .values("instalment_id").annotate(won=Sum("amount_won"))}
    payments = list(Payment.objects.filter(instalment__agreement=agreement)
                    .select_related("instalment__region", "recorded_by").order_by("-paid_on", "-id"))
    rows: dict[tuple, MoneyRow] = {}
    regions = {}
    if version is not None:
        for line in version.lines.select_related("region"):
            region = line.region if line.source == FundSource.LOCAL else None
            key = (line.year, line.source, region.pk if region else None)
            regions[key] = region
            rows.setdefault(key, MoneyRow(line.year, line.source, region)).agreed += line.amount_won
    for inst in instalments:
        inst.agreement = agreement  # the rules read the project through it: no query per instalment
        row = rows.setdefault(inst.group, MoneyRow(inst.year, inst.source, inst.region))
        won = paid.get(inst.pk, 0)
        row.scheduled += inst.amount_won
        row.paid += won
        row.instalments.append(InstalmentRow(inst, won, overdue=inst.due_date < today and won < inst.amount_won))
    for key, won in spent_of(agreement.project).items():
        if key in rows:
            rows[key].spent = won
    carry_overs = list(CarryOver.objects.filter(agreement=agreement)
                       .select_related("requested_by", "decided_by").order_by("-year", "-id"))
    for carry in carry_overs:
        if carry.state != CarryOverState.APPROVED:
            continue
        for year, attr in ((carry.year, "carried_out"), (carry.year + 1, "carried_in")):
            row = rows.get((year, FundSource.NATIONAL, None))
            if row is not None:
                setattr(row, attr, getattr(row, attr) + carry.amount_won)
    ordered = [rows[k] for k in sorted(rows, key=lambda k: (k[0], k[1] != FundSource.NATIONAL,
                                                              rows[k].region.order if rows[k].region else 0))]
    return {"version": version, "rows": ordered, "payments": payments, "carry_overs": carry_overs,
            "has_schedule": bool(instalments), "today": today,
            "overdue_count": sum(len(r.overdue) for r in ordered),
            "totals": {k: sum(getattr(r, k) for r in ordered) for k in ("agreed", "scheduled", "paid", "spent")}}


def overdue_instalments(*, user, today=None):
    """Overdue instalments of the agreements the user sees that the user may record a payment for."""
    from django.db.models import F, Q, Sum
    from django.db.models.functions import Coalesce

    from core.todos import seoul_today

    from .models import Instalment

    today = today or seoul_today()
    qs = (Instalment.objects.filter(agreement__in=agreements_visible_to(user=user), due_date__lt=today,
                                    agreement__versions__state=AgreementState.IN_FORCE)
          .annotate(paid=Coalesce(Sum("payments__amount_won"), 0)).filter(paid__lt=F("amount_won"))
          .select_related("agreement__project__proposal", "region").order_by("due_date", "pk"))
    if getattr(user, "region_id", None):
        qs = qs.filter(Q(source=FundSource.LOCAL, region_id=user.region_id))
    return qs
