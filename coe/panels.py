"""The COE action of the incident page (slot "incident.actions", registered in `apps.py`): "Start COE"
for an incident without one, a link to its COE (and the COE's state) otherwise."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from coe.models import Coe
from incidents.models import Incident


def incident_coe(request: HttpRequest, incident: Incident) -> str:
    """One query: the incident's COE, if it has one."""
    coe = Coe.objects.only("pk", "state", "incident_id").filter(incident_id=incident.pk).first()
    context = {"incident": incident, "coe": coe}
    return render_to_string("coe/_incident_panel.html", context, request=request)
