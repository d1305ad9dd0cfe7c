"""Reads of COE documents, shaped for the page (a fixed number of queries whatever their size)."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone

from coe import markdown
from coe.models import ActionItem, ActionStatus, Coe, Comment, Reviewer, Section
from coe.sections import GUIDANCE, SectionKey
from incidents.models import Incident


@dataclass(frozen=True)
class SectionView:
    section: Section
    key: SectionKey
    html: str
    guidance: object
    written: bool


def coe_get(*, coe_id: int) -> Coe | None:
    return (
        Coe.objects.select_related("incident", "incident__team", "owner")
        .prefetch_related(
            Prefetch("sections", queryset=Section.objects.select_related("updated_by")),
            "factors",
            Prefetch("action_items", queryset=ActionItem.objects.select_related("owner")),
            Prefetch("reviewers", queryset=Reviewer.objects.select_related("user")),
        )
        .filter(pk=coe_id)
        .first()
    )


def coe_sections(coe: Coe) -> list[SectionView]:
    """The six sections in document order, rendered (sanitized)."""
    from coe import services

    by_key = {section.key: section for section in coe.sections.all()}
    views = []
    for key in SectionKey:
        section = by_key[key]
        views.append(
            SectionView(
                section=section,
                key=key,
                html=markdown.render(section.body),
                guidance=GUIDANCE[key],
                written=services.section_written(section),
            )
        )
    return views


def action_item_list(*, user=None, team: str = "", status: str = "", overdue: bool = False):
    """Action items across COEs, soonest due first (no due date last), with what a row shows loaded."""
    items = ActionItem.objects.select_related("owner", "coe__incident", "coe__incident__team")
    if user is not None:
        items = items.filter(owner=user)
    if team:
        items = items.filter(coe__incident__team__slug=team)
    if status:
        items = items.filter(status=status)
    if overdue:
        items = items.filter(
            due_on__lt=timezone.localdate(), status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS]
        )
    return items.order_by(F("due_on").asc(nulls_last=True), "id")


@dataclass(frozen=True)
class CommentView:
    comment: Comment
    html: str


@dataclass(frozen=True)
class Thread:
    """A top-level comment and its replies, oldest first, each rendered (sanitized)."""

    top: CommentView
    replies: list[CommentView]

    @property
    def resolved(self) -> bool:
        return self.top.comment.resolved_at is not None


@dataclass(frozen=True)
class SectionComments:
    threads: list[Thread]

    @property
    def open_count(self) -> int:
        return sum(not thread.resolved for thread in self.threads)


def comment_threads(*, coe_id: int, key: str | None = None) -> dict[str, SectionComments]:
    """The comment threads of every section of a COE (or of one), by section key, oldest thread
    first: one query whatever their number. Every key asked for is present, with or without threads."""
    comments = (
        Comment.objects.filter(section__coe_id=coe_id)
        .select_related("author", "resolved_by")
        .annotate(section_key=F("section__key"))  # the key without loading each section's text
        .order_by("created_at", "id")
    )
    if key is not None:
        comments = comments.filter(section__key=key)
    tops: dict[int, tuple[Comment, list[CommentView]]] = {}
    replies: list[Comment] = []
    for comment in comments:
        if comment.parent_id is None:
            tops[comment.pk] = (comment, [])
        else:
            replies.append(comment)
    for reply in replies:
        if reply.parent_id in tops:
            tops[reply.parent_id][1].append(CommentView(reply, markdown.render(reply.body)))
    by_key: dict[str, SectionComments] = {
        section_key: SectionComments(threads=[])
        for section_key in ([key] if key is not None else SectionKey.values)
    }
    for top, thread_replies in tops.values():
        by_key[top.section_key].threads.append(
            Thread(top=CommentView(top, markdown.render(top.body)), replies=thread_replies)
        )
    return by_key


def comment_thread_list(*, coe_id: int, key: str, resolved: bool | None = None) -> QuerySet[Comment]:
    """A section's threads as top-level comments, oldest first, each with its author, its resolver and
    its replies (with their authors) prefetched: a fixed number of queries for a page of them."""
    threads = (
        Comment.objects.filter(section__coe_id=coe_id, section__key=key, parent__isnull=True)
        .select_related("author", "resolved_by")
        .prefetch_related(
            Prefetch(
                "replies", queryset=Comment.objects.select_related("author").order_by("created_at", "id")
            )
        )
        .order_by("created_at", "id")
    )
    if resolved is not None:
        threads = threads.filter(resolved_at__isnull=not resolved)
    return threads


def later_incident_counts(coe: Coe) -> dict[int, int]:
    """For each done action item: how many incidents of the same services began after it was done,
    a hint for its owner judging whether it proved effective. Two queries, whatever the item count."""
    done = [item for item in coe.action_items.all() if item.status == ActionStatus.DONE and item.completed_at]
    if not done:
        return {}
    service_ids = list(coe.incident.services.values_list("pk", flat=True))
    if not service_ids:
        return {item.pk: 0 for item in done}
    since = min(item.completed_at for item in done)
    starts = set(
        Incident.objects.filter(services__in=service_ids, started_at__gt=since)
        .exclude(pk=coe.incident_id)
        .values_list("pk", "started_at")
    )
    return {item.pk: sum(1 for _, started in starts if started > item.completed_at) for item in done}


def active_users() -> list:
    users = get_user_model().objects.filter(is_active=True).order_by("username")
    return list(users.only("pk", "username", "first_name", "last_name"))
