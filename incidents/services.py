"""Every write to incidents. Each service runs in one transaction, locks the incident row where two
requests could race, validates through `incidents.phases`, bumps the incident's version and appends
to the timeline. Only `core.errors.ApplicationError` subclasses escape.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from core import doorbell, errors
from incidents import phases
from incidents.models import (
    Criticality,
    EventKind,
    Incident,
    IncidentEvent,
    Service,
    Severity,
    Source,
    Status,
    Team,
)
from incidents.phases import Phase

# Fields a person may edit after declaring; stamps and status change only through their own services.
EDITABLE_FIELDS = (
    "title",
    "summary",
    "severity",
    "team",
    "services",
    "commander",
    "customer_impact",
    "customers_affected",
    "blast_radius",
)


class StalePhase(errors.Conflict):
    """Someone else moved the incident first: the caller saw an older phase."""

    default_code = "stale_phase"


class StaleVersion(errors.Conflict):
    default_code = "stale_version"


def _full_clean(instance, *, exclude: Iterable[str] = (), validate_constraints: bool = True) -> None:
    try:
        instance.full_clean(exclude=list(exclude), validate_constraints=validate_constraints)
    except ValidationError as exc:
        fields = exc.message_dict
        name, messages = next(iter(fields.items()))
        prefix = "" if name == NON_FIELD_ERRORS else f"{name.replace('_', ' ').capitalize()}: "
        raise errors.ValidationFailed(f"{prefix}{messages[0]}", extra={"fields": fields}) from exc


def _locked(incident_id: int) -> Incident:
    try:
        return Incident.objects.select_for_update().get(pk=incident_id)
    except Incident.DoesNotExist:
        raise errors.NotFound(
            f"Incident {incident_id} does not exist.", extra={"incident_id": incident_id}
        ) from None


def _event(
    incident: Incident, kind: EventKind, *, actor, occurred_at: datetime, **fields: Any
) -> IncidentEvent:
    """Append to the timeline, the incidents' published log. Every change of an incident passes here,
    in the change's transaction; the apps that react (metrics, notifications, ...) pull the events as
    consumers (core.consumers), woken after commit by the doorbell rung here. Nothing else is called."""
    event = IncidentEvent.objects.create(
        incident=incident, kind=kind, actor=actor, occurred_at=occurred_at, **fields
    )
    doorbell.ring("incidents.IncidentEvent")
    return event


def _display(value: Any) -> Any:
    """A JSON-safe rendering of a field value for the timeline."""
    if value is None or isinstance(value, str | int | bool):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_display(item) for item in value]
    return str(value)


def _clean_blast_radius(blast_radius: Iterable[str]) -> list[str]:
    cleaned = []
    for item in blast_radius:
        item = str(item).strip()
        if item and item not in cleaned:
            cleaned.append(item)
    return cleaned


def team_create(*, name: str, description: str = "") -> Team:
    team = Team(name=name.strip(), slug=slugify(name), description=description)
    _full_clean(team)
    team.save()
    return team


def service_create(
    *,
    name: str,
    team: Team,
    criticality: str = Criticality.NON_CRITICAL,
    cost_per_hour=None,
    description: str = "",
) -> Service:
    service = Service(
        name=name.strip(), slug=slugify(name), team=team, criticality=criticality, description=description
    )
    if cost_per_hour is not None:
        service.cost_per_hour = cost_per_hour
    _full_clean(service)
    service.save()
    return service


@transaction.atomic
def incident_declare(
    *,
    actor,
    title: str,
    team: Team,
    severity: str = Severity.SEV3,
    services: Sequence[Service] = (),
    summary: str = "",
    commander=None,
    customer_impact: str = "",
    customers_affected: int | None = None,
    blast_radius: Iterable[str] = (),
    started_at: datetime | None = None,
    detected_at: datetime | None = None,
    source: str = Source.WEB,
    origin: dict[str, Any] | None = None,
) -> Incident:
    """Open an incident.

    Declared by a person (web, api) it starts in evaluate: declaring stamps detected_at (now, or the
    given earlier time). Opened by an alert it starts in detect: nobody knows yet. started_at
    defaults to detected_at (or now). Appends a `declared` event, carrying `origin` (for example the
    alert and integration that opened it).
    """
    now = timezone.now()
    if source == Source.ALERT:
        detected_at = None
    phases.check_declared_times(started_at=started_at, detected_at=detected_at, now=now)
    if source != Source.ALERT:
        detected_at = detected_at or now
    started_at = started_at or detected_at or now
    incident = Incident(
        title=title.strip(),
        summary=summary,
        severity=severity,
        team=team,
        commander=commander,
        customer_impact=customer_impact,
        customers_affected=customers_affected,
        blast_radius=_clean_blast_radius(blast_radius),
        source=source,
        started_at=started_at,
        detected_at=detected_at,
    )
    # The stamp-order check constraints were just checked by phases.check_declared_times (and the
    # database enforces them); validating them again here would cost one query each.
    _full_clean(incident, validate_constraints=False)
    incident.save()
    incident.services.set(services)
    _event(
        incident,
        EventKind.DECLARED,
        actor=actor,
        occurred_at=detected_at or started_at,
        phase=phases.current_phase(incident.stamps) or "",
        data={
            "severity": severity,
            "source": source,
            "started_at": started_at.isoformat(),
            "services": [service.name for service in services],
            **(origin or {}),
        },
    )
    return incident


@transaction.atomic
def incident_advance(
    *,
    incident_id: int,
    actor,
    expected_phase: Phase | str,
    through: Phase | str | None = None,
    at: datetime | None = None,
) -> Incident:
    """End the current phase (at `at`, default now); with `through`, jump ahead, skipping phases.

    Holds the incident's row lock. `expected_phase` is the phase the caller saw: if the incident has
    moved on meanwhile (two people clicked "advance" at once), nothing changes and StalePhase is
    raised, so two concurrent clicks make one transition. Confirming resolves the incident.
    Appends one `phase_advanced` event, and one `phase_skipped` event per skipped phase.
    """
    incident = _locked(incident_id)
    expected_phase = Phase(expected_phase)
    current = phases.current_phase(incident.stamps)
    if incident.status != Status.ACTIVE:
        raise phases.IllegalTransition(
            f"The incident is {incident.get_status_display().lower()}; reopen it to change its phases.",
            extra={"status": incident.status},
        )
    if current != expected_phase:
        raise StalePhase(
            f"The incident is already in {current.label if current else 'no phase (resolved)'}; "
            "someone else advanced it. Nothing was changed.",
            extra={
                "current_phase": current.value if current else None,
                "expected_phase": expected_phase.value,
            },
        )
    now = timezone.now()
    plan = phases.plan_advance(
        incident.stamps, at=at or now, now=now, through=Phase(through) if through else None
    )
    for field, value in plan.stamps.items():
        setattr(incident, field, value)
    update_fields = [*plan.stamps, "version", "updated_at"]
    if incident.confirmed_at is not None:
        incident.status = Status.RESOLVED
        incident.closed_at = incident.confirmed_at
        update_fields += ["status", "closed_at"]
    incident.version += 1
    incident.save(update_fields=update_fields)
    stamp_time = plan.stamps[phases.ENDS_AT[plan.ended]]
    _event(
        incident,
        EventKind.PHASE_ADVANCED,
        actor=actor,
        occurred_at=stamp_time,
        phase=plan.ended,
        data={
            "field": phases.ENDS_AT[plan.ended],
            "at": stamp_time.isoformat(),
            "backfilled": at is not None,
        },
    )
    for skipped in plan.skipped:
        _event(
            incident,
            EventKind.PHASE_SKIPPED,
            actor=actor,
            occurred_at=stamp_time,
            phase=skipped,
            data={"field": phases.ENDS_AT[skipped], "at": stamp_time.isoformat()},
        )
    return incident


def _require_reason(reason: str, action: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise errors.ValidationFailed(
            f"A reason is required to {action}.", extra={"fields": {"reason": ["Required."]}}
        )
    return reason


@transaction.atomic
def incident_correct_stamp(*, incident_id: int, actor, field: str, value: datetime, reason: str) -> Incident:
    """Move one phase stamp that is already set (for example, impact really began earlier).

    Holds the row lock. The new time must stay in order with its neighbours and not be in the
    future; a reason is required. Appends a `stamp_corrected` event with the old and new values.
    """
    reason = _require_reason(reason, "correct a time")
    incident = _locked(incident_id)
    phases.check_correction(incident.stamps, field=field, value=value, now=timezone.now())
    old = getattr(incident, field)
    if old == value:
        raise errors.ValidationFailed(
            "The new time is the same as the current one.", extra={"field": field, "value": value.isoformat()}
        )
    setattr(incident, field, value)
    update_fields = [field, "version", "updated_at"]
    if field == "confirmed_at" and incident.status == Status.RESOLVED:
        incident.closed_at = value  # a resolved incident closed when it was confirmed
        update_fields.append("closed_at")
    incident.version += 1
    incident.save(update_fields=update_fields)
    _event(
        incident,
        EventKind.STAMP_CORRECTED,
        actor=actor,
        occurred_at=timezone.now(),
        body=reason,
        data={"field": field, "old": old.isoformat(), "new": value.isoformat()},
    )
    return incident


@transaction.atomic
def incident_reopen(*, incident_id: int, actor, reason: str, to_phase: Phase | str | None = None) -> Incident:
    """Bring a resolved, auto-resolved or false-alarm incident back to active.

    A resolved incident goes back to `to_phase` (default confirm): that phase's end stamp and every
    later one are cleared. Holds the row lock; a reason is required. Appends a `reopened` event with
    the cleared values.
    """
    reason = _require_reason(reason, "reopen an incident")
    incident = _locked(incident_id)
    if incident.status == Status.ACTIVE:
        raise phases.IllegalTransition("The incident is already active.", extra={"status": incident.status})
    stamps = incident.stamps
    current = phases.current_phase(stamps)
    target = Phase(to_phase) if to_phase else phases.reopen_default(stamps)
    cleared = {} if target == current else phases.plan_reopen(stamps, to_phase=target)
    old_status = incident.status
    for field in cleared:
        setattr(incident, field, None)
    incident.status = Status.ACTIVE
    incident.closed_at = None
    incident.version += 1
    incident.save(update_fields=[*cleared, "status", "closed_at", "version", "updated_at"])
    _event(
        incident,
        EventKind.REOPENED,
        actor=actor,
        occurred_at=timezone.now(),
        phase=target,
        body=reason,
        data={
            "old_status": old_status,
            "to_phase": target.value,
            "cleared": {field: stamps[field].isoformat() for field in cleared},
        },
    )
    return incident


@transaction.atomic
def incident_mark_false_alarm(*, incident_id: int, actor, reason: str) -> Incident:
    """Close an active incident that turned out not to be one. Its stamps stay as they were, and it is
    left out of time metrics. Holds the row lock; a reason is required."""
    reason = _require_reason(reason, "mark an incident as a false alarm")
    incident = _locked(incident_id)
    if incident.status != Status.ACTIVE:
        raise phases.IllegalTransition(
            f"Only an active incident can be marked a false alarm; this one is "
            f"{incident.get_status_display().lower()}.",
            extra={"status": incident.status},
        )
    now = timezone.now()
    incident.status = Status.FALSE_ALARM
    incident.closed_at = now
    incident.version += 1
    incident.save(update_fields=["status", "closed_at", "version", "updated_at"])
    _event(
        incident,
        EventKind.FALSE_ALARM,
        actor=actor,
        occurred_at=now,
        body=reason,
        data={"old_status": Status.ACTIVE},
    )
    return incident


@transaction.atomic
def incident_update(
    *, incident_id: int, actor, expected_version: int | None = None, **changes: Any
) -> Incident:
    """Edit the descriptive fields of an incident (not its stamps or status).

    Holds the row lock. With `expected_version`, an edit based on an older version is refused
    (StaleVersion) so a concurrent edit is never silently overwritten. Appends one `field_changed`
    event per field whose value changed, with the old and new values.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise errors.ValidationFailed(
            f"These fields cannot be edited: {', '.join(sorted(unknown))}.", extra={"fields": sorted(unknown)}
        )
    incident = _locked(incident_id)
    if expected_version is not None and incident.version != expected_version:
        raise StaleVersion(
            "Someone else changed this incident while you were editing. Reload to see their changes.",
            extra={"current_version": incident.version, "expected_version": expected_version},
        )
    new_services = changes.pop("services", None)
    if "blast_radius" in changes:
        changes["blast_radius"] = _clean_blast_radius(changes["blast_radius"])
    if "title" in changes:
        changes["title"] = changes["title"].strip()
    diffs: dict[str, tuple[Any, Any]] = {}
    for field, value in changes.items():
        old = getattr(incident, field)
        if old != value:
            diffs[field] = (old, value)
            setattr(incident, field, value)
    if new_services is not None:
        old_services = list(incident.services.all())
        if {s.pk for s in old_services} != {s.pk for s in new_services}:
            diffs["services"] = (sorted(s.name for s in old_services), sorted(s.name for s in new_services))
    if not diffs:
        return incident
    _full_clean(incident, validate_constraints=False)  # stamps and status are not edited here
    incident.version += 1
    incident.save()
    if "services" in diffs:
        incident.services.set(new_services)
    now = timezone.now()
    for field, (old, new) in diffs.items():
        _event(
            incident,
            EventKind.FIELD_CHANGED,
            actor=actor,
            occurred_at=now,
            data={"field": field, "old": _display(old), "new": _display(new)},
        )
    return incident


def incident_note_add(*, incident_id: int, actor, body: str, at: datetime | None = None) -> IncidentEvent:
    """Append a note to the timeline (at `at`, default now: a note copied from a chat log may be
    backdated, but not into the future nor before impact began). Notes never change the incident,
    so no lock is taken."""
    body = (body or "").strip()
    if not body:
        raise errors.ValidationFailed("A note cannot be empty.", extra={"fields": {"body": ["Required."]}})
    if len(body) > 10_000:
        raise errors.ValidationFailed(
            "A note can be at most 10,000 characters.", extra={"fields": {"body": ["Too long."]}}
        )
    try:
        incident = Incident.objects.only("pk", "started_at").get(pk=incident_id)
    except Incident.DoesNotExist:
        raise errors.NotFound(
            f"Incident {incident_id} does not exist.", extra={"incident_id": incident_id}
        ) from None
    now = timezone.now()
    at = at or now
    if at > now or at < incident.started_at:
        raise errors.ValidationFailed(
            "A note's time must lie between the start of impact and now.",
            extra={"field": "at", "value": at.isoformat()},
        )
    return _event(incident, EventKind.NOTE, actor=actor, occurred_at=at, body=body)


@transaction.atomic
def incident_alerts_resolved(*, incident_id: int, ended_at: datetime, actor=None) -> str:
    """Every alert of the incident has resolved, the last at `ended_at`.

    If no person has engaged yet (the incident is still in detect), it closes as auto-resolved.
    Otherwise people are working on it: the timeline records that the alerts ended, and the incident
    page offers to mark it recovered at that time; nothing else changes. Holds the row lock.
    Returns "auto_resolved", "recorded" or "ignored" (the incident is no longer active).
    """
    incident = _locked(incident_id)
    if incident.status != Status.ACTIVE:
        return "ignored"
    now = timezone.now()
    ended_at = min(max(ended_at, incident.started_at), now)
    if phases.current_phase(incident.stamps) == Phase.DETECT:
        incident.status = Status.AUTO_RESOLVED
        incident.closed_at = ended_at
        incident.version += 1
        incident.save(update_fields=["status", "closed_at", "version", "updated_at"])
        _event(
            incident,
            EventKind.AUTO_RESOLVED,
            actor=actor,
            occurred_at=ended_at,
            data={"ended_at": ended_at.isoformat()},
        )
        return "auto_resolved"
    _event(
        incident,
        EventKind.ALERTS_RESOLVED,
        actor=actor,
        occurred_at=ended_at,
        data={"ended_at": ended_at.isoformat()},
    )
    return "recorded"


def incident_alert_count_add(*, counts: Mapping[int, int]) -> None:
    """Add new alerts to the incidents' `alert_count`: `counts` maps an incident id to how many alerts
    were grouped into it. One UPDATE per incident (the alert intake calls it once per chunk, in its
    transaction); an increment in SQL, so concurrent chunks add up, in id order, so two chunks lock
    the rows in one order. Leaves `version` alone (alerts arriving must not make a person's edit stale)
    and appends no event: the alerts' own outcomes are the record. Ids of incidents that no longer
    exist are skipped."""
    for incident_id, count in counts.items():
        if count < 0:
            raise errors.ValidationFailed(
                "An alert count only grows.", extra={"incident_id": incident_id, "count": count}
            )
    # Inside the intake's chunk transaction no savepoint is wanted (two round trips per chunk).
    with transaction.atomic(savepoint=False):
        for incident_id, count in sorted(counts.items()):
            if count:
                Incident.objects.filter(pk=incident_id).update(alert_count=F("alert_count") + count)
