"""Descriptive statistics of a sample of durations. Pure: numbers in, numbers out.

Percentiles use linear interpolation between closest ranks, the method of PostgreSQL's
`percentile_cont`, numpy's default (`method="linear"`) and Python's
`statistics.quantiles(..., method="inclusive")`: for n sorted values and a quantile q in [0, 1],
the position is pos = (n - 1) * q; with lo = floor(pos), the value is
values[lo] + (values[lo + 1] - values[lo]) * (pos - lo). One value is every percentile of itself.

`summarize` rounds the mean, p50 and p90 to one decimal (tenths of a second: finer than any stamp a
person enters, and the same text on every database since it is computed here, not in SQL). `count`
and `max` are exact. An empty sample has count 0 and null statistics, never zeros, so "no data" never
reads as "instant".
"""

import math
from collections.abc import Iterable, Sequence

DECIMALS = 1


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The q-quantile (0 <= q <= 1) of an ascending, non-empty sequence, by linear interpolation."""
    if not sorted_values:
        raise ValueError("percentile of an empty sample")
    if not 0 <= q <= 1:
        raise ValueError(f"q must lie between 0 and 1, not {q}")
    position = (len(sorted_values) - 1) * q
    lower = math.floor(position)
    upper = min(lower + 1, len(sorted_values) - 1)
    fraction = position - lower
    low, high = sorted_values[lower], sorted_values[upper]
    return low + (high - low) * fraction


def summarize(values: Iterable[float]) -> dict[str, float | int | None]:
    """{"count", "mean", "p50", "p90", "max"} of the sample; null statistics when it is empty."""
    ordered = sorted(values)
    if not ordered:
        return {"count": 0, "mean": None, "p50": None, "p90": None, "max": None}
    return {
        "count": len(ordered),
        "mean": round(math.fsum(ordered) / len(ordered), DECIMALS),
        "p50": round(percentile(ordered, 0.5), DECIMALS),
        "p90": round(percentile(ordered, 0.9), DECIMALS),
        "max": ordered[-1],
    }
