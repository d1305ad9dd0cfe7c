"""The reporting time zone (settings.REPORTING_TIME_ZONE): what "today", "a day" and "a week" mean in
reminders, digests and the weekly metrics, whoever looks. The one place that reads the setting; pages
show times in each viewer's own zone instead (core.middleware)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings


def reporting_zone() -> ZoneInfo:
    """The zone itself (ZoneInfo caches one instance per key)."""
    return ZoneInfo(settings.REPORTING_TIME_ZONE)


def reporting_date(moment: datetime) -> date:
    """The date of the aware instant `moment` in the reporting zone."""
    return moment.astimezone(reporting_zone()).date()


def reporting_midnight(day: date) -> datetime:
    """The instant `day` begins in the reporting zone."""
    return datetime(day.year, day.month, day.day, tzinfo=reporting_zone())
