"""Reads of alerts for pages beyond `.get()` (the API's are in `api_selectors`)."""

from dataclasses import dataclass

from alerts.models import Alert, AlertStatus

ALERTS_SHOWN = 20


@dataclass(frozen=True)
class IncidentAlerts:
    latest: list[Alert]  # the most recent ALERTS_SHOWN, newest first, with their integration
    open: int  # how many are not resolved


def incident_alerts(*, incident_id: int) -> IncidentAlerts:
    """The incident's most recent alerts and how many are still open: two queries whatever the count
    (the total is the incident's own `alert_count`)."""
    alerts = Alert.objects.filter(incident_id=incident_id)
    latest = alerts.select_related("integration").order_by("-starts_at", "-id")[:ALERTS_SHOWN]
    return IncidentAlerts(latest=list(latest), open=alerts.exclude(status=AlertStatus.RESOLVED).count())
