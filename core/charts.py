"""Server-drawn, accessible SVG charts for pages and WeasyPrint PDFs.

No JavaScript, no external font or asset: every chart is one ``<svg>`` element
returned as a ``SafeString`` (every label and value is escaped here), with a
fixed ``viewBox`` so it scales to its container (``.chart svg {width: 100%;
height: auto}`` in ``static/css/portal.css``; in a PDF it is 600 × h CSS px,
which fits an A4 page with 2 cm margins).

Accessibility: ``role="img"`` with ``<title>`` and ``<desc>`` (the description
lists every figure, so a screen reader hears the data), values are written
next to every bar, each series of a grouped or stacked chart has its own fill
pattern (SVG ``<pattern>``: solid, stripes, dots, cross-hatch…) as well as its
own colour, and a legend names them. Every chart has an equivalent table:
:func:`table_context` (for a ``<table>``) and :func:`csv_rows` (for a download)
read the same :class:`ChartData`.

The API, one data shape for everything::

    from core.charts import ChartData, bar_chart, grouped_bar_chart, funnel_chart,
        column_chart, table_context, csv_rows

    data = ChartData(
        title="지역별 지원액",                 # <title>, table caption
        description="승인된 지원 결정 기준",     # <desc> (the figures are appended)
        category_heading="지역",               # first column of the table / CSV
        categories=["경북", "대구"],            # one row per category
        series=["국비", "지방비"],              # one column per series (one for a plain bar)
        values=[[4_000_000_000, 1_000_000_000],  # values[row][series], int/Decimal/float
                [1_500_000_000, 375_000_000]],
        value_format=eok,                      # optional: number -> str (default 1,234)
        labels=None,                           # optional: the text after each bar, e.g. ["4 / 5 (80%)", ...]
    )
    bar_chart(data)                      # horizontal bars (first series only)
    grouped_bar_chart(data)              # one bar per series within each category
    grouped_bar_chart(data, stacked=True)  # segments of one bar, "a + b = total" written
    funnel_chart(data)                   # centred bars, "n (p%)" of the first step
    column_chart(data)                   # vertical columns by year (grouped per series)
    column_chart(data, line=True)        # a line per series, markers and values
    table_context(data, totals=True)     # {"caption", "columns", "rows": [{"label", "cells"}], "total"}
    csv_rows(data)                       # [[heading, *series], [category, *raw values], ...]

Each drawing function accepts ``width`` (the viewBox width, 600 by default; draw
a second, narrower chart such as 340 for phones so its text stays readable: value
texts that do not fit beside the bars then go below them), ``id_prefix``
(defaults to a hash of the data) so two charts on one page never share an
element id, and ``empty_text``: when there
is no category or every value is zero the function returns
``<p class="chart-empty">…</p>`` instead of an SVG.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

Number = int | float | Decimal

WIDTH = 600
FONT = "NanumGothic, 'Nanum Gothic', sans-serif"
FONT_SIZE = 13
SMALL = 11
PAD = 8
TEXT = "#1f2937"
MUTED = "#4b5563"
AXIS = "#9ca3af"
# Dark enough for white pattern marks to show and for the bars to stand out on white.
PALETTE = ("#1d4ed8", "#b45309", "#047857", "#7c3aed", "#be123c", "#374151")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")
MAX_LABEL_WIDTH = 200


@dataclass(frozen=True)
class ChartData:
    """The figures of one chart: values[row][series] for each category and series."""

    title: str
    categories: Sequence[str]
    values: Sequence[Sequence[Number | None]]
    series: Sequence[str] = field(default_factory=lambda: ("",))
    description: str = ""
    category_heading: str = ""
    value_format: Callable[[Number], str] | None = None
    # Optional text written after each category's bar instead of its value(s), e.g. "4 / 5 (80%)".
    labels: Sequence[str] | None = None

    def format(self, value: Number | None) -> str:
        if value is None:
            return "—"
        if self.value_format is not None:
            return self.value_format(value)
        return format_number(value)

    def cell(self, row: int, column: int) -> Number:
        try:
            value = self.values[row][column]
        except IndexError:
            return 0
        return value or 0

    @property
    def is_empty(self) -> bool:
        return not self.categories or all(not self.cell(r, c) for r in range(len(self.categories)) for c in range(len(self.series)))


def format_number(value: Number) -> str:
    """1,234 for whole numbers, 1,234.5 (at most two decimals) otherwise."""
    if isinstance(value, int) or (isinstance(value, Decimal | float) and value == int(value)):
        return f"{int(value):,}"
    return f"{float(value):,.2f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------- table and CSV


def table_context(data: ChartData, *, totals: bool = False) -> dict:
    """The chart as a table: caption, column headings, formatted rows, optional total row."""
    columns = [data.category_heading or _("Category"), *[s or _("Value") for s in data.series]]
    rows = [
        {
            "label": label,
            "cells": [data.format(data.values[r][c] if c < len(data.values[r]) else None) for c in range(len(data.series))],
        }
        for r, label in enumerate(data.categories)
    ]
    total = None
    if totals:
        total = {
            "label": _("Total"),
            "cells": [data.format(sum(data.cell(r, c) for r in range(len(data.categories)))) for c in range(len(data.series))],
        }
    return {"caption": data.title, "description": data.description, "columns": columns, "rows": rows, "total": total}


def csv_rows(data: ChartData) -> list[list]:
    """Header then one row per category with the raw (unformatted) numbers."""
    header = [data.category_heading or _("Category"), *[s or _("Value") for s in data.series]]
    body = [
        [label, *[data.values[r][c] if c < len(data.values[r]) else "" for c in range(len(data.series))]]
        for r, label in enumerate(data.categories)
    ]
    return [header, *body]


# ---------------------------------------------------------------- drawing helpers


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Estimated width: Hangul and other wide glyphs ~1 em, Latin and digits ~0.6 em."""
    width = 0.0
    for char in text:
        if ord(char) >= 0x1100:
            width += 1.0
        elif char in " .,:;|!il'":
            width += 0.32
        else:
            width += 0.6
    return width * size


def truncate(text: str, max_width: float, size: float = FONT_SIZE) -> str:
    if text_width(text, size) <= max_width:
        return text
    out = ""
    for char in text:
        if text_width(out + char + "…", size) > max_width:
            break
        out += char
    return out + "…"


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _prefix(data: ChartData, kind: str) -> str:
    digest = hashlib.sha1(repr((kind, data.title, list(data.categories), [list(v) for v in data.values])).encode(), usedforsecurity=False)
    return "chart-" + digest.hexdigest()[:8]


def _text(x: float, y: float, content: str, *, anchor: str = "start", size: int = FONT_SIZE, fill: str = TEXT, weight: str = "") -> str:
    bold = ' font-weight="bold"' if weight else ""
    return f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"{bold}>{escape(content)}</text>'


def _label(x: float, y: float, label: str, max_width: float) -> str:
    """A category label, right-aligned, shortened with its full text as a tooltip."""
    shown = truncate(label, max_width)
    tip = f"<title>{escape(label)}</title>" if shown != label else ""
    return f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="end" font-size="{FONT_SIZE}" fill="{TEXT}">{tip}{escape(shown)}</text>'


def _patterns(prefix: str, count: int) -> str:
    """One <pattern> per series: a colour plus white marks, so print and colour-blind readers tell them apart."""
    marks = (
        "",  # solid
        '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="#fff" stroke-width="1.6"/>',  # diagonal
        '<circle cx="4" cy="4" r="1.6" fill="#fff"/>',  # dots
        '<path d="M0,4 h8 M4,0 v8" stroke="#fff" stroke-width="1.4"/>',  # cross-hatch
        '<path d="M0,2 h8 M0,6 h8" stroke="#fff" stroke-width="1.2"/>',  # horizontal lines
        '<path d="M2,0 v8 M6,0 v8" stroke="#fff" stroke-width="1.2"/>',  # vertical lines
    )
    out = []
    for i in range(1, count):
        colour = PALETTE[i % len(PALETTE)]
        out.append(
            f'<pattern id="{prefix}-p{i}" patternUnits="userSpaceOnUse" width="8" height="8">'
            f'<rect width="8" height="8" fill="{colour}"/>{marks[i % len(marks)]}</pattern>'
        )
    return "<defs>" + "".join(out) + "</defs>"


def _fill(prefix: str, index: int) -> str:
    # The first series is a plain colour (a solid tile shows seams in some renderers); the others are patterns.
    return f"url(#{prefix}-p{index})" if index else PALETTE[0]


def _legend(prefix: str, series: Sequence[str], y: float, width: int, *, lines: bool = False) -> tuple[str, float]:
    """Legend items laid out left to right, wrapping; returns (svg, height used)."""
    parts, x, row = [], float(PAD), 0
    for i, name in enumerate(series):
        item_w = 14 + 6 + text_width(name) + 18
        if x + item_w > width - PAD and x > PAD:
            x, row = float(PAD), row + 1
        top = y + row * 22
        if lines:
            dash = f' stroke-dasharray="{DASHES[i % len(DASHES)]}"' if DASHES[i % len(DASHES)] else ""
            parts.append(
                f'<line x1="{_n(x)}" y1="{_n(top + 7)}" x2="{_n(x + 14)}" y2="{_n(top + 7)}" '
                f'stroke="{PALETTE[i % len(PALETTE)]}" stroke-width="2.5"{dash}/>'
            )
        else:
            parts.append(
                f'<rect x="{_n(x)}" y="{_n(top)}" width="14" height="14" fill="{_fill(prefix, i)}" stroke="{TEXT}" stroke-width="0.5"/>'
            )
        parts.append(_text(x + 20, top + 11.5, name))
        x += item_w
    return "".join(parts), (row + 1) * 22 + 4


def _figures_text(data: ChartData, series: Sequence[int] | None = None) -> str:
    """Every figure in words, for <desc>: "label: value" or "label: series value, series value"."""
    columns = list(range(len(data.series)) if series is None else series)
    items = []
    for r, label in enumerate(data.categories):
        if data.labels:
            items.append(f"{label}: {data.labels[r]}")
        elif len(columns) == 1:
            items.append(f"{label}: {data.format(data.cell(r, columns[0]))}")
        else:
            figures = ", ".join(f"{data.series[c]} {data.format(data.cell(r, c))}" for c in columns)
            items.append(f"{label}: {figures}")
    return "; ".join(items)


def _svg(data: ChartData, prefix: str, width: int, height: float, body: str, *, figures: str) -> SafeString:
    description = " ".join(part for part in (data.description, figures) if part)
    height = int(height + 0.5)
    return mark_safe(  # noqa: S308 - every text above went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'preserveAspectRatio="xMinYMin meet" aria-labelledby="{prefix}-title {prefix}-desc" '
        f'font-family="{FONT}" font-size="{FONT_SIZE}">'
        f'<title id="{prefix}-title">{escape(data.title)}</title>'
        f'<desc id="{prefix}-desc">{escape(description)}</desc>'
        f"{body}</svg>"
    )


def _empty(empty_text: str | None) -> SafeString:
    return mark_safe(  # noqa: S308 - escaped
        f'<p class="chart-empty">{escape(empty_text or _("No figures to show yet."))}</p>'
    )


def _as_float(value: Number | None) -> float:
    return max(float(value or 0), 0.0)


def _label_width(labels: Sequence[str], width: int) -> float:
    return min(max((text_width(label) for label in labels), default=0), MAX_LABEL_WIDTH, width * 0.3)


def _layout(data: ChartData, shown: Sequence[str], width: int, size: int = FONT_SIZE) -> tuple[float, float, float, bool]:
    """(label column, plot x, plot width, values below the bars?) for a horizontal chart.

    Values go beside the bars; when that would leave the bars less than a third
    of the width (a narrow chart, long value texts), they go on a line below.
    """
    label_w = _label_width(data.categories, width)
    x0 = PAD + label_w + 8
    value_w = max((text_width(s, size) for s in shown), default=0) + 10
    plot_w = width - x0 - value_w - PAD
    if plot_w < width / 3:
        return label_w, x0, width - x0 - PAD, True
    return label_w, x0, plot_w, False


# ---------------------------------------------------------------- charts


def bar_chart(data: ChartData, *, width: int = WIDTH, id_prefix: str | None = None, empty_text: str | None = None) -> SafeString:
    """Horizontal bars of the first series, the value written after each bar."""
    if data.is_empty:
        return _empty(empty_text)
    prefix = id_prefix or _prefix(data, "bar")
    values = [data.cell(r, 0) for r in range(len(data.categories))]
    shown = list(data.labels) if data.labels else [data.format(v) for v in values]
    label_w, x0, plot_w, below = _layout(data, shown, width)
    top, row_h, bar_h = PAD, 30 + (14 if below else 0), 18
    peak = max(_as_float(v) for v in values) or 1.0
    parts = []
    for r, label in enumerate(data.categories):
        y = top + r * row_h
        bar = _as_float(values[r]) / peak * plot_w
        if values[r] and bar < 1:
            bar = 1
        bar_top = y + 6
        parts.append(_label(x0 - 8, bar_top + bar_h / 2 + 4.5, label, label_w))
        parts.append(f'<rect x="{_n(x0)}" y="{_n(bar_top)}" width="{_n(bar)}" height="{bar_h}" fill="{PALETTE[0]}"/>')
        if below:
            parts.append(_text(x0, bar_top + bar_h + 13, shown[r], weight="bold"))
        else:
            parts.append(_text(x0 + bar + 6, bar_top + bar_h / 2 + 4.5, shown[r], weight="bold"))
    height = top + len(data.categories) * row_h + PAD
    parts.append(f'<line x1="{_n(x0)}" y1="{top}" x2="{_n(x0)}" y2="{_n(height - PAD)}" stroke="{AXIS}"/>')
    return _svg(data, prefix, width, height, "".join(parts), figures=_figures_text(data, [0]))


def grouped_bar_chart(
    data: ChartData, *, stacked: bool = False, width: int = WIDTH, id_prefix: str | None = None, empty_text: str | None = None
) -> SafeString:
    """Horizontal bars per category, one per series (or stacked segments), each series with its own pattern."""
    if data.is_empty:
        return _empty(empty_text)
    prefix = id_prefix or _prefix(data, "stacked" if stacked else "grouped")
    n_series = len(data.series)
    rows = range(len(data.categories))
    legend, legend_h = _legend(prefix, data.series, PAD, width)
    top = PAD + legend_h
    if stacked:
        shown = (
            list(data.labels)
            if data.labels
            else [
                " + ".join(data.format(data.cell(r, c)) for c in range(n_series))
                + (f" = {data.format(sum(data.cell(r, c) for c in range(n_series)))}" if n_series > 1 else "")
                for r in rows
            ]
        )
        peak = max(sum(_as_float(data.cell(r, c)) for c in range(n_series)) for r in rows) or 1.0
        label_w, x0, plot_w, below = _layout(data, shown, width)
    else:
        shown_cells = [[data.format(data.cell(r, c)) for c in range(n_series)] for r in rows]
        peak = max(_as_float(data.cell(r, c)) for r in rows for c in range(n_series)) or 1.0
        label_w, x0, plot_w, below = _layout(data, [cell for row in shown_cells for cell in row], width, SMALL)
    parts = [_patterns(prefix, n_series), legend]
    y = top
    for r in rows:
        label = data.categories[r]
        if stacked:
            bar_h = 20
            row_h = 32 + (14 if below else 0)
            bar_top = y + 6
            x = x0
            for c in range(n_series):
                bar = _as_float(data.cell(r, c)) / peak * plot_w
                if bar:
                    parts.append(
                        f'<rect x="{_n(x)}" y="{_n(bar_top)}" width="{_n(bar)}" height="{bar_h}" '
                        f'fill="{_fill(prefix, c)}" stroke="#fff" stroke-width="0.5"/>'
                    )
                x += bar
            if below:
                parts.append(_text(x0, bar_top + bar_h + 13, shown[r], weight="bold"))
            else:
                parts.append(_text(x + 6, bar_top + bar_h / 2 + 4.5, shown[r], weight="bold"))
            centre = bar_top + bar_h / 2
        else:
            bar_h, gap = 14, 2
            step = bar_h + gap + (12 if below else 0)
            row_h = n_series * step + 12
            centre = y + 6 + (n_series * step - gap) / 2
            for c in range(n_series):
                by = y + 6 + c * step
                bar = _as_float(data.cell(r, c)) / peak * plot_w
                if data.cell(r, c) and bar < 1:
                    bar = 1
                parts.append(f'<rect x="{_n(x0)}" y="{_n(by)}" width="{_n(bar)}" height="{bar_h}" fill="{_fill(prefix, c)}"/>')
                if below:
                    parts.append(_text(x0, by + bar_h + 11, shown_cells[r][c], size=SMALL))
                else:
                    parts.append(_text(x0 + bar + 5, by + bar_h - 3, shown_cells[r][c], size=SMALL))
        parts.append(_label(x0 - 8, centre + 4.5, label, label_w))
        y += row_h
        parts.append(f'<line x1="{_n(PAD)}" y1="{_n(y)}" x2="{width - PAD}" y2="{_n(y)}" stroke="#e5e7eb"/>')
    parts.append(f'<line x1="{_n(x0)}" y1="{_n(top)}" x2="{_n(x0)}" y2="{_n(y)}" stroke="{AXIS}"/>')
    return _svg(data, prefix, width, y + PAD, "".join(parts), figures=_figures_text(data))


def funnel_chart(data: ChartData, *, width: int = WIDTH, id_prefix: str | None = None, empty_text: str | None = None) -> SafeString:
    """Centred bars narrowing step by step; each step shows its count and its share of the first step."""
    if data.is_empty:
        return _empty(empty_text)
    prefix = id_prefix or _prefix(data, "funnel")
    values = [data.cell(r, 0) for r in range(len(data.categories))]
    first = _as_float(values[0])
    shown = (
        list(data.labels)
        if data.labels
        else [data.format(v) + (f" ({round(_as_float(v) / first * 100)}%)" if first and r else "") for r, v in enumerate(values)]
    )
    label_w, x0, plot_w, below = _layout(data, shown, width)
    top, row_h, bar_h = PAD, 32 + (14 if below else 0), 22
    peak = max(_as_float(v) for v in values) or 1.0
    parts = []
    for r, label in enumerate(data.categories):
        bar_top = top + r * row_h + 5
        centre = bar_top + bar_h / 2
        bar = max(_as_float(values[r]) / peak * plot_w, 2 if values[r] else 0)
        x = x0 + (plot_w - bar) / 2
        shade = PALETTE[0] if r % 2 == 0 else "#1e3a8a"
        parts.append(_label(x0 - 8, centre + 4.5, label, label_w))
        parts.append(f'<rect x="{_n(x)}" y="{_n(bar_top)}" width="{_n(bar)}" height="{bar_h}" rx="2" fill="{shade}"/>')
        if below:
            parts.append(_text(x0 + plot_w / 2, bar_top + bar_h + 13, shown[r], anchor="middle", weight="bold"))
        else:
            parts.append(_text(x0 + plot_w + 8, centre + 4.5, shown[r], weight="bold"))
    height = top + len(data.categories) * row_h + PAD
    figures = "; ".join(f"{label}: {shown[r]}" for r, label in enumerate(data.categories))
    return _svg(data, prefix, width, height, "".join(parts), figures=figures)


def column_chart(
    data: ChartData, *, line: bool = False, width: int = WIDTH, id_prefix: str | None = None, empty_text: str | None = None
) -> SafeString:
    """Vertical columns per category (e.g. per year), grouped by series, or a line per series."""
    if data.is_empty:
        return _empty(empty_text)
    prefix = id_prefix or _prefix(data, "line" if line else "column")
    n_series, n_cats = len(data.series), len(data.categories)
    multi = n_series > 1
    parts = []
    top = PAD
    if multi:
        legend, legend_h = _legend(prefix, data.series, PAD, width, lines=line)
        if not line:
            parts.append(_patterns(prefix, n_series))
        parts.append(legend)
        top += legend_h
    plot_top, plot_h = top + 20, 180
    base = plot_top + plot_h
    x0, plot_w = PAD, width - 2 * PAD
    group_w = plot_w / n_cats
    peak = max(_as_float(data.cell(r, c)) for r in range(n_cats) for c in range(n_series)) or 1.0
    size = SMALL if multi or n_cats > 6 else FONT_SIZE
    points: list[list[tuple[float, float, str]]] = [[] for _ in range(n_series)]
    for r, label in enumerate(data.categories):
        gx = x0 + r * group_w
        parts.append(_text(gx + group_w / 2, base + 18, truncate(label, group_w - 4), anchor="middle"))
        col_w = min(group_w * 0.8 / n_series, 56)
        start = gx + (group_w - col_w * n_series) / 2
        for c in range(n_series):
            value = data.cell(r, c)
            h = _as_float(value) / peak * plot_h
            cx = start + c * col_w + col_w / 2
            if line:
                points[c].append((gx + group_w / 2, base - h, data.format(value)))
                continue
            fill = _fill(prefix, c) if multi else PALETTE[0]
            parts.append(
                f'<rect x="{_n(start + c * col_w + 1)}" y="{_n(base - h)}" width="{_n(col_w - 2)}" height="{_n(h)}" fill="{fill}"/>'
            )
            # Alternate heights when neighbouring labels would overlap.
            lift = 12 if multi and c % 2 and text_width(data.format(value), size) > col_w else 0
            parts.append(_text(cx, base - h - 5 - lift, data.format(value), anchor="middle", size=size, weight="bold"))
    for c, series_points in enumerate(points if line else []):
        colour = PALETTE[c % len(PALETTE)]
        dash = f' stroke-dasharray="{DASHES[c % len(DASHES)]}"' if DASHES[c % len(DASHES)] else ""
        path = " ".join(f"{_n(x)},{_n(y)}" for x, y, _label_text in series_points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>')
        for x, y, text in series_points:
            parts.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4" fill="#fff" stroke="{colour}" stroke-width="2"/>')
            offset = -9 - c * 13 if multi else -9
            parts.append(_text(x, y + offset, text, anchor="middle", size=size, weight="bold"))
    parts.append(f'<line x1="{_n(x0)}" y1="{_n(base)}" x2="{_n(x0 + plot_w)}" y2="{_n(base)}" stroke="{AXIS}"/>')
    return _svg(data, prefix, width, base + 26, "".join(parts), figures=_figures_text(data))
