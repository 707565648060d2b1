"""The project timeline SVG: readable without colour, described for screen readers,
every text escaped."""

import re

from django.utils import translation

from projects.charts import TimelineData, TimelineEvaluation, TimelineStage, timeline_svg

EOK = 100_000_000


def timeline(**kwargs) -> str:
    data = TimelineData(
        title="“소재” <과제> 일정", first_year=2023, max_years=10,
        stages=[TimelineStage(number=1, start_year=2023, years=3, label="시범사업", state_label="종료"),
                TimelineStage(number=2, start_year=2026, years=3, label="2단계", state_label="수행 중")],
        evaluations=[TimelineEvaluation(year=2025, label="조건부 계속")],
        money={2023: (15 * EOK, 3 * EOK), 2024: (20 * EOK, 5 * EOK)}, **kwargs)
    with translation.override("ko"):  # amounts in 억원
        return str(timeline_svg(data, prefix="t"))


def test_the_axis_runs_over_every_year_of_the_call_s_maximum():
    svg = timeline()
    with translation.override("ko"):
        labels = [translation.gettext("Y%(n)s") % {"n": n} for n in range(1, 11)]
    assert all(f">{label}<" in svg for label in labels)
    assert ">2023<" in svg and ">2032<" in svg


def test_each_stage_is_a_band_with_its_label_and_its_own_pattern():
    svg = timeline()
    assert ">시범사업<" in svg and ">2단계<" in svg
    assert 'fill="url(#t-stage0)"' in svg and 'fill="url(#t-stage1)"' in svg
    assert '<pattern id="t-stage0"' in svg and '<pattern id="t-stage1"' in svg


def test_evaluations_and_money_are_written_not_only_drawn():
    svg = timeline()
    assert ">조건부 계속<" in svg
    assert ">18억원<" in svg and ">25억원<" in svg  # national + local above each column
    assert 'fill="url(#t-local)"' in svg  # local funds hatched, not just another colour


def test_it_is_an_image_with_a_title_and_a_description_listing_the_figures():
    svg = timeline()
    assert 'role="img"' in svg and 'aria-labelledby="t-title t-desc"' in svg
    desc = re.search(r'<desc id="t-desc">(.*?)</desc>', svg).group(1)
    assert "2023–2025" in desc and "조건부 계속" in desc and "15억원" in desc


def test_text_is_escaped():
    svg = timeline()
    assert "<과제>" not in svg and "&lt;과제&gt;" in svg


def test_a_wind_down_is_marked():
    with translation.override("ko"):
        label = translation.gettext("wind-down")
    assert f">{label}<" in timeline(wind_down_year=2026)
    assert f">{label}<" not in timeline()
