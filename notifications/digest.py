"""The weekly digest's figures: a pure module (no queries, no I/O).

MTTD and time to recover, p50 and p90, of last week against the 4 weeks before, from the stored
weekly aggregates (`metrics.models.WeeklyAggregate.durations`, seconds). Percentiles of separate weeks
cannot be merged exactly without the samples, so "the 4 weeks before" is the mean of those weeks'
percentiles weighted by their incident counts, and says so; with its sample size, and a warning when
a figure rests on fewer than METRICS_SMALL_SAMPLE incidents.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

FIGURES: tuple[tuple[str, str], ...] = (("time_to_detect", "MTTD"), ("time_to_recover", "Time to recover"))
PREVIOUS_WEEKS = 4


@dataclass(frozen=True)
class Figure:
    metric: str
    label: str
    p50: float | None
    p90: float | None
    count: int
    previous_p50: float | None
    previous_p90: float | None
    previous_count: int
    small_sample: bool

    @property
    def trend(self) -> str:
        """ "better", "worse" or "" (p50 against the previous weeks; shorter is better)."""
        if self.p50 is None or self.previous_p50 is None or self.p50 == self.previous_p50:
            return ""
        return "better" if self.p50 < self.previous_p50 else "worse"


def _stats(durations: Mapping[str, Any] | None, metric: str) -> dict[str, Any]:
    return dict((durations or {}).get(metric) or {})


def _weighted(values: list[tuple[float, int]]) -> float | None:
    total = sum(count for _, count in values)
    if not total:
        return None
    return sum(value * count for value, count in values) / total


def figures(
    *, week: date, durations_by_week: Mapping[date, Mapping[str, Any]], small_sample: int
) -> list[Figure]:
    """`durations_by_week`: each week's `durations` JSON (weeks without a row are simply absent)."""
    found = []
    previous_weeks = [week - timedelta(weeks=n) for n in range(1, PREVIOUS_WEEKS + 1)]
    for metric, label in FIGURES:
        last = _stats(durations_by_week.get(week), metric)
        count = int(last.get("count") or 0)
        p50s, p90s = [], []
        previous_count = 0
        for earlier in previous_weeks:
            stats = _stats(durations_by_week.get(earlier), metric)
            n = int(stats.get("count") or 0)
            if n and stats.get("p50") is not None:
                p50s.append((float(stats["p50"]), n))
                p90s.append((float(stats.get("p90") or stats["p50"]), n))
                previous_count += n
        found.append(
            Figure(
                metric=metric,
                label=label,
                p50=last.get("p50") if count else None,
                p90=last.get("p90") if count else None,
                count=count,
                previous_p50=_weighted(p50s),
                previous_p90=_weighted(p90s),
                previous_count=previous_count,
                small_sample=0 < count < small_sample,
            )
        )
    return found


def humanize(seconds: float | None) -> str:
    """1 h 05 min, 12 min, 45 s; an em dash for no value."""
    if seconds is None:
        return "—"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def week_label(week: date) -> str:
    year, number, _ = week.isocalendar()
    sunday = week + timedelta(days=6)
    return f"{year}-W{number:02d} ({week.day} {week:%b} to {sunday.day} {sunday:%b %Y})"
