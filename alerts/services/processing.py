"""What workers do with stored deliveries: the database is the queue.

`deliveries_process` takes a batch of pending deliveries with FOR UPDATE SKIP LOCKED (so any number
of workers share the work without double-processing), and applies each in its own savepoint: a
delivery that fails is retried on a later pass and, after INGEST_MAX_ATTEMPTS, marked failed and
left visible, never blocking the others.

Applying a signal is idempotent: the alert group row is locked while one of its alerts changes, an
alert identity has at most one open alert (a partial unique constraint), and an older state never
overrides a newer one. Replaying a delivery changes nothing.
"""

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from alerts import adapters, routing
from alerts.adapters.base import AlertSignal, SignalStatus
from alerts.models import Alert, AlertGroup, AlertStatus, Delivery, DeliveryState, Integration
from core import errors
from incidents import services as incident_services
from incidents.models import Incident, Service, Source, Status
from incidents.phases import Phase

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignalOutcome:
    action: str  # created, updated, acknowledged, resolved, unchanged, stale, ignored
    alert_id: int | None = None
    incident_id: int | None = None
    incident_opened: bool = False
    incident_closed: str = ""  # "auto_resolved" or "recorded" when the last alert resolved


def deliveries_process(*, limit: int | None = None) -> int:
    """Process one batch of pending deliveries, oldest first. Returns how many were taken."""
    limit = limit or settings.INGEST_BATCH_SIZE
    with transaction.atomic():
        batch = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("integration", "integration__team")
            .filter(state=DeliveryState.PENDING)
            .order_by("id")[:limit]
        )
        services_cache: dict[str, Service | None] = {}
        for delivery in batch:
            _process_one(delivery, services_cache)
    return len(batch)


def delivery_process(*, delivery_id: int) -> Delivery:
    """Process one pending delivery (no-op if it is not pending). Used by tests and the admin."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("integration", "integration__team")
            .get(pk=delivery_id)
        )
        if delivery.state == DeliveryState.PENDING:
            _process_one(delivery, {})
    return delivery


def _process_one(delivery: Delivery, services_cache: dict) -> None:
    now = timezone.now()
    try:
        with transaction.atomic():
            outcome = _apply_delivery(delivery, services_cache)
    except Exception as exc:
        delivery.attempts += 1
        delivery.error = f"{type(exc).__name__}: {exc}"[:2000]
        if delivery.attempts >= settings.INGEST_MAX_ATTEMPTS:
            delivery.state = DeliveryState.FAILED
            delivery.processed_at = now
            logger.error(
                "Delivery %s failed %s times; marked failed.", delivery.pk, delivery.attempts, exc_info=True
            )
        else:
            logger.warning(
                "Delivery %s failed (attempt %s); will retry.", delivery.pk, delivery.attempts, exc_info=True
            )
        delivery.save(update_fields=["attempts", "error", "state", "processed_at"])
        return
    delivery.attempts += 1
    delivery.state = DeliveryState.PROCESSED
    delivery.processed_at = now
    delivery.outcome = outcome
    delivery.error = ""
    delivery.save(update_fields=["attempts", "state", "processed_at", "outcome", "error"])


def _apply_delivery(delivery: Delivery, services_cache: dict) -> dict:
    integration = delivery.integration
    parsed = adapters.parser(integration.kind)(
        json.loads(delivery.body), headers=delivery.headers, defaults=delivery.meta
    )
    outcome: dict = {"signals": len(parsed.signals), "actions": {}, "incidents": []}
    if parsed.truncated_alerts:
        outcome["truncated_alerts"] = parsed.truncated_alerts
    if parsed.subscription is not None:
        from alerts import tasks

        outcome["subscription"] = parsed.subscription.subscribe_url
        transaction.on_commit(lambda: tasks.sns_subscription_confirm.delay(delivery.pk))
    for signal in parsed.signals:
        result = signal_apply(
            integration=integration, signal=signal, delivery=delivery, services_cache=services_cache
        )
        outcome["actions"][result.action] = outcome["actions"].get(result.action, 0) + 1
        if result.incident_id and result.incident_id not in outcome["incidents"]:
            outcome["incidents"].append(result.incident_id)
    return outcome


def _event_time(signal: AlertSignal, delivery: Delivery) -> datetime:
    return min(signal.event_at or delivery.received_at, timezone.now())


def signal_apply(
    *, integration: Integration, signal: AlertSignal, delivery: Delivery, services_cache: dict | None = None
) -> SignalOutcome:
    """Apply one alert's reported state. Locks the alert's group row for the rest of the transaction."""
    group, _ = AlertGroup.objects.get_or_create(integration=integration, key=signal.group_key[:500])
    group = AlertGroup.objects.select_for_update(of=("self",)).select_related("incident").get(pk=group.pk)
    event_at = _event_time(signal, delivery)
    alert = (
        Alert.objects.filter(integration=integration, dedup_key=signal.dedup_key[:500])
        .order_by("-id")
        .first()
    )
    if alert is not None and alert.status != AlertStatus.RESOLVED:
        return _update_open_alert(alert, signal, delivery, event_at)
    retriggered = (
        signal.status == SignalStatus.FIRING
        and signal.retrigger_after_resolve
        and event_at > alert.last_event_at
        if alert is not None
        else False
    )
    if alert is not None and not retriggered:  # resolved already, and this is not a new episode
        Alert.objects.filter(pk=alert.pk).update(delivery_count=alert.delivery_count + 1)
        return SignalOutcome("unchanged", alert.pk, alert.incident_id)
    if signal.status == SignalStatus.RESOLVED:
        return SignalOutcome("ignored")  # a resolve for an alert we never saw firing opens nothing
    return _create_alert(integration, group, signal, delivery, event_at, services_cache or {})


def _create_alert(integration, group, signal, delivery, event_at, services_cache) -> SignalOutcome:
    incident = group.incident
    opened = False
    if incident is None or incident.status != Status.ACTIVE:
        incident = _open_incident(integration, signal, delivery, event_at, services_cache)
        group.incident = incident
        group.save(update_fields=["incident"])
        opened = True
    starts_at = min(signal.starts_at or event_at, timezone.now())
    alert = Alert.objects.create(
        integration=integration,
        group=group,
        incident=incident,
        dedup_key=signal.dedup_key[:500],
        status=AlertStatus.FIRING,
        title=signal.title[:1024],
        description=signal.description,
        severity=signal.severity[:100],
        labels=dict(signal.labels),
        annotations=dict(signal.annotations),
        links=[dict(link) for link in signal.links],
        starts_at=starts_at,
        last_event_at=event_at,
        last_delivery=delivery,
    )
    if signal.status == SignalStatus.ACKNOWLEDGED:
        _acknowledge(alert, event_at)
        return SignalOutcome("acknowledged", alert.pk, incident.pk, incident_opened=opened)
    return SignalOutcome("created", alert.pk, incident.pk, incident_opened=opened)


def _open_incident(integration, signal, delivery, event_at, services_cache) -> Incident:
    severity = routing.severity_for(
        labels=signal.labels,
        tool_severity=signal.severity,
        label=integration.severity_label,
        mapping=integration.severity_map,
        default=integration.default_severity,
    )
    slug = routing.service_slug_for(
        labels=signal.labels, label=integration.service_label, mapping=integration.service_map
    )
    services = []
    if slug:
        if slug not in services_cache:
            services_cache[slug] = Service.objects.filter(slug=slug).first()
        if services_cache[slug] is not None:
            services.append(services_cache[slug])
    started_at = min(signal.starts_at or event_at, timezone.now())
    return incident_services.incident_declare(
        actor=None,
        title=(signal.title or "Untitled alert")[:200],
        team=integration.team,
        severity=severity,
        services=services,
        summary=signal.description[:5000],
        started_at=started_at,
        source=Source.ALERT,
        origin={
            "integration": integration.name,
            "integration_id": integration.pk,
            "alert": signal.title[:200],
            "first_delivery_at": delivery.received_at.isoformat(),
        },
    )


def _update_open_alert(
    alert: Alert, signal: AlertSignal, delivery: Delivery, event_at: datetime
) -> SignalOutcome:
    alert.delivery_count += 1
    alert.last_delivery = delivery
    fields = ["delivery_count", "last_delivery", "updated_at"]
    if event_at < alert.last_event_at:
        alert.save(update_fields=fields)
        return SignalOutcome("stale", alert.pk, alert.incident_id)
    alert.last_event_at = event_at
    fields.append("last_event_at")
    if signal.title:
        alert.title, alert.description = signal.title[:1024], signal.description or alert.description
        alert.labels = dict(signal.labels) or alert.labels
        alert.annotations = dict(signal.annotations) or alert.annotations
        fields += ["title", "description", "labels", "annotations"]
    if signal.status == SignalStatus.RESOLVED:
        alert.status = AlertStatus.RESOLVED
        alert.ends_at = min(signal.ends_at or event_at, timezone.now())
        alert.save(update_fields=[*fields, "status", "ends_at"])
        closed = _maybe_close_incident(alert.incident_id)
        return SignalOutcome("resolved", alert.pk, alert.incident_id, incident_closed=closed)
    if signal.status == SignalStatus.ACKNOWLEDGED and alert.status == AlertStatus.FIRING:
        alert.save(update_fields=fields)
        _acknowledge(alert, event_at)
        return SignalOutcome("acknowledged", alert.pk, alert.incident_id)
    alert.save(update_fields=fields)
    return SignalOutcome("updated", alert.pk, alert.incident_id)


def _acknowledge(alert: Alert, at: datetime) -> None:
    """A person acknowledged the alert: the detect phase of its incident ends (if it has not yet)."""
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = at
    alert.save(update_fields=["status", "acknowledged_at", "updated_at"])
    try:
        incident_services.incident_advance(
            incident_id=alert.incident_id,
            actor=None,
            expected_phase=Phase.DETECT,
            at=max(at, alert.starts_at),
        )
    except errors.ApplicationError as exc:  # already past detect, or closed: nothing to stamp
        logger.info(
            "Acknowledgement of alert %s left incident %s as it was: %s", alert.pk, alert.incident_id, exc
        )


def _maybe_close_incident(incident_id: int) -> str:
    """When the incident's last open alert resolves, tell the incident (which decides what it means)."""
    if Alert.objects.filter(incident_id=incident_id).exclude(status=AlertStatus.RESOLVED).exists():
        return ""
    ended_at = Alert.objects.filter(incident_id=incident_id).aggregate(last=Max("ends_at"))["last"]
    return incident_services.incident_alerts_resolved(
        incident_id=incident_id, ended_at=ended_at or timezone.now()
    )
