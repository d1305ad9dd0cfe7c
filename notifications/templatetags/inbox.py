"""`{% unread_notifications as n %}`: the signed-in person's unread in-app notifications, for the top bar
(templates/base.html loads this library)."""

from django import template

from notifications import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """One COUNT per request, remembered on the request so a second use in the page costs nothing."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    if not hasattr(request, "_unread_notifications"):
        request._unread_notifications = selectors.notification_unread_count(user=user)
    return request._unread_notifications
