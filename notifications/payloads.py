"""Webhook bodies and their signature: a pure module (no queries, no I/O). Documented in
docs/notifications.md, which a receiver's author reads; change both together.

Two formats:
- "slack": `{"text": "..."}`, what Slack's incoming webhooks (and Mattermost, Rocket.Chat, Google Chat
  and Teams workflows) accept.
- "generic": `{"event", "object", "text", "url", "occurred_at", "team"}`, `object` being the incident
  (or the digest's figures) as JSON.

Signing (when the webhook has a secret): the receiver gets `X-Cornerstone-Timestamp: <unix seconds>`
and `X-Cornerstone-Signature: sha256=<hex>`, the HMAC-SHA256 with the secret over
`<timestamp>.<raw body bytes>`. Binding the timestamp lets a receiver refuse replays of old bodies.
"""

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

SIGNATURE_HEADER = "X-Cornerstone-Signature"
TIMESTAMP_HEADER = "X-Cornerstone-Timestamp"
EVENT_HEADER = "X-Cornerstone-Event"
DELIVERY_HEADER = "X-Cornerstone-Delivery"

# incidents.models.EventKind -> the webhook event it is (None: webhooks do not hear of it).
_CLOSING = {"false_alarm", "auto_resolved"}


def incident_event_name(*, kind: str, phase: str, status: str, data: dict[str, Any]) -> str | None:
    """The webhook event an incident timeline event is, given the incident's status after it."""
    if kind == "declared":
        return "incident.declared"
    if kind == "reopened":
        return "incident.reopened"
    if kind in _CLOSING:
        return "incident.closed"
    if kind == "phase_advanced":  # ending confirm, the last phase, resolves the incident
        return "incident.resolved" if phase == "confirm" else "incident.phase_changed"
    if kind == "field_changed" and data.get("field") == "severity":
        return "incident.severity_changed"
    return None  # notes, corrections, skipped phases, alerts resolved: too chatty for a channel


def incident_text(
    *, event: str, reference: str, title: str, severity: str, team: str, detail: str = ""
) -> str:
    verbs = {
        "incident.declared": "declared",
        "incident.reopened": "reopened",
        "incident.closed": "closed",
        "incident.resolved": "resolved",
        "incident.phase_changed": "moved on",
        "incident.severity_changed": "changed severity",
    }
    text = f"[{severity}] {reference} {verbs.get(event, event)}: {title} (team {team})"
    return f"{text}. {detail}" if detail else text


def body(
    *,
    format: str,
    event: str,
    text: str,
    url: str,
    occurred_at: datetime,
    team: str,
    obj: dict[str, Any],
) -> dict[str, Any]:
    """The JSON body of one webhook message in `format` ("slack" or "generic")."""
    if format == "slack":
        return {"text": f"{text}\n<{url}|Open in Cornerstone>" if url else text}
    return {
        "event": event,
        "object": obj,
        "text": text,
        "url": url,
        "occurred_at": occurred_at.isoformat(),
        "team": team,
    }


def encode(payload: Any) -> bytes:
    """The exact bytes sent (and signed): compact JSON, UTF-8."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def signature(*, secret: str, timestamp: int, raw_body: bytes) -> str:
    """The `X-Cornerstone-Signature` value: "sha256=" + hex HMAC-SHA256 of b"<timestamp>." + body."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + raw_body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(*, secret: str, timestamp: str, raw_body: bytes, header: str) -> bool:
    """What a receiver does (also used by the tests): constant-time comparison."""
    try:
        expected = signature(secret=secret, timestamp=int(timestamp), raw_body=raw_body)
    except ValueError:
        return False
    return hmac.compare_digest(expected, header)


def headers(*, secret: str, timestamp: int, raw_body: bytes, event: str, delivery_id: int) -> dict[str, str]:
    sent = {EVENT_HEADER: event, DELIVERY_HEADER: str(delivery_id), TIMESTAMP_HEADER: str(timestamp)}
    if secret:
        sent[SIGNATURE_HEADER] = signature(secret=secret, timestamp=timestamp, raw_body=raw_body)
    return sent
