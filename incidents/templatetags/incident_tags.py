from django import template

from incidents.models import Status

register = template.Library()


@register.filter
def status_label(value: str) -> str:
    """The human label of a stored status value ("false_alarm" -> "False alarm")."""
    try:
        return Status(value).label
    except ValueError:
        return value
