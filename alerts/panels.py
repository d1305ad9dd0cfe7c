"""The alerts panel of the incident page (slot "incident.primary", registered in `apps.py`): the
incident's latest alerts, where they came from, and how many are open. Nothing when it has none."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from alerts import selectors
from incidents.models import Incident


def incident_alerts(request: HttpRequest, incident: Incident) -> str:
    """No query for an incident without alerts (its `alert_count` is 0); two otherwise."""
    if not incident.alert_count:
        return ""
    alerts = selectors.incident_alerts(incident_id=incident.pk)
    context = {
        "incident": incident,
        "alerts": alerts.latest,
        "alert_count": incident.alert_count,
        "open_alert_count": alerts.open,
    }
    return render_to_string("alerts/_incident_panel.html", context, request=request)
