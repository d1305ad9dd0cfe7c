"""Reads of the alerts REST API (`alerts.api`).

Every row carries its integration and incident (the answer names both), joined in the same query, so a
page costs the same number of queries whatever its size.
"""

from django.db.models import QuerySet

from alerts.models import Alert


def _alerts() -> QuerySet[Alert]:
    return Alert.objects.select_related("integration", "incident")


def alert_list(
    *, integration_id: int | None = None, status: str = "", incident_id: int | None = None
) -> QuerySet[Alert]:
    """Alerts newest first (by when they began), optionally of one integration, status or incident.

    An empty filter matches every alert.
    """
    queryset = _alerts()
    if integration_id is not None:
        queryset = queryset.filter(integration_id=integration_id)
    if status:
        queryset = queryset.filter(status=status)
    if incident_id is not None:
        queryset = queryset.filter(incident_id=incident_id)
    return queryset.order_by("-starts_at", "-id")


def alert_get(*, alert_id: int) -> Alert | None:
    """One alert with its integration and incident, or None."""
    return _alerts().filter(pk=alert_id).first()
