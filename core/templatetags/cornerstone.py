"""Template helpers for times, durations and money, so every page shows them the same way."""

from datetime import datetime, timedelta
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.html import format_html

from core import selectors

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """1h 12m, 3d 4h, 45s; an em dash when unknown. At most two units."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    if seconds < 60:
        return f"{max(seconds, 0)}s"
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes = seconds // 60
    units = [(days, "d"), (hours, "h"), (minutes, "m")]
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
    delta = now - value
    future = delta.total_seconds() < 0
    text = duration(abs(delta))
    if abs(delta.total_seconds()) < 45:
        return "just now"
    return f"in {text}" if future else f"{text} ago"


@register.filter
def when(value: datetime | None) -> str:
    """Absolute time in the viewer's zone, with the relative time beside it."""
    if value is None:
        return "—"
    local = timezone.localtime(value)
    absolute = local.strftime("%a %d %b %Y, %H:%M %Z")
    return format_html(
        '<time datetime="{}" title="{}">{} <span class="muted">({})</span></time>',
        value.isoformat(),
        absolute,
        local.strftime("%d %b %H:%M"),
        _relative(value, timezone.now()),
    )


@register.filter
def when_short(value: datetime | None) -> str:
    """Relative time only, with the absolute one on hover."""
    if value is None:
        return "—"
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        local.strftime("%a %d %b %Y, %H:%M %Z"),
        _relative(value, timezone.now()),
    )


@register.filter
def datetime_local(value: datetime | None) -> str:
    """The value for an <input type=datetime-local>, in the viewer's zone."""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""


@register.filter
def money(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"${value:,.0f}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


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


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """The signed-in person's unread notifications, for the top bar: one COUNT per request, remembered
    on the request so a second use in the page costs nothing."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    if not hasattr(request, "_unread_notifications"):
        request._unread_notifications = selectors.notification_unread_count(user=user)
    return request._unread_notifications
