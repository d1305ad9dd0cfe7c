"""ISO weeks in the reporting time zone. Pure: no queries, no settings (callers pass the zone).

A week is identified by its Monday (a `date`) and written "2026-W47" (ISO 8601: weeks start on
Monday; week 1 is the week with the year's first Thursday, so 29 Dec 2025 is in 2026-W01 and some
years have a W53). It spans [Monday 00:00, next Monday 00:00) in the reporting zone; an instant belongs
to the week in which it falls *in that zone*, so Sunday 23:30 UTC is already Monday in Asia/Tokyo.
"""

import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from core import errors

WEEK = timedelta(days=7)
_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")


class InvalidWeek(errors.ValidationFailed):
    default_code = "invalid_week"


def zone(name: str | tzinfo) -> tzinfo:
    return ZoneInfo(name) if isinstance(name, str) else name


def week_of(at: datetime, tz: str | tzinfo) -> date:
    """The Monday of the week containing the aware instant `at`, in zone `tz`."""
    if at.tzinfo is None:
        raise ValueError("week_of needs an aware datetime")
    local = at.astimezone(zone(tz)).date()
    return local - timedelta(days=local.weekday())


def week_monday(day: date) -> date:
    """The Monday of the week containing a calendar day."""
    return day - timedelta(days=day.weekday())


def weeks_in_year(year: int) -> int:
    """52 or 53: 28 December is always in the year's last ISO week."""
    return date(year, 12, 28).isocalendar().week


def week_parse(text: str, *, field: str = "week") -> date:
    """The Monday of "YYYY-Www" (e.g. "2026-W47"); InvalidWeek (400) naming the problem otherwise."""
    match = _PATTERN.match((text or "").strip())
    if not match:
        raise InvalidWeek(
            f"{field}: {text!r} is not an ISO week; write it like 2026-W47.",
            extra={"field": field, "value": text},
        )
    year, number = int(match[1]), int(match[2])
    last = weeks_in_year(year) if 1 <= year <= 9999 else 52
    if not 1 <= number <= last or year < 1:
        raise InvalidWeek(
            f"{field}: {year} has weeks W01 to W{last}; {text!r} does not exist.",
            extra={"field": field, "value": text, "last_week": last},
        )
    return date.fromisocalendar(year, number, 1)


def week_format(monday: date) -> str:
    year, number, _ = monday.isocalendar()
    return f"{year}-W{number:02d}"


def week_bounds(monday: date, tz: str | tzinfo) -> tuple[datetime, datetime]:
    """[start, end) of the week as aware datetimes in zone `tz` (end is the next Monday 00:00)."""
    tz = zone(tz)
    start = datetime.combine(monday, time.min, tzinfo=tz)
    end = datetime.combine(monday + WEEK, time.min, tzinfo=tz)
    return start, end


def week_last_day(monday: date) -> date:
    """The Sunday of the week."""
    return monday + timedelta(days=6)


def weeks_between(first: date, last: date) -> Iterator[date]:
    """Every Monday from the week of `first` to the week of `last`, both included."""
    monday = week_monday(first)
    while monday <= last:
        yield monday
        monday += WEEK


def weeks_count(first: date, last: date) -> int:
    """How many weeks `weeks_between(first, last)` yields."""
    if last < first:
        return 0
    return (week_monday(last) - week_monday(first)).days // 7 + 1
