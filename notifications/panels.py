"""What the notifications app shows on other apps' pages (core.panels)."""

from django.http import HttpRequest
from django.template.loader import render_to_string


def preferences(request: HttpRequest, user) -> str:
    """On the preferences page: where to choose reminders, notifications and digests."""
    return render_to_string("notifications/_preferences_panel.html", request=request)
