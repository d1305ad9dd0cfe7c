"""Periodic-work plumbing shared by every app."""

import random

from celery import current_app, shared_task

from core import consumers


@shared_task(acks_late=True, soft_time_limit=10, time_limit=15)
def run_jittered(task_name: str, max_delay_seconds: float, expires_seconds: float) -> None:
    """Beat calls this on the schedule; it starts `task_name` after a random delay, so periodic
    work never fires in lockstep across installations or workers (full jitter)."""
    current_app.send_task(task_name, countdown=random.uniform(0, max_delay_seconds), expires=expires_seconds)


@shared_task(acks_late=True, soft_time_limit=10, time_limit=15)
def consumers_run() -> None:
    """Periodic (beat, every few seconds): one pass of every consumer, each on its own queue."""
    for consumer in consumers.registered():
        consumer_run.apply_async(args=[consumer.name], queue=consumer.queue, expires=30)


@shared_task(acks_late=True, soft_time_limit=25, time_limit=35)
def consumer_run(name: str) -> int:
    """One pass of one consumer of the event logs (the beat's fan-out, or the doorbell)."""
    return consumers.consumer_run(name=name).handled
