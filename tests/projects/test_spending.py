"""Spending by category in a region's part of an annual report: the lines and their sums, the rules
(indirect share within the institution's approved rate and the call's cap, equipment above the
threshold only when the agreement approves it, local matching), the grid page and the CSV import."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programmes.models import Institution
from projects.models import SpendingLine
from projects.services import reports
from tests.login import log_in

from .conftest import YEAR, form_fields, messages_of, part_of

pytestmark = pytest.mark.django_db

N, L = "national", "local"


def grid(**cells) -> dict:
    """{(source, category): typed} from keyword cells like national_personnel="1,000"."""
    return {tuple(key.split("_", 1)): value for key, value in cells.items()}


def lines_of(part) -> dict:
    return {(line.source, line.category): line.amount_won for line in SpendingLine.objects.filter(part=part)}


def save(who, part, **cells):
    return reports.report_part_save(actor=who, part=part, narrative="전남 실적", spending=grid(**cells))


@pytest.fixture
def part(report, jeonnam_id):
    return part_of(report, jeonnam_id)


def test_the_lines_are_saved_and_the_part_s_totals_are_their_sums(part, partner_official):
    save(partner_official, part, national_personnel="400,000,000", national_indirect="5천만",
         national_materials="1억", local_personnel="1억 2천만")
    part.refresh_from_db()
    assert lines_of(part) == {(N, "personnel"): 400_000_000, (N, "indirect"): 50_000_000,
                              (N, "materials"): 100_000_000, (L, "personnel"): 120_000_000}
    assert (part.national_spent_won, part.local_spent_won) == (550_000_000, 120_000_000)
    save(partner_official, part, national_personnel="1,000", local_personnel="200")  # replaces every line
    part.refresh_from_db()
    assert lines_of(part) == {(N, "personnel"): 1000, (L, "personnel"): 200}
    assert (part.national_spent_won, part.local_spent_won) == (1000, 200)


def test_indirect_costs_above_the_call_s_cap_are_refused_at_their_cell(part, partner_official):
    # No institution has a recorded rate: the call's cap (20 %) of the other costs of the same source.
    with pytest.raises(ValidationError) as refused:
        save(partner_official, part, national_personnel="1,000,000", national_indirect="200,001",
             local_personnel="1,000,000")
    assert list(refused.value.message_dict) == ["national-indirect"]
    assert "20%" in refused.value.message_dict["national-indirect"][0]
    assert "the call's cap" in refused.value.message_dict["national-indirect"][0]
    part.refresh_from_db()
    assert (lines_of(part), part.national_spent_won, part.narrative) == ({}, 0, "")
    save(partner_official, part, national_personnel="1,000,000", national_indirect="200,000",
         local_personnel="1,000,000")  # exactly 20 %: accepted
    assert lines_of(part)[(N, "indirect")] == 200_000


def test_the_institution_s_approved_rate_applies_when_lower_than_the_cap(part, partner_official, jeonnam_id):
    institution = Institution.objects.create(name_ko="전남테스트대학교", indirect_rate_pct=Decimal("12.50"))
    part.report.project.proposal.organisations.filter(region_id=jeonnam_id).update(institution=institution)
    with pytest.raises(ValidationError) as refused:
        save(partner_official, part, national_personnel="800", local_personnel="800", local_indirect="101")
    message = refused.value.message_dict["local-indirect"][0]
    assert "12.5%" in message and "전남테스트대학교" in message and "100 won" in message
    save(partner_official, part, national_personnel="800", local_personnel="800", local_indirect="100")
    assert lines_of(part)[(L, "indirect")] == 100


def test_a_higher_institution_rate_never_lifts_the_call_s_cap(part, partner_official, jeonnam_id):
    institution = Institution.objects.create(name_ko="전남고비율연구원", indirect_rate_pct=Decimal("35"))
    part.report.project.proposal.organisations.filter(region_id=jeonnam_id).update(institution=institution)
    with pytest.raises(ValidationError) as refused:
        save(partner_official, part, national_personnel="100", national_indirect="21", local_personnel="100")
    assert "the call's cap" in refused.value.message_dict["national-indirect"][0]


def test_equipment_above_the_threshold_needs_the_agreement_s_approval(part, partner_official):
    # No agreement approves equipment for 2023: above 30,000,000 won is refused, at it accepted.
    with pytest.raises(ValidationError) as refused:
        save(partner_official, part, national_equipment="30,000,001", local_personnel="10,000,000")
    assert list(refused.value.message_dict) == ["national-equipment"]
    assert "30,000,000" in refused.value.message_dict["national-equipment"][0]
    save(partner_official, part, national_equipment="30,000,000", local_personnel="10,000,000")
    assert lines_of(part)[(N, "equipment")] == 30_000_000


def test_local_spending_short_of_the_matching_is_refused_at_the_local_total(part, partner_official):
    with pytest.raises(ValidationError) as refused:
        save(partner_official, part, national_personnel="1,000", local_personnel="199")
    assert list(refused.value.message_dict) == ["local-total"]
    assert "at least 200 won" in refused.value.message_dict["local-total"][0]
    assert lines_of(part) == {}


def test_unreadable_amounts_are_refused_at_their_cells(part, partner_official):
    with pytest.raises(ValidationError) as refused:
        save(partner_official, part, national_personnel="-5", local_materials="많이")
    assert sorted(refused.value.message_dict) == ["local-materials", "national-personnel"]


# --- The page ----------------------------------------------------------------------------------------


def part_url(report, name="report_part"):
    return reverse(f"projects:{name}", args=[report.project_id, report.year])


def test_an_indirect_share_over_the_limit_is_shown_at_the_cell_with_what_was_typed(client, part, partner_official):
    log_in(client, partner_official)
    response = client.post(part_url(part.report), {
        "part": part.pk, "revision": part.revision, "narrative": "쓰던 글", "national-personnel": "1,000,000",
        "national-indirect": "30만", "local-personnel": "1,000,000"})
    assert response.status_code == 400
    fields = form_fields(response)
    assert (fields["national-personnel"]["value"], fields["national-indirect"]["value"]) == ("1,000,000", "30만")
    assert "is-invalid" in fields["national-indirect"]["class"]
    assert "is-invalid" not in fields["national-personnel"]["class"]
    page = response.content.decode()
    assert 'id="id_national-indirect-error"' in page and "쓰던 글</textarea>" in page
    assert lines_of(part) == {}


def test_staff_read_every_part_s_spending_and_edit_none(client, part, partner_official, ministry):
    save(partner_official, part, national_personnel="700", national_indirect="100", local_personnel="300")
    log_in(client, ministry)
    response = client.get(reverse("projects:report", args=[part.report.project_id, YEAR]))
    assert response.status_code == 200
    assert not [p for p in response.context["parts"] if p.can_edit]
    shown = next(p for p in response.context["parts"] if p.pk == part.pk)
    assert [row for row in shown.spending_rows if row[3]] == [("Personnel", 700, 300, 1000),
                                                              ("Indirect costs", 100, 0, 100)]
    assert 'name="national-personnel"' not in response.content.decode()


# --- Import ---------------------------------------------------------------------------------------------

HEADER = "연도,재원,비목,금액,적요\n"


def upload(text: str, encoding="utf-8", name="spending.csv"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def test_an_accounting_export_replaces_the_grid_summed_by_cell(part, partner_official):
    rows = (HEADER + '2023,국비,인건비,"1,000,000",연구원 급여\n2023,국비,인건비,"500,000",연구원 급여\n'
            '2023,지방비,재료비,"400,000",시약\n2023,국비,간접비,"100,000",\n')
    result = reports.report_part_import(actor=partner_official, part=part, upload=upload(rows))
    assert result.saved and not result.refused
    assert lines_of(part) == {(N, "personnel"): 1_500_000, (L, "materials"): 400_000, (N, "indirect"): 100_000}
    part.refresh_from_db()
    assert (part.national_spent_won, part.local_spent_won) == (1_600_000, 400_000)


def test_a_cp949_export_is_read(part, partner_official):
    rows = HEADER + "2023,국비,연구활동비,1000,출장\n2023,지방비,인건비,500,\n"
    result = reports.report_part_import(actor=partner_official, part=part, upload=upload(rows, "cp949"))
    assert result.saved
    assert lines_of(part) == {(N, "activities"): 1000, (L, "personnel"): 500}


def test_one_refused_row_and_nothing_is_imported_with_every_row_reported(part, partner_official):
    save(partner_official, part, national_personnel="1,000", local_personnel="200")
    rows = (HEADER + "2023,국비,인건비,1000,ok\n2022,국비,인건비,5,지난해\n2023,민간,인건비,5,\n"
            '2023,국비,커피,5,\n2023,국비,인건비,-5,\n2023,국비,인건비,5,=HYPERLINK("http://x")\n')
    result = reports.report_part_import(actor=partner_official, part=part, upload=upload(rows))
    assert not result.saved
    assert [(r.line, r.accepted) for r in result.rows] == [(2, True), (3, False), (4, False), (5, False),
                                                           (6, False), (7, True)]
    assert result.rows[5].memo.startswith("'=")  # shown as text, never a formula
    assert lines_of(part) == {(N, "personnel"): 1000, (L, "personnel"): 200}


def test_sums_that_break_a_rule_are_not_imported(part, partner_official):
    rows = HEADER + "2023,국비,인건비,1000,\n2023,국비,간접비,900,\n2023,지방비,인건비,1000,\n"
    result = reports.report_part_import(actor=partner_official, part=part, upload=upload(rows))
    assert not result.saved and not result.refused
    assert list(result.problems) == ["national-indirect"]
    assert lines_of(part) == {}


def test_the_import_page_shows_the_row_report_and_keeps_the_grid(client, part, partner_official):
    log_in(client, partner_official)
    rows = HEADER + "2023,국비,인건비,1000,\n2023,국비,없는비목,5,\n"
    response = client.post(part_url(part.report, "spending_import"), {"part": part.pk, "file": upload(rows)})
    assert response.status_code == 400
    assert messages_of(response) == ["Nothing was imported: 1 rows were refused (see the row report)."]
    assert 'id="spending-import-report"' in response.content.decode()
    response = client.post(part_url(part.report, "spending_import"), {
        "part": part.pk, "file": upload("2023,국비,인건비,1000\n".encode().decode())})
    assert response.status_code == 400
    assert lines_of(part) == {}
    ok = HEADER + "2023,국비,인건비,\"1,000\",\n2023,지방비,인건비,200,\n"
    response = client.post(part_url(part.report, "spending_import"), {"part": part.pk, "file": upload(ok)})
    assert response.status_code == 302
    assert lines_of(part) == {(N, "personnel"): 1000, (L, "personnel"): 200}


def test_an_unreadable_file_is_refused(part, partner_official):
    for bad in (upload("\xff\xfe\x00garbage", "latin-1", name="x.csv"), upload("a", name="x.txt")):
        with pytest.raises(ValidationError):
            reports.report_part_import(actor=partner_official, part=part, upload=bad)
    assert lines_of(part) == {}


def test_another_region_cannot_import_into_this_part(part, official):
    rows = HEADER + "2023,국비,인건비,1000,\n2023,지방비,인건비,200,\n"
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied or Refused
        reports.report_part_import(actor=official, part=part, upload=upload(rows))
    assert lines_of(part) == {}


# --- Hostile input ------------------------------------------------------------------------------------

JUNK = ["", " ", "\x00", "-0", "1e309", "NaN", "99999999999999999999999", "١٢٣", "１２３", "\u202e123", "0x1F",
        "<script>alert(1)</script>", "=1+1", "가" * 5000, "1억 2천만 3", "₩-5"]


def test_junk_in_every_cell_of_the_grid_is_refused_at_the_cell_never_a_server_error(client, part, partner_official):
    log_in(client, partner_official)
    cells = [f"{s}-{c}" for s in (N, L) for c in ("personnel", "equipment", "materials", "activities",
                                                  "commissioned", "indirect", "unclassified")]
    for i, junk in enumerate(JUNK):
        data = {"part": part.pk, "revision": part.revision, "narrative": junk,
                **{cell: JUNK[(i + k) % len(JUNK)] for k, cell in enumerate(cells)}}
        response = client.post(part_url(part.report), data)
        assert response.status_code in (302, 400), junk
        assert "<script>alert(1)</script>" not in response.content.decode()
    part.refresh_from_db()
    assert all(line.amount_won >= 0 for line in SpendingLine.objects.filter(part=part))


@pytest.mark.parametrize("body", [
    b"", b"\x00\x00\x00", "연도,재원,비목,금액\n".encode() + b"2023,\x00,x,1\n", b"\xef\xbb\xbf\n\n\n",
    "연도,재원,비목,금액\n2023,국비,인건비,99999999999999999999999\n".encode(),
    "연도,재원,비목,금액\n2023,국비,인건비,1e309\n2023,국비,인건비,NaN\n".encode(),
    "연도,재원,비목,금액,적요\n2023,국비,인건비,1,<script>alert(1)</script>\n".encode(),
    ('연도,재원,비목,금액\n' + '2023,국비,인건비,"999,999,999,999,999"\n' * 10).encode(),
    b"a,b\n1,2\n", b"PK\x03\x04 not a zip",
])
def test_a_hostile_file_is_refused_with_a_reason_and_nothing_saved(client, part, partner_official, body):
    log_in(client, partner_official)
    name = "x.xlsx" if body.startswith(b"PK") else "x.csv"
    response = client.post(part_url(part.report, "spending_import"),
                           {"part": part.pk, "file": SimpleUploadedFile(name, body, content_type="text/csv")})
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert lines_of(part) == {}
