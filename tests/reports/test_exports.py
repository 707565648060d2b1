"""Exports read back: exactly the expected rows and totals, Korean text intact, typed
XLSX cells, each region's own data only, evaluators anonymised, one audit record."""

import datetime

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from evaluations.models import Assignment, AssignmentKind, Score, Scoresheet, ScoresheetState
from tests.factories import EOK, ExpertFactory, region
from tests.funding.conftest import announce
from tests.login import log_in

from .conftest import body_of, csv_rows, xlsx_rows

pytestmark = pytest.mark.django_db

KOREAN = "겹눈 모사 뉴로모픽 반도체 기반 감시정찰 AI"


def export(client, user, dataset, fmt, **params):
    log_in(client, user)
    return client.get(reverse("reports:export", args=[dataset, fmt]), params)


@pytest.fixture
def three_proposals(complete_proposal, make_proposal):
    """Gwangju + Jeonnam (complete: 54억 national requested over the pilot), a Gwangju leap draft
    and a Busan draft."""
    leap = make_proposal(title_ko="광주 단독 도약형", cooperation_type="leap")
    busan = make_proposal(lead_region=region("busan"), title_ko="부산 해양 모빌리티", cooperation_type="leap")
    return complete_proposal, leap, busan


def test_the_proposals_csv_holds_every_row_with_its_totals_and_korean_text(client, ministry, three_proposals):
    response = export(client, ministry, "proposals", "csv", sort="title")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(body_of(response))
    header, data = rows[0], rows[1:]
    assert len(data) == 3
    titles = [r[header.index("Title (Korean)")] for r in data]
    assert sorted(titles) == sorted([KOREAN, "광주 단독 도약형", "부산 해양 모빌리티"])
    national = [int(r[header.index("National funding requested (won)")]) for r in data]
    assert sum(national) == 54 * EOK
    assert {r[header.index("Lead region")] for r in data} >= {"Busan", "Gwangju"}


def test_the_proposals_xlsx_has_typed_cells_widths_and_a_bold_frozen_header(client, ministry, three_proposals):
    response = export(client, ministry, "proposals", "xlsx")
    assert response.status_code == 200
    ws, rows = xlsx_rows(body_of(response))
    header = [c.value for c in rows[0]]
    assert all(c.font.bold for c in rows[0])
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["D"].width == 50
    data = rows[1:]
    assert len(data) == 3
    national = [r[header.index("National funding requested (won)")] for r in data]
    assert all(c.data_type == "n" and isinstance(c.value, int) for c in national)
    assert sum(c.value for c in national) == 54 * EOK
    assert national[0].number_format == "#,##0"
    updated = [r[header.index("Updated")].value for r in data]
    assert all(isinstance(v, datetime.datetime) for v in updated)
    assert KOREAN in [r[header.index("Title (Korean)")].value for r in data]


def test_the_exports_honour_the_proposal_list_filters(client, ministry, three_proposals):
    rows = csv_rows(body_of(export(client, ministry, "proposals", "csv", region="busan")))
    assert [r[3] for r in rows[1:]] == ["부산 해양 모빌리티"]
    rows = csv_rows(body_of(export(client, ministry, "proposals", "csv", type="leap", q="단독")))
    assert [r[3] for r in rows[1:]] == ["광주 단독 도약형"]


def test_an_official_s_export_holds_only_their_region_s_proposals(client, official, outsider_official,
                                                                   three_proposals):
    gwangju = csv_rows(body_of(export(client, official, "proposals", "csv")))
    assert sorted(r[3] for r in gwangju[1:]) == sorted([KOREAN, "광주 단독 도약형"])
    busan = csv_rows(body_of(export(client, outsider_official, "proposals", "csv")))
    assert [r[3] for r in busan[1:]] == ["부산 해양 모빌리티"]
    # …even when asking for another region by its filter.
    assert csv_rows(body_of(export(client, outsider_official, "proposals", "csv", region="gwangju")))[1:] == []


def test_text_that_looks_like_a_formula_stays_text(client, ministry, make_proposal):
    make_proposal(title_ko='=HYPERLINK("http://evil.example","클릭")')
    rows = csv_rows(body_of(export(client, ministry, "proposals", "csv")))
    assert rows[1][3] == '\'=HYPERLINK("http://evil.example","클릭")'
    _ws, cells = xlsx_rows(body_of(export(client, ministry, "proposals", "xlsx")))
    assert (cells[1][3].data_type, cells[1][3].value) == ("s", '=HYPERLINK("http://evil.example","클릭")')


def test_the_funding_export_books_national_funding_once_and_local_funds_per_region(client, ministry, approved,
                                                                                   make_proposal):
    rows = csv_rows(body_of(export(client, ministry, "funding", "csv")))
    header, data = rows[0], rows[1:]
    assert len(data) == 6  # 3 pilot years × 2 regions
    assert sum(int(r[header.index("National funding (won)")]) for r in data) == 54 * EOK
    assert sum(int(r[header.index("Local funds (won)")]) for r in data) == 12 * EOK
    assert {r[header.index("Region")] for r in data} == {"Gwangju", "Jeonnam"}
    assert {r[header.index("Year")] for r in data} == {"2027", "2028", "2029"}
    assert {r[header.index("Reference")] for r in data} == {approved.reference}


def test_an_outsider_official_s_funding_export_is_empty_and_the_partner_s_is_not(client, approved,
                                                                                 outsider_official,
                                                                                 partner_official):
    announce(approved.proposal.call)  # before, the regions' export holds none (sealed)
    assert csv_rows(body_of(export(client, outsider_official, "funding", "csv")))[1:] == []
    assert len(csv_rows(body_of(export(client, partner_official, "funding", "csv")))[1:]) == 6


# --- Evaluations -------------------------------------------------------------------------------


@pytest.fixture
def scored(complete_proposal, ministry):
    """Two evaluators with names, each submitted 8 on every criterion (and a declared conflict ignored)."""
    experts = [ExpertFactory(username=f"evaluator{i}", display_name=name)
               for i, name in enumerate(["홍길동 교수", "김철수 박사", "이해관 연구원"])]
    for i, expert in enumerate(experts):
        assignment = Assignment.objects.create(kind=AssignmentKind.EVALUATION, expert=expert,
                                               proposal=complete_proposal, assigned_by=ministry,
                                               declared_at=datetime.datetime.now(datetime.UTC),
                                               conflict_declared=i == 2)
        sheet = Scoresheet.objects.create(assignment=assignment, state=ScoresheetState.SUBMITTED)
        for c in complete_proposal.call.criteria.all():
            Score.objects.create(scoresheet=sheet, criterion=c, value=8, comment="근거가 충분함")
    return experts


def test_the_evaluations_export_is_anonymised_by_default(client, ministry, scored):
    data = body_of(export(client, ministry, "evaluations", "csv")).decode("utf-8-sig")
    for expert in scored:
        assert expert.display_name not in data
        assert expert.username not in data
    rows = csv_rows(data.encode("utf-8-sig"))
    header = rows[0]
    assert len(rows) - 1 == 2 * 5  # two evaluators (the conflicted one left out) × five criteria
    assert {r[header.index("Evaluator")] for r in rows[1:]} == {"Evaluator A", "Evaluator B"}
    # 8/10 on every criterion: the weighted points add up to 80 per evaluator.
    assert sum(float(r[header.index("Weighted points")]) for r in rows[1:]) == pytest.approx(160)


def test_ministry_may_export_evaluators_names(client, ministry, scored):
    rows = csv_rows(body_of(export(client, ministry, "evaluations", "csv", anonymised="0")))
    header = rows[0]
    assert {r[header.index("Evaluator")] for r in rows[1:]} == {"홍길동 교수", "김철수 박사"}


def test_officials_and_experts_get_no_evaluations_export(client, official, expert, scored):
    assert export(client, official, "evaluations", "csv").status_code == 403
    assert export(client, expert, "proposals", "csv").status_code == 403


# --- Audit --------------------------------------------------------------------------------------


def test_each_export_writes_one_audit_record_with_its_actor(client, official, three_proposals):
    before = AuditEvent.objects.filter(action="export").count()
    body_of(export(client, official, "proposals", "csv", region="gwangju"))
    body_of(export(client, official, "proposals", "xlsx"))
    events = list(AuditEvent.objects.filter(action="export").order_by("id"))[before:]
    assert [(e.actor_id, e.after["dataset"], e.after["format"], e.after["rows"]) for e in events] == [
        (official.pk, "proposals", "csv", 2), (official.pk, "proposals", "xlsx", 2)]
    assert events[0].after["filters"] == {"region": "gwangju"}


def test_a_download_broken_off_is_recorded_all_the_same(client, ministry, three_proposals):
    before = AuditEvent.objects.filter(action="export", actor=ministry).count()
    response = export(client, ministry, "proposals", "csv")
    next(iter(response.streaming_content))  # the client reads one chunk and goes away
    assert AuditEvent.objects.filter(action="export", actor=ministry).count() == before + 1


def test_the_exports_page_lists_the_datasets_the_user_may_export(client, official, ministry):
    log_in(client, official)
    page = client.get(reverse("reports:exports")).content.decode()
    assert "export-proposals-csv" in page and "export-evaluations-csv" not in page
    log_in(client, ministry)
    page = client.get(reverse("reports:exports")).content.decode()
    assert "export-evaluations-xlsx" in page and 'id="anonymised"' in page


# --- Consulting comments ----------------------------------------------------------------------


@pytest.fixture
def commented(complete_proposal, ministry, official):
    from evaluations.models import CommentAnswer, ConsultingComment, ConsultingRound
    from proposals.models import ProposalVersion

    version = ProposalVersion.objects.create(proposal=complete_proposal, number=1, kind="consulting", revision=1,
                                             snapshot={}, created_by=official)
    rnd = ConsultingRound.objects.create(proposal=complete_proposal, number=1, version=version)
    consultant = ExpertFactory(username="consultant1", display_name="박자문 교수")
    a = Assignment.objects.create(kind=AssignmentKind.CONSULTING, expert=consultant, proposal=complete_proposal,
                                  assigned_by=ministry, declared_at=datetime.datetime.now(datetime.UTC))
    comment = ConsultingComment.objects.create(round=rnd, assignment=a, section="budget",
                                               text="지방비 분담 비율을 연차별로 명시하십시오.")
    CommentAnswer.objects.create(comment=comment, author=official, text="연차별 분담표를 추가했습니다.")
    return consultant


def test_the_comments_export_names_consultants_for_staff_and_codes_them_for_regions(client, ministry, official,
                                                                                    outsider_official, commented):
    staff = csv_rows(body_of(export(client, ministry, "comments", "csv")))
    header = staff[0]
    assert [(r[header.index("Consultant")], r[header.index("Comment")], r[header.index("Answer")])
            for r in staff[1:]] == [("박자문 교수", "지방비 분담 비율을 연차별로 명시하십시오.", "연차별 분담표를 추가했습니다.")]
    region_rows = csv_rows(body_of(export(client, official, "comments", "csv")))
    assert region_rows[1][header.index("Consultant")] == "Consultant A"
    _ws, cells = xlsx_rows(body_of(export(client, official, "comments", "xlsx")))
    assert not any("박자문" in str(c.value) for row in cells for c in row)
    assert csv_rows(body_of(export(client, outsider_official, "comments", "csv")))[1:] == []


@pytest.mark.parametrize("jobs", [1, 3])
def test_the_exports_page_makes_the_same_queries_whatever_the_number_of_jobs(client, official, jobs,
                                                                            django_assert_num_queries):
    from django.utils import timezone

    from reports.models import ExportJob

    for _ in range(jobs):
        ExportJob.objects.create(requested_by=official, dataset="proposals", format="csv", expires_at=timezone.now())
    log_in(client, official)
    client.get(reverse("reports:exports"))  # warm the session and the permission caches
    # The unread badge is read from the user row; the to-do count's data version was read by the
    # warming request (reports.figures keeps it until an audit event is written).
    with django_assert_num_queries(6):
        assert client.get(reverse("reports:exports")).status_code == 200
