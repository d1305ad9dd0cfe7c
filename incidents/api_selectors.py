"""Reads the API needs beyond `incidents.selectors`: the same querysets, loaded for the serializers.

An incident's alert count is its own `alert_count` column (kept by the alert intake through
`services.incident_alert_count_add`), so no read here touches the alerts table.
"""

from django.db.models import QuerySet

from core import errors
from incidents import phases, selectors
from incidents.models import Incident, Service, Team
from incidents.phases import Phase


def incident_list(*, filters: selectors.IncidentFilters) -> QuerySet[Incident]:
    """`selectors.incident_list` (same filters, same order)."""
    return selectors.incident_list(filters=filters)


def incident_get(*, incident_id: int) -> Incident | None:
    """One incident with its team, commander and services."""
    return (
        Incident.objects.filter(pk=incident_id)
        .select_related("team", "commander")
        .prefetch_related("services")
        .first()
    )


def incident_exists(*, incident_id: int) -> bool:
    return Incident.objects.filter(pk=incident_id).exists()


def incident_current_phase(*, incident_id: int) -> Phase | None:
    """The phase the incident is in now (None once confirmed). Raises NotFound if there is none."""
    incident = Incident.objects.only(*phases.STAMP_FIELDS).filter(pk=incident_id).first()
    if incident is None:
        raise errors.NotFound(f"Incident {incident_id} does not exist.", extra={"incident_id": incident_id})
    return phases.current_phase(incident.stamps)


def team_get(*, slug: str) -> Team | None:
    """One team with the counts of `selectors.team_list`."""
    return selectors.team_list().filter(slug=slug).first()


def service_get(*, slug: str) -> Service | None:
    """One service with the counts of `selectors.service_list`."""
    return selectors.service_list().filter(slug=slug).first()
