"""Template helpers for times, durations and money, so every page shows them the same way.

Moments: `when` (relative and absolute), `when_short` (relative, absolute in the title), `when_absolute`
and `when_text` (absolute only, as markup or plain text), all in the viewer's zone (the active one, set by
core.middleware.UserTimezoneMiddleware from their preference). Relative times come from Django's
timesince/timeuntil rather than our own arithmetic."""

from datetime import datetime, timedelta
from decimal import Decimal

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.timesince import timesince, timeuntil

from core import forms as core_forms

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """59m 29s, 1h 12m, 3d 4h, 45s; an em dash when unknown. The two largest units, a zero second
    one left out ("2h", not "2h 0m")."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    if seconds < 60:
        return f"{max(seconds, 0)}s"
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    units = [(days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s")]
    while units and units[0][0] == 0:
        units.pop(0)
    return " ".join(f"{amount}{suffix}" for amount, suffix in units[:2] if amount or suffix == units[0][1])


@register.filter
def seconds(value: float | None) -> str:
    """A number of seconds as a duration (1h 12m); an em dash when unknown."""
    return "—" if value is None else duration(timedelta(seconds=float(value)))


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _relative(value: datetime, now: datetime) -> str:
    """A relative time ("12 minutes ago", "in 3 hours", "just now"): Django's timesince/timeuntil
    (translated, months and years handled), to one unit, since the absolute time is always beside it
    or in its title."""
    if abs((now - value).total_seconds()) < 60:
        return "just now"
    if value > now:
        return f"in {timeuntil(value, now, depth=1)}"
    return f"{timesince(value, now, depth=1)} ago"


def absolute(value: datetime, now: datetime | None = None) -> str:
    """The absolute time in the active zone (the viewer's preference), as "Fri 4 Dec 18:33 CET"; the
    year only when it is not this year's."""
    local = timezone.localtime(value)
    this_year = timezone.localtime(now or timezone.now()).year
    return dateformat.format(local, "D j M H:i T" if local.year == this_year else "D j M Y H:i T")


@register.filter
def when(value: datetime | None) -> str:
    """The one way a page shows a moment: relative and absolute, in the viewer's zone,
    "12 minutes ago · Fri 4 Dec 18:33 CET", in a <time> carrying the exact instant."""
    if value is None:
        return "—"
    now = timezone.now()
    return format_html(
        '<time datetime="{}">{} · {}</time>', value.isoformat(), _relative(value, now), absolute(value, now)
    )


@register.filter
def when_short(value: datetime | None) -> str:
    """Where only a few words fit (table cells): the relative time, with the absolute one in its title."""
    if value is None:
        return "—"
    now = timezone.now()
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        absolute(value, now),
        _relative(value, now),
    )


@register.filter
def when_absolute(value: datetime | None) -> str:
    """Where the moment itself matters more than how long ago it was (a week's table): the absolute
    time only, in the same format and zone."""
    if value is None:
        return "—"
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), absolute(value))


@register.filter
def when_text(value: datetime | None) -> str:
    """The absolute time as plain text, for places that hold no markup (an <option>, a title)."""
    return "—" if value is None else absolute(value)


@register.filter
def datetime_local(value: datetime | None) -> str:
    """The value for an <input type=datetime-local>, in the viewer's zone."""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""


@register.filter
def person(user) -> str:
    """A person as every page names them: full name, else username (core.forms.user_label)."""
    return core_forms.user_label(user) or "—"


@register.filter
def money(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"${value:,.0f}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def listing(value) -> str:
    """A recorded value as words: a list as "a, b", anything else as itself ("—" when empty)."""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or "—"
    return "—" if value in (None, "") else str(value)


@register.filter
def share_of(durations, span) -> str:
    """A phase's share of the incident's total time, as a CSS-safe percentage number."""
    return f"{durations.share(span):.2f}"


@register.filter
def from_iso(value: str | None) -> datetime | None:
    """Timeline events keep times as ISO strings; turn them back into datetimes for `when`."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@register.filter
def datetime_local_seconds(value: datetime | None) -> str:
    """Like datetime_local, to the microsecond (for hidden inputs that must keep an exact time)."""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M:%S.%f") if value else ""


@register.filter
def http_url(value: str | None) -> str:
    """The URL if it is http(s), else "": links that come from outside (alert tools) never get to be
    javascript: or data: URLs."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("https://", "http://")) else ""
