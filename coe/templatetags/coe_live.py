"""Settings the COE page's live updates need in its markup (how often to poll, how often to say
"I am editing this section")."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def coe_poll_interval() -> str:
    """For hx-trigger: `every 4s` (seconds may be fractional, e.g. in the browser tests)."""
    return f"{float(settings.COE_POLL_SECONDS):g}s"


@register.simple_tag
def coe_presence_ping_ms() -> int:
    """Renew a presence mark about four times per TTL, so one lost ping never lets it lapse."""
    return max(1000, int(settings.COE_PRESENCE_TTL_SECONDS * 1000 / 4))
