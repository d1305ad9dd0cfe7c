"""Periodic-work plumbing shared by every app."""

import random

from celery import current_app, shared_task

from core import consumers


@shared_task(acks_late=True, soft_time_limit=10, time_limit=15)
def run_jittered(task_name: str, max_delay_seconds: float, expires_seconds: float) -> None:
    """Beat calls this on the schedule; it starts `task_name` after a random delay, so periodic
    work never fires in lockstep across installations or workers (full jitter)."""
    current_app.send_task(task_name, countdown=random.uniform(0, max_delay_seconds), expires=expires_seconds)


@shared_task(acks_late=True, soft_time_limit=25, time_limit=35)
def consumers_run() -> dict[str, int]:
    """One pass of every consumer of the event logs (beat, every few seconds; or the doorbell)."""
    return {name: result.handled for name, result in consumers.consumers_run().items()}
