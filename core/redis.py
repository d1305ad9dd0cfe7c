"""One shared Redis client per process (or None when REDIS_URL is unset), with short timeouts.

For the few hot-path counters that must be shared between processes (rate limits, the ingestion
doorbell). Callers treat every Redis error as "Redis is down" and carry on without it.
"""

import functools

import redis
from django.conf import settings


@functools.cache
def client() -> redis.Redis | None:
    if not settings.REDIS_URL:
        return None
    return redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5, retry_on_timeout=False
    )
