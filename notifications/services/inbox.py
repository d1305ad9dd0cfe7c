"""In-app notifications: creating one (mentions, review requests, reminders) and marking them read.

Moved here from core (issue 11): notifying a person is this app's business, and core keeps no domain
vocabulary.
"""

from django.utils import timezone

from core import errors
from notifications.models import Notification, NotificationKind

NOTIFICATION_TEXT_MAX_LENGTH = Notification._meta.get_field("text").max_length


def notification_create(*, recipient, actor, kind: str, text: str, url: str) -> Notification | None:
    """Notify `recipient` in the app: one row, listed on /notifications/ and counted in the top bar.

    One INSERT (atomic on its own), made inside the caller's transaction, so a notification exists only
    if what it reports does.
    `text` longer than the column is shortened with an ellipsis; `url` is a path on this site.
    Nobody is notified of their own doing (`recipient == actor` creates nothing and returns None).
    """
    if kind not in NotificationKind.values:
        raise errors.ValidationFailed(f"Unknown notification kind {kind!r}.", extra={"field": "kind"})
    if not url.startswith("/") or url.startswith("//"):
        raise errors.ValidationFailed("A notification leads to a path on this site.", extra={"field": "url"})
    if actor is not None and recipient.pk == actor.pk:
        return None
    text = " ".join(text.split())
    if len(text) > NOTIFICATION_TEXT_MAX_LENGTH:
        text = text[: NOTIFICATION_TEXT_MAX_LENGTH - 1] + "…"
    return Notification.objects.create(recipient=recipient, actor=actor, kind=kind, text=text, url=url)


def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark `user`'s unread notifications read: those in `ids`, or all of them when `ids` is None.

    One conditional UPDATE: marking twice, or two tabs at once, changes nothing more, and ids that are
    not the user's (or do not exist) are ignored, so ids reveal nothing. Returns how many it marked.
    """
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
