"""The notifications app's consumers of the published event logs (core.consumers).

- `notifications.incident-webhooks`: each incident timeline event a team's webhooks subscribe to
  (declared, phase changed, resolved, closed, reopened, severity changed) becomes one outbound message
  per subscribed, enabled webhook, stored in the consumer's transaction and sent after it commits by
  the outbox (bounded retries, exactly one row per message). The incident and its team are read when
  the event is handled; the event says what happened.
- `notifications.coe`: a COE sent for review tells its reviewers, and a comment tells the people it
  mentions, in the app and by email as each chose (preferences), from the COE history's payloads.
"""

from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.urls import reverse

from coe.models import CoeEventKind, Comment
from coe.sections import SectionKey
from coe.services import comments
from core import consumers
from incidents.models import Incident
from notifications.services import preferences, webhooks


def incident_events(events: Sequence) -> None:
    incidents = Incident.objects.select_related("team").in_bulk({event.incident_id for event in events})
    for event in events:
        incident = incidents.get(event.incident_id)
        if incident is not None:
            webhooks.incident_event_messages_store(event=event, incident=incident)


def coe_events(events: Sequence) -> None:
    for event in events:
        if event.kind == CoeEventKind.SUBMITTED and event.data.get("reviewer_ids"):
            _review_requested(event)
        elif event.kind == CoeEventKind.COMMENTED and event.data.get("mentioned_ids"):
            _mentioned(event)


def _people(ids: list[int]) -> list:
    found = get_user_model().objects.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found and found[pk].is_active]


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else "Someone"


def _review_requested(event) -> None:
    incident = Incident.objects.get(coe__pk=event.coe_id)
    sender = _name(event.actor)
    preferences.review_requested_notify(
        recipients=_people(event.data["reviewer_ids"]),
        actor=event.actor,
        text=f"{sender} sent you the {incident.reference} COE “{incident.title}” for review.",
        url=reverse("coe:detail", args=[event.coe_id]) + "#review-h",
        subject=f"{sender} asks for your review of the {incident.reference} COE",
    )


def _mentioned(event) -> None:
    comment = Comment.objects.select_related("author", "section__coe__incident").get(pk=event.data["comment"])
    section = comment.section
    author = _name(comment.author)
    where = f"the {section.coe.incident.reference} COE, on “{SectionKey(section.key).label}”"
    preferences.mention_notify(
        recipients=_people(event.data["mentioned_ids"]),
        actor=comment.author,
        text=f"{author} mentioned you in {where}: {comment.body}",
        url=comments.comment_url(comment, coe_id=section.coe_id),
        subject=f"{author} mentioned you in the {section.coe.incident.reference} COE",
    )


def register() -> None:
    consumers.register(
        consumers.Consumer(
            name="notifications.incident-webhooks",
            log="incidents.IncidentEvent",
            handle=incident_events,
            queue="notify",
        )
    )
    consumers.register(
        consumers.Consumer(
            name="notifications.coe", log="coe.CoeEvent", handle=coe_events, time_field="at", queue="notify"
        )
    )
