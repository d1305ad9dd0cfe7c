"""The ingestion doorbell: a cheap, best-effort nudge to the workers that deliveries are waiting.

The database is the queue; the doorbell only shortens the wait. Each process rings at most twice a
second, and a Redis key (SET NX, one second) lets at most one processing task be enqueued per
second across all processes; a running task drains everything pending before it stops. If Redis or
the broker is down the ring is simply lost: the periodic sweep processes whatever is pending.
Never raises. With tasks running eagerly (the embedded default, tests) every ring processes at once.
"""

import logging
import time

from core import enqueue
from core import redis as shared_redis

logger = logging.getLogger(__name__)

KEY = "alerts:doorbell"
LOCAL_INTERVAL = 0.5  # seconds between two rings of one process

_last_ring = 0.0


def ring() -> None:
    global _last_ring
    try:
        # Eagerly the drain runs here and resets the doorbell once nothing is pending, so no later
        # ring is swallowed; with workers, a ring during a drain is one that drain covers.
        now = time.monotonic()
        if now - _last_ring < LOCAL_INTERVAL:
            return
        _last_ring = now
        client = shared_redis.client()
        if client is not None and not client.set(KEY, 1, nx=True, px=1000):
            return
        enqueue.task("alerts.tasks.deliveries_process").apply_async(expires=60)
    except Exception:  # the broker or Redis is down; the sweep will pick the deliveries up
        logger.warning("Ingestion doorbell failed; pending deliveries wait for the sweep.", exc_info=True)


def reset() -> None:
    """Called by a worker that found nothing pending, so the next delivery rings at once."""
    global _last_ring
    _last_ring = 0.0
    try:
        client = shared_redis.client()
        if client is not None:
            client.delete(KEY)
    except Exception:
        logger.warning("Could not reset the ingestion doorbell.", exc_info=True)
