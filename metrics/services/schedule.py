"""When recomputes run: after commit, through the "metrics" queue, debounced per week in Redis.

- an incident changes: the `metrics.incidents` consumer of the timeline (metrics/consumers.py) refreshes
  its row in the consumer's pass, which then asks for a recompute of its week;
- an action item or a COE changes (`coe.services`): `week_changed_on_commit` asks for a recompute of the
  week it touched. Week recomputes are debounced (`week_changed`);
- every 10 minutes (`config/celery.py`), `recent_weeks_recompute` catches up whatever a lost task or a
  down broker missed, so a lost enqueue only delays figures. Nothing here raises into the caller.
"""

import logging
import math
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import enqueue, reporting
from core import redis as shared_redis
from metrics import weeks

logger = logging.getLogger(__name__)

PENDING_KEY = "metrics:week-pending:{week}"


def current_week(now: datetime | None = None) -> date:
    return weeks.week_of(now or timezone.now(), reporting.reporting_zone())


def week_changed(*, week: date) -> None:
    """Ask for a recompute of the week, debounced: a burst of changes makes one recompute.

    `SET metrics:week-pending:<week> NX EX`: only the change that sets the flag enqueues the task,
    METRICS_DEBOUNCE_SECONDS later; later changes of the burst find the flag and rely on that task,
    which clears the flag before it reads (`week_pending_recompute`). Future weeks are skipped (they
    are recomputed once they begin); eagerly, the week is recomputed at once. Never raises: with Redis
    or the broker down, the periodic job recomputes recent weeks anyway.
    """
    week = weeks.week_monday(week)
    if week > current_week():
        return
    label = weeks.week_format(week)
    delay = settings.METRICS_DEBOUNCE_SECONDS
    key = PENDING_KEY.format(week=label)
    client = None
    try:
        client = shared_redis.client()
        # The flag outlives the countdown, so a burst makes one task; if that task is lost, it expires.
        if client is not None and not client.set(key, 1, nx=True, ex=math.ceil(delay) + 60):
            return
        recompute_task = enqueue.task("metrics.tasks.week_recompute")
        recompute_task.apply_async(args=[label], countdown=delay, expires=delay + 3600)
    except Exception:
        logger.warning("Could not enqueue the recompute of week %s.", label, exc_info=True)
        try:
            if client is not None:  # let the next change try again rather than wait for the flag to expire
                client.delete(key)
        except Exception:
            logger.debug("Could not clear the pending flag of week %s.", label, exc_info=True)


def week_flag_clear(*, week: date) -> None:
    """Clear the week's pending flag, at the start of its debounced recompute (recompute.
    week_pending_recompute). Deleted BEFORE reading: a change committed after the read then finds no
    flag and enqueues another recompute, which will see it. Deleted after the read instead, such a
    change would find the flag still set, enqueue nothing, and stay unseen until the periodic job."""
    try:
        client = shared_redis.client()
        if client is not None:
            client.delete(PENDING_KEY.format(week=weeks.week_format(week)))
    except Exception:  # Redis down: the recompute still runs; only the debounce is lost
        logger.warning("Could not clear the pending flag of week %s.", week, exc_info=True)


def week_on_commit(week: date) -> None:
    """After commit, `week_changed` for the week starting on Monday `week`. The callers ask once per
    week and transaction (a consumer's pass gathers the weeks of its whole batch first)."""
    week = weeks.week_monday(week)

    def changed() -> None:
        week_changed(week=week)

    changed.metrics_week = week
    transaction.on_commit(changed, robust=True)


def week_containing(at: datetime | date) -> date:
    """The Monday of the reporting week of an instant, or of a calendar day in the reporting zone
    (such as a due date)."""
    if isinstance(at, datetime):
        return weeks.week_of(at, reporting.reporting_zone())
    return weeks.week_monday(at)


def week_changed_on_commit(*, at: datetime | date) -> None:
    """After commit, ask for a (debounced) recompute of the week containing `at`."""
    week_on_commit(week_containing(at))
