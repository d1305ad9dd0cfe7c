"""The metrics tasks (queue "metrics", routed in settings). Each is idempotent (an upsert from the
source data) and calls one service. No retries: a failed recompute is redone by the periodic job
(`recent_weeks_recompute`, every 10 minutes), which is also what runs when a task is lost."""

from celery import shared_task

from metrics import services, weeks


@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
def week_recompute(week_iso: str) -> int:
    """The debounced recompute of one week ("2026-W47"), enqueued by `services.week_changed`."""
    return services.week_pending_recompute(week=weeks.week_parse(week_iso))


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def recent_weeks_recompute() -> int:
    """Periodic (config/celery.py): stale incident rows, then the current and previous week."""
    return len(services.recent_weeks_recompute().weeks)
