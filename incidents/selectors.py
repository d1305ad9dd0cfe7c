"""Reads of incidents, teams and services, shaped for the pages and the API.

Every list here issues a fixed number of queries whatever the number of rows.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from incidents import phases, timing
from incidents.models import EventKind, Incident, IncidentEvent, Service, Status, Team
from incidents.phases import Phase


@dataclass(frozen=True)
class IncidentFilters:
    status: str = ""
    phase: str = ""
    severity: str = ""
    team: str = ""  # slug
    service: str = ""  # slug
    q: str = ""


def phase_condition(phase: Phase) -> Q:
    """Incidents whose current phase is `phase`: its start is stamped and its end is not."""
    return Q(
        **{f"{phases.ENDS_AT[phase]}__isnull": True, f"{phases.phase_start_field(phase)}__isnull": False}
    )


def incident_list(*, filters: IncidentFilters = IncidentFilters()) -> QuerySet[Incident]:
    """Incidents newest first, with what a list row shows (team, commander, services) loaded up front."""
    queryset = Incident.objects.select_related("team", "commander").prefetch_related(
        Prefetch(
            "services", queryset=Service.objects.only("id", "name", "slug", "criticality", "cost_per_hour")
        )
    )
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.phase:
        queryset = queryset.filter(phase_condition(Phase(filters.phase)))
    if filters.severity:
        queryset = queryset.filter(severity=filters.severity)
    if filters.team:
        queryset = queryset.filter(team__slug=filters.team)
    if filters.service:
        queryset = queryset.filter(services__slug=filters.service)
    if filters.q:
        queryset = queryset.filter(title__icontains=filters.q.strip())
    return queryset.order_by("-started_at", "-id")


def incident_get(*, incident_id: int) -> Incident | None:
    return (
        Incident.objects.select_related("team", "commander")
        .prefetch_related(Prefetch("services", queryset=Service.objects.select_related("team")))
        .filter(pk=incident_id)
        .first()
    )


def incident_timeline(*, incident_id: int) -> QuerySet[IncidentEvent]:
    return (
        IncidentEvent.objects.filter(incident_id=incident_id)
        .select_related("actor")
        .order_by("occurred_at", "id")
    )


@dataclass(frozen=True)
class IncidentFigures:
    """What the incident page shows about time and money."""

    current_phase: Phase | None
    durations: timing.Durations
    downtime: timedelta
    estimated_cost: Decimal
    recovering: bool  # cost still counting up


def incident_figures(incident: Incident) -> IncidentFigures:
    """Durations and cost from an incident whose services are already loaded (no extra query).

    A closed incident's clock stops when it was closed; a false alarm caused no downtime.
    """
    now = incident.closed_at or timezone.now()
    stamps = incident.stamps
    false_alarm = incident.status == Status.FALSE_ALARM
    return IncidentFigures(
        current_phase=phases.current_phase(stamps),
        durations=timing.durations(stamps, now=now),
        downtime=timedelta(0) if false_alarm else timing.downtime(stamps, now=now),
        estimated_cost=Decimal("0.00")
        if false_alarm
        else timing.estimated_cost(
            stamps, costs_per_hour=[service.cost_per_hour for service in incident.services.all()], now=now
        ),
        recovering=stamps["recovered_at"] is None and incident.status == Status.ACTIVE,
    )


def team_list() -> QuerySet[Team]:
    return Team.objects.annotate(
        service_count=Count("services", distinct=True),
        active_count=Count("incidents", filter=Q(incidents__status=Status.ACTIVE), distinct=True),
    ).order_by("name")


def service_list() -> QuerySet[Service]:
    return (
        Service.objects.select_related("team")
        .annotate(
            incident_count=Count("incidents", distinct=True),
            active_count=Count("incidents", filter=Q(incidents__status=Status.ACTIVE), distinct=True),
        )
        .order_by("name")
    )


def team_get(*, slug: str) -> Team | None:
    return Team.objects.filter(slug=slug).first()


def service_get(*, slug: str) -> Service | None:
    return Service.objects.select_related("team").filter(slug=slug).first()


def incident_alerts_ended_at(*, incident: Incident, timeline) -> datetime | None:
    """When all of the incident's alerts ended, if that is the latest news and the incident has not
    recovered yet: the page then offers to mark it recovered at that time in one click."""
    if incident.status != Status.ACTIVE or incident.recovered_at is not None:
        return None
    latest = None
    for event in timeline:
        if event.kind == EventKind.ALERTS_RESOLVED:
            latest = datetime.fromisoformat(event.data["ended_at"])
        elif event.kind == EventKind.REOPENED:
            latest = None
    if latest is None:
        return None
    last_stamp = max(value for value in incident.stamps.values() if value is not None)
    return latest if latest >= last_stamp else None
