"""Moving Notification from core to notifications (core 0007, notifications 0004) keeps every row of an
existing install: the database is migrated back to before the move, filled through the old model, then
migrated forward; the rows, their ids, the constraints, the index and the content type (with the
permissions given on it) are all still there, under the new table name."""

import pytest
from django.contrib.auth.models import Permission as LivePermission
from django.contrib.contenttypes.models import ContentType as LiveContentType
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from notifications.models import Notification
from notifications.services import inbox

MOVE = {"core": "0006_notification_review_requested", "notifications": "0003_consumer_cursors"}


def before_the_move() -> list[tuple[str, str]]:
    """Every app at its newest migration, except core and notifications at theirs before the move."""
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    return [(app, MOVE.get(app, name)) for app, name in leaves]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_newest():
    """Whatever the test does, the database ends at the newest migrations (as the other tests need)."""
    yield
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_every_notification(back_to_the_newest):
    old = migrate(before_the_move())
    assert "core_notification" in tables()
    assert "notifications_notification" not in tables()
    User = old.get_model("auth", "User")
    OldNotification = old.get_model("core", "Notification")
    ContentType = old.get_model("contenttypes", "ContentType")
    Permission = old.get_model("auth", "Permission")
    # An install from before the move: its content type (and a permission on it) is core's.
    ContentType.objects.filter(app_label="notifications", model="notification").delete()
    old_type, _ = ContentType.objects.get_or_create(app_label="core", model="notification")
    permission, _ = Permission.objects.get_or_create(
        content_type=old_type, codename="view_notification", defaults={"name": "Can view notification"}
    )
    alice = User.objects.create(username="alice")
    bob = User.objects.create(username="bob")
    rows = [
        OldNotification.objects.create(recipient=bob, actor=alice, kind="mention", text="one", url="/coe/1/"),
        OldNotification.objects.create(recipient=bob, kind="coe_overdue", text="two", url="/coe/2/"),
        OldNotification.objects.create(
            recipient=alice, actor=bob, kind="review_requested", text="3", url="/"
        ),
    ]
    OldNotification.objects.filter(pk=rows[0].pk).update(read_at=rows[0].created_at)

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert "core_notification" not in tables()
    assert "notifications_notification" in tables()
    moved = {n.pk: n for n in Notification.objects.all()}
    assert sorted(moved) == sorted(row.pk for row in rows)
    for row in rows:
        now = moved[row.pk]
        assert (now.recipient_id, now.actor_id, now.kind, now.text, now.url, now.created_at) == (
            row.recipient_id,
            row.actor_id,
            row.kind,
            row.text,
            row.url,
            row.created_at,
        )
    assert moved[rows[0].pk].read_at == rows[0].created_at
    assert [moved[row.pk].read_at for row in rows[1:]] == [None, None]

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "notifications_notification")
    assert {"notification_unread_idx", "notification_kind_valid", "notification_has_url"} <= set(constraints)
    assert constraints["notification_unread_idx"]["columns"] == ["recipient_id", "read_at"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient_id=bob.pk, kind="gossip", text="x", url="/")

    # New rows carry on after the old ids (the id sequence moved with the table).
    fresh = inbox.notification_create(
        recipient=Notification.objects.get(pk=rows[1].pk).recipient,
        actor=None,
        kind="mention",
        text="new",
        url="/coe/3/",
    )
    assert fresh.pk > max(row.pk for row in rows)

    assert not LiveContentType.objects.filter(app_label="core", model="notification").exists()
    assert LivePermission.objects.get(pk=permission.pk).content_type.app_label == "notifications"
