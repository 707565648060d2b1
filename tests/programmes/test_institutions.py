"""The institutions registry: names matched through aliases and English names, a foundation or
a department counted as its institution, the import (CSV and XLSX, all or nothing, with a row
report) on a staff page and as a command."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from evaluations.services import experts_import
from programmes.institutions import institution_match, institutions_import, normalise, registry
from programmes.models import Institution, InstitutionKind
from tests.login import log_in
from tests.proposals.conftest import _english, client  # noqa: F401  (messages and pages in English)

pytestmark = pytest.mark.django_db


@pytest.fixture
def snu(db):
    snu = Institution.objects.create(name_ko="서울대학교", name_en="Seoul National University", aliases="SNU;서울대",
                                     kind=InstitutionKind.UNIVERSITY)
    Institution.objects.create(name_ko="서울대학교 산학협력단", name_en="SNU R&DB Foundation",
                               kind=InstitutionKind.FOUNDATION, parent=snu)
    Institution.objects.create(name_ko="한국과학기술원", name_en="Korea Advanced Institute of Science and Technology",
                               aliases="KAIST;카이스트", kind=InstitutionKind.UNIVERSITY)
    return snu


def csv_file(text: str, name: str = "registry.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\ufeff" + text).encode())


@pytest.mark.parametrize(("typed", "entry"), [
    ("KAIST", "한국과학기술원"), ("kaist", "한국과학기술원"), ("카이스트", "한국과학기술원"),
    ("한국 과학 기술원", "한국과학기술원"), ("Korea Advanced Institute of Science and Technology", "한국과학기술원"),
    ("서울대학교산학협력단", "서울대학교 산학협력단"), ("SNU", "서울대학교"), ("(주)서울대학교", "서울대학교"),
])
def test_a_typed_name_matches_its_entry_by_name_english_name_or_alias(snu, typed, entry):
    assert institution_match(typed).name_ko == entry


def test_an_unknown_name_matches_nothing(snu):
    assert (institution_match("부경대학교"), institution_match("   ")) == (None, None)


def test_a_foundation_has_its_university_as_root_and_kaist_is_another_institution(snu):
    reg = registry()
    foundation, kaist = reg.match("서울대학교 산학협력단"), reg.match("KAIST")
    assert reg.root(foundation) == reg.root(reg.match("서울대학교")) == snu.pk
    assert reg.root(kaist) != snu.pk


def test_normalise_drops_spaces_punctuation_and_case():
    assert normalise(" Seoul National-University (SNU) ") == "seoulnationaluniversitysnu"


# --- Import ------------------------------------------------------------------------------------


GOOD = ("name_ko,name_en,aliases,kind,parent\r\n"
        "부경대학교,Pukyong National University,PKNU;부경대,university,\r\n"
        "부경대학교 산학협력단,PKNU Foundation,,foundation,PKNU\r\n"
        "서울대학교,Seoul National University,SNU;서울대,university,\r\n")


def test_an_import_creates_and_updates_with_parents_named_by_alias(snu, ministry):
    report = institutions_import(actor=ministry, upload=csv_file(GOOD))
    assert (report.created, report.updated, report.errors) == (
        [(2, "부경대학교"), (3, "부경대학교 산학협력단")], [(4, "서울대학교")], [])
    foundation = Institution.objects.get(name_ko="부경대학교 산학협력단")
    assert (foundation.parent.name_ko, foundation.kind) == ("부경대학교", "foundation")


def test_one_bad_row_and_nothing_is_saved_every_problem_reported_with_its_line(snu, ministry):
    bad = ("name_ko,name_en,aliases,kind,parent\r\n"
           "부경대학교,Pukyong,,university,\r\n"
           ",No Korean name,,university,\r\n"
           "창원대학교,Changwon,,castle,\r\n"
           "창원대학교 산학협력단,,,foundation,없는 대학교\r\n"
           "부경대학교,again,,university,\r\n")
    before = list(Institution.objects.values())
    report = institutions_import(actor=ministry, upload=csv_file(bad))
    assert [(line, reasons) for line, _name, reasons in report.errors] == [
        (3, ["“name_ko” is empty."]),
        (4, ["Unknown kind “castle” (one of: university, foundation, institute, company, agency, department, other)."]),
        (5, ["Unknown parent “없는 대학교”: add it to the registry or to the file."]),
        (6, ["“부경대학교” appears twice in the file."]),
    ]
    assert (report.created, report.updated) == ([], [])
    assert list(Institution.objects.values()) == before


def test_a_cycle_of_parents_is_refused_and_nothing_saved(snu, ministry):
    cycle = ("name_ko,name_en,aliases,kind,parent\r\n"
             "가대학교,,,university,나대학교\r\n"
             "나대학교,,,university,가대학교\r\n")
    report = institutions_import(actor=ministry, upload=csv_file(cycle))
    assert [line for line, _n, _r in report.errors] == [2, 3]
    assert not Institution.objects.filter(name_ko__in=["가대학교", "나대학교"]).exists()


def test_an_xlsx_workbook_is_imported_the_same_way(snu, ministry):
    wb = Workbook()
    ws = wb.active
    ws.append(["name_ko", "name_en", "aliases", "kind", "parent"])
    ws.append(["울산과학기술원", "UNIST", "유니스트", "university", None])
    ws.append(["울산과학기술원 기계공학과", "UNIST Mechanical Engineering", None, "department", "UNIST"])
    data = io.BytesIO()
    wb.save(data)
    report = institutions_import(actor=ministry, upload=SimpleUploadedFile("registry.xlsx", data.getvalue()))
    assert report.created == [(2, "울산과학기술원"), (3, "울산과학기술원 기계공학과")]
    assert Institution.objects.get(name_ko="울산과학기술원 기계공학과").parent.name_en == "UNIST"


@pytest.mark.parametrize(("name", "content", "message"), [
    ("registry.txt", b"name_ko\n", "Upload a .csv or .xlsx file."),
    ("registry.csv", "name_ko\r\n".encode("utf-16"), "The file is not UTF-8 text: save the CSV as UTF-8."),
    ("registry.xlsx", b"PK\x03\x04 not a workbook", "The file is not a readable XLSX workbook."),
    ("registry.csv", "이름,종류\r\n서울대학교,university\r\n".encode(), "The first row must name the columns: "
                                                                       "name_ko, name_en, aliases, kind, parent."),
])
def test_the_staff_page_refuses_a_bad_file_with_the_reason_at_the_field(client, ministry, name, content, message):  # noqa: F811
    log_in(client, ministry)
    response = client.post(reverse("programmes:institutions"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert response.context["form"].errors == {"file": [message]}
    assert not Institution.objects.exists()


def test_the_staff_page_shows_the_row_report(client, ministry, snu):  # noqa: F811
    log_in(client, ministry)
    response = client.post(reverse("programmes:institutions"), {"file": csv_file(GOOD)})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Line 2: 부경대학교 created" in body and "Line 4: 서울대학교 updated" in body


def test_the_registry_page_is_for_staff_only(client, official, expert):  # noqa: F811
    for user in (official, expert):
        log_in(client, user)
        assert client.get(reverse("programmes:institutions")).status_code == 403
        assert client.post(reverse("programmes:institutions"), {"file": csv_file(GOOD)}).status_code == 403
    assert not Institution.objects.exists()


def test_the_command_imports_a_file_and_refuses_a_bad_one(tmp_path, ministry, official):
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    out = io.StringIO()
    call_command("import_institutions", str(good), "--user", "ministry", stdout=out)
    assert "3 created, 0 updated." in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text("name_ko,kind\r\n새대학교,castle\r\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing imported: 1 rows have problems."):
        call_command("import_institutions", str(bad), "--user", "ministry", stderr=io.StringIO())
    with pytest.raises(CommandError, match="may not manage"):
        call_command("import_institutions", str(good), "--user", "official-gwangju")
    assert Institution.objects.count() == 3


# --- Matched on save ---------------------------------------------------------------------------


def test_an_imported_expert_is_matched_to_the_registry(snu, ministry):
    upload = csv_file("username,name,email,affiliation,home_region\r\n"
                      "kim,김교수,kim@example.kr,KAIST,daejeon\r\n"
                      "lee,이교수,lee@example.kr,어딘가 연구소,seoul\r\n", "experts.csv")
    experts_import(actor=ministry, upload=upload)
    from evaluations.models import ExpertProfile

    assert dict(ExpertProfile.objects.values_list("user__username", "institution__name_ko")) == {
        "kim": "한국과학기술원", "lee": None}
