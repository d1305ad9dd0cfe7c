"""Reads of the notifications app: reminder candidates (a fixed number of queries, whatever their
number), preferences, the digest's figures, the outbox, the team channels and in-app notifications."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max, Q, QuerySet
from django.urls import reverse

from coe import states
from coe.models import ActionItem, Coe, ReviewDecision, Reviewer
from core import reporting
from incidents.models import Incident, Status, Team, incident_reference
from metrics.models import Scope, WeeklyAggregate
from notifications import rules
from notifications.models import (
    DigestSubscription,
    MessageState,
    Notification,
    OutboundMessage,
    Preference,
    TeamWebhook,
    Topic,
)


@dataclass(frozen=True)
class Candidates:
    items: list[rules.ActionItemFacts] = field(default_factory=list)
    coes: list[rules.CoeFacts] = field(default_factory=list)
    reviews: list[rules.ReviewFacts] = field(default_factory=list)
    incidents: list[rules.IncidentFacts] = field(default_factory=list)


def reminder_candidates(*, now: datetime, today: date) -> Candidates:
    """Everything a reminder rule could fire for, as facts: four queries, however many rows.

    The filters are a coarse superset of the rules (the rules decide); they keep the rows read small.
    """
    items = (
        ActionItem.objects.filter(
            status__in=states.ACTION_OPEN,
            owner__isnull=False,
            due_on__isnull=False,
            due_on__lte=today + timedelta(days=rules.DUE_SOON_DAYS),
        )
        .select_related("coe")
        .only("id", "title", "status", "owner_id", "due_on", "coe__id", "coe__incident_id")
    )
    coes = Coe.objects.filter(states.coe_overdue_q(today=today)).select_related("incident")
    reviews = Reviewer.objects.filter(
        states.needs_reviewers_q(prefix="coe__"),
        decision=ReviewDecision.PENDING,
        coe__submitted_at__isnull=False,
        coe__submitted_at__lt=now - timedelta(days=rules.REVIEW_BUSINESS_DAYS),
    ).select_related("coe__incident")
    watched = [severity for severity, minutes in settings.STALE_INCIDENT_MINUTES.items() if minutes]
    incidents = Incident.objects.filter(
        status=Status.ACTIVE, commander__isnull=False, severity__in=watched
    ).annotate(last_event_at=Max("events__recorded_at"))
    return Candidates(
        items=[
            rules.ActionItemFacts(
                id=item.pk,
                title=item.title,
                status=item.status,
                owner_id=item.owner_id,
                due_on=item.due_on,
                incident_reference=incident_reference(item.coe.incident_id),
                path=reverse("coe:detail", args=[item.coe_id]),
            )
            for item in items
        ],
        coes=[
            rules.CoeFacts(
                id=coe.pk,
                state=coe.state,
                due_on=coe.due_on,
                owner_id=coe.owner_id,
                commander_id=coe.incident.commander_id,
                incident_reference=coe.incident.reference,
                incident_title=coe.incident.title,
                path=reverse("coe:detail", args=[coe.pk]),
            )
            for coe in coes
        ],
        reviews=[
            rules.ReviewFacts(
                coe_id=review.coe_id,
                reviewer_id=review.user_id,
                decision=review.decision,
                coe_state=review.coe.state,
                submitted_on=reporting.reporting_date(review.coe.submitted_at),
                incident_reference=review.coe.incident.reference,
                path=reverse("coe:detail", args=[review.coe_id]),
            )
            for review in reviews
        ],
        incidents=[
            rules.IncidentFacts(
                id=incident.pk,
                reference=incident.reference,
                title=incident.title,
                severity=incident.severity,
                status=incident.status,
                commander_id=incident.commander_id,
                last_activity_at=incident.last_event_at or incident.created_at,
                path=reverse("incidents:detail", args=[incident.pk]),
            )
            for incident in incidents
        ],
    )


@dataclass(frozen=True)
class Channels:
    email: bool = True
    in_app: bool = True


def preferences_for(*, user_ids: Iterable[int], topic: str) -> dict[int, Channels]:
    """Each person's channels for `topic` (the default, both on, where they chose nothing): one query."""
    ids = set(user_ids)
    chosen = {
        row.user_id: Channels(email=row.email, in_app=row.in_app)
        for row in Preference.objects.filter(user_id__in=ids, topic=topic)
    }
    return {user_id: chosen.get(user_id, Channels()) for user_id in ids}


def preferences_table(*, user) -> list[tuple[str, str, Channels]]:
    """(topic, label, channels) for every topic, for the preferences page."""
    chosen = {
        row.topic: Channels(email=row.email, in_app=row.in_app) for row in user.notification_preferences.all()
    }
    return [(topic.value, topic.label, chosen.get(topic.value, Channels())) for topic in Topic]


def people(*, user_ids: Iterable[int]) -> dict[int, object]:
    return {
        person.pk: person for person in get_user_model().objects.filter(pk__in=set(user_ids), is_active=True)
    }


def digest_subscribed_team_ids(*, user) -> set[int]:
    return set(DigestSubscription.objects.filter(user=user).values_list("team_id", flat=True))


def webhooks_for_team(*, team_id: int) -> list[TeamWebhook]:
    """The team's enabled webhooks: one small query on (team, enabled)."""
    return list(TeamWebhook.objects.filter(team_id=team_id, enabled=True))


def webhook_list() -> QuerySet[TeamWebhook]:
    return TeamWebhook.objects.select_related("team").order_by("team__name", "name", "id")


def digest_addresses() -> QuerySet[DigestSubscription]:
    return DigestSubscription.objects.filter(user__isnull=True).select_related("team")


def outbox_list(*, state: str = "", channel: str = "", topic: str = "") -> QuerySet[OutboundMessage]:
    messages = OutboundMessage.objects.select_related("webhook__team", "user").defer(
        "body_html", "body_text", "payload"
    )
    if state:
        messages = messages.filter(state=state)
    if channel:
        messages = messages.filter(channel=channel)
    if topic:
        messages = messages.filter(topic=topic)
    return messages.order_by("-created_at", "-id")


def outbox_stuck(*, now: datetime, grace: timedelta) -> list[int]:
    """Pending messages whose task seems lost: older than `grace`, not claimed by a live sender (or its
    claim ran out), and not waiting for a scheduled retry (or that retry is `grace` late)."""
    cutoff = now - grace
    return list(
        OutboundMessage.objects.filter(state=MessageState.PENDING, created_at__lt=cutoff)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=cutoff))
        .order_by("id")
        .values_list("pk", flat=True)[:500]
    )


# The weekly digest.


@dataclass(frozen=True)
class DigestAudience:
    team: Team
    emails: list[tuple[str, int | None]]  # (address, user id or None)
    webhooks: list[TeamWebhook]


def digest_audiences() -> list[DigestAudience]:
    """Each team with someone to send its digest to: subscribers with an email address, mailing
    addresses, and enabled webhooks that want the digest. Three queries."""
    by_team: dict[int, DigestAudience] = {}
    subscriptions = DigestSubscription.objects.select_related("team", "user").order_by("team_id", "id")
    for sub in subscriptions:
        if sub.user_id is not None and (not sub.user.is_active or not sub.user.email):
            continue
        address = sub.user.email if sub.user_id else sub.email
        by_team.setdefault(sub.team_id, DigestAudience(team=sub.team, emails=[], webhooks=[]))
        if address not in [known for known, _ in by_team[sub.team_id].emails]:
            by_team[sub.team_id].emails.append((address, sub.user_id))
    for hook in TeamWebhook.objects.filter(enabled=True).select_related("team").order_by("team_id", "id"):
        if "digest.weekly" in (hook.events or []):
            by_team.setdefault(hook.team_id, DigestAudience(team=hook.team, emails=[], webhooks=[]))
            by_team[hook.team_id].webhooks.append(hook)
    return [by_team[team_id] for team_id in sorted(by_team)]


@dataclass(frozen=True)
class DigestData:
    team: Team
    week: date  # the Monday of the week reported on (last week)
    incidents: list[Incident]
    aggregates: dict[date, WeeklyAggregate]  # last week and the 4 before, where computed
    coes_due: list[Coe]
    overdue_items: list[ActionItem]


def digest_data(*, team: Team, week: date, today: date) -> DigestData:
    """What the digest of `team` for the week starting `week` (a Monday) shows. Four queries."""
    start, end = reporting.reporting_midnight(week), reporting.reporting_midnight(week + timedelta(days=7))
    incidents = list(
        Incident.objects.filter(team=team, started_at__gte=start, started_at__lt=end).order_by(
            "started_at", "id"
        )
    )
    aggregates = {
        row.week: row
        for row in WeeklyAggregate.objects.filter(
            scope=Scope.TEAM, key=str(team.pk), week__gte=week - timedelta(weeks=4), week__lte=week
        )
    }
    this_monday = week + timedelta(days=7)
    coes_due = list(
        Coe.objects.filter(
            incident__team=team,
            due_on__gte=this_monday,
            due_on__lt=this_monday + timedelta(days=7),
        )
        .filter(states.editable_q())
        .select_related("incident", "owner")
        .order_by("due_on", "id")
    )
    overdue_items = list(
        ActionItem.objects.filter(states.action_item_overdue_q(today=today), coe__incident__team=team)
        .select_related("coe__incident", "owner")
        .order_by("due_on", "id")
    )
    return DigestData(
        team=team,
        week=week,
        incidents=incidents,
        aggregates=aggregates,
        coes_due=coes_due,
        overdue_items=overdue_items,
    )


def notification_list(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    """A person's in-app notifications, newest first, with who caused each."""
    notifications = Notification.objects.filter(recipient=user).select_related("actor")
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


def notification_get(*, user, notification_id: int) -> Notification | None:
    """One of `user`'s notifications; someone else's is None, like a missing one."""
    return Notification.objects.filter(recipient=user, pk=notification_id).first()


def notification_unread_count(*, user) -> int:
    """One COUNT on the (recipient, read_at) index: the number in every page's top bar."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
