from django.apps import AppConfig

from core import panels


class CoeConfig(AppConfig):
    name = "coe"
    verbose_name = "COE"

    def ready(self) -> None:
        # The incident page's actions offer to start the incident's COE, or open it.
        panels.register(slot="incident.actions", name="coe", order=10, render="coe.panels.incident_coe")
