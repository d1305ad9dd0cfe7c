"""Percentiles and summaries against values computed independently: by hand, and with
`statistics.quantiles(..., method="inclusive")`, which uses the same (n - 1) * q interpolation."""

import statistics

import pytest

from metrics import stats


def inclusive(values: list[float], q: float) -> float:
    """The q-quantile per the standard library (q a multiple of 0.1)."""
    if q == 0:
        return min(values)
    if q == 1:
        return max(values)
    cuts = statistics.quantiles(values, n=10, method="inclusive")
    return cuts[round(q * 10) - 1]


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([7], 0.0, 7),
        ([7], 0.5, 7),
        ([7], 0.9, 7),
        ([7], 1.0, 7),
        ([10, 20], 0.5, 15),  # pos 0.5: halfway
        ([10, 20], 0.9, 19),  # pos 0.9
        ([10, 20], 0.0, 10),
        ([10, 20], 1.0, 20),
        ([1, 2, 3, 4], 0.5, 2.5),
        ([1, 2, 3, 4], 0.9, 3.7),  # pos 2.7: 3 + 0.7
        ([5, 5, 5, 5, 5], 0.9, 5),  # ties
        ([1, 1, 1, 100], 0.5, 1),  # ties around the median
        ([1, 1, 1, 100], 0.9, 70.3),  # pos 2.7: 1 + 0.7 * 99
        ([60, 120, 180, 240, 300, 360, 420, 480, 540, 600], 0.9, 546),  # pos 8.1: 540 + 0.1 * 60
    ],
)
def test_percentile_interpolates_between_closest_ranks(values, q, expected):
    assert stats.percentile(values, q) == pytest.approx(expected)


@pytest.mark.parametrize(
    "values",
    [
        [3, 1, 2],
        [10, 20],
        [4, 4, 4, 9],
        [1, 2, 2, 3, 3, 3, 50, 51, 400, 1000, 1001],
        list(range(0, 3600, 37)),
    ],
)
@pytest.mark.parametrize("q", [0.0, 0.1, 0.5, 0.9, 1.0])
def test_percentile_matches_statistics_inclusive(values, q):
    assert stats.percentile(sorted(values), q) == pytest.approx(inclusive(values, q))


def test_percentile_of_empty_sample_or_bad_q_raises():
    with pytest.raises(ValueError):
        stats.percentile([], 0.5)
    with pytest.raises(ValueError):
        stats.percentile([1], 1.5)


def test_summarize_empty_has_null_statistics():
    assert stats.summarize([]) == {"count": 0, "mean": None, "p50": None, "p90": None, "max": None}


def test_summarize_one_value():
    assert stats.summarize([42]) == {"count": 1, "mean": 42, "p50": 42, "p90": 42, "max": 42}


def test_summarize_sorts_and_rounds_to_tenths():
    summary = stats.summarize([300, 100, 200])
    assert summary == {"count": 3, "mean": 200.0, "p50": 200.0, "p90": 280.0, "max": 300}
    # Mean 10/3 = 3.333... shows as 3.3; p90 of [1, 2, 7]: pos 1.8 -> 2 + 0.8 * 5 = 6.0.
    assert stats.summarize([7, 1, 2]) == {"count": 3, "mean": 3.3, "p50": 2.0, "p90": 6.0, "max": 7}


def test_summarize_ties():
    assert stats.summarize([60, 60, 60, 60, 600]) == {
        "count": 5,
        "mean": 168.0,
        "p50": 60.0,
        "p90": 384.0,  # pos 3.6: 60 + 0.6 * 540
        "max": 600,
    }
