"""A per-integration request budget per minute, shared through the cache (Redis in production).

Fixed one-minute windows: cheap (one INCR) and good enough to stop a runaway sender. When the cache
is unreachable the request is allowed: losing the limiter must never lose alerts.
"""

import logging
import time
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


def hit(integration_id: int, limit_per_minute: int, *, now: float | None = None) -> Verdict:
    now = time.time() if now is None else now
    window = int(now // 60)
    key = f"alerts:rate:{integration_id}:{window}"
    try:
        cache.add(key, 0, timeout=120)
        count = cache.incr(key)
    except Exception:
        logger.warning("Rate limiter unavailable; allowing the request.", exc_info=True)
        return Verdict(True)
    if count > limit_per_minute:
        return Verdict(False, retry_after=max(1, 60 - int(now % 60)))
    return Verdict(True)
