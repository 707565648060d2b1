"""reports.charts: accessible SVG charts and their equivalent table and CSV."""

import re
from decimal import Decimal
from xml.etree import ElementTree

import pytest

from core.charts import (
    ChartData,
    bar_chart,
    column_chart,
    csv_rows,
    format_number,
    funnel_chart,
    grouped_bar_chart,
    table_context,
    text_width,
    truncate,
)

SVG = "{http://www.w3.org/2000/svg}"

REGIONS = ChartData(
    title="Funding by region",
    description="Approved decisions",
    category_heading="Region",
    categories=["Gyeongbuk", "Daegu"],
    series=["National", "Local"],
    values=[[4_000_000_000, 1_000_000_000], [1_500_000_000, 375_000_000]],
)

ALL_CHARTS = [
    pytest.param(bar_chart, {}, id="bar"),
    pytest.param(grouped_bar_chart, {}, id="grouped"),
    pytest.param(grouped_bar_chart, {"stacked": True}, id="stacked"),
    pytest.param(funnel_chart, {}, id="funnel"),
    pytest.param(column_chart, {}, id="column"),
    pytest.param(column_chart, {"line": True}, id="line"),
]


def parse(svg) -> ElementTree.Element:
    return ElementTree.fromstring(str(svg))


def visible_text(root) -> list[str]:
    """Text drawn on the chart (not the <title> tooltips of shortened labels)."""
    return ["".join(t.itertext()) if t.find(f"{SVG}title") is None else t.find(f"{SVG}title").tail or "" for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize(("draw", "options"), ALL_CHARTS)
def test_every_chart_is_a_well_formed_labelled_image(draw, options):
    root = parse(draw(REGIONS, **options))

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert re.fullmatch(r"0 0 600 \d+", root.get("viewBox"))
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "Funding by region"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert desc.text.startswith("Approved decisions")
    assert "NanumGothic" in root.get("font-family")


@pytest.mark.parametrize(("draw", "options"), ALL_CHARTS)
def test_labels_and_titles_are_escaped(draw, options):
    hostile = ChartData(
        title="</title><script>alert(1)</script>",
        description='"><img src=x onerror=alert(2)>',
        categories=["<b>Busan</b> & Ulsan", "Seoul"],
        series=["<i>nat</i>", "loc"],
        values=[[3, 1], [2, 2]],
    )
    svg = str(draw(hostile, **options))

    assert "<script>" not in svg and "<img" not in svg and "<b>" not in svg and "<i>" not in svg
    root = parse(svg)  # still well-formed XML
    assert root.find(f"{SVG}title").text == "</title><script>alert(1)</script>"
    assert "&lt;b&gt;Busan&lt;/b&gt; &amp; Ulsan" in svg


def test_bar_chart_writes_each_value_beside_its_bar():
    data = ChartData(title="Proposals", categories=["AI", "Batteries", "Bio"], values=[[12], [3], [1_234]])

    texts = visible_text(parse(bar_chart(data)))

    assert {"AI", "Batteries", "Bio", "12", "3", "1,234"} <= set(texts)


def test_bar_widths_are_proportional_to_values():
    data = ChartData(title="t", categories=["a", "b"], values=[[10], [5]])

    bars = list(parse(bar_chart(data)).iter(f"{SVG}rect"))

    assert float(bars[0].get("width")) == pytest.approx(2 * float(bars[1].get("width")), rel=0.01)


def test_value_format_is_used_for_the_written_values_and_the_description():
    data = ChartData(title="t", categories=["a"], values=[[5_500_000_000]], value_format=lambda v: f"{v / 100_000_000:g} eok")

    root = parse(bar_chart(data))

    assert "55 eok" in visible_text(root)
    assert "a: 55 eok" in root.find(f"{SVG}desc").text


def test_grouped_and_stacked_charts_fill_each_series_with_its_own_pattern_and_name_it_in_a_legend():
    for stacked in (False, True):
        root = parse(grouped_bar_chart(REGIONS, stacked=stacked))
        patterns = [p.get("id") for p in root.iter(f"{SVG}pattern")]
        fills = {r.get("fill") for r in root.iter(f"{SVG}rect")}

        assert len(patterns) == 1  # the first series is plain colour, each further series a pattern
        assert f"url(#{patterns[0]})" in fills
        assert {"National", "Local"} <= set(visible_text(root))


def test_grouped_chart_writes_every_value_and_stacked_chart_the_sum():
    grouped = visible_text(parse(grouped_bar_chart(REGIONS)))
    stacked = visible_text(parse(grouped_bar_chart(REGIONS, stacked=True)))

    assert {"4,000,000,000", "1,000,000,000", "1,500,000,000", "375,000,000"} <= set(grouped)
    assert "1,500,000,000 + 375,000,000 = 1,875,000,000" in stacked


def test_description_lists_every_figure_for_screen_readers():
    desc = parse(grouped_bar_chart(REGIONS)).find(f"{SVG}desc").text

    assert "Gyeongbuk: National 4,000,000,000, Local 1,000,000,000" in desc
    assert "Daegu: National 1,500,000,000, Local 375,000,000" in desc


def test_funnel_shows_each_step_and_its_share_of_the_first():
    data = ChartData(title="Proposals by state", categories=["Draft", "Submitted", "Selected"], values=[[20], [10], [5]])

    texts = visible_text(parse(funnel_chart(data)))

    assert {"Draft", "Submitted", "Selected", "20", "10 (50%)", "5 (25%)"} <= set(texts)


def test_column_chart_by_year_labels_years_and_values():
    data = ChartData(title="By year", categories=["2023", "2024", "2025"], values=[[100], [200], [150]])

    for line in (False, True):
        texts = visible_text(parse(column_chart(data, line=line)))
        assert {"2023", "2024", "2025", "100", "200", "150"} <= set(texts)


def test_line_chart_distinguishes_series_by_dash_not_only_colour():
    data = ChartData(title="t", categories=["2023", "2024"], series=["A", "B"], values=[[1, 2], [3, 4]])

    lines = list(parse(column_chart(data, line=True)).iter(f"{SVG}polyline"))

    assert len(lines) == 2
    assert lines[0].get("stroke-dasharray") != lines[1].get("stroke-dasharray")


@pytest.mark.parametrize(("draw", "options"), ALL_CHARTS)
@pytest.mark.parametrize(
    "data",
    [
        ChartData(title="t", categories=[], values=[]),
        ChartData(title="t", categories=["a", "b"], series=["x", "y"], values=[[0, 0], [None, 0]]),
    ],
    ids=["no-category", "all-zero"],
)
def test_empty_data_gives_an_empty_state_text_not_a_broken_svg(draw, options, data):
    out = str(draw(data, empty_text="No <proposals> yet", **options))

    assert "<svg" not in out
    assert out == '<p class="chart-empty">No &lt;proposals&gt; yet</p>'


def test_two_charts_of_different_data_never_share_element_ids():
    other = ChartData(title="Other", categories=["x"], series=["A", "B"], values=[[1, 2]])

    ids = [e.get("id") for svg in (grouped_bar_chart(REGIONS), grouped_bar_chart(other)) for e in parse(svg).iter() if e.get("id")]

    assert len(ids) == len(set(ids))
    assert parse(bar_chart(REGIONS, id_prefix="fig-1")).find(f"{SVG}title").get("id") == "fig-1-title"


def test_long_labels_are_shortened_with_the_full_label_as_tooltip():
    label = "초광역 협력형 이차전지 원료 소재 재활용 및 업사이클링 기술 개발 사업"
    root = parse(bar_chart(ChartData(title="t", categories=[label], values=[[1]])))

    text = next(t for t in root.iter(f"{SVG}text") if t.find(f"{SVG}title") is not None)

    assert text.find(f"{SVG}title").text == label
    assert text.find(f"{SVG}title").tail.endswith("…")


def test_table_context_holds_the_same_figures_with_an_optional_total():
    table = table_context(REGIONS, totals=True)

    assert table["caption"] == "Funding by region"
    assert table["columns"] == ["Region", "National", "Local"]
    assert table["rows"] == [
        {"label": "Gyeongbuk", "cells": ["4,000,000,000", "1,000,000,000"]},
        {"label": "Daegu", "cells": ["1,500,000,000", "375,000,000"]},
    ]
    assert table["total"]["cells"] == ["5,500,000,000", "1,375,000,000"]
    assert table_context(REGIONS)["total"] is None


def test_csv_rows_hold_raw_numbers():
    assert csv_rows(REGIONS) == [
        ["Region", "National", "Local"],
        ["Gyeongbuk", 4_000_000_000, 1_000_000_000],
        ["Daegu", 1_500_000_000, 375_000_000],
    ]


def test_numbers_are_formatted_with_separators_and_at_most_two_decimals():
    assert format_number(1234567) == "1,234,567"
    assert format_number(Decimal("12.50")) == "12.5"
    assert format_number(Decimal("7.00")) == "7"
    assert format_number(2 / 3) == "0.67"


def test_text_width_counts_hangul_wider_than_latin():
    assert text_width("경북") > text_width("ab")
    assert truncate("abc", 1000) == "abc"
    assert truncate("가나다라마바사", 40).endswith("…")
