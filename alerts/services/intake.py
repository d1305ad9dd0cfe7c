"""What the ingestion endpoint does before it answers: decode, authenticate, parse, store.

Parsing here is only validation (so bad input gets its 400 at once); the stored raw body is parsed
again by the worker, the same way, which keeps the delivery the one source of truth. Nothing here
writes an alert or an incident, and nothing waits on the broker: the doorbell is best effort.
"""

import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from alerts import adapters, doorbell, sns
from alerts.adapters import grafana
from alerts.adapters.base import PayloadError
from alerts.models import Delivery, DeliveryState, Integration, Kind
from core import errors
from core import json as core_json

logger = logging.getLogger(__name__)

# Request headers worth keeping with a delivery (for debugging and for the adapters).
KEPT_HEADERS = (
    "content-type",
    "user-agent",
    "x-amz-sns-message-type",
    "x-amz-sns-message-id",
    "x-amz-sns-topic-arn",
    "x-grafana-alerting-signature",
    "x-grafana-alerting-signature-timestamp",
)


class Unauthorized(errors.ApplicationError):
    """Unknown or disabled key, or a bad signature: the answer never says which."""

    status = 401
    default_code = "unauthorized"


class CertificateUnavailable(errors.ApplicationError):
    """The SNS signing certificate could not be fetched: a transient failure on our side."""

    status = 503
    default_code = "unavailable"


class UntrustedSubscription(errors.PermissionDenied):
    """An SNS subscription whose URLs do not point at SNS: refused (403), stored nowhere."""

    default_code = "untrusted_subscription"


class Rejected(errors.ValidationFailed):
    """The body is not something we can read; the delivery is stored as rejected for the record."""

    default_code = "invalid_payload"


@dataclass(frozen=True)
class Received:
    delivery_id: int | None
    duplicate: bool
    meta: Mapping[str, Any] = field(default_factory=dict)


def _decode(body: bytes) -> Any:
    """The JSON value of the body (`core.json`: nesting bounded, lone surrogates replaced by U+FFFD)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PayloadError(f"The body is not valid UTF-8 (byte {exc.start}).", extra={"field": "$"}) from None
    try:
        return core_json.loads(text)
    except core_json.JsonError as exc:  # TooDeep too: a body that can never parse is not retried
        raise PayloadError(
            f"The body is not valid JSON: {exc.message}",
            extra={"field": "$", "reason": exc.code, **exc.extra},
        ) from None


def _stored_text(body: bytes, payload: Any) -> str:
    """The body as stored, for the worker to parse again the same way. A body escaping a lone surrogate
    is stored re-serialized from the decoded payload (the surrogate now U+FFFD): PostgreSQL could hold
    the escape, but the worker's `json.loads` would bring the surrogate back and fail to store it."""
    text = body.decode("utf-8", errors="replace").replace("\x00", "")
    if core_json.has_surrogates(text) and json.loads(text) != payload:
        return json.dumps(payload, ensure_ascii=False)
    return text


def _parse(integration: Integration, payload: Any, headers: Mapping[str, str], defaults: dict) -> Any:
    """The adapter's reading of the payload. JSON an adapter decodes itself (CloudWatch's alarm inside the
    SNS Message string) escapes the intake's depth bound; nested deep enough to exhaust the stack it is
    refused like any unreadable body rather than answered 503 for a retry that can never succeed."""
    try:
        return adapters.parser(integration.kind)(payload, headers=headers, defaults=defaults)
    except RecursionError:
        raise PayloadError(
            "The body nests too deeply to read.", extra={"field": "$", "reason": "too_deep"}
        ) from None


def _refuse_untrusted_subscription(integration: Integration, payload: Any) -> None:
    """An SNS SubscriptionConfirmation must point at SNS: both its SubscribeURL (which the worker would
    GET) and its SigningCertURL must be trusted SNS https URLs (`sns.is_trusted_sns_url`). Anything else
    is refused before it is stored, verified or fetched: nothing is requested on its behalf."""
    if integration.kind != Kind.CLOUDWATCH or not isinstance(payload, dict):
        return
    if payload.get("Type") != "SubscriptionConfirmation":
        return
    for name, certificate in (("SubscribeURL", False), ("SigningCertURL", True)):
        if not sns.is_trusted_sns_url(payload.get(name), certificate=certificate):
            raise UntrustedSubscription(
                f"The {name} of this SubscriptionConfirmation is not an SNS https URL; "
                "nothing was requested.",
                extra={"field": name},
            )


def _authenticate(integration: Integration, body: bytes, payload: Any, headers: Mapping[str, str]) -> None:
    """Signatures some tools add on top of the key."""
    grafana_signed = integration.kind == Kind.GRAFANA and integration.hmac_secret
    if grafana_signed and not grafana.signature_valid(body, headers, integration.hmac_secret):
        raise Unauthorized("Unauthorized.")
    if integration.kind == Kind.CLOUDWATCH and integration.verify_sns_signatures:
        if not isinstance(payload, dict):
            raise PayloadError("The SNS message must be a JSON object.", extra={"field": "$"})
        try:
            sns.verify(payload, fetch_certificate=sns.fetch_certificate)
        except sns.CertificateUnavailable as exc:
            # Not the sender's fault: answer 503 so SNS retries (it does not retry a 4xx).
            raise CertificateUnavailable(exc.message) from exc
        except sns.SignatureInvalid as exc:
            logger.warning("SNS signature rejected for integration %s: %s", integration.pk, exc.message)
            raise Unauthorized("Unauthorized.") from None


def _defaults(integration: Integration, payload: Any) -> dict[str, str]:
    """Values the endpoint decides once, so the worker's parse gives the same identity."""
    if integration.kind == Kind.PAGERDUTY and isinstance(payload, dict) and not payload.get("dedup_key"):
        return {"dedup_key": uuid.uuid4().hex}
    return {}


def _store(integration: Integration, **fields: Any) -> int | None:
    """Insert one delivery with a single statement, committed at once (this is the hot path: the
    ORM's create() cost more than the database). Returns its id, or None when the tool's own
    delivery id was seen before (a retry of the same delivery: ON CONFLICT DO NOTHING)."""
    values = {
        "integration": integration.pk,
        "headers": {},
        "vendor_id": "",
        "meta": {},
        "state": DeliveryState.PENDING,
        "attempts": 0,
        "error": "",
        "outcome": {},
        "processed_at": None,
        **fields,
    }
    model_fields = [Delivery._meta.get_field(name) for name in values]
    columns = ", ".join(f'"{field.column}"' for field in model_fields)
    params = [field.get_db_prep_save(values[field.name], connection) for field in model_fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{Delivery._meta.db_table}" ({columns}) VALUES ({", ".join(["%s"] * len(params))}) '
            'ON CONFLICT DO NOTHING RETURNING "id"',
            params,
        )
        row = cursor.fetchone()
    return row[0] if row else None


def delivery_receive(*, integration: Integration, body: bytes, headers: Mapping[str, str]) -> Received:
    """Validate and store one delivery, then ring the doorbell.

    Raises Rejected (400, the delivery is stored as rejected with the reason) for bodies that cannot
    be read (nested past `core.json.MAX_DEPTH` included), Unauthorized (401, nothing stored) for bad
    signatures, and UntrustedSubscription (403, nothing stored or fetched) for an SNS subscription
    pointing elsewhere than SNS. A lone surrogate in the body is stored as U+FFFD (`_stored_text`).
    A retry of a delivery whose vendor id was already stored returns `duplicate=True` and stores
    nothing.
    """
    headers = {name.lower(): value for name, value in headers.items()}
    kept = {name: headers[name][:500] for name in KEPT_HEADERS if name in headers}
    text = body.decode("utf-8", errors="replace").replace("\x00", "")
    now = timezone.now()
    try:
        payload = _decode(body)
        _refuse_untrusted_subscription(integration, payload)
        _authenticate(integration, body, payload, headers)
        defaults = _defaults(integration, payload)
        parsed = _parse(integration, payload, headers, defaults)
    except PayloadError as exc:
        _store(
            integration,
            received_at=now,
            body=text,
            headers=kept,
            state=DeliveryState.REJECTED,
            error=exc.message,
            processed_at=now,
        )
        raise Rejected(exc.message, code=exc.code, extra=exc.extra) from None
    meta = {**defaults, **parsed.meta}
    text = _stored_text(body, payload)
    delivery_id = _store(
        integration, received_at=now, body=text, headers=kept, vendor_id=parsed.vendor_id[:200], meta=meta
    )
    if delivery_id is None:
        return Received(delivery_id=None, duplicate=True, meta=meta)
    transaction.on_commit(doorbell.ring)
    return Received(delivery_id=delivery_id, duplicate=False, meta=meta)
