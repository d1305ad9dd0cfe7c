"""How a delivery's outcome reads on the integration page: each action in plain words."""

from django import template

register = template.Library()

ACTION_LABELS = {
    "created": "new alert",
    "updated": "updated",
    "acknowledged": "acknowledged",
    "resolved": "resolved",
    "unchanged": "already resolved",
    "remembered": "resolve remembered (never seen firing)",
    "stale": "stale, ignored",
    "ignored": "ignored",
}


@register.filter
def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)
