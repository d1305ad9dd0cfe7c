"""Notification tasks (queue "notify"). Each body calls one service and is safe to run twice: the
reminder log and the digest log are unique, and a message is claimed before it is sent and never
sent again once sent or failed. Periodic ones are started by beat through core.tasks.run_jittered."""

from celery import shared_task
from django.conf import settings

from notifications import services


@shared_task(bind=True, acks_late=True, max_retries=2, soft_time_limit=30, time_limit=45)
def message_send(self, message_id: int) -> str:
    """Send one outbox message. A transient failure is retried at most NOTIFY_MAX_RETRIES times, after
    a countdown with exponential backoff and full jitter that the service computed and recorded."""
    while True:
        try:
            return services.message_send(message_id=message_id, token=self.request.id or "")
        except services.RetryLater as exc:
            if self.request.is_eager:
                # The embedded mode has no broker to come back through: try again now. Bounded: each
                # call counts an attempt on the row, and the service stops at the last one.
                continue
            if self.request.retries >= settings.NOTIFY_MAX_RETRIES:  # the row's count stops it first
                services.message_fail(message_id=message_id, error=exc.message)
                return "failed"
            raise self.retry(countdown=exc.countdown, max_retries=settings.NOTIFY_MAX_RETRIES) from None


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def reminders_scan() -> int:
    """Log and send the reminders due now (each at most once per object, kind, person and day)."""
    return services.reminders_scan()


@shared_task(acks_late=True, soft_time_limit=30, time_limit=45)
def outbox_sweep() -> int:
    """Enqueue again the pending messages whose task was lost."""
    return services.outbox_sweep()


@shared_task(acks_late=True, soft_time_limit=120, time_limit=180)
def weekly_digest() -> int:
    """Queue last week's digest for every team (once per team and week)."""
    return services.weekly_digest()
