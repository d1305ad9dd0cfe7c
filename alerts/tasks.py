"""Ingestion tasks. They carry no payloads: the deliveries are in the database, the tasks only say
"look". Each is safe to run twice and any number at once (SKIP LOCKED batches)."""

import time

from celery import shared_task

from alerts import doorbell, services, sns
from alerts.adapters.base import SnsSubscription
from alerts.models import Delivery
from core import http

# One task run drains for at most this long, then yields the worker (the doorbell or sweep goes on).
DRAIN_SECONDS = 20


@shared_task(acks_late=True, soft_time_limit=30, time_limit=45)
def deliveries_process() -> int:
    """Drain pending deliveries in batches until none is left (or the time budget is spent)."""
    started = time.monotonic()
    total = 0
    while time.monotonic() - started < DRAIN_SECONDS:
        taken = services.deliveries_process()
        total += taken
        if taken == 0:
            doorbell.reset()
            break
    return total


@shared_task(acks_late=True, soft_time_limit=30, time_limit=45)
def deliveries_sweep() -> int:
    """Periodic safety net: process whatever the doorbell missed (Redis or a worker was down)."""
    return deliveries_process()


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def resolved_identities_sweep() -> int:
    """Periodic: forget remembered resolves past their age limit (bounded per run)."""
    return services.resolved_identities_sweep()


@shared_task(
    acks_late=True,
    autoretry_for=(http.Timeout, http.ConnectionFailed),
    max_retries=2,
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    soft_time_limit=20,
    time_limit=30,
)
def sns_subscription_confirm(delivery_id: int) -> bool:
    """Confirm an SNS subscription by one GET to its SubscribeURL, only if it is a trusted SNS URL."""
    delivery = Delivery.objects.filter(pk=delivery_id).only("outcome", "body").first()
    if delivery is None or not delivery.outcome.get("subscription"):
        return False
    url = delivery.outcome["subscription"]
    return sns.confirm_subscription(SnsSubscription(topic_arn="", subscribe_url=url))
