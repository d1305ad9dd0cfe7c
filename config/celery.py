"""The Celery app and the one beat schedule of the project.

With REDIS_URL unset (the embedded default) every task runs eagerly in-process.
Each periodic entry goes through `core.tasks.run_jittered`, which starts the real task after a random
delay (full jitter) with an expiry, so periodic work never fires in lockstep.
"""

import functools
import logging
import os
import random

from celery import Celery
from celery.schedules import crontab
from celery.worker.consumer import Consumer

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("cornerstone")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


class OutageTolerantConsumer(Consumer):
    """The worker's consumer, made to outlive a broker outage of any length (CELERY_WORKER_CONSUMER).

    Why a subclass: Celery 5.7 with kombu 5.7 shuts the whole worker down ("Unrecoverable error:
    AttributeError: 'NoneType' object has no attribute 'hostname'") when Redis goes away while the
    worker holds unacknowledged messages (acks_late, so every in-flight or prefetched task).
    `on_connection_error_after_connected` first calls `connection.collect()`, whose channel close
    tries to restore the unacked messages, fails on the dead socket and detaches the transport;
    it then calls `connection.close()`, which closes the same channel again, tries the restore
    again on the detached transport and raises AttributeError, which `ignore_errors` does not
    swallow (only connection and channel errors). The same family as celery/kombu#582 and #970.
    Nothing is lost by skipping that second restore: it could not reach Redis anyway; the
    messages are in Redis's unacked index (restored after the visibility timeout if Redis kept
    them), and our deliveries, sends and reminders live in PostgreSQL, where the sweeps find them.

    Reconnecting: kombu retries with a linear backoff (the `interval_*` below); the first pause is
    random, so workers that lost the broker together do not reconnect in lockstep, and the pause
    is capped at 10 s so a worker resumes soon after Redis returns. With
    `broker_connection_max_retries=None` it never gives up.
    """

    def ensure_connected(self, conn):
        conn.ensure_connection = functools.partial(
            conn.ensure_connection,
            interval_start=random.uniform(0.5, 2.5),  # jitter, not a secret
            interval_step=2,
            interval_max=10,
        )
        return super().ensure_connected(conn)

    def on_connection_error_after_connected(self, exc):
        connection = self.connection
        if connection is not None:
            connection.close = functools.partial(_close_detached, connection.close)
        super().on_connection_error_after_connected(exc)


def _close_detached(close) -> None:
    try:
        close()
    except AttributeError:  # the transport was detached by collect(): see OutageTolerantConsumer
        logger.warning("broker connection already torn down; unacked messages left to the broker")


def jittered(task: str, every: float | crontab, *, jitter: float, expires: float) -> dict:
    """A beat entry that starts `task` up to `jitter` seconds late; it expires if not started in time."""
    return {
        "task": "core.tasks.run_jittered",
        "schedule": every,
        "args": (task, jitter, expires),
        "options": {"expires": every if isinstance(every, int | float) else expires},
    }


app.conf.beat_schedule = {
    # Every consumer of the event logs (metrics, notifications, ...) pulls what is new: every 5 s.
    "core-consumers-run": jittered("core.tasks.consumers_run", 5, jitter=2, expires=10),
    # Process deliveries the doorbell missed (Redis or a worker was down): every 15 s, up to 5 s late.
    "alerts-deliveries-sweep": jittered("alerts.tasks.deliveries_sweep", 15, jitter=5, expires=30),
    # Forget remembered resolves past ALERT_RESOLVE_MEMORY_DAYS (bounded batches): hourly.
    "alerts-resolved-sweep": jittered(
        "alerts.tasks.resolved_identities_sweep", 3600, jitter=600, expires=3600
    ),
    # Refresh stale incident figures, then the current and previous week's aggregates: every 10 min.
    "metrics-recent-weeks": jittered("metrics.tasks.recent_weeks_recompute", 600, jitter=120, expires=600),
    # Due, overdue, unsubmitted, unreviewed and stale: find reminders to send, every 5 min.
    "notifications-reminders-scan": jittered(
        "notifications.tasks.reminders_scan", 300, jitter=60, expires=300
    ),
    # Sends whose task was lost (Redis or a worker down) are queued again: every 2 min.
    "notifications-outbox-sweep": jittered("notifications.tasks.outbox_sweep", 120, jitter=30, expires=120),
    # The weekly digest, Monday from 07:00 in CELERY_TIMEZONE, spread over half an hour.
    "notifications-weekly-digest": jittered(
        "notifications.tasks.weekly_digest",
        crontab(minute=0, hour=7, day_of_week=1),
        jitter=1800,
        expires=3600,
    ),
}
