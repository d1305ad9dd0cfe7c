"""In-app notifications: the services that write them (create, mark read), the selectors that read them,
the notifications page, and the unread count in every page's top bar. Mentions that create them are in
tests/coe/test_comments.py; the API in tests/coe/test_api_comments.py (served by notifications.api)."""

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from core import errors
from notifications import selectors
from notifications.models import Notification, NotificationKind
from notifications.services import inbox
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob(db):
    return factories.user("bob", first_name="Bob")


def notify(recipient, actor=None, *, text="Alice mentioned you", url="/coe/1/#comment-1") -> Notification:
    return inbox.notification_create(
        recipient=recipient, actor=actor, kind=NotificationKind.MENTION, text=text, url=url
    )


def unread(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# --- notification_create -----------------------------------------------------------------------------


def test_create_stores_an_unread_notification(user, bob):
    notification = notify(bob, user)

    notification.refresh_from_db()
    assert (notification.recipient, notification.actor, notification.kind) == (bob, user, "mention")
    assert (notification.text, notification.url, notification.read_at) == (
        "Alice mentioned you",
        "/coe/1/#comment-1",
        None,
    )
    assert notification.created_at is not None


def test_create_for_the_actor_themselves_creates_nothing(user):
    assert notify(user, user) is None
    assert not Notification.objects.exists()


def test_create_without_an_actor_is_from_the_system(bob):
    assert notify(bob, None).actor is None


def test_create_shortens_a_long_text_and_folds_its_blank_space(user, bob):
    notification = notify(bob, user, text="word\n\n  " * 200)

    assert len(notification.text) == 300
    assert notification.text.endswith("…")
    assert "\n" not in notification.text and "  " not in notification.text


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/x", "", "coe/1/"])
def test_create_refuses_a_url_off_this_site(user, bob, url):
    with pytest.raises(errors.ValidationFailed) as raised:
        notify(bob, user, url=url)

    assert raised.value.extra == {"field": "url"}
    assert not Notification.objects.exists()


def test_create_refuses_an_unknown_kind(user, bob):
    with pytest.raises(errors.ValidationFailed):
        inbox.notification_create(recipient=bob, actor=user, kind="gossip", text="x", url="/")


def test_the_database_refuses_an_unknown_kind(bob):
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=bob, kind="gossip", text="x", url="/")


# --- notifications_mark_read -------------------------------------------------------------------------


def test_mark_read_without_ids_marks_all_of_the_users_own(user, bob):
    notify(bob, user)
    notify(bob, user)
    others = notify(user, bob)

    assert inbox.notifications_mark_read(user=bob) == 2

    assert unread(bob) == 0
    others.refresh_from_db()
    assert others.read_at is None


def test_mark_read_with_ids_marks_only_those(user, bob):
    first, second, third = (notify(bob, user) for _ in range(3))

    assert inbox.notifications_mark_read(user=bob, ids=[first.pk, third.pk]) == 2

    assert list(Notification.objects.filter(read_at__isnull=True)) == [second]


def test_mark_read_ignores_ids_of_someone_else(user, bob):
    mine = notify(user, bob)

    assert inbox.notifications_mark_read(user=bob, ids=[mine.pk, 987654]) == 0

    assert unread(user) == 1


def test_mark_read_twice_changes_nothing_the_second_time(user, bob):
    notification = notify(bob, user)
    inbox.notifications_mark_read(user=bob)
    notification.refresh_from_db()
    first_read = notification.read_at

    assert inbox.notifications_mark_read(user=bob) == 0

    notification.refresh_from_db()
    assert notification.read_at == first_read


def test_mark_read_with_an_empty_list_marks_nothing(user, bob):
    notify(bob, user)

    assert inbox.notifications_mark_read(user=bob, ids=[]) == 0
    assert unread(bob) == 1


# --- selectors ---------------------------------------------------------------------------------------


def test_list_is_the_users_own_newest_first(user, bob):
    older = notify(bob, user, text="older")
    newer = notify(bob, user, text="newer")
    notify(user, bob)

    assert list(selectors.notification_list(user=bob)) == [newer, older]


def test_list_unread_only(user, bob):
    read = notify(bob, user)
    kept = notify(bob, user)
    inbox.notifications_mark_read(user=bob, ids=[read.pk])

    assert list(selectors.notification_list(user=bob, unread_only=True)) == [kept]


def test_unread_count_is_one_query(user, bob, django_assert_num_queries):
    for _ in range(3):
        notify(bob, user)

    with django_assert_num_queries(1):
        assert selectors.notification_unread_count(user=bob) == 3


def test_get_of_someone_elses_notification_is_none(user, bob):
    notification = notify(user, bob)

    assert selectors.notification_get(user=bob, notification_id=notification.pk) is None
    assert selectors.notification_get(user=user, notification_id=notification.pk) == notification


# --- the page and the top bar ------------------------------------------------------------------------


@pytest.fixture
def as_bob(client, bob):
    client.force_login(bob)
    return client


def test_top_bar_shows_the_unread_count(as_bob, user, bob):
    for _ in range(2):
        notify(bob, user)

    content = as_bob.get("/incidents/").content.decode()

    assert 'data-testid="notifications-link"' in content
    assert 'data-testid="unread-count">2</span>' in content


def test_top_bar_without_unread_shows_no_count(as_bob):
    content = as_bob.get("/incidents/").content.decode()

    assert 'href="/notifications/"' in content
    assert 'data-testid="unread-count"' not in content


def test_top_bar_count_costs_one_query_whatever_the_number(as_bob, user, bob):
    def queries() -> list[str]:
        as_bob.get("/incidents/")  # the first request of a session caches the viewer's time zone
        with CaptureQueriesContext(connection) as captured:
            as_bob.get("/incidents/")
        return [query["sql"] for query in captured]

    before = queries()
    for _ in range(20):
        notify(bob, user)
    after = queries()

    assert len(after) == len(before)
    (count,) = [sql for sql in after if '"notifications_notification"' in sql]
    assert count.startswith("SELECT COUNT(*)")


def test_page_lists_notifications_newest_first_with_unread_marked(as_bob, user, bob):
    read = notify(bob, user, text="Alice mentioned you in “Impact”")
    fresh = notify(bob, user, text="Alice mentioned you in <b>Lessons</b>")
    inbox.notifications_mark_read(user=bob, ids=[read.pk])

    response = as_bob.get("/notifications/")

    assert response.status_code == 200
    content = response.content.decode()
    assert content.index(f'data-testid="notification-{fresh.pk}"') < content.index(
        f'data-testid="notification-{read.pk}"'
    )
    assert f'class="notification is-unread" data-testid="notification-{fresh.pk}"' in content
    assert f'class="notification" data-testid="notification-{read.pk}"' in content
    assert "Alice mentioned you in &lt;b&gt;Lessons&lt;/b&gt;" in content  # text, never markup
    assert f'href="/notifications/{fresh.pk}/"' in content


def test_page_without_notifications_says_so(as_bob):
    content = as_bob.get("/notifications/").content.decode()

    assert "Nothing yet." in content
    assert "@bob" in content
    assert 'data-testid="mark-all-read"' not in content


def test_page_is_paginated(as_bob, user, bob):
    for index in range(55):
        notify(bob, user, text=f"n{index}")

    first = as_bob.get("/notifications/")
    second = as_bob.get("/notifications/?page=2")

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 5
    assert "Page 1 of 2" in first.content.decode()


def test_mark_all_read_through_the_page(as_bob, user, bob):
    for _ in range(3):
        notify(bob, user)

    response = as_bob.post("/notifications/read/")

    assert response.status_code == 302
    assert response["Location"] == "/notifications/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["3 notifications marked read."]
    assert unread(bob) == 0
    assert 'data-testid="unread-count"' not in as_bob.get("/notifications/").content.decode()


def test_mark_all_read_needs_a_post(as_bob, user, bob):
    notify(bob, user)

    assert as_bob.get("/notifications/read/").status_code == 405
    assert unread(bob) == 1


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(as_bob, user, bob):
    notification = notify(bob, user, url="/coe/7/#comment-3")
    other = notify(bob, user)

    response = as_bob.get(f"/notifications/{notification.pk}/")

    assert response.status_code == 302
    assert response["Location"] == "/coe/7/#comment-3"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert unread(bob) == 1 and Notification.objects.get(pk=other.pk).read_at is None


def test_opening_someone_elses_notification_is_404(as_bob, user, bob):
    notification = notify(user, bob)

    assert as_bob.get(f"/notifications/{notification.pk}/").status_code == 404
    assert unread(user) == 1


def test_opening_a_notification_whose_url_leads_off_site_stays_here(as_bob, bob):
    notification = Notification.objects.create(
        recipient=bob, kind=NotificationKind.MENTION, text="x", url="https://evil.example/"
    )

    response = as_bob.get(f"/notifications/{notification.pk}/")

    assert response["Location"] == "/notifications/"


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", "/notifications/"), ("post", "/notifications/read/"), ("get", "/notifications/{id}/")],
)
def test_notification_pages_need_a_login(client, user, bob, method, url):
    notification = notify(bob, user)
    path = url.format(id=notification.pk)

    response = getattr(client, method)(path)

    assert response.status_code == 302
    assert response["Location"].startswith(f"/accounts/login/?next={path}")
    assert unread(bob) == 1
