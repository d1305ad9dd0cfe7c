from django.apps import AppConfig

from core import panels


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Reminders and notifications"

    def ready(self) -> None:
        from notifications import consumers  # models must be loaded first: ready() is where apps plug in

        consumers.register()
        # The preferences page links to the notification preferences.
        panels.register(slot="preferences", name="notifications", render="notifications.panels.preferences")
