"""Annual progress reports: a part per region, each region writes only its own,
the lead region submits, staff accept or return (the text stays), overdue
reports are flagged and reminded."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Notification
from projects.models import AnnualReport, KPIResult, ReportAttachment, ReportPart, ReportState
from projects.services import reports
from projects.tasks import annual_reports_daily
from tests.factories import EOK

from .conftest import PDF, PILOT, YEAR, complete_report, part_of

pytestmark = pytest.mark.django_db

DUE_2023 = datetime.date(2024, 2, 29)


def snapshot(report: AnnualReport) -> tuple:
    """Everything the regions wrote in a report."""
    report.refresh_from_db()
    parts = sorted(report.parts.values_list("region_id", "national_spent_won", "local_spent_won", "narrative"))
    kpis = sorted(report.kpi_results.values_list("kpi_id", "achieved", "note"))
    return report.narrative, parts, kpis


# --- Opening ---------------------------------------------------------------------------------


def test_a_report_has_one_part_per_region_and_one_row_per_kpi(report, project, gwangju_id, jeonnam_id):
    assert (report.year, report.state, report.due_on) == (YEAR, ReportState.DRAFT, DUE_2023)
    assert sorted(report.parts.values_list("region_id", flat=True)) == sorted([gwangju_id, jeonnam_id])
    assert sorted(report.kpi_results.values_list("kpi_id", flat=True)) == sorted(
        project.proposal.kpis.values_list("pk", flat=True))
    assert report.kpi_results.count() == 2


def test_opening_a_report_again_gives_the_same_report(report, project, official, ministry):
    again = reports.report_open(actor=official, project=project, year=YEAR)
    by_staff = reports.report_open(actor=ministry, project=project, year=YEAR)
    assert (again.pk, by_staff.pk) == (report.pk, report.pk)
    assert (AnnualReport.objects.count(), ReportPart.objects.count(), KPIResult.objects.count()) == (1, 2, 2)


def test_a_report_is_only_for_a_year_of_the_projects_stages(project, official):
    with pytest.raises(ValidationError) as refused:
        reports.report_open(actor=official, project=project, year=2026)
    assert refused.value.messages == ["2026 is not a year of this project's approved stages."]
    assert project.reports.count() == 0


def test_a_report_waits_for_its_year_to_begin(make_proposal, call, ministry, ministry2, today):
    from tests.funding.conftest import fill

    from .conftest import fund, with_second_kpi

    call.year = today.year
    call.save()
    project = fund(with_second_kpi(fill(make_proposal(partners=["jeonnam"]))), prepared_by=ministry,
                   approved_by=ministry2)
    with pytest.raises(ValidationError) as refused:
        reports.report_open(actor=ministry, project=project, year=today.year + 1)
    assert refused.value.messages == [f"The {today.year + 1} report can be started once the year has begun."]
    assert reports.report_open(actor=ministry, project=project, year=today.year).year == today.year


def test_outsiders_and_experts_cannot_open_a_report(project, outsider_official, expert):
    for who in (outsider_official, expert):
        with pytest.raises(PermissionDenied):
            reports.report_open(actor=who, project=project, year=YEAR)
    assert project.reports.count() == 0


# --- Each region its own part ----------------------------------------------------------------


def test_a_region_saves_its_own_part(report, partner_official, jeonnam_id):
    part = reports.report_part_save(actor=partner_official, part=part_of(report, jeonnam_id),
                                    national_spent="800,000,000", local_spent=2 * EOK, narrative="  전남 실적  ")
    part.refresh_from_db()
    assert (part.national_spent_won, part.local_spent_won, part.narrative, part.updated_by, part.revision) == (
        8 * EOK, 2 * EOK, "전남 실적", partner_official, 2)


def test_a_region_cannot_edit_another_regions_part(report, official, partner_official, outsider_official,
                                                    gwangju_id, jeonnam_id):
    before = snapshot(report)
    for who, region_id in ((partner_official, gwangju_id), (official, jeonnam_id), (outsider_official, jeonnam_id)):
        with pytest.raises(PermissionDenied):
            reports.report_part_save(actor=who, part=part_of(report, region_id), national_spent=1,
                                     local_spent=1, narrative="남의 파트")
    assert snapshot(report) == before


def test_only_the_lead_region_writes_the_kpis_and_the_narrative(report, partner_official, ministry):
    before = snapshot(report)
    values = {r.pk: ("99", "") for r in report.kpi_results.all()}
    for who in (partner_official, ministry):
        with pytest.raises(PermissionDenied):
            reports.report_save(actor=who, report=report, narrative="전남이 쓴 총괄", kpi_values=values)
    assert snapshot(report) == before


def test_the_lead_region_saves_the_kpis_and_the_narrative(report, official):
    first, second = report.kpi_results.order_by("kpi__order")
    reports.report_save(actor=official, report=report, narrative=" 총괄 실적 ",
                        kpi_values={first.pk: ("12.5", "특허 12건"), second.pk: ("", "")})
    assert snapshot(report)[0] == "총괄 실적"
    assert list(report.kpi_results.order_by("kpi__order").values_list("achieved", "note")) == [
        (Decimal("12.50"), "특허 12건"), (None, "")]


def test_wrong_figures_are_refused_with_their_field(report, official, partner_official, jeonnam_id):
    before = snapshot(report)
    with pytest.raises(ValidationError) as refused:
        reports.report_part_save(actor=partner_official, part=part_of(report, jeonnam_id), national_spent="-1",
                                 local_spent="많이", narrative="")
    assert refused.value.message_dict == {"national_spent_won": ["Amounts cannot be negative."],
                                          "local_spent_won": ["Enter a whole number of won."]}
    kpi = report.kpi_results.first()
    with pytest.raises(ValidationError) as refused:
        reports.report_save(actor=official, report=report, narrative="", kpi_values={kpi.pk: ("NaN", "")})
    assert refused.value.message_dict == {f"kpi-{kpi.pk}": ["Enter a number."]}
    assert snapshot(report) == before


def test_a_save_based_on_an_older_revision_is_refused_and_writes_nothing(report, partner_official, official,
                                                                          jeonnam_id):
    part = part_of(report, jeonnam_id)
    reports.report_part_save(actor=partner_official, part=part, national_spent=1, local_spent=1,
                             narrative="먼저 저장", revision=1)
    with pytest.raises(ValidationError) as refused:
        reports.report_part_save(actor=partner_official, part=part, national_spent=2, local_spent=2,
                                 narrative="나중에 저장", revision=1)
    assert refused.value.messages[0].startswith("Someone else saved this part meanwhile.")
    part.refresh_from_db()
    assert (part.national_spent_won, part.narrative, part.revision) == (1, "먼저 저장", 2)

    reports.report_save(actor=official, report=report, narrative="첫 총괄", kpi_values={}, revision=1)
    with pytest.raises(ValidationError) as refused:
        reports.report_save(actor=official, report=report, narrative="덮어쓰기", kpi_values={}, revision=1)
    assert refused.value.messages[0].startswith("Someone else saved this report meanwhile.")
    report.refresh_from_db()
    assert (report.narrative, report.revision) == ("첫 총괄", 2)


# --- Submit, accept, return --------------------------------------------------------------------


def test_submitting_is_refused_with_the_checklist(report, official):
    regions = [p.region.name for p in report.parts.select_related("region")]
    with pytest.raises(ValidationError) as refused:
        reports.report_submit(actor=official, report=report)
    assert refused.value.messages == [
        "Write the overall progress narrative.",
        "Enter the achieved value of every KPI (missing: 특허 출원, 기업 유치).",
        *[f"{name} has not written its part yet." for name in regions],
    ]
    report.refresh_from_db()
    assert (report.state, report.submitted_at) == (ReportState.DRAFT, None)


def test_a_missing_part_alone_blocks_the_submission(report, official, partner_official, jeonnam_id):
    complete_report(report, lead=official, partner=partner_official)
    reports.report_part_save(actor=partner_official, part=part_of(report, jeonnam_id), national_spent=0,
                             local_spent=0, narrative="")
    jeonnam = part_of(report, jeonnam_id).region
    with pytest.raises(ValidationError) as refused:
        reports.report_submit(actor=official, report=report)
    assert refused.value.messages == [f"{jeonnam.name} has not written its part yet."]


def test_only_the_lead_region_submits(report, official, partner_official):
    complete_report(report, lead=official, partner=partner_official)
    with pytest.raises(PermissionDenied):
        reports.report_submit(actor=partner_official, report=report)
    submitted = reports.report_submit(actor=official, report=report)
    assert (submitted.state, submitted.submitted_by, submitted.submitted_at is not None) == (
        ReportState.SUBMITTED, official, True)
    assert Notification.objects.filter(user__role="ministry").count() == 2  # ministry and ministry2


def test_a_submitted_report_cannot_be_changed(submitted_report, official, partner_official, jeonnam_id):
    before = snapshot(submitted_report)
    with pytest.raises(ValidationError) as refused:
        reports.report_part_save(actor=partner_official, part=part_of(submitted_report, jeonnam_id),
                                 national_spent=1, local_spent=1, narrative="제출 후 수정")
    assert refused.value.messages == ["This report is “Submitted” and cannot be changed."]
    with pytest.raises(ValidationError):
        reports.report_save(actor=official, report=submitted_report, narrative="제출 후", kpi_values={})
    assert snapshot(submitted_report) == before


def test_staff_accept_a_submitted_report(submitted_report, ministry, official, partner_official):
    accepted = reports.report_review(actor=ministry, report=submitted_report, accept=True)
    assert (accepted.state, accepted.reviewed_by, accepted.is_editable) == (ReportState.ACCEPTED, ministry, False)
    assert set(Notification.objects.filter(message__contains="was accepted").values_list("user", flat=True)) == {
        official.pk, partner_official.pk}
    with pytest.raises(ValidationError) as refused:
        reports.report_review(actor=ministry, report=accepted, accept=False, comment="다시")
    assert refused.value.messages == ["Only a submitted report can be accepted or returned."]


def test_officials_cannot_review_their_own_report(submitted_report, official):
    with pytest.raises(PermissionDenied):
        reports.report_review(actor=official, report=submitted_report, accept=True)
    submitted_report.refresh_from_db()
    assert submitted_report.state == ReportState.SUBMITTED


def test_a_returned_report_keeps_its_text_and_can_be_edited_again(submitted_report, ministry, official,
                                                                   partner_official, jeonnam_id):
    before = snapshot(submitted_report)
    returned = reports.report_review(actor=ministry, report=submitted_report, accept=False,
                                     comment="  예산 집행 근거를 보완하십시오. ")
    assert (returned.state, returned.review_comment, returned.is_editable) == (
        ReportState.RETURNED, "예산 집행 근거를 보완하십시오.", True)
    assert snapshot(returned) == before

    reports.report_part_save(actor=partner_official, part=part_of(returned, jeonnam_id), national_spent=8 * EOK,
                             local_spent=2 * EOK, narrative="집행 근거 보완")
    again = reports.report_submit(actor=official, report=returned)
    assert again.state == ReportState.SUBMITTED
    assert part_of(again, jeonnam_id).narrative == "집행 근거 보완"


def test_returning_needs_a_comment(submitted_report, ministry):
    with pytest.raises(ValidationError) as refused:
        reports.report_review(actor=ministry, report=submitted_report, accept=False, comment="   ")
    assert refused.value.message_dict == {"comment": ["Say what must change; the regions see your comments."]}
    submitted_report.refresh_from_db()
    assert submitted_report.state == ReportState.SUBMITTED


# --- Overdue ---------------------------------------------------------------------------------------


def test_a_report_is_overdue_the_day_after_it_is_due(report):
    assert report.due_on == DUE_2023  # the end of February of the next year (a leap year here)
    assert (report.is_overdue(DUE_2023), report.is_overdue(DUE_2023 + datetime.timedelta(days=1))) == (False, True)
    assert list(reports.overdue(AnnualReport.objects.all(), today=DUE_2023)) == []
    assert list(reports.overdue(AnnualReport.objects.all(), today=datetime.date(2024, 3, 1))) == [report]


def test_a_submitted_or_accepted_report_is_not_overdue(submitted_report, ministry):
    late = datetime.date(2025, 1, 1)
    assert (submitted_report.is_overdue(late), reports.overdue(AnnualReport.objects.all(), today=late).count()) == (
        False, 0)
    accepted = reports.report_review(actor=ministry, report=submitted_report, accept=True)
    assert accepted.is_overdue(late) is False


def test_a_returned_report_is_overdue_again(submitted_report, ministry):
    returned = reports.report_review(actor=ministry, report=submitted_report, accept=False, comment="보완 요청")
    assert returned.is_overdue(datetime.date(2025, 1, 1)) is True


def reminders(report) -> list:
    return sorted(Notification.objects.filter(message__contains="Please submit it.",
                                              url__endswith=f"/reports/{report.year}/").values_list("user_id",
                                                                                                    flat=True))


def test_overdue_reports_are_reminded_once_a_week(report, official, partner_official):
    late = datetime.date(2024, 3, 4)
    assert reports.remind_overdue(today=DUE_2023) == 0
    assert reports.remind_overdue(today=late) == 1
    assert reminders(report) == sorted([official.pk, partner_official.pk])
    assert reports.remind_overdue(today=late) == 0  # not again within seven days
    AnnualReport.objects.filter(pk=report.pk).update(reminded_at=timezone.now() - datetime.timedelta(days=6))
    assert reports.remind_overdue(today=late) == 0
    AnnualReport.objects.filter(pk=report.pk).update(reminded_at=timezone.now() - datetime.timedelta(days=8))
    assert reports.remind_overdue(today=late) == 1
    assert len(reminders(report)) == 4


def test_the_daily_task_opens_the_ended_years_and_reminds_once(project, official, partner_official):
    """A 2023 project: every pilot year has ended and is overdue today."""
    assert annual_reports_daily.apply().get() == {"opened": 3, "reminded": 3}
    assert sorted(project.reports.values_list("year", flat=True)) == PILOT
    assert Notification.objects.filter(message__contains="Please submit it.").count() == 3 * 2
    assert annual_reports_daily.apply().get() == {"opened": 0, "reminded": 0}


# --- Attachments ----------------------------------------------------------------------------------


def test_a_region_attaches_evidence_to_its_part(report, partner_official, jeonnam_id):
    attachment = reports.attachment_add(actor=partner_official, report=report,
                                        upload=SimpleUploadedFile("집행 증빙.pdf", PDF))
    assert (attachment.region_id, attachment.extension, attachment.size, attachment.original_name) == (
        jeonnam_id, "pdf", len(PDF), "집행_증빙.pdf")
    assert attachment.file.read() == PDF


def test_an_attachment_whose_extension_lies_is_refused_and_the_report_is_unchanged(report, partner_official,
                                                                                   _media_root):
    before = (snapshot(report), report.revision, report.updated_at)
    with pytest.raises(ValidationError) as refused:
        reports.attachment_add(actor=partner_official, report=report,
                               upload=SimpleUploadedFile("증빙.pdf", b"MZ\x90\x00 not a pdf at all"))
    assert refused.value.messages == ["The file’s content is not a PDF file; it was not accepted."]
    report.refresh_from_db()
    assert (snapshot(report), report.revision, report.updated_at) == before
    assert ReportAttachment.objects.count() == 0
    stored = list((_media_root / "reports").rglob("*")) if (_media_root / "reports").exists() else []
    assert stored == []


def test_outsiders_and_staff_attach_nothing(report, outsider_official, ministry):
    for who in (outsider_official, ministry):
        with pytest.raises(PermissionDenied):
            reports.attachment_add(actor=who, report=report, upload=SimpleUploadedFile("a.pdf", PDF))
    assert ReportAttachment.objects.count() == 0


def test_nothing_is_attached_to_a_submitted_report(submitted_report, partner_official):
    with pytest.raises(ValidationError):
        reports.attachment_add(actor=partner_official, report=submitted_report,
                               upload=SimpleUploadedFile("a.pdf", PDF))
    assert ReportAttachment.objects.count() == 0


# --- The table of moves ---------------------------------------------------------------------------


def test_a_move_not_in_the_table_is_refused_with_the_message_of_before(report, submitted_report, ministry,
                                                                        official):
    from audit.models import AuditEvent

    draft = AnnualReport.objects.create(project=report.project, year=YEAR + 1, due_on=reports.report_due_on(YEAR + 1))
    events = AuditEvent.objects.filter(action="report_state").count()
    for accept in (True, False):
        with pytest.raises(ValidationError) as refused:
            reports.report_review(actor=ministry, report=draft, accept=accept, comment="보완")
        assert refused.value.messages == ["Only a submitted report can be accepted or returned."]
    with pytest.raises(ValidationError) as refused:
        reports.report_submit(actor=official, report=submitted_report)
    assert refused.value.messages == ["This report is “Submitted” and cannot be changed."]
    accepted = reports.report_review(actor=ministry, report=submitted_report, accept=True)
    with pytest.raises(ValidationError) as refused:
        reports.report_transition(actor=official, report=accepted, action="submit")
    assert refused.value.messages == ["This report is “Accepted” and cannot be changed."]
    with pytest.raises(ValidationError) as refused:
        reports.report_transition(actor=ministry, report=accepted, action="reopen")
    assert refused.value.messages == ["Unknown action."]
    draft.refresh_from_db()
    assert (draft.state, accepted.state) == (ReportState.DRAFT, ReportState.ACCEPTED)
    assert AuditEvent.objects.filter(action="report_state").count() == events + 1  # the acceptance only


def test_the_table_reaches_every_state_of_a_report():
    targets = {move.target for move in reports.REPORT_MOVES.values()}
    assert targets | {ReportState.DRAFT} == set(ReportState.values)
    assert reports.REPORT_MOVES["submit"].sources == ReportState.editable()
