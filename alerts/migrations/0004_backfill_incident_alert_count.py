"""Backfill `Incident.alert_count` (added by incidents 0003) from the alerts table, which from now on
`alerts.services.processing` keeps it in step with. It lives here, not in `incidents`, because only
alerts knows its table: `incidents` depends on no alert, in its migrations too."""

from django.db import migrations
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def backfill(apps, schema_editor):
    Alert = apps.get_model("alerts", "Alert")
    Incident = apps.get_model("incidents", "Incident")
    per_incident = (
        Alert.objects.filter(incident=OuterRef("pk")).order_by().values("incident").annotate(n=Count("pk"))
    )
    Incident.objects.update(
        alert_count=Coalesce(Subquery(per_incident.values("n"), output_field=IntegerField()), Value(0))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0003_ordering_memory"),
        ("incidents", "0003_incident_alert_count"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
