"""The Celery app and the one beat schedule of the project.

With REDIS_URL unset (the embedded default) every task runs eagerly in-process.
Each periodic entry goes through `core.tasks.run_jittered`, which starts the real task after a random
delay (full jitter) with an expiry, so periodic work never fires in lockstep.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("cornerstone")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def jittered(task: str, every: float | crontab, *, jitter: float, expires: float) -> dict:
    """A beat entry that starts `task` up to `jitter` seconds late; it expires if not started in time."""
    return {
        "task": "core.tasks.run_jittered",
        "schedule": every,
        "args": (task, jitter, expires),
        "options": {"expires": every if isinstance(every, int | float) else expires},
    }


app.conf.beat_schedule = {
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
