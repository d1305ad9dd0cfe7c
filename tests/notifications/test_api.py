"""The in-app notifications API (/api/v1/notifications/: list, mark read), through DRF's APIClient on
the real database. The error shapes every endpoint shares (401, 403, 413, 429, the schema) are in
tests/incidents/test_api_errors.py; the pages and services in tests/notifications/test_inbox.py."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from notifications.models import Notification
from notifications.services import inbox
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]

NOTIFICATIONS = "/api/v1/notifications/"


@pytest.fixture
def bob(db):
    return factories.user("bob", first_name="Bob")


@pytest.fixture
def as_bob(bob):
    client = APIClient()
    client.force_login(bob)
    return client


def assert_invalid(response, field: str) -> None:
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["extra"]["fields"], body


# --- notifications -----------------------------------------------------------------------------------


def notify(recipient, actor, text="Alice mentioned you") -> Notification:
    return inbox.notification_create(
        recipient=recipient, actor=actor, kind="mention", text=text, url="/coe/1/#comment-2"
    )


def test_notifications_list_is_yours_newest_first(as_bob, bob, user):
    older = notify(bob, user, "older")
    newer = notify(bob, user, "newer")
    notify(user, bob, "not bob's")

    response = as_bob.get(NOTIFICATIONS)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [n["id"] for n in body["results"]] == [newer.pk, older.pk]
    assert body["results"][0] == {
        "id": newer.pk,
        "kind": "mention",
        "text": "newer",
        "url": "http://testserver/coe/1/#comment-2",
        "actor": "alice",
        "created_at": newer.created_at.isoformat().replace("+00:00", "Z"),
        "read_at": None,
    }


def test_notifications_list_unread_only(as_bob, bob, user):
    read = notify(bob, user)
    kept = notify(bob, user)
    inbox.notifications_mark_read(user=bob, ids=[read.pk])

    body = as_bob.get(NOTIFICATIONS, {"unread": "true"}).json()

    assert [n["id"] for n in body["results"]] == [kept.pk]
    assert body["count"] == 1


def test_notifications_mark_some_read(as_bob, bob, user):
    first, second = notify(bob, user), notify(bob, user)

    response = as_bob.post(f"{NOTIFICATIONS}read/", {"ids": [first.pk]}, format="json")

    assert response.status_code == 200
    assert response.json() == {"marked": 1, "unread": 1}
    assert Notification.objects.get(pk=second.pk).read_at is None


def test_notifications_mark_all_read(as_bob, bob, user):
    notify(bob, user)
    notify(bob, user)
    mine = notify(user, bob)

    response = as_bob.post(f"{NOTIFICATIONS}read/", {}, format="json")

    assert response.json() == {"marked": 2, "unread": 0}
    assert Notification.objects.get(pk=mine.pk).read_at is None


def test_notifications_mark_read_ignores_someone_elses(as_bob, bob, user):
    mine = notify(user, bob)

    response = as_bob.post(f"{NOTIFICATIONS}read/", {"ids": [mine.pk]}, format="json")

    assert response.json() == {"marked": 0, "unread": 0}
    assert Notification.objects.get(pk=mine.pk).read_at is None


@pytest.mark.parametrize(
    ("data", "field"), [({"ids": "all"}, "ids"), ({"ids": [0]}, "ids.0"), ({"every": True}, "every")]
)
def test_notifications_mark_read_with_invalid_input_is_400(as_bob, data, field):
    assert_invalid(as_bob.post(f"{NOTIFICATIONS}read/", data, format="json"), field)


def test_notifications_list_query_count_is_constant(as_bob, bob, django_assert_num_queries):
    notify(bob, factories.user())
    as_bob.get(NOTIFICATIONS)
    with CaptureQueriesContext(connection) as few:
        as_bob.get(NOTIFICATIONS)
    for _ in range(10):
        notify(bob, factories.user())

    with django_assert_num_queries(len(few)):
        assert len(as_bob.get(NOTIFICATIONS).json()["results"]) == 11
