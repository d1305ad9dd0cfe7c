"""`core.reporting`: the reporting zone follows the setting (no database)."""

from datetime import UTC, date, datetime

from core import reporting


def test_reporting_date_is_the_day_in_the_reporting_zone(settings):
    late_sunday_utc = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    settings.REPORTING_TIME_ZONE = "UTC"
    assert reporting.reporting_date(late_sunday_utc) == date(2026, 11, 29)
    settings.REPORTING_TIME_ZONE = "Asia/Tokyo"
    assert reporting.reporting_zone().key == "Asia/Tokyo"
    assert reporting.reporting_date(late_sunday_utc) == date(2026, 11, 30)


def test_reporting_midnight_begins_the_day_in_the_reporting_zone(settings):
    settings.REPORTING_TIME_ZONE = "America/New_York"
    midnight = reporting.reporting_midnight(date(2026, 7, 1))
    assert midnight.astimezone(UTC) == datetime(2026, 7, 1, 4, 0, tzinfo=UTC)  # EDT is UTC-4
    assert reporting.reporting_date(midnight) == date(2026, 7, 1)
