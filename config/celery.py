"""The Celery app and the one beat schedule of the project.

With REDIS_URL unset (the embedded default) every task runs eagerly in-process.
Each periodic entry goes through `core.tasks.run_jittered`, which starts the real task after a random
delay (full jitter) with an expiry, so periodic work never fires in lockstep.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("cornerstone")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def jittered(task: str, every: float, *, jitter: float, expires: float) -> dict:
    return {
        "task": "core.tasks.run_jittered",
        "schedule": every,
        "args": (task, jitter, expires),
        "options": {"expires": every},
    }


app.conf.beat_schedule = {
    # Process deliveries the doorbell missed (Redis or a worker was down): every 15 s, up to 5 s late.
    "alerts-deliveries-sweep": jittered("alerts.tasks.deliveries_sweep", 15, jitter=5, expires=30),
}
