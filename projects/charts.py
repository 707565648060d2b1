"""The project timeline: every year of a funded project's life in one
server-drawn SVG (no script, no external asset), readable without colour.

Years 1..N of the call's maximum on the axis (with the calendar year under each),
each stage as a band with its label and its own hatch pattern, a diamond per
stage evaluation (its outcome written beside it), a mark for terminated
projects' wind-down, and each year's planned national + local money as a
stacked column with its value written above. `role="img"` with `<title>` and
`<desc>` (the desc lists every figure); the page also shows the same facts as a
table.
"""

from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.charts import FONT, MUTED, PALETTE, TEXT

WIDTH = 760
LEFT = 92
RIGHT = 12
# Stage patterns: solid-ish diagonal, cross-hatch, dots, horizontal lines — distinct in greyscale.
STAGE_FILLS = ("#dbeafe", "#fef3c7", "#dcfce7", "#ede9fe")
STAGE_STROKES = ("#1d4ed8", "#b45309", "#047857", "#7c3aed")


@dataclass
class TimelineStage:
    number: int
    start_year: int
    years: int
    label: str
    state_label: str = ""


@dataclass
class TimelineEvaluation:
    year: int
    label: str


@dataclass
class TimelineData:
    title: str
    first_year: int
    max_years: int
    stages: list = field(default_factory=list)
    evaluations: list = field(default_factory=list)
    money: dict = field(default_factory=dict)  # year → (national, local)
    wind_down_year: int | None = None


def _eok(value: int) -> str:
    from core.templatetags.portal import eok

    return eok(value)


def _text(x, y, content, *, anchor="middle", size=12, weight="", fill=TEXT) -> str:
    w = f' font-weight="{weight}"' if weight else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"{w}>'
            f"{escape(content)}</text>")


def _patterns(prefix: str) -> str:
    out = []
    shapes = (
        '<path d="M0 8 L8 0" stroke="{s}" stroke-width="1.5"/>',
        '<path d="M0 0 L8 8 M0 8 L8 0" stroke="{s}" stroke-width="1"/>',
        '<circle cx="4" cy="4" r="1.5" fill="{s}"/>',
        '<path d="M0 4 L8 4" stroke="{s}" stroke-width="1.5"/>',
    )
    for i, shape in enumerate(shapes):
        out.append(f'<pattern id="{prefix}-stage{i}" width="8" height="8" patternUnits="userSpaceOnUse">'
                   f'<rect width="8" height="8" fill="{STAGE_FILLS[i]}"/>{shape.format(s=STAGE_STROKES[i])}</pattern>')
    out.append(f'<pattern id="{prefix}-local" width="6" height="6" patternUnits="userSpaceOnUse">'
               f'<rect width="6" height="6" fill="{PALETTE[1]}"/><path d="M0 6 L6 0" stroke="#fff" stroke-width="1.5"/>'
               "</pattern>")
    return "<defs>" + "".join(out) + "</defs>"


def timeline_svg(data: TimelineData, *, prefix: str = "tl") -> SafeString:
    n = max(data.max_years, max((s.start_year + s.years - data.first_year for s in data.stages), default=0))
    col = (WIDTH - LEFT - RIGHT) / n
    x_of = lambda year: LEFT + (year - data.first_year) * col  # noqa: E731  (a local scale)
    parts = [_patterns(prefix)]
    desc = []

    # Axis: project year n and the calendar year.
    axis_y = 34
    parts.append(_text(8, axis_y - 12, _("Year"), anchor="start", size=11, fill=MUTED))
    for i in range(n):
        x = LEFT + i * col
        parts.append(f'<line x1="{x:.1f}" y1="{axis_y - 24}" x2="{x:.1f}" y2="330" stroke="#e5e7eb"/>')
        parts.append(_text(x + col / 2, axis_y - 12, _("Y%(n)s") % {"n": i + 1}, size=11, weight="bold"))
        parts.append(_text(x + col / 2, axis_y + 2, str(data.first_year + i), size=11, fill=MUTED))

    # Stages as bands.
    band_y, band_h = 48, 34
    parts.append(_text(8, band_y + 21, _("Stages"), anchor="start", size=11, fill=MUTED))
    for i, s in enumerate(data.stages):
        x, w = x_of(s.start_year), s.years * col
        k = i % len(STAGE_FILLS)
        parts.append(f'<rect x="{x + 1:.1f}" y="{band_y}" width="{w - 2:.1f}" height="{band_h}" rx="4" '
                     f'fill="url(#{prefix}-stage{k})" stroke="{STAGE_STROKES[k]}" stroke-width="1.5"/>')
        label = s.label if len(s.label) * 7 < w else s.label[: max(3, int(w / 8))] + "…"
        parts.append(f'<rect x="{x + w / 2 - min(w - 8, len(label) * 7 + 10) / 2:.1f}" y="{band_y + 8}" '
                     f'width="{min(w - 8, len(label) * 7 + 10):.1f}" height="18" rx="3" fill="#fff" opacity="0.9"/>')
        parts.append(_text(x + w / 2, band_y + 21, label, size=12, weight="bold"))
        desc.append(_("%(label)s: %(first)s–%(last)s (%(state)s)") % {
            "label": s.label, "first": s.start_year, "last": s.start_year + s.years - 1, "state": s.state_label})

    # Stage evaluations: a diamond at the evaluation year with the outcome.
    ev_y = 104
    parts.append(_text(8, ev_y + 4, _("Evaluations"), anchor="start", size=11, fill=MUTED))
    for e in data.evaluations:
        cx = x_of(e.year) + col / 2
        parts.append(f'<path d="M{cx:.1f} {ev_y - 8} L{cx + 8:.1f} {ev_y} L{cx:.1f} {ev_y + 8} L{cx - 8:.1f} {ev_y} Z" '
                     f'fill="{TEXT}"/>')
        parts.append(_text(cx, ev_y + 22, e.label, size=11))
        desc.append(_("Stage evaluation %(year)s: %(label)s") % {"year": e.year, "label": e.label})
    if data.wind_down_year:
        x = x_of(data.wind_down_year) + col
        parts.append(f'<line x1="{x:.1f}" y1="{band_y - 4}" x2="{x:.1f}" y2="330" stroke="{PALETTE[4]}" '
                     f'stroke-width="2" stroke-dasharray="6 3"/>')
        parts.append(_text(x - 4, band_y - 6, _("wind-down"), anchor="end", size=11, fill=PALETTE[4]))
        desc.append(_("Wind-down in %(year)s") % {"year": data.wind_down_year})

    # Money per year: national (solid) + local (hatched) stacked, total written above.
    base, plot_h = 318, 160
    parts.append(_text(8, base - plot_h / 2, _("Funding"), anchor="start", size=11, fill=MUTED))
    peak = max((nat + loc for nat, loc in data.money.values()), default=0) or 1
    bar_w = min(36, col * 0.55)
    for year, (nat, loc) in sorted(data.money.items()):
        if year < data.first_year or year >= data.first_year + n:
            continue
        cx = x_of(year) + col / 2
        h_nat = plot_h * nat / peak
        h_loc = plot_h * loc / peak
        parts.append(f'<rect x="{cx - bar_w / 2:.1f}" y="{base - h_nat:.1f}" width="{bar_w:.1f}" '
                     f'height="{h_nat:.1f}" fill="{PALETTE[0]}"/>')
        parts.append(f'<rect x="{cx - bar_w / 2:.1f}" y="{base - h_nat - h_loc:.1f}" width="{bar_w:.1f}" '
                     f'height="{h_loc:.1f}" fill="url(#{prefix}-local)" stroke="{PALETTE[1]}"/>')
        if nat or loc:
            parts.append(_text(cx, base - h_nat - h_loc - 4, _eok(nat + loc), size=10))
        desc.append(_("%(year)s: national %(national)s, local %(local)s") % {
            "year": year, "national": _eok(nat), "local": _eok(loc)})
    parts.append(f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#9ca3af"/>')

    # Legend.
    ly = 346
    parts.append(f'<rect x="{LEFT}" y="{ly - 10}" width="14" height="12" fill="{PALETTE[0]}"/>')
    parts.append(_text(LEFT + 20, ly, _("National funding"), anchor="start", size=11))
    parts.append(f'<rect x="{LEFT + 150}" y="{ly - 10}" width="14" height="12" fill="url(#{prefix}-local)" '
                 f'stroke="{PALETTE[1]}"/>')
    parts.append(_text(LEFT + 170, ly, _("Local funds"), anchor="start", size=11))
    parts.append(f'<path d="M{LEFT + 300} {ly - 4} l6 -6 l6 6 l-6 6 Z" fill="{TEXT}"/>')
    parts.append(_text(LEFT + 318, ly, _("Stage evaluation"), anchor="start", size=11))

    title = escape(data.title)
    description = escape(" · ".join(desc))
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} 356" role="img" '
           f'aria-labelledby="{prefix}-title {prefix}-desc" font-family="{FONT}">'
           f'<title id="{prefix}-title">{title}</title><desc id="{prefix}-desc">{description}</desc>'
           + "".join(parts) + "</svg>")
    return mark_safe(svg)  # noqa: S308  (every text above is escaped)
