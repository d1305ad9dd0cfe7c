"""People's choices (channels per topic, digest subscriptions), team mailing addresses, and mentions
delivered by those choices."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from core import errors
from notifications import selectors
from notifications.models import DigestSubscription, NotificationKind, Preference, Topic
from notifications.services import inbox, outbox


@transaction.atomic
def preferences_save(*, user, choices: dict[str, tuple[bool, bool]], digest_team_ids: set[int]) -> None:
    """Store `user`'s channels, `choices` mapping each topic to (email, in_app) (topics left out keep
    theirs), and make their digest subscriptions exactly `digest_team_ids`."""
    unknown = sorted(set(choices) - set(Topic.values))
    if unknown:
        raise errors.ValidationFailed(f"Unknown topics: {', '.join(unknown)}.", extra={"field": "topics"})
    for topic, (email, in_app) in choices.items():
        Preference.objects.update_or_create(
            user=user, topic=topic, defaults={"email": bool(email), "in_app": bool(in_app)}
        )
    DigestSubscription.objects.filter(user=user).exclude(team_id__in=digest_team_ids).delete()
    have = set(DigestSubscription.objects.filter(user=user).values_list("team_id", flat=True))
    DigestSubscription.objects.bulk_create(
        [DigestSubscription(user=user, team_id=team_id) for team_id in sorted(digest_team_ids - have)]
    )


@transaction.atomic
def digest_address_add(*, team, email: str) -> DigestSubscription:
    """A team mailing address that receives the team's weekly digest. Adding it twice is a no-op."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise errors.ValidationFailed("Enter a valid email address.", extra={"field": "email"}) from None
    subscription, _ = DigestSubscription.objects.get_or_create(team=team, user=None, email=email)
    return subscription


@transaction.atomic
def digest_address_remove(*, subscription_id: int) -> None:
    deleted, _ = DigestSubscription.objects.filter(pk=subscription_id, user__isnull=True).delete()
    if not deleted:
        raise errors.NotFound(f"Address {subscription_id} does not exist.", extra={"id": subscription_id})


def _notify(
    *,
    recipients: list,
    actor,
    topic: str,
    kind: str,
    text: str,
    url: str,
    subject: str,
    template: str,
) -> int:
    """Tell each of `recipients` (never the actor) in the app and by email, as each chose for `topic`
    (default both). In the caller's transaction; emails go out after commit. One query for the
    preferences. Returns how many people were told."""
    recipients = [person for person in recipients if actor is None or person.pk != actor.pk]
    if not recipients:
        return 0
    chosen = selectors.preferences_for(user_ids={person.pk for person in recipients}, topic=topic)
    messages = []
    for person in recipients:
        channels = chosen[person.pk]
        if channels.in_app:
            inbox.notification_create(recipient=person, actor=actor, kind=kind, text=text, url=url)
        if channels.email and person.email:
            messages.append(
                outbox.email_message(
                    to_email=person.email,
                    user_id=person.pk,
                    topic=topic,
                    subject=subject,
                    template=template,
                    context={"text": text, "person": person, "actor": actor},
                    url=outbox.absolute(url),
                )
            )
    outbox.messages_store(messages)
    return len(recipients)


def mention_notify(*, recipients: list, actor, text: str, url: str, subject: str) -> int:
    """Tell each of `recipients` they were mentioned: in the app and by email, as each chose (default
    both). In the caller's transaction; emails go out after commit. One query for the preferences.
    Returns how many people were told (the actor never is)."""
    return _notify(
        recipients=recipients,
        actor=actor,
        topic=Topic.MENTION,
        kind=NotificationKind.MENTION,
        text=text,
        url=url,
        subject=subject,
        template="mention",
    )


def review_requested_notify(*, recipients: list, actor, text: str, url: str, subject: str) -> int:
    """Tell each of `recipients` a COE was sent to them for review: in the app and by email, as each
    chose for "review requested" (default both). In the caller's transaction; emails go out after
    commit. Returns how many people were told (the actor never is)."""
    return _notify(
        recipients=recipients,
        actor=actor,
        topic=Topic.REVIEW_REQUESTED,
        kind=NotificationKind.REVIEW_REQUESTED,
        text=text,
        url=url,
        subject=subject,
        template="review_requested",
    )
