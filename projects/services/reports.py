"""Annual progress reports: each participating region fills its own part (spending
and narrative), the lead region fills the KPI results and the overall narrative
and submits; ministry staff accept the report or return it with comments (the
text stays as it was written)."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from core.permissions import require

from ..models import (
    AnnualReport,
    KPIResult,
    Project,
    ProjectStatus,
    ReportAttachment,
    ReportPart,
    ReportState,
)


def report_due_on(year: int) -> datetime.date:
    """A year's report is due at the end of February of the following year."""
    return datetime.date(year + 1, 3, 1) - datetime.timedelta(days=1)


def report_years(project: Project) -> list[int]:
    """Years a report can exist for: every year of the project's stages that has
    started, and none after a terminated project's wind-down."""
    years = [y for s in project.stages.all() for y in s.year_list]
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
    raw = str(value if value is not None else "").replace(",", "").strip()
    if raw == "":
        return 0
    try:
        number = int(raw)
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
def report_part_save(*, actor, part: ReportPart, national_spent, local_spent, narrative: str,
                     revision=None) -> ReportPart:
    """A region saves its own part. A save based on an older revision is refused."""
    part = ReportPart.objects.select_for_update().select_related("report__project__proposal").get(pk=part.pk)
    require(actor, "projects.edit_report_part", part)
    report = _locked(part.report)
    _check_editable(report)
    if _stale(revision, part.revision):
        raise ValidationError(_("Someone else saved this part meanwhile. Your text is kept below; compare it "
                                "with the saved version and save again."))
    errors = {}
    national = _amount(national_spent, "national_spent_won", errors)
    local = _amount(local_spent, "local_spent_won", errors)
    if len(narrative or "") > 20000:
        errors["narrative"] = _("At most 20,000 characters.")
    if errors:
        raise ValidationError(errors)
    part.national_spent_won, part.local_spent_won = national, local
    part.narrative = (narrative or "").strip()
    part.updated_by = actor
    part.revision += 1
    part.save()
    return part


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
    rows = {r.pk: r for r in report.kpi_results.all()}
    for pk, row in rows.items():
        raw, note = kpi_values.get(pk, (None, ""))
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


def report_problems(report: AnnualReport) -> list[str]:
    """What is missing before the lead region can submit."""
    problems = []
    if not report.narrative.strip():
        problems.append(_("Write the overall progress narrative."))
    missing = [r.kpi.name for r in report.kpi_results.select_related("kpi") if r.achieved is None]
    if missing:
        problems.append(_("Enter the achieved value of every KPI (missing: %(names)s).") % {
            "names": ", ".join(missing)})
    for part in report.parts.select_related("region"):
        if not part.narrative.strip():
            problems.append(_("%(region)s has not written its part yet.") % {"region": part.region.name})
    return problems


@transaction.atomic
def report_submit(*, actor, report: AnnualReport) -> AnnualReport:
    report = _locked(report)
    require(actor, "projects.submit_report", report.project)
    _check_editable(report)
    problems = report_problems(report)
    if problems:
        raise ValidationError(problems)
    before = report.state
    report.state = ReportState.SUBMITTED
    report.submitted_by = actor
    report.submitted_at = timezone.now()
    report.save(update_fields=["state", "submitted_by", "submitted_at", "updated_at"])
    record(actor=actor, action="report_state", obj=report, before={"state": before}, after={"state": report.state},
           summary=f"{report.year} {report.project.proposal.title_ko}")
    _notify_staff(report, _("The %(year)s annual report of “%(title)s” was submitted.") % {
        "year": report.year, "title": report.project.proposal.title_ko})
    return report


@transaction.atomic
def report_review(*, actor, report: AnnualReport, accept: bool, comment: str = "") -> AnnualReport:
    """Accept, or return with comments (the regions' text is kept as written)."""
    report = _locked(report)
    require(actor, "projects.review_report", report)
    if report.state != ReportState.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be accepted or returned."))
    if not accept and not comment.strip():
        raise ValidationError({"comment": _("Say what must change; the regions see your comments.")})
    report.state = ReportState.ACCEPTED if accept else ReportState.RETURNED
    report.review_comment = comment.strip()
    report.reviewed_by = actor
    report.reviewed_at = timezone.now()
    report.save(update_fields=["state", "review_comment", "reviewed_by", "reviewed_at", "updated_at"])
    record(actor=actor, action="report_state", obj=report, before={"state": ReportState.SUBMITTED},
           after={"state": report.state, "comment": report.review_comment},
           summary=f"{report.year} {report.project.proposal.title_ko}")
    from accounts.services import notify
    from proposals.selectors import officials_of

    message = (_("The %(year)s annual report of “%(title)s” was accepted.") if accept else
               _("The %(year)s annual report of “%(title)s” was returned with comments.")) % {
        "year": report.year, "title": report.project.proposal.title_ko}
    notify(users=officials_of(report.project.proposal), message=message,
           url=f"/projects/{report.project_id}/reports/{report.year}/")
    return report


def _notify_staff(report: AnnualReport, message: str) -> None:
    from accounts.models import Role, User
    from accounts.services import notify

    notify(users=User.objects.filter(role=Role.MINISTRY, is_active=True), message=message,
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
    attachment = ReportAttachment(report=report, region_id=actor.region_id, original_name=name,
                                  extension=ext.lstrip("."), size=upload.size, uploaded_by=actor)
    attachment.file.save(name, upload, save=False)
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
    return queryset.filter(state__in=[ReportState.DRAFT, ReportState.RETURNED], due_on__lt=today)


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
