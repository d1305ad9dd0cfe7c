"""ISO weeks in a reporting zone: year boundaries, W53, parsing errors and zones."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from metrics import weeks


@pytest.mark.parametrize(
    ("text", "monday"),
    [
        ("2026-W47", date(2026, 11, 16)),
        ("2026-W01", date(2025, 12, 29)),  # week 1 holds the year's first Thursday
        ("2020-W53", date(2020, 12, 28)),
        ("2026-W53", date(2026, 12, 28)),
        ("2027-W01", date(2027, 1, 4)),
    ],
)
def test_week_parse_and_format_round_trip(text, monday):
    assert weeks.week_parse(text) == monday
    assert weeks.week_format(monday) == text


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2026-W54", "W01 to W53"),
        ("2025-W53", "W01 to W52"),  # 2025 has 52 weeks
        ("2026-W00", "does not exist"),
        ("2026-47", "not an ISO week"),
        ("2026-W4", "not an ISO week"),
        ("", "not an ISO week"),
        ("next week", "not an ISO week"),
    ],
)
def test_week_parse_refuses_bad_weeks_with_a_clear_message(text, words):
    with pytest.raises(weeks.InvalidWeek) as caught:
        weeks.week_parse(text)
    assert words in caught.value.message
    assert caught.value.status == 400
    assert caught.value.code == "invalid_week"


def test_weeks_in_year():
    assert [weeks.weeks_in_year(year) for year in (2020, 2021, 2025, 2026, 2032)] == [53, 52, 52, 53, 53]


def test_week_of_year_boundary_belongs_to_the_iso_year():
    assert weeks.week_of(datetime(2026, 1, 1, 12, tzinfo=UTC), "UTC") == date(2025, 12, 29)
    assert weeks.week_format(weeks.week_of(datetime(2021, 1, 3, 12, tzinfo=UTC), "UTC")) == "2020-W53"


def test_sunday_late_utc_is_next_week_in_tokyo():
    at = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # Sunday 23:30 UTC = Monday 08:30 in Tokyo
    assert weeks.week_format(weeks.week_of(at, "UTC")) == "2026-W47"
    assert weeks.week_format(weeks.week_of(at, "Asia/Tokyo")) == "2026-W48"
    assert weeks.week_format(weeks.week_of(at, "America/Los_Angeles")) == "2026-W47"


def test_week_of_refuses_naive_datetimes():
    with pytest.raises(ValueError):
        weeks.week_of(datetime(2026, 1, 1), "UTC")  # noqa: DTZ001


def test_week_bounds_are_local_midnights():
    start, end = weeks.week_bounds(date(2026, 11, 16), "Asia/Tokyo")
    assert start == datetime(2026, 11, 16, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert end == datetime(2026, 11, 23, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert start.astimezone(UTC) == datetime(2026, 11, 15, 15, tzinfo=UTC)


def test_week_bounds_across_a_dst_change_span_the_local_week():
    start, end = weeks.week_bounds(date(2026, 3, 23), "Europe/Paris")  # clocks go forward on 29 March
    # (Python subtracts datetimes of one zone as wall times: compare in UTC.)
    assert (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() == 7 * 24 * 3600 - 3600


def test_weeks_between_iterates_mondays_inclusive():
    found = list(weeks.weeks_between(date(2025, 12, 31), date(2026, 1, 12)))
    assert found == [date(2025, 12, 29), date(2026, 1, 5), date(2026, 1, 12)]
    assert weeks.weeks_count(date(2025, 12, 31), date(2026, 1, 12)) == 3
    assert list(weeks.weeks_between(date(2026, 1, 12), date(2026, 1, 1))) == []
    assert weeks.weeks_count(date(2026, 1, 12), date(2026, 1, 1)) == 0


def test_week_last_day_is_sunday():
    assert weeks.week_last_day(date(2026, 11, 16)) == date(2026, 11, 22)
