"""Read-only figures of one funded project, shared by the workspace page, the
stage-evaluation report PDF and the exports (one place for each sum).

- funding_rows: per year, national and local money planned (the approved pilot
  decision, then approved stage plans) against what the regions reported spent
  (submitted or accepted annual reports).
- kpi_rows: each KPI's baseline, the stage's target and the latest achieved value.
"""

from dataclasses import dataclass, field

from funding.models import DecisionState, FundingYear, LocalObligation

from .models import PlanState, PlanYear, Project, ReportPart, ReportState

REPORTED_STATES = (ReportState.SUBMITTED, ReportState.ACCEPTED)


@dataclass
class YearRow:
    year: int
    stage: int | None = None
    national_planned: int = 0
    national_spent: int | None = None
    local_planned: dict = field(default_factory=dict)  # region id → won
    local_spent: dict = field(default_factory=dict)  # region id → won (reported years only)
    region_ids: tuple = ()  # the regions whose columns a table shows, in order

    @property
    def local_cells(self) -> list[tuple]:
        """(planned, spent) local funds of each region of `region_ids`; spent None while unreported."""
        return [(self.local_planned.get(r, 0), self.local_spent.get(r) if self.national_spent is not None else None)
                for r in self.region_ids]

    @property
    def local_planned_total(self) -> int:
        return sum(self.local_planned.values())

    @property
    def local_spent_total(self) -> int | None:
        return sum(self.local_spent.values()) if self.national_spent is not None else None

    @property
    def planned_total(self) -> int:
        return self.national_planned + self.local_planned_total

    @property
    def spent_total(self) -> int | None:
        return None if self.national_spent is None else self.national_spent + self.local_spent_total

    @property
    def execution_pct(self) -> float | None:
        """Share of the planned money (national + local) reported spent."""
        if self.spent_total is None or not self.planned_total:
            return None
        return round(100 * self.spent_total / self.planned_total, 1)


def funding_rows(project: Project, *, years=None, region_ids=(), stages=None) -> list[YearRow]:
    """One row per year of the project's stages (four queries whatever the size, five without
    `stages`, the project's stages already read); each row's `local_cells` are those of the regions
    of `region_ids`."""
    stages = list(project.stages.all()) if stages is None else stages
    rows = {y: YearRow(year=y, stage=s.number) for s in stages for y in s.year_list}
    decision_filter = {"decision__proposal_id": project.proposal_id, "decision__state": DecisionState.APPROVED}
    for fy in FundingYear.objects.filter(**decision_filter):
        rows.setdefault(fy.year, YearRow(year=fy.year)).national_planned += fy.national_won
    for ob in LocalObligation.objects.filter(**decision_filter):
        row = rows.setdefault(ob.year, YearRow(year=ob.year))
        row.local_planned[ob.region_id] = row.local_planned.get(ob.region_id, 0) + ob.local_won
    for line in PlanYear.objects.filter(plan__project=project, plan__state=PlanState.APPROVED):
        row = rows.setdefault(line.year, YearRow(year=line.year))
        row.national_planned += line.national_won
        row.local_planned[line.region_id] = row.local_planned.get(line.region_id, 0) + line.local_won
    for part in ReportPart.objects.filter(report__project=project, report__state__in=REPORTED_STATES).select_related(
            "report"):
        row = rows.setdefault(part.report.year, YearRow(year=part.report.year))
        row.national_spent = (row.national_spent or 0) + part.national_spent_won
        row.local_spent[part.region_id] = row.local_spent.get(part.region_id, 0) + part.local_spent_won
    out = [rows[y] for y in sorted(rows)]
    for row in out:
        row.region_ids = tuple(region_ids)
    if years is not None:
        out = [r for r in out if r.year in years]
    return out


@dataclass
class KPIRow:
    kpi: object
    baseline: object
    target: object
    achieved: object
    year: int | None  # the report year of the achieved value

    @property
    def met(self) -> bool | None:
        if self.achieved is None or self.target is None:
            return None
        try:
            return float(self.achieved) >= float(self.target)
        except (TypeError, ValueError):
            return None


def kpi_rows(project: Project, *, stage=None, kpis=None) -> list[KPIRow]:
    """Each KPI with the stage's target (KPI.targets is one value per roadmap stage)
    and the latest reported value within the stage's years (or ever, without a stage).
    `kpis`: the proposal's KPIs when already read."""
    from .models import KPIResult

    number = stage.number if stage is not None else None
    results = KPIResult.objects.filter(report__project=project, report__state__in=REPORTED_STATES,
                                       achieved__isnull=False)
    if stage is not None:
        results = results.filter(report__year__in=stage.year_list)
    latest = {}
    for r in results.select_related("report").order_by("report__year"):
        latest[r.kpi_id] = (r.achieved, r.report.year)
    rows = []
    for kpi in (project.proposal.kpis.all() if kpis is None else kpis):
        targets = kpi.targets or []
        index = (number or 1) - 1
        target = targets[index] if 0 <= index < len(targets) else None
        achieved, year = latest.get(kpi.pk, (None, None))
        rows.append(KPIRow(kpi=kpi, baseline=kpi.baseline, target=target, achieved=achieved, year=year))
    return rows
