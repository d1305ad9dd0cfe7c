"""Team webhooks: create, edit, enable or disable, set a secret, send a test; and the fan-out of
incident timeline events to them."""

import logging
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import errors, netguard
from incidents import phases
from notifications import payloads
from notifications.models import MessageTopic, TeamWebhook, WebhookEvent, WebhookFormat
from notifications.services import outbox

logger = logging.getLogger(__name__)

SECRET_BYTES = 32


def _validated(webhook: TeamWebhook) -> TeamWebhook:
    unknown = sorted(set(webhook.events or []) - set(WebhookEvent.values))
    if unknown:
        raise errors.ValidationFailed(f"Unknown events: {', '.join(unknown)}.", extra={"field": "events"})
    if webhook.format not in WebhookFormat.values:
        raise errors.ValidationFailed(f"Unknown format {webhook.format!r}.", extra={"field": "format"})
    if not webhook.url.lower().startswith(("http://", "https://")):
        raise errors.ValidationFailed(
            "A webhook URL starts with http:// or https://.", extra={"field": "url"}
        )
    try:
        webhook.full_clean()
    except ValidationError as exc:
        fields = exc.message_dict
        name, messages = next(iter(fields.items()))
        field = name if name in ("name", "url", "format", "events", "secret") else None
        raise errors.ValidationFailed(messages[0], extra={"field": field, "fields": fields}) from exc
    return webhook


def _destination_checked(url: str) -> None:
    """Refuse a URL that points into our own network (core.netguard). A DNS lookup: call it before
    the transaction. Checked again at each send, to the address it connects to."""
    try:
        netguard.check_url(url)
    except netguard.RefusedAddress as exc:
        raise errors.ValidationFailed(
            f"This URL points to a private, loopback or link-local address ({exc.address}); "
            "webhooks go to public addresses only.",
            extra={"field": "url", "address": exc.address},
        ) from exc


def webhook_create(
    *,
    team,
    name: str,
    url: str,
    format: str,
    events: list[str],
    secret: str = "",
    generate_secret: bool = False,
) -> tuple[TeamWebhook, str]:
    """A new enabled webhook for `team`. With `generate_secret`, a random secret is made and returned
    (to show once); otherwise `secret` (may be empty: unsigned). Returns (webhook, generated secret).
    A URL that points into our own network is refused (400 on `url`)."""
    _destination_checked((url or "").strip())
    generated = secrets.token_urlsafe(SECRET_BYTES) if generate_secret else ""
    webhook = TeamWebhook(
        team=team,
        name=(name or "").strip(),
        url=(url or "").strip(),
        format=format,
        events=list(dict.fromkeys(events)),
        secret=generated or (secret or "").strip(),
    )
    with transaction.atomic():
        _validated(webhook).save()
    return webhook, generated


def _locked(webhook_id: int) -> TeamWebhook:
    webhook = TeamWebhook.objects.select_for_update().filter(pk=webhook_id).first()
    if webhook is None:
        raise errors.NotFound(f"Webhook {webhook_id} does not exist.", extra={"webhook_id": webhook_id})
    return webhook


def webhook_update(
    *,
    webhook_id: int,
    name: str,
    url: str,
    format: str,
    events: list[str],
    secret: str = "",
    generate_secret: bool = False,
    clear_secret: bool = False,
) -> tuple[TeamWebhook, str]:
    """Edit a webhook. The secret is kept unless a new one is given, generated (returned, to show
    once) or cleared. A URL that points into our own network is refused (400 on `url`)."""
    _destination_checked((url or "").strip())
    with transaction.atomic():
        webhook = _locked(webhook_id)
        webhook.name, webhook.url, webhook.format = (name or "").strip(), (url or "").strip(), format
        webhook.events = list(dict.fromkeys(events))
        generated = ""
        if generate_secret:
            generated = webhook.secret = secrets.token_urlsafe(SECRET_BYTES)
        elif clear_secret:
            webhook.secret = ""
        elif (secret or "").strip():
            webhook.secret = secret.strip()
        _validated(webhook).save()
    return webhook, generated


@transaction.atomic
def webhook_set_enabled(*, webhook_id: int, enabled: bool) -> TeamWebhook:
    """Enable or disable. Messages already pending for a disabled webhook fail when their turn comes."""
    webhook = _locked(webhook_id)
    if webhook.enabled != enabled:
        webhook.enabled = enabled
        webhook.save(update_fields=["enabled", "updated_at"])
    return webhook


@transaction.atomic
def webhook_test(*, webhook_id: int, actor=None):
    """Queue a test message to the webhook (sent even if it is disabled), after commit."""
    webhook = TeamWebhook.objects.select_related("team").filter(pk=webhook_id).first()
    if webhook is None:
        raise errors.NotFound(f"Webhook {webhook_id} does not exist.", extra={"webhook_id": webhook_id})
    who = f" by {actor.get_username()}" if actor is not None else ""
    text = f"Test message from Cornerstone for the webhook “{webhook.name}” of team {webhook.team.name}{who}."
    url = outbox.absolute(reverse("notifications:webhook_list"))
    body = payloads.body(
        format=webhook.format,
        event="test",
        text=text,
        url=url,
        occurred_at=timezone.now(),
        team=webhook.team.name,
        obj={"webhook": {"id": webhook.pk, "name": webhook.name}},
    )
    message = outbox.webhook_message(
        webhook=webhook, topic=MessageTopic.TEST, event="test", payload=body, subject=text, url=url
    )
    return outbox.messages_store([message])[0]


def incident_object(incident) -> dict[str, Any]:
    """The incident as the generic webhook body's `object`."""
    current = phases.current_phase(incident.stamps)

    def stamp(value):
        return value.isoformat() if value else None

    return {
        "id": incident.pk,
        "reference": incident.reference,
        "title": incident.title,
        "severity": incident.severity,
        "status": incident.status,
        "phase": current.value if current else None,
        "source": incident.source,
        "commander_id": incident.commander_id,
        "team_id": incident.team_id,
        "started_at": stamp(incident.started_at),
        "detected_at": stamp(incident.detected_at),
        "recovered_at": stamp(incident.recovered_at),
        "closed_at": stamp(incident.closed_at),
    }


def _detail(event, name: str) -> str:
    data = event.data or {}
    if name == "incident.severity_changed":
        return f"Severity {data.get('old')} → {data.get('new')}."
    if name == "incident.phase_changed" and event.phase:
        return f"{phases.Phase(event.phase).label} ended."
    if name == "incident.closed":
        return (
            "Marked a false alarm." if event.kind == "false_alarm" else "Auto-resolved: its alerts cleared."
        )
    if name == "incident.reopened" and event.body:
        return f"Reason: {event.body}"
    return ""


def incident_event_messages_store(*, event, incident) -> int:
    """Store an outbound message for each enabled webhook of the incident's team that wants this kind
    of event; the outbox sends them after commit. Returns how many were stored.

    The `notifications.incident-webhooks` consumer calls it for every incident timeline event, in its
    own transaction (so a failure here is retried by the consumer and never touches the incident).
    Cost: no query for events webhooks never hear of (notes, corrections), one small indexed query
    when the team has no webhook.
    """
    name = payloads.incident_event_name(
        kind=event.kind, phase=event.phase or "", status=incident.status, data=event.data or {}
    )
    if name is None:
        return 0
    hooks = [
        hook
        for hook in TeamWebhook.objects.filter(team_id=incident.team_id, enabled=True).select_related("team")
        if name in (hook.events or [])
    ]
    if not hooks:
        return 0
    url = outbox.absolute(reverse("incidents:detail", args=[incident.pk]))
    team = hooks[0].team.name
    text = payloads.incident_text(
        event=name,
        reference=incident.reference,
        title=incident.title,
        severity=incident.severity,
        team=team,
        detail=_detail(event, name),
    )
    obj = incident_object(incident)
    outbox.messages_store(
        [
            outbox.webhook_message(
                webhook=hook,
                topic=MessageTopic.INCIDENT_EVENT,
                event=name,
                payload=payloads.body(
                    format=hook.format,
                    event=name,
                    text=text,
                    url=url,
                    occurred_at=event.occurred_at,
                    team=team,
                    obj=obj,
                ),
                subject=text,
                url=url,
            )
            for hook in hooks
        ]
    )
    return len(hooks)
