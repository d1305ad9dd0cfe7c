"""The consumers' doorbell: after a transaction that appended events commits, wake that log's
consumers (core.consumers) at once instead of at the next periodic pass.

With workers, a wake-up is a `consumer_run` task on the consumer's own queue; eagerly (the embedded
default, the tests) it runs the pass right here, after the commit. Best effort and debounced: a Redis
key per consumer (SET NX, one second) lets one wake-up through, and the pass clears it before it
reads (`consumers._rearm`), so an event committed after that rings again. A lost ring costs only the
few seconds until the periodic pass (config/celery.py). Never raises.
"""

import logging

from django.db import transaction

from core import consumers, tasks
from core import redis as shared_redis

logger = logging.getLogger(__name__)


def ring(log: str) -> None:
    """Call inside the transaction that appended events to `log` ("app_label.Model")."""
    transaction.on_commit(lambda: _wake(log), robust=True)


def _wake(log: str) -> None:
    for consumer in consumers.registered():
        if consumer.log != log:
            continue
        try:
            client = shared_redis.client()
            if client is not None and not client.set(
                consumers.WAKE_KEY.format(consumer.name), 1, nx=True, ex=1
            ):
                continue
            tasks.consumer_run.apply_async(args=[consumer.name], queue=consumer.queue, expires=30)
        except Exception:  # Redis or the broker is down: the periodic pass runs it in a few seconds
            logger.warning(
                "Could not wake consumer %s; the periodic pass will run it.", consumer.name, exc_info=True
            )
