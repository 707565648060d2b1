"""The outcomes registry's rules: typed records validated per type, duplicates refused at the
field, five years of reporting after the project ends, region officials report (their own
projects), staff review, evidence checked by content. The standard project (tests/projects/
conftest.py) runs 2023–2025, so outcomes are reported until 2030."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditAction, AuditEvent
from projects.models import OutcomeKind, OutcomeRecord, OutcomeState, ProjectStatus
from projects.services import lifecycle, outcomes

from .conftest import PDF

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 4)
PAPER = {"title": "해양바이오 소재의 합성", "journal": "Marine Drugs", "issn": "1660-3397",
         "doi": "https://doi.org/10.3390/MD21010001", "occurred_on": datetime.date(2024, 3, 2), "indexed": True}
PATENT = {"title": "바이오 소재 제조 방법", "application_number": "10-2024-0012345", "country": "kr",
          "occurred_on": datetime.date(2024, 5, 1), "applicants": "광주과학기술원", "inventors": "김민준, 이서연",
          "patent_status": "applied"}


def add(actor, project, kind=OutcomeKind.PAPER, data=None, today=TODAY):
    return outcomes.outcome_add(actor=actor, project=project, kind=kind, data=dict(data or PAPER), today=today)


def errors_of(exc) -> dict:
    return exc.value.message_dict


def test_a_region_official_reports_a_paper_normalised(project, official):
    rec = add(official, project)
    assert (rec.kind, rec.year, rec.region_id, rec.state) == ("paper", 2024, official.region_id, "reported")
    assert (rec.doi, rec.issn, rec.indexed) == ("10.3390/md21010001", "1660-3397", True)
    event = AuditEvent.objects.get(action=AuditAction.OUTCOME)
    assert event.actor_id == official.pk and event.after["kind"] == "paper"


def test_a_partner_region_reports_for_its_own_region(project, partner_official):
    rec = add(partner_official, project, OutcomeKind.PATENT, PATENT)
    assert (rec.region_id, rec.country, rec.application_number) == (partner_official.region_id, "KR",
                                                                     "10-2024-0012345")


def test_an_outsider_region_and_staff_cannot_report(project, outsider_official, ministry):
    for who in (outsider_official, ministry):
        with pytest.raises(PermissionDenied):
            add(who, project)
    assert OutcomeRecord.objects.count() == 0


@pytest.mark.parametrize(("field", "value"), [
    ("doi", "10.12/abc"), ("doi", "doi 10.1000/x y"), ("issn", "1660-3398"), ("issn", "12345"),
])
def test_malformed_doi_and_issn_are_refused_at_the_field(project, official, field, value):
    with pytest.raises(ValidationError) as exc:
        add(official, project, data={**PAPER, field: value})
    assert list(errors_of(exc)) == [field]
    assert OutcomeRecord.objects.count() == 0


def test_issn_check_digit_x_is_accepted(project, official):
    rec = add(official, project, data={**PAPER, "issn": "2434561x", "doi": ""})
    assert rec.issn == "2434-561X"


def test_each_type_requires_its_own_fields(project, official):
    with pytest.raises(ValidationError) as exc:
        add(official, project, OutcomeKind.PATENT, {"occurred_on": datetime.date(2024, 1, 1)})
    assert set(errors_of(exc)) == {"title", "application_number", "country", "applicants", "inventors",
                                   "patent_status"}
    with pytest.raises(ValidationError) as exc:
        add(official, project, OutcomeKind.TRANSFER, {"title": "기술", "occurred_on": datetime.date(2024, 1, 1)})
    assert set(errors_of(exc)) == {"partner", "amount_won"}


def test_fields_of_other_types_are_left_blank(project, official):
    rec = add(official, project, OutcomeKind.JOBS, {"count": 7, "occurred_on": datetime.date(2025, 2, 1),
                                                    "journal": "ignored", "amount_won": 5})
    assert (rec.count, rec.journal, rec.amount_won) == (7, "", None)


def test_a_registered_patent_needs_its_number_and_a_date_after_the_application(project, official):
    with pytest.raises(ValidationError) as exc:
        add(official, project, OutcomeKind.PATENT, {**PATENT, "patent_status": "registered"})
    assert set(errors_of(exc)) == {"registration_number", "registered_on"}
    with pytest.raises(ValidationError) as exc:
        add(official, project, OutcomeKind.PATENT, {**PATENT, "patent_status": "registered",
                                                    "registration_number": "10-2345678",
                                                    "registered_on": datetime.date(2024, 4, 30)})
    assert list(errors_of(exc)) == ["registered_on"]


def test_amounts_are_won_and_an_investment_is_more_than_nothing(project, official):
    data = {"partner": "한국벤처투자", "occurred_on": datetime.date(2025, 6, 1)}
    with pytest.raises(ValidationError) as exc:
        add(official, project, OutcomeKind.INVESTMENT, {**data, "amount_won": 0})
    assert list(errors_of(exc)) == ["amount_won"]
    rec = add(official, project, OutcomeKind.INVESTMENT, {**data, "amount_won": 1_500_000_000})
    assert rec.amount_won == 1_500_000_000


def test_the_same_doi_twice_in_a_project_is_refused_at_the_field(project, official, partner_official):
    add(official, project)
    with pytest.raises(ValidationError) as exc:
        add(partner_official, project, data={**PAPER, "doi": "10.3390/md21010001", "title": "다른 제목"})
    assert list(errors_of(exc)) == ["doi"]


def test_the_same_patent_number_twice_is_refused_even_spaced_differently(project, official):
    add(official, project, OutcomeKind.PATENT, PATENT)
    with pytest.raises(ValidationError) as exc:
        add(official, project, OutcomeKind.PATENT, {**PATENT, "application_number": "10-2024- 0012345"})
    assert list(errors_of(exc)) == ["application_number"]
    assert OutcomeRecord.objects.count() == 1


def test_dates_before_the_project_or_in_the_future_are_refused(project, official):
    for day in (datetime.date(2022, 12, 31), TODAY + datetime.timedelta(days=1)):
        with pytest.raises(ValidationError) as exc:
            add(official, project, data={**PAPER, "occurred_on": day, "doi": ""})
        assert list(errors_of(exc)) == ["occurred_on"]


def test_outcomes_are_reported_for_five_years_after_the_end_then_refused(project, official):
    assert lifecycle.end_year(project) == 2025
    assert lifecycle.outcome_years_until(project) == 2030
    late = add(official, project, data={**PAPER, "occurred_on": datetime.date(2030, 12, 31)},
               today=datetime.date(2030, 12, 31))
    assert late.year == 2030
    with pytest.raises(ValidationError) as exc:
        add(official, project, data={**PAPER, "doi": "", "occurred_on": datetime.date(2030, 5, 1)},
            today=datetime.date(2031, 1, 2))
    assert "2030" in exc.value.messages[0]


def test_a_terminated_project_ends_at_its_wind_down(project, official):
    project.status, project.wind_down_on = ProjectStatus.TERMINATED, datetime.date(2024, 6, 30)
    project.save()
    assert lifecycle.outcome_years_until(project) == 2029


def test_staff_confirm_and_reject_with_a_reason(project, official, ministry):
    rec = add(official, project)
    with pytest.raises(ValidationError) as exc:
        outcomes.outcome_transition(actor=ministry, record_=rec, action="reject")
    assert list(errors_of(exc)) == ["comment"]
    rec = outcomes.outcome_transition(actor=ministry, record_=rec, action="reject", comment="증빙 없음")
    assert (rec.state, rec.reviewed_by, rec.review_comment) == (OutcomeState.REJECTED, ministry, "증빙 없음")
    rec = outcomes.outcome_transition(actor=ministry, record_=rec, action="confirm")
    assert rec.state == OutcomeState.CONFIRMED
    with pytest.raises(PermissionDenied):
        outcomes.outcome_transition(actor=official, record_=rec, action="reject", comment="x")


def test_withdraw_only_own_region_and_not_once_confirmed(project, official, partner_official, ministry):
    rec = add(official, project)
    with pytest.raises(PermissionDenied):
        outcomes.outcome_withdraw(actor=partner_official, record_=rec)
    outcomes.outcome_transition(actor=ministry, record_=rec, action="confirm")
    with pytest.raises(ValidationError):
        outcomes.outcome_withdraw(actor=official, record_=rec)
    other = add(official, project, data={**PAPER, "doi": ""})
    outcomes.outcome_withdraw(actor=official, record_=other)
    assert list(OutcomeRecord.objects.values_list("pk", flat=True)) == [rec.pk]


def test_evidence_is_checked_by_content_and_kept_per_record(project, official, partner_official):
    rec = add(official, project)
    evidence = outcomes.evidence_add(actor=official, record_=rec,
                                     upload=SimpleUploadedFile("논문.pdf", PDF, content_type="application/pdf"))
    assert (evidence.original_name, evidence.extension, rec.evidence.count()) == ("논문.pdf", "pdf", 1)
    with pytest.raises(ValidationError):
        outcomes.evidence_add(actor=official, record_=rec,
                              upload=SimpleUploadedFile("fake.pdf", b"MZ not a pdf", content_type="application/pdf"))
    with pytest.raises(PermissionDenied):
        outcomes.evidence_add(actor=partner_official, record_=rec,
                              upload=SimpleUploadedFile("p.pdf", PDF, content_type="application/pdf"))
    assert rec.evidence.count() == 1
