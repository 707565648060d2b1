"""Annual progress reports: each participating region fills its own part (spending
and narrative), the lead region fills the KPI results and the overall narrative
and submits; ministry staff accept the report or return it with comments (the
text stays as it was written)."""

import dataclasses
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import AuditAction, record
from core import josa
from core.money_input import parse_won
from core.moves import Move, check_move, move_of
from core.permissions import require
from programmes.categories import SpendingCategory

from ..models import (
    AnnualReport,
    KPIResult,
    Project,
    ProjectStatus,
    ReportAttachment,
    ReportPart,
    ReportState,
    SpendingSource,
)
from . import outcomes
from . import spending as spending_rules


def report_due_on(year: int) -> datetime.date:
    """A year's report is due at the end of February of the following year."""
    return datetime.date(year + 1, 3, 1) - datetime.timedelta(days=1)


def report_years(project: Project, *, stages=None) -> list[int]:
    """Years a report can exist for: every year of the project's stages that has
    started, and none after a terminated project's wind-down. `stages`: the project's
    stages when already read."""
    years = [y for s in (project.stages.all() if stages is None else stages) for y in s.year_list]
    if project.status != ProjectStatus.ACTIVE and project.wind_down_on:
        years = [y for y in years if y <= project.wind_down_on.year]
    return years


@transaction.atomic
def report_open(*, actor, project: Project, year: int) -> AnnualReport:
    """The year's report with one part per region and one row per KPI (idempotent)."""
    if not (actor.has_perm("projects.edit_report", project) or actor.has_perm("projects.review_report")):
        require(actor, "projects.edit_report", project)
    project = Project.objects.select_for_update().select_related("proposal__call").get(pk=project.pk)
    existing = AnnualReport.objects.filter(project=project, year=year).first()
    if existing:
        return existing
    if year not in report_years(project):
        if project.status != ProjectStatus.ACTIVE:
            raise ValidationError(_("This project is “%(status)s”: no reports after its wind-down.") % {
                "status": project.get_status_display()})
        raise ValidationError(_("%(year)s is not a year of this project's approved stages.") % {"year": year})
    if year > timezone.localdate().year:
        raise ValidationError(_("The %(year)s report can be started once the year has begun.") % {"year": year})
    return _create(project, year)


def _create(project: Project, year: int) -> AnnualReport:
    report = AnnualReport.objects.create(project=project, year=year, due_on=report_due_on(year))
    ReportPart.objects.bulk_create([ReportPart(report=report, region_id=p.region_id)
                                    for p in project.proposal.participations.all()])
    KPIResult.objects.bulk_create([KPIResult(report=report, kpi=k) for k in project.proposal.kpis.all()])
    return report


def reports_open_due(*, today=None) -> list[AnnualReport]:
    """For the daily task: open the report of every running project's ended years."""
    today = today or timezone.localdate()
    created = []
    for project in Project.objects.filter(status=ProjectStatus.ACTIVE).prefetch_related("stages", "reports"):
        have = {r.year for r in project.reports.all()}
        for year in report_years(project):
            if year < today.year and year not in have:
                with transaction.atomic():
                    # Lock and look again: a lead may open the same report at this moment.
                    Project.objects.select_for_update().filter(pk=project.pk).first()
                    if not AnnualReport.objects.filter(project=project, year=year).exists():
                        created.append(_create(project, year))
    return created


def _locked(report: AnnualReport) -> AnnualReport:
    return AnnualReport.objects.select_for_update().select_related("project__proposal").get(pk=report.pk)


def _check_editable(report: AnnualReport) -> None:
    if not report.is_editable:
        raise ValidationError(_("This report is “%(state)s” and cannot be changed.") % {
            "state": report.get_state_display()})


def _amount(value, field: str, errors: dict) -> int:
    try:
        number = parse_won(None if value is None else str(value)) or 0
    except ValueError:
        errors[field] = _("Enter a whole number of won.")
        return 0
    if number < 0:
        errors[field] = _("Amounts cannot be negative.")
    elif number > 10**15:
        errors[field] = _("This amount is too large.")
    return number


def _stale(revision, current) -> bool:
    return revision is not None and str(revision) != str(current)


@transaction.atomic
def report_part_save(*, actor, part: ReportPart, narrative: str, spending: dict | None = None,
                     national_spent=None, local_spent=None, revision=None) -> ReportPart:
    """A region saves its own part: its spending by source and category (`spending`, {(source,
    category): amount as typed}, see services.spending) and its narrative. Without `spending`, the
    two totals `national_spent` / `local_spent` are saved as "unclassified" lines (what a part held
    before categories). The spending rules (services.spending.spending_problems) refuse at the cell; a save
    based on an older revision is refused. Nothing is half-saved."""
    part = ReportPart.objects.select_for_update().select_related(
        "report__project__proposal__call").get(pk=part.pk)
    require(actor, "projects.edit_report_part", part)
    report = _locked(part.report)
    part.report = report
    _check_editable(report)
    if _stale(revision, part.revision):
        raise ValidationError(_("Someone else saved this part meanwhile. Your text is kept below; compare it "
                                "with the saved version and save again."))
    errors = {}
    if spending is None:
        amounts = {(SpendingSource.NATIONAL, SpendingCategory.UNCLASSIFIED):
                   _amount(national_spent, "national_spent_won", errors),
                   (SpendingSource.LOCAL, SpendingCategory.UNCLASSIFIED):
                   _amount(local_spent, "local_spent_won", errors)}
    else:
        amounts, errors = spending_rules.read_amounts(spending)
    if len(narrative or "") > 20000:
        errors["narrative"] = _("At most 20,000 characters.")
    if errors:
        raise ValidationError(errors)
    problems = spending_rules.spending_problems(part=part, amounts=amounts)
    if problems:
        raise ValidationError(problems)
    spending_rules.write_lines(part, amounts)
    part.narrative = (narrative or "").strip()
    part.updated_by = actor
    part.revision += 1
    part.save()
    return part


def report_part_import(*, actor, part: ReportPart, upload) -> spending_rules.SpendingImport:
    """A region replaces its part's spending with a year's spending read from an accounting export
    (services.spending.read_import). All or nothing: when a row is refused, or the sums break a rule,
    nothing is saved and the returned row report says why; else the sums are saved through
    `report_part_save` (the narrative kept)."""
    require(actor, "projects.edit_report_part", part)
    _check_editable(part.report)
    result = spending_rules.read_import(part=part, upload=upload)
    if result.refused or result.problems:
        return result
    part = report_part_save(actor=actor, part=part, narrative=part.narrative,
                            spending={key: str(amount) for key, amount in result.amounts.items()})
    result.saved = True
    return result


@transaction.atomic
def report_save(*, actor, report: AnnualReport, narrative: str, kpi_values: dict, revision=None) -> AnnualReport:
    """The lead region saves the overall narrative and the KPI results
    ({KPIResult id: (achieved, note)})."""
    report = _locked(report)
    require(actor, "projects.edit_report", report.project)
    _check_editable(report)
    if _stale(revision, report.revision):
        raise ValidationError(_("Someone else saved this report meanwhile. Your text is kept below; compare it "
                                "with the saved version and save again."))
    errors = {}
    rows = {r.pk: r for r in report.kpi_results.select_related("kpi")}
    computed = outcomes.kpi_values(report.project, report.year)
    for pk, row in rows.items():
        raw, note = kpi_values.get(pk, (None, ""))
        if row.kpi.counts_outcome:  # computed from the outcome records, never typed
            row.achieved = computed[row.kpi.counts_outcome]
            row.note = (note or "")[:300]
            continue
        raw = str(raw if raw is not None else "").replace(",", "").strip()
        if raw == "":
            row.achieved = None
        else:
            try:
                value = Decimal(raw)
                if not value.is_finite() or abs(value) >= Decimal("1e14"):
                    raise InvalidOperation
                row.achieved = value.quantize(Decimal("0.01"))
            except InvalidOperation:
                errors[f"kpi-{pk}"] = _("Enter a number.")
        row.note = (note or "")[:300]
    if len(narrative or "") > 20000:
        errors["narrative"] = _("At most 20,000 characters.")
    if errors:
        raise ValidationError(errors)
    KPIResult.objects.bulk_update(rows.values(), ["achieved", "note"])
    report.narrative = (narrative or "").strip()
    report.revision += 1
    report.save(update_fields=["narrative", "revision", "updated_at"])
    return report


def refresh_computed_kpis(report: AnnualReport) -> None:
    """The achieved value of each KPI that counts outcomes, from the records as they are now (written
    on every save and at submission, so a submitted report keeps the figures it was judged on)."""
    computed = outcomes.kpi_values(report.project, report.year)
    rows = [r for r in report.kpi_results.select_related("kpi") if r.kpi.counts_outcome]
    for row in rows:
        row.achieved = computed[row.kpi.counts_outcome]
    KPIResult.objects.bulk_update(rows, ["achieved"])


def report_problems(report: AnnualReport) -> list[str]:
    """What is missing before the lead region can submit."""
    problems = []
    if not report.narrative.strip():
        problems.append(_("Write the overall progress narrative."))
    missing = [r.kpi.name for r in report.kpi_results.select_related("kpi")
               if r.achieved is None and not r.kpi.counts_outcome]
    if missing:
        problems.append(_("Enter the achieved value of every KPI (missing: %(names)s).") % {
            "names": ", ".join(missing)})
    for part in report.parts.select_related("region"):
        if not part.narrative.strip():
            problems.append(josa.format(_("%(region)s has not written its part yet."), region=part.region.name))
    return problems


# --- The moves: submit, accept, return ------------------------------------------------------
#
# The table of moves beside one transition function, as proposals.services.lifecycle:
# the move is allowed from the current state → the actor has its permission → the
# move's guards → the write (update_fields) → the audit record → the notifications
# (e-mailed after commit). Nothing else sets a report's state. A returned report is
# edited again as it is (it is editable while draft or returned) and submitted again.

R = ReportState


def _guard_complete(report: AnnualReport, comment: str) -> None:
    problems = report_problems(report)
    if problems:
        raise ValidationError(problems)


def _guard_comment(report: AnnualReport, comment: str) -> None:
    if not comment.strip():
        raise ValidationError({"comment": _("Say what must change; the regions see your comments.")})


def _write_submitted(report: AnnualReport, actor, comment: str) -> list[str]:
    refresh_computed_kpis(report)
    report.submitted_by = actor
    report.submitted_at = timezone.now()
    return ["submitted_by", "submitted_at"]


def _write_review(report: AnnualReport, actor, comment: str) -> list[str]:
    report.review_comment = comment.strip()
    report.reviewed_by = actor
    report.reviewed_at = timezone.now()
    return ["review_comment", "reviewed_by", "reviewed_at"]


def _tell_staff_submitted(report: AnnualReport) -> None:
    _notify_staff(report, _("The %(year)s annual report of “%(title)s” was submitted.") % {
        "year": report.year, "title": report.project.proposal.title_ko})


def _tell_regions_accepted(report: AnnualReport) -> None:
    _notify_regions(report, _("The %(year)s annual report of “%(title)s” was accepted.") % {
        "year": report.year, "title": report.project.proposal.title_ko})


def _tell_regions_returned(report: AnnualReport) -> None:
    _notify_regions(report, _("The %(year)s annual report of “%(title)s” was returned with comments.") % {
        "year": report.year, "title": report.project.proposal.title_ko})


def _the_report(report: AnnualReport) -> AnnualReport:
    return report


def _its_project(report: AnnualReport) -> Project:
    return report.project


@dataclass(frozen=True)
class ReportMove(Move):
    permission_on: Callable = _the_report  # the object the permission is asked on
    guards: tuple = dataclasses.field(default=())  # guard(report, comment): raises ValidationError
    write: Callable | None = None  # write(report, actor, comment) → the fields it set besides the state
    records_comment: bool = False  # the audit record's "after" carries the staff comment
    then: tuple = dataclasses.field(default=())  # then(report): notifications, inside the transaction


REPORT_MOVES = {
    "submit": ReportMove(gettext_lazy("Submit the report"), R.editable(), R.SUBMITTED, "projects.submit_report",
                         gettext_lazy("This report is “%(state)s” and cannot be changed."),
                         permission_on=_its_project, guards=(_guard_complete,), write=_write_submitted,
                         then=(_tell_staff_submitted,)),
    "accept": ReportMove(gettext_lazy("Accept"), frozenset({R.SUBMITTED}), R.ACCEPTED, "projects.review_report",
                         gettext_lazy("Only a submitted report can be accepted or returned."), write=_write_review,
                         records_comment=True, then=(_tell_regions_accepted,)),
    "return": ReportMove(gettext_lazy("Return with comments"), frozenset({R.SUBMITTED}), R.RETURNED,
                         "projects.review_report", gettext_lazy("Only a submitted report can be accepted or returned."),
                         guards=(_guard_comment,), write=_write_review, records_comment=True,
                         then=(_tell_regions_returned,)),
}


@transaction.atomic
def report_transition(*, actor, report: AnnualReport, action: str, comment: str = "") -> AnnualReport:
    move = move_of(REPORT_MOVES, action)
    report = _locked(report)
    check_move(move, actor=actor, obj=report, on=move.permission_on(report))
    for guard in move.guards:
        guard(report, comment)
    before = report.state
    report.state = move.target
    update = ["state", *(move.write(report, actor, comment) if move.write else []), "updated_at"]
    report.save(update_fields=update)
    after = {"state": report.state, **({"comment": report.review_comment} if move.records_comment else {})}
    record(actor=actor, action=AuditAction.REPORT_STATE, obj=report, before={"state": before}, after=after,
           summary=f"{report.year} {report.project.proposal.title_ko}")
    for step in move.then:
        step(report)
    return report


# Named entry points (what views, tests and the demo call).
def report_submit(*, actor, report: AnnualReport) -> AnnualReport:
    return report_transition(actor=actor, report=report, action="submit")


def report_review(*, actor, report: AnnualReport, accept: bool, comment: str = "") -> AnnualReport:
    """Accept, or return with comments (the regions' text is kept as written)."""
    return report_transition(actor=actor, report=report, action="accept" if accept else "return", comment=comment)


def _notify_staff(report: AnnualReport, message: str) -> None:
    from accounts.models import Role, User
    from accounts.services import notify

    notify(users=User.objects.filter(role=Role.MINISTRY, is_active=True), message=message,
           url=f"/projects/{report.project_id}/reports/{report.year}/")


def _notify_regions(report: AnnualReport, message: str) -> None:
    from accounts.services import notify
    from proposals.selectors import officials_of

    notify(users=officials_of(report.project.proposal), message=message,
           url=f"/projects/{report.project_id}/reports/{report.year}/")


def attachment_add(*, actor, report: AnnualReport, upload) -> ReportAttachment:
    """A region attaches evidence to its part; checked by content like proposal files.
    A refused file changes nothing in the report."""
    from proposals.services.attachments import validate_upload

    part = report.parts.filter(region_id=actor.region_id).first()
    if part is None:
        require(actor, "projects.edit_report_part", None)
    require(actor, "projects.edit_report_part", part)
    _check_editable(report)
    name, ext, _kind = validate_upload(upload)
    attachment = ReportAttachment(report=report, region_id=actor.region_id, uploaded_by=actor)
    attachment.take(upload, name=name, ext=ext)
    try:
        with transaction.atomic():
            _check_editable(_locked(report))
            attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


def overdue(queryset, *, today=None):
    today = today or timezone.localdate()
    return queryset.filter(state__in=ReportState.editable(), due_on__lt=today)


def remind_overdue(*, today=None) -> int:
    """Remind the lead region of each overdue report (at most once a week per report)."""
    from accounts.services import notify
    from proposals.selectors import officials_of

    now = timezone.now()
    count = 0
    qs = overdue(AnnualReport.objects.filter(project__status=ProjectStatus.ACTIVE), today=today)
    for report in qs.select_related("project__proposal"):
        if report.reminded_at and (now - report.reminded_at).days < 7:
            continue
        notify(users=officials_of(report.project.proposal), url=f"/projects/{report.project_id}/reports/{report.year}/",
               message=_("The %(year)s annual report of “%(title)s” was due on %(due)s. Please submit it.") % {
                   "year": report.year, "title": report.project.proposal.title_ko, "due": report.due_on})
        AnnualReport.objects.filter(pk=report.pk).update(reminded_at=now)
        count += 1
    return count
