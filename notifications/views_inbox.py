"""The in-app notifications pages: the list (/notifications/), mark all read, and follow one.

Each view calls one selector or service (`notifications.selectors`, `notifications.services.inbox`)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from notifications import selectors
from notifications.services import inbox

NOTIFICATIONS_PER_PAGE = 50


def notification_list(request: HttpRequest) -> HttpResponse:
    """The signed-in person's notifications, newest first, unread ones marked."""
    page = Paginator(selectors.notification_list(user=request.user), NOTIFICATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/inbox.html", {"page": page})


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark all of the person's notifications read."""
    marked = inbox.notifications_mark_read(user=request.user)
    if marked:
        messages.success(request, f"{marked} notification{'s' if marked != 1 else ''} marked read.")
    return redirect("notifications")


def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification to what it is about, marking it read on the way (a repeat is a no-op)."""
    notification = selectors.notification_get(user=request.user, notification_id=notification_id)
    if notification is None:
        raise Http404(f"Notification {notification_id} does not exist.")
    inbox.notifications_mark_read(user=request.user, ids=[notification.pk])
    # Stored URLs are paths the services built; checked anyway, so no row can send anyone off-site.
    if not url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect("notifications")
    return redirect(notification.url)
