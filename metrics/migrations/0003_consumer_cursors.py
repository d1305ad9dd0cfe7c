"""Start this app's consumers of the event logs at the newest event already there: on an existing
install the history was handled the old way (figures computed, messages sent), and must not be
handled again (a webhook would hear of every past incident). A fresh install starts at 0."""

from django.db import migrations
from django.db.models import Max

CONSUMERS = [("metrics.incidents", "incidents", "IncidentEvent"), ("metrics.coe", "coe", "CoeEvent")]


def start_at_the_newest(apps, schema_editor):
    ConsumerCursor = apps.get_model("core", "ConsumerCursor")
    for name, app_label, model in CONSUMERS:
        newest = apps.get_model(app_label, model).objects.aggregate(newest=Max("id"))["newest"] or 0
        ConsumerCursor.objects.get_or_create(name=name, defaults={"position": newest})


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0002_weekly_factors"),
        ("core", "0005_consumer_cursors"),
        ("incidents", "0002_alert_events"),
        ("coe", "0005_coe_event_kinds"),
    ]

    operations = [migrations.RunPython(start_at_the_newest, migrations.RunPython.noop)]
