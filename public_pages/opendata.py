"""The open data set: funded projects of announced calls and their yearly national and local
funding, with its data dictionary (one definition for the CSV, the JSON and the dictionary page).

CSV: one row per project and year, UTF-8 with a byte-order mark, through the portal's one CSV
writer (core.spreadsheet: a title that would run as a formula is kept as text). JSON: one object
per project with its years."""

from dataclasses import dataclass

from core.spreadsheet import csv_text

from .selectors import Award


@dataclass(frozen=True)
class Field:
    name: str
    ko: str
    en: str
    type: str  # integer, string, date
    unit: str = ""


# The dictionary: Korean and English descriptions are data (both shown on every language's page).
PROJECT_FIELDS = (
    Field("call_id", "공모 번호", "Call number (its address /public/calls/<id>/)", "integer"),
    Field("call_year", "공모 연도", "Year of the call", "integer", "year"),
    Field("call_title", "공모명", "Title of the call", "string"),
    Field("project_id", "과제 번호", "Project number (the proposal's number in the portal)", "integer"),
    Field("title_ko", "과제명(국문)", "Project title in Korean", "string"),
    Field("title_en", "과제명(영문)", "Project title in English", "string"),
    Field("cooperation_type", "유형 (super_regional: 초광역 협력형, leap: 지역혁신 도약형)",
          "Cooperation type (super_regional: super-regional cooperation, leap: regional innovation leap)", "string"),
    Field("lead_region", "주관 지역 코드", "Lead region's code", "string"),
    Field("regions", "참여 지역 코드 (주관 지역 먼저, 세미콜론으로 구분)",
          "Codes of the regions taking part (the lead region first, separated by semicolons)", "string"),
    Field("strategic_industry", "전략산업", "Strategic industry", "string"),
)
YEAR_FIELDS = (
    Field("year", "연도", "Year of funding", "integer", "year"),
    Field("national_funding_won", "국비", "National funding granted for the year (approved decision)", "integer",
          "KRW"),
    Field("local_funding_won", "지방비", "Local government funds for the year, all regions together", "integer",
          "KRW"),
)
FIELDS = PROJECT_FIELDS + YEAR_FIELDS


def project_values(award: Award) -> list:
    p = award.proposal
    return [p.call_id, p.call.year, p.call.title, p.pk, p.title_ko, p.title_en, p.cooperation_type,
            p.lead_region.code, ";".join(r.code for r in award.regions), p.industry.name_ko if p.industry else ""]


def csv_rows(awards: list[Award]) -> list[list]:
    rows = [[f.name for f in FIELDS]]
    for award in awards:
        head = project_values(award)
        rows += [[*head, year, national, local] for year, national, local in award.years]
    return rows


def as_csv(awards: list[Award]) -> str:
    return csv_text(csv_rows(awards))


def as_json(awards: list[Award], *, dictionary_url: str) -> dict:
    projects = []
    for award in awards:
        item = dict(zip((f.name for f in PROJECT_FIELDS), project_values(award), strict=True))
        item["regions"] = [r.code for r in award.regions]
        item["years"] = [dict(zip((f.name for f in YEAR_FIELDS), y, strict=True)) for y in award.years]
        projects.append(item)
    return {"dictionary": dictionary_url, "currency": "KRW", "projects": projects}
