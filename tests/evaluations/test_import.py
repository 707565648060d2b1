"""Importing the expert pool from CSV (UTF-8 with a byte-order mark) and XLSX.

Each good row creates or updates one expert; each bad row is reported with its
line number (the header is line 1) and reasons, and imports nothing.
"""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import Role, User
from evaluations.models import ExpertProfile
from evaluations.services import experts_import
from tests.login import log_in
from tests.proposals.conftest import messages_of

pytestmark = pytest.mark.django_db

HEADER = ["username", "name", "email", "affiliation", "home_region", "industries", "keywords", "phone", "available"]
GOOD = [
    ["kim-ai", "김인공 교수", "kim@kaist.ac.kr", "한국과학기술원", "daejeon", "artificial-intelligence;robotics",
     "딥러닝, 로봇", "042-350-0000", "yes"],
    ["lee-bio", "이바이오 박사", "lee@kribb.re.kr", "한국생명공학연구원", "daejeon", "advanced-bio", "", "", "no"],
]


def csv_upload(rows, *, name="experts.csv", header=HEADER) -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row or [])  # None: a blank line
    return SimpleUploadedFile(name, ("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv")


def xlsx_upload(rows, *, header=HEADER) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row or [None] * len(header))  # None: an empty row
    data = io.BytesIO()
    wb.save(data)
    return SimpleUploadedFile("experts.xlsx", data.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def profile_of(username: str) -> dict:
    p = ExpertProfile.objects.select_related("user", "home_region").get(user__username=username)
    return {
        "name": p.user.display_name, "email": p.user.email, "role": p.user.role,
        "usable_password": p.user.has_usable_password(), "affiliation": p.affiliation,
        "home_region": p.home_region.code, "industries": sorted(p.industries.values_list("code", flat=True)),
        "keywords": p.keywords, "phone": p.phone, "contact_email": p.contact_email, "available": p.available,
    }


KIM = {"name": "김인공 교수", "email": "kim@kaist.ac.kr", "role": Role.EXPERT, "usable_password": False,
       "affiliation": "한국과학기술원", "home_region": "daejeon", "industries": ["artificial-intelligence", "robotics"],
       "keywords": "딥러닝, 로봇", "phone": "042-350-0000", "contact_email": "kim@kaist.ac.kr", "available": True}


# --- Good rows ---------------------------------------------------------------------------------


def test_a_csv_with_a_byte_order_mark_creates_the_experts(ministry):
    report = experts_import(actor=ministry, upload=csv_upload(GOOD))
    assert (report.created, report.updated, report.refused) == (["kim-ai", "lee-bio"], [], [])
    assert profile_of("kim-ai") == KIM
    assert (profile_of("lee-bio")["industries"], profile_of("lee-bio")["available"]) == (["advanced-bio"], False)


def test_a_second_import_updates_the_expert_and_replaces_the_fields(ministry, expert):
    experts_import(actor=ministry, upload=csv_upload(GOOD))
    moved = ["kim-ai", "김인공 교수", "kim@gist.ac.kr", "광주과학기술원", "gwangju", "semiconductors", "", "", "yes"]
    old = ["expert1", "김민준 교수", "kim.mj@snu.ac.kr", "서울대학교", "seoul", "", "", "", ""]
    report = experts_import(actor=ministry, upload=csv_upload([moved, old]))
    assert (report.created, report.updated, report.refused) == ([], ["kim-ai", "expert1"], [])
    assert profile_of("kim-ai") == {**KIM, "email": "kim@gist.ac.kr", "contact_email": "kim@gist.ac.kr",
                                    "affiliation": "광주과학기술원", "home_region": "gwangju",
                                    "industries": ["semiconductors"], "keywords": "", "phone": ""}
    assert (profile_of("expert1")["affiliation"], profile_of("expert1")["industries"]) == ("서울대학교", [])
    assert User.objects.get(username="expert1").has_usable_password()  # an existing password is kept


def test_an_xlsx_file_creates_the_experts(ministry):
    rows = [GOOD[0][:7] + [4235000000, "yes"], GOOD[1]]
    report = experts_import(actor=ministry, upload=xlsx_upload(rows))
    assert (report.created, report.refused) == (["kim-ai", "lee-bio"], [])
    assert profile_of("kim-ai") == {**KIM, "phone": "4235000000"}


# --- Bad rows ----------------------------------------------------------------------------------

BAD = [
    GOOD[0],                                                                                      # line 2
    ["mars", "화성인", "mars@example.kr", "화성대학교", "mars", "", "", "", ""],                   # line 3
    ["bad-mail", "메일오류", "not-an-e-mail", "한국과학기술원", "daejeon", "", "", "", ""],        # line 4
    ["no-affiliation", "소속없음", "none@example.kr", "", "daejeon", "", "", "", ""],              # line 5
    ["kim-ai", "김인공 중복", "kim2@kaist.ac.kr", "다른 기관", "seoul", "", "", "", ""],            # line 6
    ["official-gwangju", "공무원", "o@gwangju.go.kr", "광주광역시청", "gwangju", "", "", "", ""],   # line 7
    GOOD[1],                                                                                      # line 8
]
REFUSED = [
    (3, "mars", ["Unknown region code “mars”."]),
    (4, "bad-mail", ["“not-an-e-mail” is not an e-mail address."]),
    (5, "no-affiliation", ["“affiliation” is empty."]),
    (6, "kim-ai", ["The username appears twice in the file."]),
    (7, "official-gwangju", ["“official-gwangju” is an account of another role."]),
]


@pytest.mark.parametrize("upload", [csv_upload, xlsx_upload], ids=["csv", "xlsx"])
def test_bad_rows_are_reported_with_line_and_reason_and_only_the_good_rows_are_imported(ministry, official, upload):
    before = (official.role, official.display_name, official.email)
    report = experts_import(actor=ministry, upload=upload(BAD))
    assert report.refused == REFUSED
    assert (report.created, report.updated) == (["kim-ai", "lee-bio"], [])
    assert sorted(ExpertProfile.objects.values_list("user__username", flat=True)) == ["kim-ai", "lee-bio"]
    assert User.objects.filter(username__in=["mars", "bad-mail", "no-affiliation"]).count() == 0
    assert profile_of("kim-ai")["affiliation"] == "한국과학기술원"  # the duplicate did not overwrite it
    official.refresh_from_db()
    assert (official.role, official.display_name, official.email) == before  # the other role's account is untouched


def test_a_row_with_several_problems_lists_them_all(ministry):
    row = ["many", "", "x@", "", "atlantis", "quantum;robotics", "", "", "maybe"]
    report = experts_import(actor=ministry, upload=csv_upload([row]))
    assert report.refused == [(2, "many", [
        "“name” is empty.", "“affiliation” is empty.", "“x@” is not an e-mail address.",
        "Unknown region code “atlantis”.", "Unknown industry code “quantum”.", "“available” must be yes or no."])]


@pytest.mark.parametrize("upload", [csv_upload, xlsx_upload], ids=["csv", "xlsx"])
def test_line_numbers_stay_right_after_a_blank_row(ministry, upload):
    rows = [GOOD[0], None, BAD[1]]  # lines 2, 3 (blank), 4
    report = experts_import(actor=ministry, upload=upload(rows))
    assert report.refused == [(4, "mars", ["Unknown region code “mars”."])]


def test_only_staff_may_import(official, expert):
    for actor in (official, expert):
        with pytest.raises(PermissionDenied):
            experts_import(actor=actor, upload=csv_upload(GOOD))
    assert ExpertProfile.objects.filter(user__username__in=["kim-ai", "lee-bio"]).count() == 0


# --- Through the page --------------------------------------------------------------------------

URL = "/evaluations/experts/import/"


def test_staff_import_through_the_page_and_see_the_report(client, ministry, official):
    assert reverse("evaluations:expert_import") == URL
    log_in(client, ministry)
    response = client.post(URL, {"file": csv_upload(BAD)})
    assert response.status_code == 200
    assert messages_of(response) == ["2 rows imported; 5 rows refused (see below)."]
    assert response.context["report"].refused == REFUSED
    body = response.content.decode()
    assert "2 created, 0 updated, 5 refused." in body
    assert "<td>6</td><td>kim-ai</td><td>The username appears twice in the file.</td>" in body


def test_a_clean_file_says_how_many_rows_were_imported(client, ministry):
    log_in(client, ministry)
    assert messages_of(client.post(URL, {"file": csv_upload(GOOD)})) == ["2 rows imported."]


def test_a_file_of_another_type_is_refused_on_the_form(client, ministry):
    log_in(client, ministry)
    response = client.post(URL, {"file": SimpleUploadedFile("experts.txt", b"username\nkim\n")})
    assert response.context["form"].errors == {"file": ["Upload a .csv or .xlsx file."]}
    assert ExpertProfile.objects.count() == 0


@pytest.mark.parametrize("who", ["official", "expert"])
def test_officials_and_experts_get_403_and_import_nothing(client, request, who):
    log_in(client, request.getfixturevalue(who))
    assert (client.get(URL).status_code, client.post(URL, {"file": csv_upload(GOOD)}).status_code) == (403, 403)
    assert ExpertProfile.objects.filter(user__username__in=["kim-ai", "lee-bio"]).count() == 0
