"""The comments API (/api/v1/coe/{coe_id}/sections/{key}/comments/: list, add, reply, resolve, reopen),
through DRF's APIClient on the real database. The notifications API is in tests/notifications/test_api.py;
the error shapes every endpoint shares (401, 403, 413, 429, the schema) are in
tests/incidents/test_api_errors.py."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from coe.models import Comment
from coe.services import comments
from notifications.models import Notification
from tests import events, factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]


@pytest.fixture
def bob(db):
    return factories.user("bob", first_name="Bob")


@pytest.fixture
def as_bob(bob):
    client = APIClient()
    client.force_login(bob)
    return client


@pytest.fixture
def coe(user):
    return factories.coe(actor=user)


def url(coe, key="impact", comment=None, action="") -> str:
    tail = f"{comment if isinstance(comment, int) else comment.pk}/{action}/" if comment is not None else ""
    return f"/api/v1/coe/{coe.pk}/sections/{key}/comments/{tail}"


def add(coe, author, body="A question", *, key="impact", parent=None) -> Comment:
    return comments.comment_add(
        coe_id=coe.pk, key=key, author=author, body=body, parent_id=parent.pk if parent else None
    )


def assert_invalid(response, field: str) -> None:
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["extra"]["fields"], body


# --- add ---------------------------------------------------------------------------------------------


def test_add_starts_a_thread_and_answers_it(api, coe, user):
    response = api.post(url(coe), {"body": "Where is the **graph**?"}, format="json")

    assert response.status_code == 201, response.json()
    comment = Comment.objects.get()
    assert response.json() == {
        "id": comment.pk,
        "author": "alice",
        "body": "Where is the **graph**?",
        "html": "<p>Where is the <strong>graph</strong>?</p>",
        "created_at": comment.created_at.isoformat().replace("+00:00", "Z"),
        "resolved": False,
        "resolved_at": None,
        "resolved_by": None,
        "replies": [],
    }


def test_reply_answers_the_whole_thread(api, coe, bob):
    top = add(coe, bob)

    response = api.post(url(coe), {"body": "On it", "parent": top.pk}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["id"] == top.pk
    assert [(reply["author"], reply["body"]) for reply in body["replies"]] == [("alice", "On it")]


def test_reply_to_a_resolved_thread_reopens_it(api, coe, bob, user):
    top = add(coe, bob)
    comments.comment_resolve(coe_id=coe.pk, key="impact", comment_id=top.pk, actor=user)

    response = api.post(url(coe), {"body": "One more thing", "parent": top.pk}, format="json")

    assert response.json()["resolved"] is False


def test_add_with_a_mention_notifies_that_person(api, coe, bob):
    api.post(url(coe), {"body": "@bob and @nobody, look"}, format="json")
    events.drain()  # the notifications consumer tells the people a comment mentions

    (notification,) = Notification.objects.all()
    assert notification.recipient == bob


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "body"),
        ({"body": ""}, "body"),
        ({"body": "x" * 5001}, "body"),
        ({"body": "x", "parent": 0}, "parent"),
        ({"body": "x", "resolved": True}, "resolved"),
    ],
)
def test_add_with_invalid_input_is_400_naming_the_field(api, coe, data, field):
    assert_invalid(api.post(url(coe), data, format="json"), field)
    assert not Comment.objects.exists()


def test_add_blank_space_only_is_400_from_the_service(api, coe):
    response = api.post(url(coe), {"body": "   \n  "}, format="json")

    assert response.status_code == 400
    assert response.json()["extra"] == {
        "fields": {"body": ["This field may not be blank."]},
        "codes": {"body": ["blank"]},
    }


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/coe/{coe}/sections/summary/comments/",
        "/api/v1/coe/987654/sections/impact/comments/",
    ],
)
def test_add_to_an_unknown_section_or_coe_is_404(api, coe, path):
    response = api.post(path.format(coe=coe.pk), {"body": "x"}, format="json")

    assert response.status_code == 404
    assert set(response.json()) == {"message", "code", "extra"}
    assert response.json()["code"] == "not_found"


def test_reply_to_a_comment_of_another_section_is_404(api, coe, user):
    other = add(coe, user, key="lessons")

    response = api.post(url(coe), {"body": "x", "parent": other.pk}, format="json")

    assert response.status_code == 404
    assert response.json()["extra"] == {"comment_id": other.pk}


# --- list --------------------------------------------------------------------------------------------


def test_list_is_the_sections_threads_oldest_first_with_replies(api, coe, user, bob):
    first = add(coe, user, "first")
    add(coe, bob, "reply", parent=first)
    second = add(coe, bob, "second")
    add(coe, user, "elsewhere", key="lessons")

    response = api.get(url(coe))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [thread["id"] for thread in body["results"]] == [first.pk, second.pk]
    assert [reply["body"] for reply in body["results"][0]["replies"]] == ["reply"]


@pytest.mark.parametrize(("resolved", "expected"), [("true", ["settled"]), ("false", ["open"])])
def test_list_filters_by_resolution(api, coe, user, resolved, expected):
    settled = add(coe, user, "settled")
    add(coe, user, "open")
    comments.comment_resolve(coe_id=coe.pk, key="impact", comment_id=settled.pk, actor=user)

    body = api.get(url(coe), {"resolved": resolved}).json()

    assert [thread["body"] for thread in body["results"]] == expected
    if resolved == "true":
        assert body["results"][0]["resolved_by"] == "alice"


def test_list_of_an_unknown_coe_or_section_is_404(api, coe):
    assert api.get("/api/v1/coe/987654/sections/impact/comments/").status_code == 404
    assert api.get(f"/api/v1/coe/{coe.pk}/sections/summary/comments/").status_code == 404


def test_list_with_a_bad_filter_is_400(api, coe):
    assert_invalid(api.get(url(coe), {"resolved": "maybe"}), "resolved")


def test_list_renders_comments_sanitized(api, coe, user):
    add(coe, user, "<script>alert(1)</script> [x](javascript:alert(1)) **ok**")

    html = api.get(url(coe)).json()["results"][0]["html"]

    assert "<script>" not in html and "javascript:" not in html
    assert "<strong>ok</strong>" in html


def test_list_query_count_is_constant(api, coe, user, bob):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(url(coe)).status_code == 200
        return len(captured)

    top = add(coe, user)
    add(coe, bob, "reply", parent=top)
    queries()  # the first request of a session caches the viewer's time zone
    few = queries()
    for number in range(8):
        thread = add(coe, factories.user(), f"thread {number}")
        add(coe, factories.user(), "reply", parent=thread)
    comments.comment_resolve(coe_id=coe.pk, key="impact", comment_id=top.pk, actor=bob)

    assert queries() == few


# --- resolve and reopen ------------------------------------------------------------------------------


def test_resolve_answers_the_resolved_thread(api, coe, bob):
    top = add(coe, bob)
    reply = add(coe, bob, "reply", parent=top)

    response = api.post(url(coe, comment=reply, action="resolve"), format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["resolved"], body["resolved_by"]) == (top.pk, True, "alice")
    assert body["resolved_at"] is not None


def test_resolve_twice_is_a_no_op(api, as_bob, coe, user):
    top = add(coe, user)
    first = api.post(url(coe, comment=top, action="resolve"), format="json").json()

    second = as_bob.post(url(coe, comment=top, action="resolve"), format="json")

    assert second.status_code == 200
    assert (second.json()["resolved_by"], second.json()["resolved_at"]) == ("alice", first["resolved_at"])


def test_reopen_answers_the_open_thread(api, coe, user):
    top = add(coe, user)
    comments.comment_resolve(coe_id=coe.pk, key="impact", comment_id=top.pk, actor=user)

    response = api.post(url(coe, comment=top, action="reopen"), format="json")

    assert response.status_code == 200
    assert (response.json()["resolved"], response.json()["resolved_by"]) == (False, None)


@pytest.mark.parametrize("action", ["resolve", "reopen"])
def test_resolve_or_reopen_a_comment_elsewhere_is_404(api, coe, user, action):
    other = add(coe, user, key="lessons")

    assert api.post(url(coe, comment=other, action=action), format="json").status_code == 404
    assert api.post(url(coe, comment=987654, action=action), format="json").status_code == 404


def test_resolve_with_a_body_is_400_naming_the_field(api, coe, user):
    top = add(coe, user)

    assert_invalid(
        api.post(url(coe, comment=top, action="resolve"), {"reason": "x"}, format="json"), "reason"
    )
    assert Comment.objects.get(pk=top.pk).resolved_at is None
