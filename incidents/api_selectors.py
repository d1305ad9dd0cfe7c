"""Reads the API needs beyond `incidents.selectors`: the same querysets, plus each incident's alert count.

The count is a correlated subquery rather than `Count("alerts")` with GROUP BY: it stays right when a
filter joins services, and PostgreSQL computes it only for the rows of the page.
"""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from alerts.models import Alert
from core import errors
from incidents import phases, selectors
from incidents.models import Incident, Service, Team
from incidents.phases import Phase


def _with_alert_count(queryset: QuerySet[Incident]) -> QuerySet[Incident]:
    alerts = (
        Alert.objects.filter(incident=OuterRef("pk"))
        .order_by()
        .values("incident")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(alert_count=Coalesce(Subquery(alerts, output_field=IntegerField()), Value(0)))


def incident_list(*, filters: selectors.IncidentFilters) -> QuerySet[Incident]:
    """`selectors.incident_list` (same filters, same order), each row with `alert_count`."""
    return _with_alert_count(selectors.incident_list(filters=filters))


def incident_get(*, incident_id: int) -> Incident | None:
    """`selectors.incident_get` with `alert_count`."""
    return (
        _with_alert_count(Incident.objects.filter(pk=incident_id))
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
