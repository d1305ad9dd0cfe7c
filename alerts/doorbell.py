"""The ingestion doorbell: a cheap, best-effort nudge to the workers that deliveries are waiting.

The database is the queue; the doorbell only shortens the wait. At most one processing task is
enqueued per second (a cache key guards it), and if Redis or the broker is down the ring is simply
lost: the periodic sweep processes whatever is pending. Never raises.
"""

import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

KEY = "alerts:doorbell"


def ring() -> None:
    from alerts import tasks

    try:
        if settings.CELERY_TASK_ALWAYS_EAGER or cache.add(KEY, 1, timeout=1):
            tasks.deliveries_process.apply_async(expires=60)
    except Exception:
        logger.warning("Ingestion doorbell failed; pending deliveries wait for the sweep.", exc_info=True)


def reset() -> None:
    """Called by a worker that found nothing pending, so the next delivery rings at once."""
    try:
        cache.delete(KEY)
    except Exception:
        logger.warning("Could not reset the ingestion doorbell.", exc_info=True)
