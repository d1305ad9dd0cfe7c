"""What workers do with stored deliveries: the database is the queue.

A worker claims a batch of pending deliveries (FOR UPDATE SKIP LOCKED, then a short lease), so any
number of workers share the work and a worker that dies only delays its batch until the lease runs
out. It applies the batch in chunks, one transaction each: the chunk's alert groups are locked up
front in id order (so two workers can never deadlock), the alerts they touch are loaded in one
query, and the deliveries are marked processed in one statement. If anything in a chunk fails, the
chunk is rolled back and its deliveries are retried one by one, so a poison delivery is isolated:
after INGEST_MAX_ATTEMPTS it is marked failed and left visible, never blocking the others.

Applying a signal is idempotent: an alert identity has at most one open alert (a partial unique
constraint), an older state never overrides a newer one, and replaying a delivery changes nothing.
What "older" means is the adapter's `Ordering` for the identity (one episode, the sender's state
times, or arrival, the delivery's id); a resolve is remembered even for an identity never seen
firing (ResolvedIdentity, swept by age), so a late firing copy is recorded as stale and opens nothing.
Payload times are never compared with the time we received anything.
"""

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from alerts import adapters, routing
from alerts.adapters.base import AlertSignal, Ordering, Parsed, SignalStatus
from alerts.models import (
    Alert,
    AlertGroup,
    AlertStatus,
    Delivery,
    DeliveryState,
    Integration,
    ResolvedIdentity,
)
from core import enqueue, errors
from incidents import services as incident_services
from incidents.models import Incident, Service, Source, Status
from incidents.phases import Phase

logger = logging.getLogger(__name__)

CHUNK = 50
LEASE = timedelta(seconds=60)
DELIVERY_FIELDS = ["state", "attempts", "processed_at", "outcome", "error", "claimed_until"]


@dataclass(frozen=True)
class SignalOutcome:
    # created, updated, acknowledged, resolved, unchanged, remembered (a resolve of an identity not
    # open: kept so a late firing opens nothing), stale (older than what was applied: ignored)
    action: str
    alert_id: int | None = None
    incident_id: int | None = None
    incident_opened: bool = False
    incident_closed: str = ""  # "auto_resolved" or "recorded" when the last alert resolved


@dataclass
class Batch:
    """What one chunk's transaction has loaded and locked, shared by its signals."""

    groups: dict[tuple[int, str], AlertGroup] = field(default_factory=dict)
    alerts: dict[tuple[int, str], Alert] = field(default_factory=dict)  # the latest alert per identity
    resolved: dict[tuple[int, str], ResolvedIdentity] = field(default_factory=dict)
    services: dict[str, Service | None] = field(default_factory=dict)
    new_alerts: Counter[int] = field(default_factory=Counter)  # incident id -> alerts created for it

    def prepare(self, items: list[tuple[Delivery, Parsed]]) -> None:
        """Lock every group the chunk touches (creating missing ones), in id order; load their alerts."""
        wanted: dict[int, set[str]] = {}
        identities: dict[int, set[str]] = {}
        for delivery, parsed in items:
            for signal in parsed.signals:
                wanted.setdefault(delivery.integration_id, set()).add(signal.group_key[:500])
                identities.setdefault(delivery.integration_id, set()).add(signal.dedup_key[:500])
        if not wanted:
            return
        AlertGroup.objects.bulk_create(
            [AlertGroup(integration_id=i, key=key) for i, keys in wanted.items() for key in sorted(keys)],
            ignore_conflicts=True,
        )
        by_pairs = Q()
        for integration_id, keys in wanted.items():
            by_pairs |= Q(integration_id=integration_id, key__in=keys)
        locked = (
            AlertGroup.objects.select_for_update(of=("self",)).select_related("incident").filter(by_pairs)
        )
        self.groups = {(g.integration_id, g.key): g for g in locked.order_by("id")}
        by_identity = Q()
        for integration_id, keys in identities.items():
            by_identity |= Q(integration_id=integration_id, dedup_key__in=keys)
        for alert in Alert.objects.filter(by_identity).order_by("id"):
            self.alerts[(alert.integration_id, alert.dedup_key)] = alert
        for record in ResolvedIdentity.objects.filter(by_identity):
            self.resolved[(record.integration_id, record.dedup_key)] = record


def _claim(limit: int) -> list[int]:
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(state=DeliveryState.PENDING)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("id")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            Delivery.objects.filter(id__in=ids).update(claimed_until=now + LEASE)
    return ids


def deliveries_process(*, limit: int | None = None) -> int:
    """Claim and process one batch of pending deliveries, oldest first. Returns how many were taken."""
    ids = _claim(limit or settings.INGEST_BATCH_SIZE)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        try:
            with transaction.atomic():
                _process_chunk(chunk)
        except Exception:  # one bad delivery: retry the chunk's deliveries one by one to isolate it
            logger.warning(
                "A chunk of %s deliveries failed; retrying them one by one.", len(chunk), exc_info=True
            )
            for delivery_id in chunk:
                _process_alone(delivery_id)
    return len(ids)


def resolved_identities_sweep(*, batch_size: int = 5000) -> int:
    """Forget resolves older than ALERT_RESOLVE_MEMORY_DAYS, a batch at a time (bounded work per
    run; the next run takes the rest). A firing older than a forgotten resolve is then judged by
    the resolved alert row alone, as before the resolve was remembered. Returns how many went."""
    cutoff = timezone.now() - timedelta(days=settings.ALERT_RESOLVE_MEMORY_DAYS)
    ids = list(
        ResolvedIdentity.objects.filter(recorded_at__lt=cutoff)
        .order_by("recorded_at")[:batch_size]
        .values_list("id", flat=True)
    )
    if not ids:
        return 0
    deleted, _ = ResolvedIdentity.objects.filter(id__in=ids).delete()
    return deleted


def delivery_process(*, delivery_id: int) -> Delivery:
    """Process one pending delivery now (no-op if it is not pending). Used by tests and the admin."""
    _process_alone(delivery_id)
    return Delivery.objects.get(pk=delivery_id)


def _process_alone(delivery_id: int) -> None:
    try:
        with transaction.atomic():
            _process_chunk([delivery_id])
    except Exception as exc:
        _record_failure(delivery_id, exc)


def _record_failure(delivery_id: int, exc: Exception) -> None:
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update().filter(pk=delivery_id, state=DeliveryState.PENDING).first()
        )
        if delivery is None:
            return
        delivery.attempts += 1
        delivery.error = f"{type(exc).__name__}: {exc}"[:2000]
        delivery.claimed_until = None
        if delivery.attempts >= settings.INGEST_MAX_ATTEMPTS:
            delivery.state = DeliveryState.FAILED
            delivery.processed_at = timezone.now()
            logger.error(
                "Delivery %s failed %s times; marked failed.", delivery_id, delivery.attempts, exc_info=exc
            )
        else:
            logger.warning(
                "Delivery %s failed (attempt %s); will retry.", delivery_id, delivery.attempts, exc_info=exc
            )
        delivery.save(update_fields=DELIVERY_FIELDS)


def _parse(delivery: Delivery) -> Parsed:
    return adapters.parser(delivery.integration.kind)(
        json.loads(delivery.body), headers=delivery.headers, defaults=delivery.meta
    )


def _process_chunk(ids: list[int]) -> None:
    deliveries = list(
        Delivery.objects.select_for_update(of=("self",))
        .select_related("integration", "integration__team")
        .filter(id__in=ids, state=DeliveryState.PENDING)
        .order_by("id")
    )
    items = [(delivery, _parse(delivery)) for delivery in deliveries]
    batch = Batch()
    batch.prepare(items)
    now = timezone.now()
    for delivery, parsed in items:
        delivery.outcome = _apply_delivery(delivery, parsed, batch)
    incident_services.incident_alert_count_add(counts=batch.new_alerts)  # one UPDATE per incident
    _mark_processed(deliveries, now)


def _mark_processed(deliveries: list[Delivery], now: datetime) -> None:
    """One statement for the whole chunk (Django's bulk_update compiles a CASE per row and per
    field, which cost more than processing the alerts themselves)."""
    if not deliveries:
        return
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
        state=DeliveryState.PROCESSED,
        processed_at=now,
        error="",
        claimed_until=None,
        attempts=F("attempts") + 1,
    )
    if connection.vendor == "postgresql":
        values = ", ".join(["(%s, %s::jsonb)"] * len(deliveries))
        params = [item for d in deliveries for item in (d.pk, json.dumps(d.outcome))]
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE alerts_delivery AS d SET outcome = v.outcome "
                f"FROM (VALUES {values}) AS v(id, outcome) WHERE d.id = v.id",
                params,
            )
    else:
        for delivery in deliveries:
            Delivery.objects.filter(pk=delivery.pk).update(outcome=delivery.outcome)


def _apply_delivery(delivery: Delivery, parsed: Parsed, batch: Batch) -> dict:
    outcome: dict = {"signals": len(parsed.signals), "actions": {}, "incidents": []}
    if parsed.truncated_alerts:
        outcome["truncated_alerts"] = parsed.truncated_alerts
    if parsed.subscription is not None:
        confirm = enqueue.task("alerts.tasks.sns_subscription_confirm")
        outcome["subscription"] = parsed.subscription.subscribe_url
        transaction.on_commit(lambda: confirm.delay(delivery.pk))
    for signal in parsed.signals:
        result = signal_apply(integration=delivery.integration, signal=signal, delivery=delivery, batch=batch)
        outcome["actions"][result.action] = outcome["actions"].get(result.action, 0) + 1
        if result.incident_id and result.incident_id not in outcome["incidents"]:
            outcome["incidents"].append(result.incident_id)
    return outcome


def _event_time(signal: AlertSignal, delivery: Delivery) -> datetime:
    return min(signal.event_at or delivery.received_at, timezone.now())


def signal_apply(
    *, integration: Integration, signal: AlertSignal, delivery: Delivery, batch: Batch
) -> SignalOutcome:
    """Apply one alert's reported state, inside a chunk whose groups `batch` has locked."""
    identity = (integration.pk, signal.dedup_key[:500])
    group = batch.groups[(integration.pk, signal.group_key[:500])]
    event_at = _event_time(signal, delivery)
    alert = batch.alerts.get(identity)
    if alert is not None and alert.status != AlertStatus.RESOLVED:
        return _update_open_alert(alert, signal, delivery, event_at, batch)
    if signal.status == SignalStatus.RESOLVED:
        _remember_resolve(identity, signal, delivery, batch)
        if alert is None:
            return SignalOutcome("remembered")  # never seen firing: opens nothing, and outranks late firings
        alert.delivery_count += 1
        _save_alert(alert, ["delivery_count"])
        return SignalOutcome("unchanged", alert.pk, alert.incident_id)
    if _superseded_by_resolve(signal, delivery, alert, batch.resolved.get(identity)):
        if alert is None:
            return SignalOutcome("stale")
        alert.delivery_count += 1
        _save_alert(alert, ["delivery_count"])
        return SignalOutcome("stale", alert.pk, alert.incident_id)
    outcome, alert = _create_alert(integration, group, signal, delivery, event_at, batch.services)
    batch.alerts[identity] = alert
    batch.new_alerts[alert.incident_id] += 1
    return outcome


def _is_older(signal: AlertSignal, sequence: int, state_at: datetime | None, than_sequence: int) -> bool:
    """Whether an event (its delivery id, its sender time) comes before the newest one applied,
    in the identity's order. STATE_TIME compares the sender's own times where both have one."""
    if signal.order == Ordering.STATE_TIME and signal.event_at is not None and state_at is not None:
        return signal.event_at <= state_at
    return sequence < than_sequence


def _superseded_by_resolve(
    signal: AlertSignal, delivery: Delivery, alert: Alert | None, record: ResolvedIdentity | None
) -> bool:
    """A firing (or acknowledge) for an identity with no open alert: is it older than its last resolve?"""
    if alert is None and record is None:
        return False
    if signal.order == Ordering.EPISODE:
        return True  # the episode ended; nothing reopens it
    candidates = [(record.sequence, record.state_at)] if record is not None else []
    if alert is not None:
        candidates.append((alert.last_sequence, alert.last_event_at))  # its resolve, for a resolved alert
    sequence = max(c[0] for c in candidates)
    times = [c[1] for c in candidates if c[1] is not None]
    return _is_older(signal, delivery.pk, max(times) if times else None, sequence)


def _remember_resolve(
    identity: tuple[int, str], signal: AlertSignal, delivery: Delivery, batch: Batch
) -> None:
    """Keep the newest resolve of an identity (under its group's lock, so no two workers race)."""
    state_at = signal.ends_at or signal.event_at
    record = batch.resolved.get(identity)
    if record is None:
        batch.resolved[identity] = ResolvedIdentity.objects.create(
            integration_id=identity[0],
            dedup_key=identity[1],
            sequence=delivery.pk,
            state_at=state_at,
            recorded_at=timezone.now(),
        )
        return
    record.sequence = max(record.sequence, delivery.pk)
    if state_at is not None:
        record.state_at = max(record.state_at, state_at) if record.state_at else state_at
    record.recorded_at = timezone.now()
    record.save(update_fields=["sequence", "state_at", "recorded_at"])


def _create_alert(
    integration, group, signal, delivery, event_at, services_cache
) -> tuple[SignalOutcome, Alert]:
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
        last_event_at=signal.event_at or event_at,  # the sender's own clock, for ordering
        last_delivery=delivery,
        last_sequence=delivery.pk,
    )
    if signal.status == SignalStatus.ACKNOWLEDGED:
        _acknowledge(alert, event_at)
        return SignalOutcome("acknowledged", alert.pk, incident.pk, incident_opened=opened), alert
    return SignalOutcome("created", alert.pk, incident.pk, incident_opened=opened), alert


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


def _save_alert(alert: Alert, fields: list[str]) -> None:
    """UPDATE the given fields of an alert in one plain statement: on this hot path the ORM's
    save(update_fields=...) spent more time compiling the query than the database spent running it."""
    alert.updated_at = timezone.now()
    names = list(dict.fromkeys([*fields, "updated_at"]))
    columns, params = [], []
    for name in names:
        model_field = Alert._meta.get_field(name)
        columns.append(f'"{model_field.column}" = %s')
        params.append(model_field.get_db_prep_save(getattr(alert, model_field.attname), connection))
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{Alert._meta.db_table}" SET {", ".join(columns)} WHERE "id" = %s', [*params, alert.pk]
        )


def _update_open_alert(
    alert: Alert, signal: AlertSignal, delivery: Delivery, event_at: datetime, batch: Batch
) -> SignalOutcome:
    alert.delivery_count += 1
    fields = ["delivery_count"]
    final_resolve = signal.order == Ordering.EPISODE and signal.status == SignalStatus.RESOLVED
    if not final_resolve and _is_older(signal, delivery.pk, alert.last_event_at, alert.last_sequence):
        _save_alert(alert, fields)
        return SignalOutcome("stale", alert.pk, alert.incident_id)
    if delivery.pk >= alert.last_sequence:
        alert.last_delivery, alert.last_sequence = delivery, delivery.pk
        fields += ["last_delivery", "last_sequence"]
    alert.last_event_at = max(alert.last_event_at, signal.event_at or event_at)
    fields.append("last_event_at")
    if signal.title:
        alert.title, alert.description = signal.title[:1024], signal.description or alert.description
        alert.labels = dict(signal.labels) or alert.labels
        alert.annotations = dict(signal.annotations) or alert.annotations
        fields += ["title", "description", "labels", "annotations"]
    if signal.status == SignalStatus.RESOLVED:
        alert.status = AlertStatus.RESOLVED
        alert.ends_at = min(signal.ends_at or event_at, timezone.now())
        _save_alert(alert, [*fields, "status", "ends_at"])
        _remember_resolve((alert.integration_id, alert.dedup_key), signal, delivery, batch)
        closed = _maybe_close_incident(alert.incident_id)
        if closed:  # a later signal of this chunk must not attach a new alert to the closed incident
            for group in batch.groups.values():
                if group.incident is not None and group.incident.pk == alert.incident_id:
                    group.incident.refresh_from_db(fields=["status"])
        return SignalOutcome("resolved", alert.pk, alert.incident_id, incident_closed=closed)
    if signal.status == SignalStatus.ACKNOWLEDGED and alert.status == AlertStatus.FIRING:
        _save_alert(alert, fields)
        _acknowledge(alert, event_at)
        return SignalOutcome("acknowledged", alert.pk, alert.incident_id)
    _save_alert(alert, fields)
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
