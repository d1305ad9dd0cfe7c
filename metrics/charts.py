"""Server-side SVG charts for the weekly review. Pure: numbers in, SVG text out (no queries, no I/O).

Drawn on the server so the dashboard needs no chart library and no JavaScript, prints exactly as it
shows, and reads the same in every browser. Every chart on the page also has its numbers in a table
beside it; here each SVG carries a <title> and <desc> for screen readers. Colours come from CSS
classes (`static/css/app.css`, `.chart-*`), so print and dark styles can change them in one place.

All text is escaped here; the caller may mark the result safe.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 44, 14, 30
Formatter = Callable[[float], str]

# Tick steps for durations (seconds): a minute up to a week, each a round number of minutes or hours.
DURATION_STEPS = (60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    css: str  # a class: chart-sev1, chart-p50, ...


def count_label(value: float) -> str:
    return f"{value:,.0f}"


def duration_label(seconds: float) -> str:
    """Compact durations for axes: 45s, 12m, 1h 30m, 2d 4h."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        hours, minutes = divmod(seconds // 60, 60)
        return f"{hours}h" if not minutes else f"{hours}h {minutes}m"
    days, hours = divmod(seconds // 3600, 24)
    return f"{days}d" if not hours else f"{days}d {hours}h"


def nice_step(maximum: float, *, durations: bool = False, ticks: int = 4) -> float:
    """The smallest round step so that `ticks` steps cover `maximum` (1-2-5 series for counts)."""
    if maximum <= 0:
        return 60.0 if durations else 1.0
    raw = maximum / ticks
    if durations:
        return float(next((step for step in DURATION_STEPS if step >= raw), math.ceil(raw / 604800) * 604800))
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return float(max(step, 1))


class _Frame:
    """Plot area and y scale shared by the chart kinds."""

    def __init__(self, maximum: float, *, durations: bool, slots: int):
        self.step = nice_step(maximum, durations=durations)
        self.top_value = self.step * max(math.ceil(maximum / self.step), 1)
        self.label = duration_label if durations else count_label
        self.slots = max(slots, 1)
        self.plot_w = WIDTH - LEFT - RIGHT
        self.plot_h = HEIGHT - TOP - BOTTOM

    def y(self, value: float) -> float:
        return TOP + self.plot_h * (1 - min(value, self.top_value) / self.top_value)

    def slot_x(self, index: int) -> float:
        """Centre of the index-th slot along x."""
        return LEFT + self.plot_w * (index + 0.5) / self.slots

    @property
    def slot_w(self) -> float:
        return self.plot_w / self.slots

    def grid(self, labels: Sequence[str]) -> list[str]:
        parts = []
        ticks = round(self.top_value / self.step)
        for tick in range(ticks + 1):
            value = tick * self.step
            y = self.y(value)
            parts.append(
                f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            )
            parts.append(
                f'<text class="chart-axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                f"{escape(self.label(value))}</text>"
            )
        every = max(1, math.ceil(len(labels) / 12))
        for index, label in enumerate(labels):
            if index % every == 0:
                parts.append(
                    f'<text class="chart-axis" x="{self.slot_x(index):.1f}" y="{HEIGHT - 10}" '
                    f'text-anchor="middle">{escape(label)}</text>'
                )
        return parts


def _svg(title: str, description: str, parts: list[str], *, height: int = HEIGHT, test_id: str = "") -> str:
    test = f' data-testid="{escape(test_id)}"' if test_id else ""
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" preserveAspectRatio="xMidYMid meet"'
        f'{test} xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f"<desc>{escape(description)}</desc>{''.join(parts)}</svg>"
    )


def _legend(series: Sequence[Series]) -> str:
    items = "".join(
        f'<li><span class="chart-key {escape(s.css)}" aria-hidden="true"></span>{escape(s.name)}</li>'
        for s in series
    )
    return f'<ul class="chart-legend">{items}</ul>'


def _present(values: Sequence[float | None]) -> list[float]:
    return [v for v in values if v is not None]


def band(
    *, title: str, labels: Sequence[str], p50: Series, p90: Series, test_id: str = ""
) -> tuple[str, str]:
    """A p50 line with the p50-p90 band shaded, over weeks. Weeks without data leave gaps.
    Returns (svg, legend html)."""
    frame = _Frame(max(_present(p90.values) + _present(p50.values) + [0]), durations=True, slots=len(labels))
    parts = frame.grid(labels)
    for run in _runs(p50.values, p90.values):
        upper = " ".join(f"{frame.slot_x(i):.1f},{frame.y(hi):.1f}" for i, _, hi in run)
        lower = " ".join(f"{frame.slot_x(i):.1f},{frame.y(lo):.1f}" for i, lo, _ in reversed(run))
        parts.append(f'<polygon class="{escape(p90.css)}" points="{upper} {lower}"/>')
        line = " ".join(f"{frame.slot_x(i):.1f},{frame.y(lo):.1f}" for i, lo, _ in run)
        parts.append(f'<polyline class="{escape(p50.css)}" fill="none" points="{line}"/>')
    for index, value in enumerate(p50.values):
        if value is not None:
            x, y = frame.slot_x(index), frame.y(value)
            parts.append(f'<circle class="{escape(p50.css)}" cx="{x:.1f}" cy="{y:.1f}" r="3"/>')
    shown = len(_present(p50.values))
    description = f"{p50.name} and {p90.name} over {len(labels)} weeks; {shown} weeks have data."
    return _svg(title, description, parts, test_id=test_id), _legend([p50, p90])


def _runs(
    lows: Sequence[float | None], highs: Sequence[float | None]
) -> list[list[tuple[int, float, float]]]:
    """Consecutive weeks where both values exist (a band cannot bridge a week without data)."""
    runs: list[list[tuple[int, float, float]]] = [[]]
    for index, (low, high) in enumerate(zip(lows, highs, strict=True)):
        if low is None or high is None:
            runs.append([])
        else:
            runs[-1].append((index, low, max(high, low)))
    return [run for run in runs if run]


def stacked_bars(
    *,
    title: str,
    labels: Sequence[str],
    stacks: Sequence[Series],
    beside: Series | None = None,
    durations: bool = False,
    test_id: str = "",
) -> tuple[str, str]:
    """Bars per week, stacked from `stacks`; `beside` (e.g. noise) draws as a thinner bar next to each."""
    totals = [sum(s.values[i] or 0 for s in stacks) for i in range(len(labels))]
    extra = list(beside.values) if beside else []
    frame = _Frame(max(totals + [v or 0 for v in extra] + [0]), durations=durations, slots=len(labels))
    parts = frame.grid(labels)
    width = frame.slot_w * (0.5 if beside else 0.7)
    for index in range(len(labels)):
        x = frame.slot_x(index) - width / 2 - (frame.slot_w * 0.1 if beside else 0)
        base = 0.0
        for series in stacks:
            value = series.values[index] or 0
            if value:
                y_top, y_bottom = frame.y(base + value), frame.y(base)
                parts.append(
                    f'<rect class="{escape(series.css)}" x="{x:.1f}" y="{y_top:.1f}" width="{width:.1f}" '
                    f'height="{y_bottom - y_top:.1f}"><title>{escape(labels[index])}: {escape(series.name)} '
                    f"{escape(frame.label(value))}</title></rect>"
                )
            base += value
        if beside and beside.values[index]:
            value = beside.values[index]
            side_w = frame.slot_w * 0.18
            y_top = frame.y(value)
            parts.append(
                f'<rect class="{escape(beside.css)}" x="{x + width + 2:.1f}" y="{y_top:.1f}" '
                f'width="{side_w:.1f}" '
                f'height="{frame.y(0) - y_top:.1f}"><title>{escape(labels[index])}: {escape(beside.name)} '
                f"{escape(frame.label(value))}</title></rect>"
            )
    legend = [*stacks, beside] if beside else list(stacks)
    description = f"{', '.join(s.name for s in legend)} per week over {len(labels)} weeks."
    return _svg(title, description, parts, test_id=test_id), _legend(legend)


def grouped_bars(
    *,
    title: str,
    labels: Sequence[str],
    groups: Sequence[Series],
    line: Series | None = None,
    test_id: str = "",
) -> tuple[str, str]:
    """Side-by-side bars per week (e.g. opened vs closed), with an optional line (e.g. overdue) on its
    own scale, labelled on the right: a backlog of thousands would flatten a weekly flow of tens."""
    values = [v or 0 for s in groups for v in s.values]
    frame = _Frame(max([*values, 0]), durations=False, slots=len(labels))
    parts = frame.grid(labels)
    width = frame.slot_w * 0.7 / max(len(groups), 1)
    for index in range(len(labels)):
        left = frame.slot_x(index) - width * len(groups) / 2
        for offset, series in enumerate(groups):
            value = series.values[index] or 0
            y_top = frame.y(value)
            parts.append(
                f'<rect class="{escape(series.css)}" x="{left + offset * width:.1f}" y="{y_top:.1f}" '
                f'width="{width - 1:.1f}" height="{frame.y(0) - y_top:.1f}"><title>{escape(labels[index])}: '
                f"{escape(series.name)} {escape(frame.label(value))}</title></rect>"
            )
    if line:
        right = _Frame(max([v or 0 for v in line.values] + [0]), durations=False, slots=len(labels))
        for tick in range(round(right.top_value / right.step) + 1):
            value = tick * right.step
            y = right.y(value) + 4
            parts.append(
                f'<text class="chart-axis {escape(line.css)}" x="{WIDTH - RIGHT + 4}" y="{y:.1f}" '
                f'text-anchor="start">{escape(right.label(value))}</text>'
            )
        points = " ".join(
            f"{right.slot_x(i):.1f},{right.y(v):.1f}" for i, v in enumerate(line.values) if v is not None
        )
        parts.append(f'<polyline class="{escape(line.css)}" fill="none" points="{points}"/>')
    legend = [*groups, Series(f"{line.name} (right scale)", line.values, line.css)] if line else list(groups)
    description = f"{', '.join(s.name for s in legend)} per week over {len(labels)} weeks."
    return _svg(title, description, parts, test_id=test_id), _legend(legend)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    marked: bool = False  # e.g. a critical service
    href: str = ""


def horizontal_bars(
    *, title: str, bars: Sequence[Bar], durations: bool = False, mark_name: str = "", test_id: str = ""
) -> str:
    """One bar per row, largest first as given; marked rows get a ◆ and the `chart-marked` class."""
    row_h = 26
    height = TOP + BOTTOM // 2 + row_h * max(len(bars), 1)
    maximum = max([b.value for b in bars] + [0])
    top_value = nice_step(maximum, durations=durations) * 4 if maximum else 1
    label_w, plot_w = 190, WIDTH - 190 - RIGHT - 70
    formatter = duration_label if durations else count_label
    parts = []
    for index, bar in enumerate(bars):
        y = TOP + index * row_h
        text = ("◆ " if bar.marked else "") + bar.label
        width = plot_w * min(bar.value / top_value, 1) if top_value else 0
        css = "chart-bar chart-marked" if bar.marked else "chart-bar"
        parts.append(
            f'<text class="chart-label" x="{label_w - 8}" y="{y + 17}" text-anchor="end">'
            f"{escape(_clip(text, 28))}</text>"
            f'<rect class="{css}" x="{label_w}" y="{y + 4}" width="{max(width, 1):.1f}" height="{row_h - 8}">'
            f"<title>{escape(bar.label)}: {escape(formatter(bar.value))}</title></rect>"
            f'<text class="chart-value" x="{label_w + width + 6:.1f}" y="{y + 17}">'
            f"{escape(formatter(bar.value))}</text>"
        )
    if not bars:
        parts.append(
            f'<text class="chart-label" x="{WIDTH / 2}" y="{TOP + 16}" text-anchor="middle">No data</text>'
        )
    marked = f" {mark_name} marked ◆." if mark_name and any(b.marked for b in bars) else ""
    return _svg(title, f"{len(bars)} rows.{marked}", parts, height=height, test_id=test_id)


def stacked_row_bars(
    *,
    title: str,
    rows: Sequence[tuple[str, Sequence[float | None]]],
    segments: Sequence[Series],
    test_id: str = "",
) -> tuple[str, str]:
    """Horizontal stacked bars, one per row (e.g. this week vs the 12-week median, split by phase).
    `rows` gives each row's label and one value per segment; `segments` name and colour them."""
    row_h = 40
    height = TOP + BOTTOM + row_h * max(len(rows), 1)
    maximum = max([sum(v or 0 for v in values) for _, values in rows] + [0])
    step = nice_step(maximum, durations=True)
    top_value = step * max(math.ceil(maximum / step), 1)
    label_w, plot_w = 130, WIDTH - 130 - RIGHT
    parts = []
    for tick in range(round(top_value / step) + 1):
        x = label_w + plot_w * tick * step / top_value
        parts.append(
            f'<line class="chart-grid" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{height - BOTTOM}"/>'
        )
        parts.append(
            f'<text class="chart-axis" x="{x:.1f}" y="{height - 10}" text-anchor="middle">'
            f"{escape(duration_label(tick * step))}</text>"
        )
    for index, (label, values) in enumerate(rows):
        y = TOP + index * row_h
        parts.append(
            f'<text class="chart-label" x="{label_w - 8}" y="{y + 24}" text-anchor="end">'
            f"{escape(label)}</text>"
        )
        left = 0.0
        for segment, value in zip(segments, values, strict=True):
            if not value:
                continue
            width = plot_w * value / top_value
            parts.append(
                f'<rect class="{escape(segment.css)}" x="{label_w + left:.1f}" y="{y + 8}" '
                f'width="{width:.1f}" '
                f'height="{row_h - 16}"><title>{escape(label)}: {escape(segment.name)} '
                f"{escape(duration_label(value))}</title></rect>"
            )
            left += width
    description = f"Time in each phase: {', '.join(label for label, _ in rows)}."
    return _svg(title, description, parts, height=height, test_id=test_id), _legend(segments)


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
