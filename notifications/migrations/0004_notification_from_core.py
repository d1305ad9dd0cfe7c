"""Notification moves here from core (issue 11) with every row: the model is declared on the existing
core_notification table (no SQL), then the table is renamed to notifications_notification. Its index and
constraints keep their names (notification_unread_idx, notification_kind_valid, notification_has_url),
which no other model uses. The content type follows, so admin permissions given to groups and the
admin log keep pointing at it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_type_follows(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="notifications", model="notification").exists():
        ContentType.objects.filter(app_label="core", model="notification").update(app_label="notifications")


def content_type_goes_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="core", model="notification").exists():
        ContentType.objects.filter(app_label="notifications", model="notification").update(app_label="core")


KINDS = [
    ("mention", "Mention"),
    ("action_item_due", "Action item due soon"),
    ("action_item_overdue", "Action item overdue"),
    ("coe_overdue", "COE past due"),
    ("review_pending", "Review waiting"),
    ("review_requested", "Review requested"),
    ("incident_stale", "Incident without activity"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_consumer_cursors"),
        ("core", "0007_notification_moves_to_notifications"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(choices=KINDS, max_length=20)),
                        ("text", models.CharField(max_length=300)),
                        (
                            "url",
                            models.CharField(
                                help_text="Where it leads: a path on this site.", max_length=500
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                help_text="Who caused it; none for the system (a reminder).",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "recipient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "core_notification",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(kind__in=[value for value, _ in KINDS]),
                                name="notification_kind_valid",
                            ),
                            models.CheckConstraint(condition=~models.Q(url=""), name="notification_has_url"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        # table=None: the default name, notifications_notification (one ALTER TABLE ... RENAME).
        migrations.AlterModelTable(name="notification", table=None),
        migrations.RunPython(content_type_follows, content_type_goes_back),
    ]
