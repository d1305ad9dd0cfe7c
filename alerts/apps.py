from django.apps import AppConfig

from core import panels


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Alerts and integrations"

    def ready(self) -> None:
        # The incident page shows the incident's alerts below its phase panel.
        panels.register(
            slot="incident.primary", name="alerts", order=20, render="alerts.panels.incident_alerts"
        )
