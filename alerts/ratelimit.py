"""A per-integration request budget per minute, shared between processes through Redis.

Fixed one-minute windows: one pipelined INCR + EXPIRE per request, good enough to stop a runaway
sender. Without Redis (the embedded default) each process counts for itself. When Redis is
unreachable the request is allowed: losing the limiter must never lose alerts.
"""

import logging
import threading
import time
from dataclasses import dataclass

from core import redis as shared_redis

logger = logging.getLogger(__name__)

_local_counts: dict[str, int] = {}
_local_lock = threading.Lock()


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


def _count(key: str) -> int:
    client = shared_redis.client()
    if client is None:
        with _local_lock:
            if len(_local_counts) > 10_000:
                _local_counts.clear()
            _local_counts[key] = _local_counts.get(key, 0) + 1
            return _local_counts[key]
    pipe = client.pipeline(transaction=False)
    pipe.incr(key)
    pipe.expire(key, 120)
    return pipe.execute()[0]


def hit(integration_id: int, limit_per_minute: int, *, now: float | None = None) -> Verdict:
    now = time.time() if now is None else now
    key = f"alerts:rate:{integration_id}:{int(now // 60)}"
    try:
        count = _count(key)
    except Exception:  # no limiter rather than no intake
        logger.warning("Rate limiter unavailable; allowing the request.", exc_info=True)
        return Verdict(True)
    if count > limit_per_minute:
        return Verdict(False, retry_after=max(1, 60 - int(now % 60)))
    return Verdict(True)


def reset() -> None:
    """Forget the in-process counts (tests)."""
    with _local_lock:
        _local_counts.clear()
