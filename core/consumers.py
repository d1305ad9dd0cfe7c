"""Consumers of the published event logs: named cursors that pull new events in batches.

A published log is an append-only model with an auto-increment id (the incident timeline, the COE
history). The app that owns it only appends, in the same transaction as the change, and rings the
doorbell (`core.doorbell.ring`); it imports no consumer. An app that reacts to changes registers a `Consumer`
(a name, the log, a handler) from its AppConfig.ready(). A jittered beat entry runs every consumer
every few seconds whether or not anything happened (constant work); the doorbell only wakes them
sooner, and in the embedded default (tasks run eagerly) it runs them in-process right after the
commit that appended the events, so `make run` behaves as if the effects were immediate.

Each pass, for one consumer, in one transaction holding its cursor row (SKIP LOCKED, so two workers
never run one consumer at once): read the events after the cursor, hand them to the handler, and
advance the cursor, so the handler's effects and the cursor commit together or not at all. A handler
must be idempotent (a crash between two passes cannot happen, but an operator may replay) and must
not do network I/O: it writes rows and enqueues tasks on commit.

Events committed out of id order are not skipped: ids are allocated at insert, so a transaction
that began first may commit after one with a higher id. We track per-event marks: the cursor keeps
its high-water `position` and the ids below it not yet seen (`gaps`, with when each was first
missed); every pass reads them again, and a gap older than CONSUMER_GAP_SECONDS (no transaction of
ours lasts that long: the id was rolled back or skipped by the sequence) is forgotten.

A handler that fails on a batch is retried event by event, each in a savepoint, so one bad event
never blocks the others: it joins the cursor's `retries`, is tried again after an exponential
backoff with full jitter, and after CONSUMER_MAX_ATTEMPTS it is recorded as a ConsumerFailure
(admin, operations page) and skipped.
"""

import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from core import redis as shared_redis
from core.models import ConsumerCursor, ConsumerFailure

logger = logging.getLogger(__name__)

BACKOFF_BASE = 2.0  # seconds; the n-th retry waits up to BACKOFF_BASE * 2**n (full jitter)
BACKOFF_CAP = 300.0
GAP_WINDOW = 10_000
WAKE_KEY = "consumers:wake:{}"  # how far below the newest id read a missing id is looked for again


@dataclass(frozen=True)
class Consumer:
    name: str  # the cursor's name: stable, it is stored
    log: str  # the published log, "app_label.Model" (read lazily: no import of the owning app)
    handle: Callable[[Sequence[models.Model]], None]
    time_field: str = "recorded_at"  # when an event was appended, for the lag's age
    batch_size: int = 200
    queue: str = "default"  # the Celery queue its passes run on (the app's own: metrics, notify)

    def model(self) -> type[models.Model]:
        return apps.get_model(self.log)


@dataclass(frozen=True)
class Pass:
    handled: int = 0
    retried: int = 0
    failed: int = 0
    skipped: bool = False  # another worker holds this consumer's cursor


@dataclass(frozen=True)
class Lag:
    consumer: str
    events: int  # newest event id minus the cursor's position
    waiting: int  # gaps and retries below the position
    oldest_seconds: float | None  # age of the oldest event not yet handled
    failed: int


_registry: dict[str, Consumer] = {}


def register(consumer: Consumer) -> None:
    """Called from an AppConfig.ready(); registering one name twice with another handler is a bug."""
    existing = _registry.get(consumer.name)
    if existing is not None and existing != consumer:
        raise ValueError(f"Consumer {consumer.name!r} is registered twice.")
    _registry[consumer.name] = consumer


def registered() -> list[Consumer]:
    return sorted(_registry.values(), key=lambda c: c.name)


def get(name: str) -> Consumer:
    return _registry[name]


def _rearm(name: str) -> None:
    """A pass is starting: the next ring must wake the consumer again."""
    try:
        client = shared_redis.client()
        if client is not None:
            client.delete(WAKE_KEY.format(name))
    except Exception:
        logger.warning("Could not re-arm the doorbell of consumer %s.", name)


def consumers_run() -> dict[str, Pass]:
    """One pass of every registered consumer, each in its own transaction."""
    return {consumer.name: consumer_run(name=consumer.name) for consumer in registered()}


def consumer_run(*, name: str, now: float | None = None) -> Pass:
    """One pass of one consumer. Holds its cursor row (SKIP LOCKED: a busy consumer is skipped)."""
    consumer = _registry[name]
    now = time.time() if now is None else now
    _rearm(name)
    ConsumerCursor.objects.bulk_create([ConsumerCursor(name=name)], ignore_conflicts=True)
    with transaction.atomic():
        cursor = ConsumerCursor.objects.select_for_update(skip_locked=True).filter(name=name).first()
        if cursor is None:
            return Pass(skipped=True)
        due = [int(i) for i, r in cursor.retries.items() if r["retry_at"] <= now]
        wanted = Q(id__gt=cursor.position) | Q(id__in=[int(i) for i in cursor.gaps] + due)
        events = list(consumer.model().objects.filter(wanted).order_by("id")[: consumer.batch_size])
        result = _handle(consumer, events, cursor, now)
        seen = {event.pk for event in events}
        for gone in set(due) - seen:  # a retried event that no longer exists
            cursor.retries.pop(str(gone), None)
        _advance(cursor, events, now)
        cursor.last_run_at = timezone.now()
        cursor.save()
    return result


def _handle(consumer: Consumer, events: list, cursor: ConsumerCursor, now: float) -> Pass:
    """Hand the batch over; if it fails, event by event, each in a savepoint."""
    if not events:
        return Pass()
    try:
        with transaction.atomic():
            consumer.handle(events)
    except Exception:
        logger.warning("Consumer %s failed on a batch; trying event by event.", consumer.name, exc_info=True)
    else:
        for event in events:
            cursor.retries.pop(str(event.pk), None)
        return Pass(handled=len(events))
    handled = retried = failed = 0
    for event in events:
        try:
            with transaction.atomic():
                consumer.handle([event])
        except Exception as exc:
            if _record_failure(consumer, cursor, event.pk, exc, now):
                failed += 1
            else:
                retried += 1
        else:
            cursor.retries.pop(str(event.pk), None)
            handled += 1
    return Pass(handled=handled, retried=retried, failed=failed)


def _record_failure(consumer: Consumer, cursor: ConsumerCursor, event_id: int, exc: Exception, now) -> bool:
    """Schedule a retry with backoff, or give up after CONSUMER_MAX_ATTEMPTS (returns True)."""
    entry = cursor.retries.get(str(event_id), {"attempts": 0})
    attempts = entry["attempts"] + 1
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if attempts >= settings.CONSUMER_MAX_ATTEMPTS:
        cursor.retries.pop(str(event_id), None)
        ConsumerFailure.objects.update_or_create(
            consumer=consumer.name,
            event_id=event_id,
            defaults={"attempts": attempts, "error": error, "failed_at": timezone.now(), "retried_at": None},
        )
        logger.error(
            "Consumer %s gave up on event %s (%s attempts): %s", consumer.name, event_id, attempts, exc
        )
        return True
    delay = random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**attempts))
    cursor.retries[str(event_id)] = {"attempts": attempts, "retry_at": now + delay, "error": error}
    logger.warning("Consumer %s failed on event %s (attempt %s): %s", consumer.name, event_id, attempts, exc)
    return False


def _advance(cursor: ConsumerCursor, events: list, now: float) -> None:
    """Move the high-water mark over what was read; remember the ids it jumped that were not there."""
    seen = {event.pk for event in events}
    for event_id in seen:
        cursor.gaps.pop(str(event_id), None)
    newer = sorted(i for i in seen if i > cursor.position)
    if newer:
        # Only recent ids can belong to transactions still open; older holes are ids the sequence
        # skipped or rows deleted, not worth looking for (a new cursor on an old log, say).
        # A new cursor (position 0) starts at the first event it finds: what lies below is history.
        floor = newer[0] if cursor.position == 0 else cursor.position + 1
        start = max(floor, newer[-1] - GAP_WINDOW)
        for missing in set(range(start, newer[-1])) - seen:
            cursor.gaps[str(missing)] = now
        cursor.position = newer[-1]
    expired = [i for i, first in cursor.gaps.items() if now - first > settings.CONSUMER_GAP_SECONDS]
    for event_id in expired:
        del cursor.gaps[event_id]


def consumer_lag(*, name: str) -> Lag:
    """How far a consumer is behind its log (for /readyz, the admin and the operations page)."""
    consumer = _registry[name]
    model = consumer.model()
    cursor = ConsumerCursor.objects.filter(name=name).first() or ConsumerCursor(name=name)
    newest = model.objects.aggregate(newest=Max("id"))["newest"] or 0
    waiting_ids = [int(i) for i in [*cursor.gaps, *cursor.retries]]
    oldest = model.objects.filter(Q(id__gt=cursor.position) | Q(id__in=waiting_ids)).aggregate(
        oldest=Min(consumer.time_field)
    )["oldest"]
    return Lag(
        consumer=name,
        events=max(0, newest - cursor.position),
        waiting=len(cursor.retries) + len(cursor.gaps),
        oldest_seconds=_age(oldest),
        failed=ConsumerFailure.objects.filter(consumer=name, retried_at__isnull=True).count(),
    )


def _age(moment: datetime | None) -> float | None:
    return None if moment is None else max(0.0, (timezone.now() - moment).total_seconds())


def cursors_skip_to_newest() -> dict[str, int]:
    """Move every consumer's cursor past the events already in its log, for a bulk load that made
    their effects itself (seed_scale computes the metrics and sends nothing). Returns the positions."""
    positions = {}
    for consumer in registered():
        newest = consumer.model().objects.aggregate(newest=Max("id"))["newest"] or 0
        ConsumerCursor.objects.update_or_create(
            name=consumer.name, defaults={"position": newest, "gaps": {}, "retries": {}}
        )
        positions[consumer.name] = newest
    return positions


def failure_retry(*, failure_id: int) -> None:
    """Give a failed event another pass (admin, operations page): it joins its cursor's retries."""
    with transaction.atomic():
        failure = ConsumerFailure.objects.select_for_update().get(pk=failure_id, retried_at__isnull=True)
        ConsumerCursor.objects.bulk_create([ConsumerCursor(name=failure.consumer)], ignore_conflicts=True)
        cursor = ConsumerCursor.objects.select_for_update().get(name=failure.consumer)
        cursor.retries[str(failure.event_id)] = {"attempts": 0, "retry_at": 0, "error": failure.error}
        cursor.save(update_fields=["retries", "updated_at"])
        failure.retried_at = timezone.now()
        failure.save(update_fields=["retried_at"])
