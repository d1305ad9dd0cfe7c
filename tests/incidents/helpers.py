"""Helpers shared by the incident tests.

The service and selector tests read the timeline with `events`, walk an incident through its phases with
`advance_to` and snapshot what a refused write must leave alone with `frozen`; the page tests post times the
way a browser does with `local` and read them back with `minute`.
"""

from datetime import UTC, datetime, timedelta

from incidents import phases, services
from incidents.models import Incident, IncidentEvent
from incidents.phases import Phase

STEP = timedelta(minutes=10)
LOCAL = "%Y-%m-%dT%H:%M"  # what an <input type=datetime-local> posts


def events(incident: Incident, kind: str | None = None) -> list[IncidentEvent]:
    queryset = IncidentEvent.objects.filter(incident=incident).order_by("id")
    return list(queryset.filter(kind=kind) if kind else queryset)


def advance_to(incident: Incident, phase: Phase | None, *, actor=None) -> Incident:
    """Advance one phase at a time, STEP apart from detection, until `phase` is current (None: resolved)."""
    at = incident.detected_at or incident.started_at
    while (current := phases.current_phase(incident.stamps)) != phase:
        at += STEP
        incident = services.incident_advance(
            incident_id=incident.pk, actor=actor, expected_phase=current, at=at
        )
    return incident


def frozen(incident: Incident) -> dict:
    """What a refused write must leave untouched."""
    incident.refresh_from_db()
    return {
        "stamps": incident.stamps,
        "status": incident.status,
        "version": incident.version,
        "events": IncidentEvent.objects.filter(incident=incident).count(),
    }


def local(value: datetime) -> str:
    """A datetime as the browser posts it, in UTC (the zone a new user sees)."""
    return value.astimezone(UTC).strftime(LOCAL)


def minute(value: datetime) -> datetime:
    """What `local(value)` parses back to."""
    return value.astimezone(UTC).replace(second=0, microsecond=0)


def kinds(incident: Incident) -> list[str]:
    return list(IncidentEvent.objects.filter(incident=incident).order_by("id").values_list("kind", flat=True))
