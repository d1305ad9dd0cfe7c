"""Comment threads on COE sections: the services (`coe.services.comments`: add, reply, resolve, reopen,
and the notifications of @mentions) on the real database, and the pages through Django's test client (the
threads under each section, the htmx fragment swaps, sanitizing, login, query counts)."""

import re

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from coe import services
from coe.models import Comment, Section
from coe.sections import SectionKey
from coe.services import comments
from core import errors
from notifications.models import Notification
from tests import events, factories
from tests.coe.test_services import run_together
from tests.coe.test_views import PAYLOAD, executable

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def coe(user):
    return factories.coe(actor=user, title="Checkout errors")


@pytest.fixture
def bob(db):
    return factories.user("bob", first_name="Bob")


@pytest.fixture
def carol(db):
    return factories.user("carol", first_name="Carol")


def add(coe, author, body="A question", *, key="impact", parent=None) -> Comment:
    """Add a comment, then let the consumers run (the notifications one tells whom it mentions)."""
    comment = comments.comment_add(
        coe_id=coe.pk, key=key, author=author, body=body, parent_id=parent.pk if parent else None
    )
    events.drain()
    return comment


def notified(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user))


def fresh(comment: Comment) -> Comment:
    return Comment.objects.get(pk=comment.pk)


# --- adding ------------------------------------------------------------------------------------------


def test_add_starts_a_thread_on_the_section(coe, user):
    comment = add(coe, user, "  Where is the **error-rate** graph?\n\n")

    comment = fresh(comment)
    assert comment.section == Section.objects.get(coe=coe, key="impact")
    assert (comment.author, comment.parent, comment.resolved_at) == (user, None, None)
    assert comment.body == "Where is the **error-rate** graph?"


@pytest.mark.parametrize("body", ["", "   ", "\n\n\t"])
def test_add_without_text_is_refused(coe, user, body):
    with pytest.raises(errors.ValidationFailed) as raised:
        add(coe, user, body)

    assert raised.value.extra == {"field": "body"}
    assert not Comment.objects.exists()


def test_add_at_most_5000_characters(coe, user):
    assert len(add(coe, user, "x" * 5000).body) == 5000

    with pytest.raises(errors.ValidationFailed) as raised:
        add(coe, user, "x" * 5001)

    assert raised.value.extra == {"field": "body", "max_length": 5000}
    assert Comment.objects.count() == 1


def test_add_to_an_unknown_section_or_coe_is_not_found(coe, user):
    with pytest.raises(errors.NotFound):
        add(coe, user, key="summary")
    with pytest.raises(errors.NotFound):
        comments.comment_add(coe_id=987654, key="impact", author=user, body="x")
    assert not Comment.objects.exists()


def test_add_is_allowed_on_an_approved_coe(coe, user, bob):
    factories.coe_complete(coe, actor=user)
    services.coe_submit(coe_id=coe.pk, actor=user, reviewers=[bob])
    services.coe_review(coe_id=coe.pk, reviewer=bob, decision="approved")

    comment = add(coe, bob, "Did the canary catch this in the second region?")

    assert comment.pk is not None


def test_add_leaves_the_section_text_and_version_alone(coe, user):
    before = Section.objects.filter(coe=coe).values_list("key", "body", "version").order_by("key")

    add(coe, user)

    after = Section.objects.filter(coe=coe).values_list("key", "body", "version").order_by("key")
    assert list(after) == list(before)


# --- replies -----------------------------------------------------------------------------------------


def test_reply_joins_the_thread(coe, user, bob):
    top = add(coe, user)

    reply = add(coe, bob, "Added it", parent=top)

    assert fresh(reply).parent == top


def test_reply_to_a_reply_joins_the_same_thread(coe, user, bob):
    top = add(coe, user)
    reply = add(coe, bob, "first", parent=top)

    second = add(coe, user, "second", parent=reply)

    assert fresh(second).parent == top
    assert list(top.replies.all()) == [reply, second]


def test_reply_to_a_comment_of_another_section_is_not_found(coe, user):
    other = add(coe, user, key="lessons")

    with pytest.raises(errors.NotFound) as raised:
        add(coe, user, "reply", key="impact", parent=other)

    assert raised.value.extra == {"comment_id": other.pk}
    assert Comment.objects.count() == 1


def test_reply_to_a_comment_of_another_coe_is_not_found(coe, user):
    elsewhere = add(factories.coe(actor=user), user)

    with pytest.raises(errors.NotFound):
        add(coe, user, "reply", parent=elsewhere)


def test_reply_to_a_resolved_thread_reopens_it(coe, user, bob):
    top = add(coe, user)
    comments.comment_resolve(coe_id=coe.pk, key="impact", comment_id=top.pk, actor=bob)

    add(coe, bob, "Actually, one more thing", parent=top)

    top = fresh(top)
    assert (top.resolved_at, top.resolved_by) == (None, None)


# --- resolving and reopening -------------------------------------------------------------------------


def test_resolve_records_who_and_when(coe, user, bob):
    top = add(coe, user)

    thread = comments.comment_resolve(coe_id=coe.pk, key="impact", comment_id=top.pk, actor=bob)

    assert thread == top
    top = fresh(top)
    assert top.resolved_by == bob
    assert top.resolved_at is not None


def test_resolve_by_a_replys_id_resolves_its_thread(coe, user, bob):
    top = add(coe, user)
    reply = add(coe, bob, "reply", parent=top)

    thread = comments.comment_resolve(coe_id=coe.pk, key="impact", comment_id=reply.pk, actor=bob)

    assert thread == top
    assert fresh(top).resolved_at is not None
    assert fresh(reply).resolved_at is None  # resolution belongs to the thread


def test_resolve_twice_keeps_the_first_resolution(coe, user, bob):
    top = add(coe, user)
    comments.comment_resolve(coe_id=coe.pk, key="impact", comment_id=top.pk, actor=bob)
    first = fresh(top)

    comments.comment_resolve(coe_id=coe.pk, key="impact", comment_id=top.pk, actor=user)

    again = fresh(top)
    assert (again.resolved_at, again.resolved_by) == (first.resolved_at, bob)


def test_reopen_clears_the_resolution(coe, user, bob):
    top = add(coe, user)
    comments.comment_resolve(coe_id=coe.pk, key="impact", comment_id=top.pk, actor=bob)

    comments.comment_reopen(coe_id=coe.pk, key="impact", comment_id=top.pk, actor=user)

    top = fresh(top)
    assert (top.resolved_at, top.resolved_by) == (None, None)


def test_reopen_an_open_thread_changes_nothing(coe, user):
    top = add(coe, user)
    before = fresh(top).updated_at

    comments.comment_reopen(coe_id=coe.pk, key="impact", comment_id=top.pk, actor=user)

    assert fresh(top).updated_at == before


@pytest.mark.parametrize("action", [comments.comment_resolve, comments.comment_reopen])
def test_resolve_or_reopen_a_comment_of_another_section_is_not_found(coe, user, action):
    top = add(coe, user, key="lessons")

    with pytest.raises(errors.NotFound):
        action(coe_id=coe.pk, key="impact", comment_id=top.pk, actor=user)
    with pytest.raises(errors.NotFound):
        action(coe_id=coe.pk, key="impact", comment_id=987654, actor=user)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_resolves_make_one_resolution(user, bob):
    coe = factories.coe(actor=user)
    top = add(coe, user)

    def resolve(actor):
        return lambda: comments.comment_resolve(coe_id=coe.pk, key="impact", comment_id=top.pk, actor=actor)

    outcomes = run_together(resolve(user), resolve(bob))

    assert all(isinstance(outcome, Comment) for outcome in outcomes), outcomes
    assert len({(o.resolved_by_id, o.resolved_at) for o in outcomes}) == 1  # the second saw the first
    stored = fresh(top)
    assert (stored.resolved_by_id, stored.resolved_at) == (
        outcomes[0].resolved_by_id,
        outcomes[0].resolved_at,
    )


# --- what the database holds -------------------------------------------------------------------------


def test_the_database_refuses_a_resolved_reply(coe, user):
    top = add(coe, user)
    reply = add(coe, user, "reply", parent=top)

    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.filter(pk=reply.pk).update(resolved_at=top.created_at)


@pytest.mark.parametrize("body", ["", "x" * 5001])
def test_the_database_refuses_an_empty_or_too_long_body(coe, user, body):
    section = Section.objects.get(coe=coe, key="impact")

    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(section=section, author=user, body=body)


# --- mentions ----------------------------------------------------------------------------------------


def test_a_mention_notifies_the_person_once(coe, user, bob):
    comment = add(coe, user, "@bob can you add the graph? Thanks @bob.")

    (notification,) = notified(bob)
    assert notification.kind == "mention"
    assert notification.actor == user
    assert notification.url == f"/coe/{coe.pk}/#comment-{comment.pk}"
    assert notification.text.startswith(
        f"Alice mentioned you in the {coe.incident.reference} COE, on “What was the impact on customers?”: "
    )
    assert "@bob can you add the graph?" in notification.text
    assert notification.read_at is None


def test_each_mentioned_person_gets_exactly_one(coe, user, bob, carol):
    add(coe, user, "@bob and @carol, and again @carol")

    assert len(notified(bob)) == 1
    assert len(notified(carol)) == 1
    assert Notification.objects.count() == 2


def test_no_notification_for_the_author_mentioning_themselves(coe, user, bob):
    add(coe, user, "Note to self, @alice: ask @bob")

    assert notified(user) == []
    assert len(notified(bob)) == 1


def test_an_unknown_name_is_ignored_and_the_comment_saved(coe, user):
    comment = add(coe, user, "@nobody knows, @ALICE neither")

    assert Comment.objects.filter(pk=comment.pk).exists()
    assert not Notification.objects.exists()


def test_no_notification_for_a_disabled_account(coe, user):
    former = factories.user("former", is_active=False)

    add(coe, user, "@former used to own this")

    assert notified(former) == []


def test_no_notification_for_a_name_in_code_or_an_email(coe, user, bob):
    add(coe, user, "Run `notify @bob` or write to bob@example.com\n\n```\n@bob\n```")

    assert notified(bob) == []


def test_a_mention_in_a_reply_notifies_too(coe, user, bob, carol):
    top = add(coe, user)

    add(coe, bob, "@carol knows", parent=top)

    (notification,) = notified(carol)
    assert notification.actor == bob


def test_a_refused_comment_notifies_no_one(coe, user, bob):
    other = add(coe, user, key="lessons")

    with pytest.raises(errors.NotFound):
        add(coe, user, "@bob look", key="impact", parent=other)

    assert notified(bob) == []


# --- the COE page --------------------------------------------------------------------------------------


def page(coe) -> str:
    return f"/coe/{coe.pk}/"


def comments_url(coe, key="impact", action="", comment=None) -> str:
    tail = f"{comment.pk}/{action}/" if comment else ""
    return f"/coe/{coe.pk}/sections/{key}/comments/{tail}"


def fragment_of(content: str, key: str) -> str:
    """The comments fragment of one section, as served in the page."""
    start = content.index(f'<section class="comments" id="comments-{key}"')
    end = content.index("</form>\n</section>", start)
    return content[start:end]


def test_page_has_a_comments_area_under_every_section(client_logged_in, coe):
    content = client_logged_in.get(page(coe)).content.decode()

    for key in SectionKey:
        section_at = content.index(f'id="section-{key.value}"')
        comments_at = content.index(f'id="comments-{key.value}"')
        assert section_at < comments_at
        assert f'action="{comments_url(coe, key.value)}"' in content


def test_page_shows_threads_with_author_time_and_rendered_text(client_logged_in, coe, user, bob):
    top = add(coe, user, "Where is the **graph**?")
    reply = add(coe, bob, "Here: [graph](https://grafana.example/d/1)", parent=top)

    content = client_logged_in.get(page(coe)).content.decode()

    area = fragment_of(content, "impact")
    assert f'id="comment-{top.pk}"' in area and f'id="comment-{reply.pk}"' in area
    assert "<strong>Alice</strong>" in area and "<strong>Bob</strong>" in area
    assert "<p>Where is the <strong>graph</strong>?</p>" in area
    assert '<a href="https://grafana.example/d/1" rel="noopener noreferrer">graph</a>' in area
    assert "<time datetime=" in area
    assert "(1 open)" in area
    assert f'data-testid="resolve-{top.pk}"' in area
    assert f'id="comment-{top.pk}"' not in fragment_of(content, "lessons")


def test_page_shows_a_resolved_thread_collapsed(client_logged_in, coe, user, bob):
    top = add(coe, user, "Settled question")
    comments.comment_resolve(coe_id=coe.pk, key="impact", comment_id=top.pk, actor=bob)

    area = fragment_of(client_logged_in.get(page(coe)).content.decode(), "impact")

    opening = re.search(rf'<details class="thread thread-resolved" id="thread-{top.pk}"[^>]*>', area)
    assert opening and " open" not in opening.group()
    assert "resolved by Bob" in area
    assert f'data-testid="reopen-{top.pk}"' in area
    assert "Reply and reopen" in area
    assert "open)" not in area.split("</h3>")[0]


def test_add_through_htmx_answers_that_sections_comments_only(client_logged_in, coe, user):
    response = client_logged_in.post(comments_url(coe), {"body": "Is this the *whole* impact?"}, **HTMX)

    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith("{# One") is False
    assert '<section class="comments" id="comments-impact"' in content
    assert "<html" not in content
    assert 'id="body-impact"' not in content and 'id="section-impact"' not in content  # never the text box
    assert 'id="comments-lessons"' not in content
    assert "<p>Is this the <em>whole</em> impact?</p>" in content
    comment = Comment.objects.get()
    assert (comment.author, comment.section.key) == (user, "impact")
    assert '<textarea name="body" id="comment-body-impact"' in content
    assert re.search(r'id="comment-body-impact"[^>]*></textarea>', content)  # the box is empty again


def test_add_without_htmx_goes_back_to_the_comment(client_logged_in, coe):
    response = client_logged_in.post(comments_url(coe), {"body": "Plain form"})

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/coe/{coe.pk}/#comment-{comment.pk}"


def test_add_an_empty_comment_through_htmx_says_so_in_place(client_logged_in, coe):
    response = client_logged_in.post(comments_url(coe), {"body": "   "}, **HTMX)

    assert response.status_code == 400
    content = response.content.decode()
    assert '<section class="comments" id="comments-impact"' in content
    assert "Write something to comment." in content
    assert not Comment.objects.exists()


def test_add_a_too_long_comment_keeps_the_text_in_its_box(client_logged_in, coe):
    text = "long " * 1001

    response = client_logged_in.post(comments_url(coe), {"body": text}, **HTMX)

    assert response.status_code == 400
    content = response.content.decode()
    assert "at most 5,000 characters" in content
    assert re.search(r'id="comment-body-impact"[^>]*>' + re.escape(escape(text)) + "</textarea>", content)


def test_add_an_empty_comment_without_htmx_says_so_on_the_page(client_logged_in, coe):
    response = client_logged_in.post(comments_url(coe), {"body": ""})

    assert response.status_code == 302
    assert response["Location"] == f"/coe/{coe.pk}/#comments-impact"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Write something to comment."]


def test_reply_through_htmx(client_logged_in, coe, bob):
    top = add(coe, bob)

    response = client_logged_in.post(comments_url(coe), {"body": "On it", "parent": top.pk}, **HTMX)

    assert response.status_code == 200
    reply = Comment.objects.get(parent=top)
    assert f'id="comment-{reply.pk}"' in response.content.decode()


def test_reply_error_keeps_the_text_in_that_threads_box(client_logged_in, coe, bob):
    top = add(coe, bob)
    text = "x" * 5001

    response = client_logged_in.post(comments_url(coe), {"body": text, "parent": top.pk}, **HTMX)

    assert response.status_code == 400
    content = response.content.decode()
    assert re.search(rf'id="reply-{top.pk}"[^>]*>{text}</textarea>', content)
    assert re.search(r'id="comment-body-impact"[^>]*></textarea>', content)


def test_reply_to_an_unknown_comment_is_404(client_logged_in, coe):
    response = client_logged_in.post(comments_url(coe), {"body": "x", "parent": 987654}, **HTMX)

    assert response.status_code == 404


def test_resolve_and_reopen_through_htmx(client_logged_in, coe, bob, user):
    top = add(coe, bob)

    resolved = client_logged_in.post(comments_url(coe, action="resolve", comment=top), **HTMX)

    assert resolved.status_code == 200
    assert f'<details class="thread thread-resolved" id="thread-{top.pk}"' in resolved.content.decode()
    assert fresh(top).resolved_by == user

    reopened = client_logged_in.post(comments_url(coe, action="reopen", comment=top), **HTMX)

    assert reopened.status_code == 200
    assert f'<div class="thread" id="thread-{top.pk}"' in reopened.content.decode()
    assert fresh(top).resolved_at is None


def test_resolve_without_htmx_goes_back_to_the_sections_comments(client_logged_in, coe, bob):
    top = add(coe, bob)

    response = client_logged_in.post(comments_url(coe, action="resolve", comment=top))

    assert response["Location"] == f"/coe/{coe.pk}/#comments-impact"
    assert fresh(top).resolved_at is not None


def test_resolve_needs_a_post(client_logged_in, coe, bob):
    top = add(coe, bob)

    assert client_logged_in.get(comments_url(coe, action="resolve", comment=top)).status_code == 405
    assert fresh(top).resolved_at is None


@pytest.mark.parametrize(
    "url",
    [
        "/coe/{coe}/sections/summary/comments/",
        "/coe/987654/sections/impact/comments/",
        "/coe/{coe}/sections/impact/comments/987654/resolve/",
        "/coe/{coe}/sections/lessons/comments/{comment}/resolve/",
        "/coe/{coe}/sections/impact/comments/987654/reopen/",
    ],
)
def test_unknown_section_coe_or_comment_is_404(client_logged_in, coe, user, url):
    comment = add(coe, user)

    response = client_logged_in.post(url.format(coe=coe.pk, comment=comment.pk), {"body": "x"}, **HTMX)

    assert response.status_code == 404
    assert Comment.objects.count() == 1


def test_get_with_htmx_answers_the_fragment(client_logged_in, coe, user):
    comment = add(coe, user)

    response = client_logged_in.get(comments_url(coe), **HTMX)

    assert response.status_code == 200
    assert f'id="comment-{comment.pk}"' in response.content.decode()
    assert client_logged_in.get("/coe/987654/sections/impact/comments/", **HTMX).status_code == 404


def test_get_without_htmx_goes_to_the_page(client_logged_in, coe):
    response = client_logged_in.get(comments_url(coe))

    assert response["Location"] == f"/coe/{coe.pk}/#comments-impact"


def test_a_mention_through_the_page_notifies_and_shows_in_their_top_bar(client_logged_in, client, coe, bob):
    client_logged_in.post(comments_url(coe), {"body": "@bob please check"}, **HTMX)
    events.drain()

    client.force_login(bob)
    content = client.get(page(coe)).content.decode()
    assert 'data-testid="unread-count">1</span>' in content
    assert "Alice mentioned you" in client.get("/notifications/").content.decode()


# --- sanitizing --------------------------------------------------------------------------------------


def test_an_xss_comment_is_rendered_sanitized_on_the_page(client_logged_in, coe, user):
    top = add(coe, user, PAYLOAD)
    add(coe, user, PAYLOAD, parent=top)
    comments.comment_resolve(coe_id=coe.pk, key="impact", comment_id=top.pk, actor=user)
    assert fresh(top).body == PAYLOAD.strip()  # stored as typed; sanitized when shown

    content = client_logged_in.get(page(coe)).content.decode()

    assert executable(content) == []
    assert "<strong>still bold</strong>" in fragment_of(content, "impact")


def test_an_xss_comment_is_sanitized_in_the_htmx_answers(client_logged_in, coe, user):
    added = client_logged_in.post(comments_url(coe), {"body": PAYLOAD}, **HTMX)
    refused = client_logged_in.post(comments_url(coe), {"body": PAYLOAD * 30}, **HTMX)  # kept in its box

    assert added.status_code == 200 and refused.status_code == 400
    assert executable(added.content.decode()) == []
    assert executable(refused.content.decode()) == []


# --- login -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/coe/{coe}/sections/impact/comments/"),
        ("post", "/coe/{coe}/sections/impact/comments/"),
        ("post", "/coe/{coe}/sections/impact/comments/{comment}/resolve/"),
        ("post", "/coe/{coe}/sections/impact/comments/{comment}/reopen/"),
    ],
)
def test_every_comment_page_needs_a_login(client, coe, user, bob, method, url):
    comment = add(coe, user)
    path = url.format(coe=coe.pk, comment=comment.pk)

    response = getattr(client, method)(path, {"body": "@bob anonymous"} if method == "post" else None, **HTMX)

    assert response.status_code == 302
    assert response["Location"].startswith(f"/accounts/login/?next={path}")
    assert Comment.objects.count() == 1
    assert fresh(comment).resolved_at is None
    assert notified(bob) == []


# --- query counts ------------------------------------------------------------------------------------


def page_queries(client, coe) -> int:
    client.get(page(coe))  # the first request of a session caches the viewer's time zone
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page(coe)).status_code == 200
    return len(queries)


def discuss(coe, size: int, people: list) -> None:
    """`size` comments on the COE across sections: threads, replies (by other people), a resolved
    thread, mentions."""
    keys = list(SectionKey.values)
    top = None
    for number in range(size):
        author = people[number % len(people)]
        if number % 3 == 2 and top is not None:
            add(coe, author, f"reply {number} @{people[0].username}", key=top.section.key, parent=top)
        else:
            top = add(coe, author, f"comment {number} **bold**", key=keys[number % len(keys)])
    if size > 1:
        comments.comment_resolve(coe_id=coe.pk, key=top.section.key, comment_id=top.pk, actor=people[0])


def test_page_query_count_is_the_same_with_1_or_10_comments(client_logged_in, user):
    people = [user, *(factories.user() for _ in range(4))]
    small, large = factories.coe(actor=user), factories.coe(actor=user)
    discuss(small, 1, people)
    discuss(large, 10, people)
    assert (
        Comment.objects.filter(section__coe=small).count(),
        Comment.objects.filter(section__coe=large).count(),
    ) == (1, 10)

    assert page_queries(client_logged_in, small) == page_queries(client_logged_in, large)


def test_fragment_query_count_is_the_same_with_1_or_10_comments(client_logged_in, user):
    people = [user, *(factories.user() for _ in range(4))]
    small, large = factories.coe(actor=user), factories.coe(actor=user)
    add(small, user, key="impact")
    for number in range(10):
        add(large, people[number % len(people)], f"c{number}", key="impact")

    def queries(coe) -> int:
        with CaptureQueriesContext(connection) as captured:
            client_logged_in.get(comments_url(coe), **HTMX)
        return len(captured)

    queries(small)
    assert queries(small) == queries(large)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"body": "x", "parent": "first"}, "parent: Enter a whole number."),
        ({"body": "x" * 10_001}, "body: Ensure this value has at most 10000 characters (it has 10001)."),
    ],
)
def test_a_malformed_form_through_htmx_says_so_in_place(client_logged_in, coe, data, message):
    response = client_logged_in.post(comments_url(coe), data, **HTMX)

    assert response.status_code == 400
    content = response.content.decode()
    assert '<section class="comments" id="comments-impact"' in content
    assert escape(message) in content
    assert not Comment.objects.exists()
