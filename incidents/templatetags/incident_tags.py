from django import template

from incidents.models import Status, incident_reference

register = template.Library()


@register.filter(name="incident_reference")
def incident_reference_filter(incident_id: int) -> str:
    """An incident's reference from its id alone ("INC-42"), where the row is not loaded."""
    return incident_reference(incident_id)


@register.filter
def status_label(value: str) -> str:
    """The human label of a stored status value ("false_alarm" -> "False alarm")."""
    try:
        return Status(value).label
    except ValueError:
        return value
