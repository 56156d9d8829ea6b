"""Server-side SVG charts: this module only computes geometry from figures; the template
`_charts.html` draws it with autoescaped labels (department names are stored text).

Charts are 420 units wide and scale down with the page (CSS max-width: 100%), so text stays
legible at 375 px.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.statistics import Statistics

WIDTH = 420
PALETTE = ("#0b4f8a", "#c75a00", "#2f7d32", "#7b3fa0", "#a3281b", "#00727a")  # ≥ 4.5:1 on white


@dataclass
class Bar:
    x: float
    y: float
    w: float
    h: float
    color: str
    value_label: str
    label: str = ""  # axis label under/next to the bar
    label_x: float = 0
    label_y: float = 0
    value_x: float = 0
    value_y: float = 0


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    texts: list[tuple[float, float, str, str]] = field(default_factory=list)  # x, y, text, anchor
    lines: list[tuple[float, float, float, float, str]] = field(default_factory=list)  # x1 y1 x2 y2 style
    legend: list[tuple[str, str]] = field(default_factory=list)  # color, label


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def departments_by_year(stats: Statistics) -> Chart:
    """Horizontal grouped bars: one group per department, one bar per year."""
    years = stats.year_list[-len(PALETTE) :]
    colors = {y: PALETTE[i % len(PALETTE)] for i, y in enumerate(years)}
    top = max((n for d in stats.departments for y, n in d.by_year.items() if y in colors), default=0)
    bar_h, gap, label_h, group_gap = 12, 2, 20, 10
    span = WIDTH - 70  # room for the value label after the longest bar
    chart = Chart(WIDTH, 0, legend=[(colors[y], str(y)) for y in years])
    y = 4.0
    for d in stats.departments:
        chart.texts.append((0, y + 13, d.name, "start"))
        y += label_h
        for yr in years:
            n = d.by_year.get(yr, 0)
            w = (n / top * span) if top else 0
            chart.bars.append(
                Bar(
                    0,
                    y,
                    max(w, 1 if n else 0),
                    bar_h,
                    colors[yr],
                    f"{n:,}",
                    label=str(yr),
                    value_x=max(w, 1) + 4,
                    value_y=y + bar_h - 1,
                )
            )
            y += bar_h + gap
        y += group_gap
    chart.height = int(y) + 4
    return chart


def yearly_rates(stats: Statistics, attr: str, target: float | None = None) -> Chart:
    """Vertical bars per year for a rate (0..1), with an optional dashed target line."""
    values = [(f.year, getattr(f, attr)) for f in stats.years][-8:]
    top = max([v for _, v in values if v is not None] + [target or 0, 0.0001])
    top = min(1.0, (int(top * 10) + 1) / 10)  # round the axis up to the next 10%
    height, base, axis_x = 220, 190, 46
    plot_h = base - 20
    n = max(len(values), 1)
    slot = (WIDTH - axis_x) / n
    bw = min(48.0, slot * 0.6)
    chart = Chart(WIDTH, height)
    for tick in (0.0, top / 2, top):
        ty = base - tick / top * plot_h
        chart.lines.append((axis_x, ty, WIDTH, ty, "grid"))
        chart.texts.append((axis_x - 4, ty + 4, f"{tick * 100:.0f}%", "end"))
    for i, (year, v) in enumerate(values):
        h = (v or 0) / top * plot_h
        x = axis_x + i * slot + (slot - bw) / 2
        chart.bars.append(
            Bar(
                x,
                base - h,
                bw,
                h,
                PALETTE[0],
                _pct(v),
                label=str(year),
                label_x=x + bw / 2,
                label_y=base + 18,
                value_x=x + bw / 2,
                value_y=base - h - 5,
            )
        )
    if target is not None:
        ty = base - target / top * plot_h
        chart.lines.append((axis_x, ty, WIDTH, ty, "target"))
        chart.texts.append((WIDTH, ty - 5, f"{target * 100:.0f}%", "end"))
    return chart
