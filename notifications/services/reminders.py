"""The reminder scan: find what is due, log each reminder once, and notify by each person's choice."""

import uuid
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import reporting
from notifications import rules, selectors
from notifications.models import ReminderLog
from notifications.services import inbox, outbox


def log_new(entries: list[ReminderLog]) -> list[ReminderLog]:
    """Insert the log entries that do not exist yet; return only those this call created.

    One INSERT ... ON CONFLICT DO NOTHING (the unique constraints decide), then one read of the rows
    carrying this call's batch id. A concurrent scan inserting the same entry waits for this one's
    transaction (PostgreSQL) and then inserts nothing; each entry is created, and sent, once.
    """
    if not entries:
        return []
    batch = uuid.uuid4()
    for entry in entries:
        entry.batch = batch
    ReminderLog.objects.bulk_create(entries, ignore_conflicts=True)
    return list(ReminderLog.objects.filter(batch=batch).order_by("id"))


def _key(kind: str, subject: str, recipient_id: int | None, period) -> tuple:
    return (kind, subject, recipient_id, period)


@transaction.atomic
def reminders_scan(*, now: datetime | None = None) -> int:
    """Send every reminder due now that was not sent in its period (see `notifications.rules`).

    In one transaction: the candidates (a fixed number of queries), the new log entries, the in-app
    notifications and the outbox messages, by each recipient's preferences for the reminder's kind
    (the default: both). Emails are enqueued after commit. Re-running it, in the same period, inserts
    and sends nothing. Returns how many reminders it logged.
    """
    now = now or timezone.now()
    today = reporting.reporting_date(now)
    candidates = selectors.reminder_candidates(now=now, today=today)
    due = rules.reminders(
        items=candidates.items,
        coes=candidates.coes,
        reviews=candidates.reviews,
        incidents=candidates.incidents,
        now=now,
        today=today,
        thresholds=settings.STALE_INCIDENT_MINUTES,
    )
    if not due:
        return 0
    persons = selectors.people(user_ids={reminder.recipient_id for reminder in due})
    due = [reminder for reminder in due if reminder.recipient_id in persons]
    created = log_new(
        [
            ReminderLog(kind=r.kind, subject=r.subject, recipient_id=r.recipient_id, period=r.period)
            for r in due
        ]
    )
    by_key = {_key(r.kind, r.subject, r.recipient_id, r.period): r for r in due}
    preferences: dict[str, dict] = {}
    messages = []
    for entry in created:
        reminder = by_key[_key(entry.kind, entry.subject, entry.recipient_id, entry.period)]
        if reminder.kind not in preferences:
            preferences[reminder.kind] = selectors.preferences_for(
                user_ids={r.recipient_id for r in due if r.kind == reminder.kind}, topic=reminder.kind
            )
        channels = preferences[reminder.kind][reminder.recipient_id]
        person = persons[reminder.recipient_id]
        if channels.in_app:
            inbox.notification_create(
                recipient=person, actor=None, kind=reminder.kind, text=reminder.text, url=reminder.path
            )
        if channels.email and person.email:
            messages.append(
                outbox.email_message(
                    to_email=person.email,
                    user_id=person.pk,
                    topic=reminder.kind,
                    subject=reminder.title,
                    template="reminder",
                    context={"reminder": reminder, "person": person},
                    url=outbox.absolute(reminder.path),
                    reminder=entry,
                )
            )
    outbox.messages_store(messages)
    return len(created)
