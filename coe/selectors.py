"""Reads of COE documents, shaped for the page (a fixed number of queries whatever their size)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import BooleanField, ExpressionWrapper, F, Prefetch, QuerySet
from django.utils import timezone

from coe import markdown, prefill, sections, states
from coe.models import (
    ActionItem,
    ActionStatus,
    Coe,
    CoeEvent,
    CoeEventKind,
    Comment,
    ReviewDecision,
    Reviewer,
    Section,
)
from coe.sections import GUIDANCE, SectionKey
from core import forms as core_forms
from incidents import phases
from incidents import selectors as incident_selectors
from incidents.models import EventKind, Incident


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
            Prefetch("events", queryset=CoeEvent.objects.select_related("actor")),
        )
        .filter(pk=coe_id)
        .first()
    )


def coe_sections(coe: Coe) -> list[SectionView]:
    """The six sections in document order, rendered (sanitized)."""
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
                written=sections.section_written(section),
            )
        )
    return views


# The phase events are recorded at the time first given; a correction moves the stamp, not them. The
# timeline takes the phases from the stamps instead, and the corrections are in the stamps already.
STAMPED_EVENTS = (EventKind.PHASE_ADVANCED, EventKind.PHASE_SKIPPED, EventKind.STAMP_CORRECTED)


def _event_text(event) -> str:
    label = event.get_kind_display()
    if event.kind == EventKind.NOTE:
        return event.body
    if event.phase and event.kind == EventKind.REOPENED:
        return f"{label} (back to {phases.Phase(event.phase).label}){': ' + event.body if event.body else ''}"
    return f"{label}{': ' + event.body if event.body else ''}"


def _declared_at(event, stamps) -> object:
    """A declaration is stamped: detected_at when a person declared it, started_at when an alert opened
    it (still in detect). It moves with a correction of that stamp."""
    field = "started_at" if event.phase == phases.Phase.DETECT else "detected_at"
    return stamps.get(field) or event.occurred_at


def phase_lines(figures: incident_selectors.IncidentFigures) -> list[prefill.PhaseLine]:
    return [
        prefill.PhaseLine(s.phase.label, s.started, s.ended, s.duration, s.skipped)
        for s in figures.durations.spans
    ]


def incident_timeline_lines(
    incident: Incident, figures: incident_selectors.IncidentFigures | None = None
) -> list[prefill.TimelineLine]:
    """The incident's timeline for a COE (its section 1 and the export): the phases at their current
    stamps, declarations, notes and the other events, in time order; field edits left out. One query."""
    figures = figures or incident_selectors.incident_figures(incident)
    stamps = incident.stamps
    events = []
    for event in incident_selectors.incident_timeline(incident_id=incident.pk):
        if event.kind in STAMPED_EVENTS or event.kind == EventKind.FIELD_CHANGED:
            continue
        at = _declared_at(event, stamps) if event.kind == EventKind.DECLARED else event.occurred_at
        events.append(prefill.TimelineLine(at=at, text=_event_text(event)))
    return prefill.timeline(started_at=stamps["started_at"], phases=phase_lines(figures), events=events)


def action_item_list(*, user=None, team: str = "", status: str = "", overdue: bool = False):
    """Action items across COEs, soonest due first (no due date last), with what a row shows loaded.
    Each row carries `overdue` (`coe.states.action_item_overdue` as of today in the current zone)."""
    overdue_q = states.action_item_overdue_q(today=timezone.localdate())
    items = ActionItem.objects.select_related("owner", "coe__incident", "coe__incident__team").annotate(
        overdue=ExpressionWrapper(overdue_q, output_field=BooleanField())
    )
    if user is not None:
        items = items.filter(owner=user)
    if team:
        items = items.filter(coe__incident__team__slug=team)
    if status:
        items = items.filter(status=status)
    if overdue:
        items = items.filter(overdue_q)
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
    """Everyone who can be picked, in the order of the names they are shown with."""
    return list(core_forms.active_users().only("pk", "username", "first_name", "last_name"))


@dataclass(frozen=True)
class Decision:
    """One review decision: who, what, when, and what they said."""

    name: str
    decision: str  # a ReviewDecision value
    comment: str
    at: datetime

    @property
    def label(self) -> str:
        return ReviewDecision(self.decision).label


def _recorded(event: CoeEvent) -> list[Decision]:
    """The decisions a round-ending event recorded (`coe.services.coe_review` writes them); an event
    written before decisions were recorded stands for its own decision."""
    recorded = event.data.get("decisions")
    if recorded is None:
        name = (event.actor.get_full_name() or event.actor.get_username()) if event.actor else "Someone"
        return [Decision(name=name, decision=event.kind, comment=event.body, at=event.at)]
    return [
        Decision(
            name=row["name"],
            decision=row["decision"],
            comment=row.get("comment", ""),
            at=datetime.fromisoformat(row["at"]),
        )
        for row in recorded
    ]


def review_decisions(coe: Coe) -> list[Decision]:
    """Every review decision of every round, oldest first: the rounds that ended (approved, or changes
    requested) from their events, and the round under way from its reviewers. Reads what `coe_get`
    prefetched (events with their actors, reviewers with their users): no query."""
    decisions = [
        decision
        for event in coe.events.all()
        if event.kind in (CoeEventKind.APPROVED, CoeEventKind.CHANGES_REQUESTED)
        for decision in _recorded(event)
    ]
    if states.needs_reviewers(coe.state):
        decisions += [
            Decision(
                name=reviewer.user.get_full_name() or reviewer.user.get_username(),
                decision=reviewer.decision,
                comment=reviewer.comment,
                at=reviewer.decided_at,
            )
            for reviewer in coe.reviewers.all()
            if reviewer.decision != ReviewDecision.PENDING and reviewer.decided_at is not None
        ]
    return sorted(decisions, key=lambda decision: decision.at)
