"""Comment threads on COE sections: every write, and the @mentions each announces.

A thread is a top-level comment and its replies, one level deep: a reply to a reply joins the same
thread. Comments are never edited or deleted; a thread is resolved when its point is settled, and
reopened when it is not. Decisions, so the pages and the API agree:

- Comments are talk about the document, not part of it: they are allowed in every state of the COE,
  an approved (read-only) one included; a question about a published COE is how a reopen starts.
- A reply to a resolved thread reopens it. Resolved threads are shown collapsed, and a reply nobody
  sees is worse than a thread reopened by mistake (which is one click to resolve again).
- Resolving a resolved thread, or reopening an open one, changes nothing (two clicks at once: one
  does it, the other is a no-op), like `core.services.api_token_revoke`.
- `@username` notifies each existing active user mentioned (`coe.mentions`), once per comment, never
  the author; a name that is nobody's is left as text and the comment is saved all the same. The
  comment goes on the COE's log with whom it mentions (coe.events); the notifications consumer tells
  each person in the app and by email as they chose.

Kept apart from the document, its review and its action items (the rest of `coe.services`) so each
module stays one screen of concerns; callers import it as `from coe.services import comments`.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from coe import events, mentions
from coe.models import COMMENT_MAX_LENGTH, CoeEventKind, Comment, Section
from coe.sections import SectionKey
from core import errors


def _section(coe_id: int, key: str) -> Section:
    if key not in SectionKey.values:
        raise errors.NotFound(f"No section {key!r}.", extra={"key": key, "keys": SectionKey.values})
    section = Section.objects.select_related("coe__incident").filter(coe_id=coe_id, key=key).first()
    if section is None:
        raise errors.NotFound(f"COE {coe_id} does not exist.", extra={"coe_id": coe_id})
    return section


def _locked_thread(section: Section, comment_id: int) -> Comment:
    """The top comment of the thread `comment_id` is in (itself, or its parent), row-locked: replies,
    resolves and reopens of one thread take turns. A comment of another section is not found."""
    row = Comment.objects.filter(section=section, pk=comment_id).values_list("parent_id").first()
    if row is None:
        raise errors.NotFound(
            f"Comment {comment_id} does not exist on this section.", extra={"comment_id": comment_id}
        )
    return Comment.objects.select_for_update().get(pk=row[0] or comment_id)


def comment_url(comment: Comment, *, coe_id: int) -> str:
    """The comment on its COE's page (a path, with the comment's anchor)."""
    return f"{reverse('coe:detail', args=[coe_id])}#comment-{comment.pk}"


def _announce(comment: Comment, section: Section) -> None:
    """Append the comment to the COE's log with whom it mentions (existing active users, never its
    author, in the order named); the notifications consumer tells them, as each chose."""
    names = mentions.usernames(comment.body)
    people = (
        dict(
            get_user_model()
            .objects.filter(username__in=names, is_active=True)
            .exclude(pk=comment.author_id)
            .values_list("username", "pk")
        )
        if names
        else {}
    )
    events.append(
        section.coe,
        CoeEventKind.COMMENTED,
        actor=comment.author,
        comment=comment.pk,
        section=section.key,
        mentioned_ids=[people[name] for name in names if name in people],
    )


@transaction.atomic
def comment_add(*, coe_id: int, key: str, author, body: str, parent_id: int | None = None) -> Comment:
    """Add a comment to a section: a new thread, or with `parent_id` a reply to that comment's thread.

    The body is required (at most 5,000 characters, surrounding blank space dropped). A reply holds its
    thread's row lock, and reopens the thread if it was resolved. Side effect: a notification for each
    existing active user mentioned (never the author; unknown names are ignored), in this transaction.
    """
    body = (body or "").strip()
    if not body:
        raise errors.ValidationFailed("Write something to comment.", extra={"field": "body"})
    if len(body) > COMMENT_MAX_LENGTH:
        raise errors.ValidationFailed(
            f"A comment can be at most {COMMENT_MAX_LENGTH:,} characters ({len(body):,} sent).",
            extra={"field": "body", "max_length": COMMENT_MAX_LENGTH},
        )
    section = _section(coe_id, key)
    thread = None
    if parent_id is not None:
        thread = _locked_thread(section, parent_id)
        if thread.resolved_at is not None:
            thread.resolved_at, thread.resolved_by = None, None
            thread.save(update_fields=["resolved_at", "resolved_by", "updated_at"])
    comment = Comment.objects.create(section=section, author=author, body=body, parent=thread)
    _announce(comment, section)
    return comment


@transaction.atomic
def comment_resolve(*, coe_id: int, key: str, comment_id: int, actor) -> Comment:
    """Resolve the thread `comment_id` is in (a reply's id names its thread); returns its top comment.

    Holds the thread's row lock; a resolved thread stays as it was (who resolved it, and when).
    """
    thread = _locked_thread(_section(coe_id, key), comment_id)
    if thread.resolved_at is None:
        thread.resolved_at, thread.resolved_by = timezone.now(), actor
        thread.save(update_fields=["resolved_at", "resolved_by", "updated_at"])
    return thread


@transaction.atomic
def comment_reopen(*, coe_id: int, key: str, comment_id: int, actor) -> Comment:
    """Reopen the resolved thread `comment_id` is in; returns its top comment. Holds the thread's row
    lock; an open thread stays as it was."""
    thread = _locked_thread(_section(coe_id, key), comment_id)
    if thread.resolved_at is not None:
        thread.resolved_at, thread.resolved_by = None, None
        thread.save(update_fields=["resolved_at", "resolved_by", "updated_at"])
    return thread
