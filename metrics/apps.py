from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Resilience metrics"

    def ready(self) -> None:
        from metrics import consumers  # models must be loaded first: ready() is where apps plug in

        consumers.register()
