"""Health checks, as the seed's resilience rules describe them.

/healthz is shallow: the process is up and can answer; it touches no dependency, so a database
blip never takes the whole fleet out of a load balancer.
/readyz is deep: it checks the database and (when configured) Redis, each with a short timeout, and
answers 503 naming the failing dependency; when healthy it adds each event-log consumer's lag.
Neither needs a login; neither shows a URL, host or password (errors: exception class only).
"""

import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import consumers


def check_database(timeout: float) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # SET LOCAL would need a transaction; a session-level setting is reset right after.
            cursor.execute("SET statement_timeout = %s", [int(timeout * 1000)])
            try:
                cursor.execute("SELECT 1")
                cursor.fetchone()
            finally:
                cursor.execute("RESET statement_timeout")
        else:
            cursor.execute("SELECT 1")
            cursor.fetchone()


def check_redis(timeout: float) -> None:
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout, retry_on_timeout=False
    )
    try:
        client.ping()
    finally:
        client.close()


def run_checks(checks: dict[str, Callable[[float], None]], timeout: float) -> tuple[bool, dict]:
    results = {}
    healthy = True
    for name, check in checks.items():
        started = time.perf_counter()
        try:
            check(timeout)
        except Exception as exc:
            healthy = False
            results[name] = {"ok": False, "error": type(exc).__name__}
        else:
            results[name] = {"ok": True}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 2)
    return healthy, results


@login_not_required
@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def readyz(request):
    checks: dict[str, Callable[[float], None]] = {"database": check_database}
    if settings.REDIS_URL:
        checks["redis"] = check_redis
    healthy, results = run_checks(checks, settings.HEALTH_CHECK_TIMEOUT_SECONDS)
    body = {"status": "ok" if healthy else "unavailable", "checks": results}
    if not healthy:
        body["failing"] = [name for name, result in results.items() if not result["ok"]]
    elif results["database"]["ok"]:
        body["consumers"] = consumer_lags()
    return JsonResponse(body, status=200 if healthy else 503)


def consumer_lags() -> dict[str, dict]:
    """How far each consumer of the event logs is behind (details only: a lag is for alerting on,
    not a reason to take this process out of the load balancer)."""
    lags = {}
    for consumer in consumers.registered():
        lag = consumers.consumer_lag(name=consumer.name)
        lags[consumer.name] = {
            "lag_events": lag.events,
            "waiting": lag.waiting,
            "oldest_unhandled_seconds": None if lag.oldest_seconds is None else round(lag.oldest_seconds, 1),
            "failed": lag.failed,
        }
    return lags
