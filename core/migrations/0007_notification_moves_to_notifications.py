"""Notification moves to the notifications app (issue 11): core forgets the model, the table and its rows
stay. notifications' 0004 takes the table over (and renames it), so no data is touched here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_notification_review_requested"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Notification")],
            database_operations=[],
        ),
    ]
