"""Reads of the agreements app shared by pages, the PDF, the exports and the hooks it gives projects."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from programmes.categories import SpendingCategory
from projects.models import Project
from projects.selectors import projects_visible_to

from .models import Agreement, AgreementLine, AgreementParty, AgreementState, AgreementVersion, Amendment, FundSource


def agreements_visible_to(*, user) -> QuerySet[Agreement]:
    """The agreements of the projects the user sees (projects' own visibility: staff all, an official
    their region's projects once their call's results are announced, experts none)."""
    return Agreement.objects.filter(project__in=projects_visible_to(user=user).values("pk"))


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
