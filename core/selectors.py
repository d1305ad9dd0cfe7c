"""Reads of core's own tables."""

from django.db.models import QuerySet

from core import services
from core.models import ApiToken, Notification


def api_token_list(*, user) -> QuerySet[ApiToken]:
    """A person's tokens, newest first, revoked ones included (so they can see what they revoked)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def api_token_find(*, plaintext: str) -> ApiToken | None:
    """The token (revoked or not) whose hash matches `plaintext`, with its user; None if there is none."""
    if not plaintext.startswith(services.TOKEN_PREFIX):
        return None
    return ApiToken.objects.select_related("user").filter(key_hash=services.token_hash(plaintext)).first()


def notification_list(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    """A person's notifications, newest first, with who caused each."""
    notifications = Notification.objects.filter(recipient=user).select_related("actor")
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


def notification_get(*, user, notification_id: int) -> Notification | None:
    """One of `user`'s notifications; someone else's is None, like a missing one."""
    return Notification.objects.filter(recipient=user, pk=notification_id).first()


def notification_unread_count(*, user) -> int:
    """One COUNT on the (recipient, read_at) index: the number in every page's top bar."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
