"""Every write of the notifications app, as a package with explicit re-exports.

- inbox: in-app notifications (create one, mark them read)
- reminders: the scan (rules -> reminder log -> in-app notifications and emails, by preference)
- outbox: storing messages, sending one (outside transactions, guarded), retry, sweep
- webhooks: team webhooks and the fan-out of incident events to them
- digest: the weekly team digest
- preferences: people's channels, digest subscriptions, team mailing addresses, mentions and
  review requests delivered by those choices
"""

from notifications.services.digest import team_digest_send, weekly_digest
from notifications.services.inbox import notification_create, notifications_mark_read
from notifications.services.outbox import (
    RetryLater,
    message_fail,
    message_retry,
    message_send,
    outbox_sweep,
)
from notifications.services.preferences import (
    digest_address_add,
    digest_address_remove,
    mention_notify,
    preferences_save,
    review_requested_notify,
)
from notifications.services.reminders import reminders_scan
from notifications.services.webhooks import (
    incident_event_messages_store,
    webhook_create,
    webhook_set_enabled,
    webhook_test,
    webhook_update,
)

__all__ = [
    "RetryLater",
    "digest_address_add",
    "digest_address_remove",
    "incident_event_messages_store",
    "mention_notify",
    "message_fail",
    "message_retry",
    "message_send",
    "notification_create",
    "notifications_mark_read",
    "outbox_sweep",
    "preferences_save",
    "reminders_scan",
    "review_requested_notify",
    "team_digest_send",
    "webhook_create",
    "webhook_set_enabled",
    "webhook_test",
    "webhook_update",
    "weekly_digest",
]
