"""Integrations: each has a secret inbound key, shown once and stored only as its SHA-256.

Also the "Send test alert" action: a realistic sample of the integration's own format (alerts/samples.py)
posted through the same intake the endpoint calls.
"""

import hashlib
import secrets
import time
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from alerts import routing, samples
from alerts.models import Integration, Kind
from alerts.services import intake
from core import errors
from incidents.models import Service, Severity, Team

KEY_BYTES = 24  # 32 URL-safe characters


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _new_key() -> str:
    return secrets.token_urlsafe(KEY_BYTES)


def _full_clean(integration: Integration) -> None:
    try:
        integration.full_clean()
    except ValidationError as exc:
        if NAME_CONSTRAINT in str(exc.message_dict.get("__all__", "")):
            raise _name_taken(integration.name, integration.team) from None
        name, messages = next(iter(exc.message_dict.items()))
        raise errors.ValidationFailed(f"{name}: {messages[0]}", extra={"fields": exc.message_dict}) from exc


MAP_KEY_MAX = 200
MAP_ROWS_MAX = 200
# Added by an alerts migration; a concurrent create with the same name ends here, not in a 500.
NAME_CONSTRAINT = "integration_name_unique_per_team"
# The settings that only mean something for one kind of integration.
KIND_ONLY = {"hmac_secret": Kind.GRAFANA, "verify_sns_signatures": Kind.CLOUDWATCH}


def _may_manage(actor: Any) -> None:
    """Who may change an integration or send it a test alert: for now anyone signed in, as for every
    integration action (None is the system: management commands, demo data)."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        raise errors.PermissionDenied("Sign in to manage integrations.")


def _map_keys(raw: Any, field: str, what: str) -> dict[str, Any]:
    """A map's rows with trimmed keys; refuses blank, overlong and repeated (case-insensitive) keys."""
    if not isinstance(raw, dict):
        raise errors.ValidationFailed(f"{what} must map label values to a value.", extra={"field": field})
    if len(raw) > MAP_ROWS_MAX:
        raise errors.ValidationFailed(f"{what}: at most {MAP_ROWS_MAX} rows.", extra={"field": field})
    cleaned: dict[str, Any] = {}
    seen: dict[str, str] = {}
    for key, value in raw.items():
        text = key.strip() if isinstance(key, str) else ""
        if not text:
            raise errors.ValidationFailed(f"{what}: a label value is empty.", extra={"field": field})
        if len(text) > MAP_KEY_MAX:
            raise errors.ValidationFailed(
                f"{what}: the label value {text[:40]!r}... is longer than {MAP_KEY_MAX} characters.",
                extra={"field": field, "key": text[:MAP_KEY_MAX]},
            )
        folded = routing.fold(text)
        if folded in seen:
            raise errors.ValidationFailed(
                f"{what}: {seen[folded]!r} and {text!r} are the same label value (case and surrounding "
                "spaces do not count).",
                extra={"field": field, "key": text},
            )
        seen[folded] = text
        cleaned[text] = value
    return cleaned


def _clean_severity_map(raw: Any) -> dict[str, str]:
    cleaned = {}
    for key, value in _map_keys(raw, "severity_map", "Severity map").items():
        severity = value.strip().upper() if isinstance(value, str) else ""
        if severity not in Severity.values:
            raise errors.ValidationFailed(
                f"Severity map: unknown severity {value!r} for {key!r}; "
                f"use one of {', '.join(Severity.values)}.",
                extra={"field": "severity_map", "key": key},
            )
        cleaned[key] = severity
    return cleaned


def _clean_service_map(raw: Any) -> dict[str, str]:
    cleaned = _map_keys(raw, "service_map", "Service rules")
    slugs = {value for value in cleaned.values() if isinstance(value, str)}
    known = set(Service.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    for key, value in cleaned.items():
        if value not in known:
            raise errors.ValidationFailed(
                f"Service rules: unknown service {value!r} for {key!r}; pick an existing service.",
                extra={"field": "service_map", "key": key},
            )
    return cleaned


def _check_kind_only(kind: str, *, hmac_secret: str) -> None:
    if hmac_secret and kind != Kind.GRAFANA:
        raise errors.ValidationFailed(
            "An HMAC secret applies to Grafana integrations only.", extra={"field": "hmac_secret"}
        )


def _name_taken(name: str, team: Team) -> errors.Conflict:
    return errors.Conflict(
        f"{team.name} already has an integration named {name!r} (names are compared without case).",
        code="name_taken",
        extra={"field": "name"},
    )


def integration_name_taken(*, name: str, team: Team, exclude_id: int | None = None) -> str:
    """Why `name` cannot be used in `team` ("" when it can): the form asks, to show it with the rest."""
    others = Integration.objects.filter(team=team, name__iexact=name.strip())
    if exclude_id is not None:
        others = others.exclude(pk=exclude_id)
    return _name_taken(name.strip(), team).message if others.exists() else ""


def _check_name_free(name: str, team: Team, *, exclude_id: int | None = None) -> None:
    if integration_name_taken(name=name, team=team, exclude_id=exclude_id):
        raise _name_taken(name, team)


def _save(integration: Integration) -> None:
    """Save in a savepoint, so a name taken meanwhile by a concurrent request is a 409, not a 500."""
    try:
        with transaction.atomic():
            integration.save()
    except IntegrityError as exc:
        if NAME_CONSTRAINT in str(exc):
            raise _name_taken(integration.name, integration.team) from None
        raise


@transaction.atomic
def integration_create(
    *,
    name: str,
    kind: str,
    team: Team,
    default_severity: str = Severity.SEV3,
    severity_label: str = "severity",
    severity_map: dict[str, str] | None = None,
    service_label: str = "service",
    service_map: dict[str, str] | None = None,
    hmac_secret: str = "",
    verify_sns_signatures: bool = True,
    rate_limit_per_minute: int = 6000,
    actor: Any = None,
) -> tuple[Integration, str]:
    """Create an integration; returns it and its plaintext key (the only time the key is known).

    Refuses an unknown kind, severities outside SEV1..SEV4, services that do not exist, an HMAC
    secret on anything but Grafana (400), and a name the team already uses, in any case (409)."""
    _may_manage(actor)
    if kind not in Kind.values:
        raise errors.ValidationFailed(
            f"Unknown kind {kind!r}; expected one of {', '.join(Kind.values)}.", extra={"field": "kind"}
        )
    severity_map = _clean_severity_map(severity_map or {})
    service_map = _clean_service_map(service_map or {})
    _check_kind_only(kind, hmac_secret=hmac_secret)
    name = name.strip()
    _check_name_free(name, team)
    key = _new_key()
    integration = Integration(
        name=name,
        kind=kind,
        team=team,
        default_severity=default_severity,
        severity_label=severity_label,
        severity_map=severity_map,
        service_label=service_label,
        service_map=service_map,
        hmac_secret=hmac_secret,
        verify_sns_signatures=verify_sns_signatures,
        rate_limit_per_minute=rate_limit_per_minute,
        key_hash=hash_key(key),
        key_prefix=key[:6],
    )
    _full_clean(integration)
    _save(integration)
    return integration, key


@transaction.atomic
def integration_update(*, integration_id: int, actor: Any = None, **changes: Any) -> Integration:
    """Change an integration's settings (not its kind or key). Holds the integration's row lock.

    The same checks as integration_create; maps are validated only when given (a service deleted
    since does not block renaming). Forgets the cached key lookups, so the intake sees the change."""
    _may_manage(actor)
    allowed = {
        "name",
        "team",
        "default_severity",
        "severity_label",
        "severity_map",
        "service_label",
        "service_map",
        "hmac_secret",
        "verify_sns_signatures",
        "rate_limit_per_minute",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise errors.ValidationFailed(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    integration = _locked(integration_id)
    if "severity_map" in changes:
        changes["severity_map"] = _clean_severity_map(changes["severity_map"])
    if "service_map" in changes:
        changes["service_map"] = _clean_service_map(changes["service_map"])
    if "name" in changes and isinstance(changes["name"], str):
        changes["name"] = changes["name"].strip()
    if "hmac_secret" in changes:
        _check_kind_only(integration.kind, hmac_secret=changes["hmac_secret"])
    for field, value in changes.items():
        setattr(integration, field, value)
    if {"name", "team"} & set(changes) and isinstance(integration.name, str):
        _check_name_free(integration.name, integration.team, exclude_id=integration.pk)
    _full_clean(integration)
    _save(integration)
    _forget_keys()
    transaction.on_commit(_forget_keys)
    return integration


def _locked(integration_id: int) -> Integration:
    try:
        return Integration.objects.select_for_update().get(pk=integration_id)
    except Integration.DoesNotExist:
        raise errors.NotFound(f"Integration {integration_id} does not exist.") from None


@transaction.atomic
def integration_rotate_key(*, integration_id: int) -> str:
    """Give the integration a new key; the old one stops working at once. Returns the new key."""
    integration = _locked(integration_id)
    key = _new_key()
    integration.key_hash = hash_key(key)
    integration.key_prefix = key[:6]
    integration.save(update_fields=["key_hash", "key_prefix", "updated_at"])
    _forget_keys()
    transaction.on_commit(_forget_keys)
    return key


@transaction.atomic
def integration_set_enabled(*, integration_id: int, enabled: bool) -> Integration:
    integration = _locked(integration_id)
    integration.enabled = enabled
    integration.save(update_fields=["enabled", "updated_at"])
    _forget_keys()
    transaction.on_commit(_forget_keys)
    return integration


def _test_labels(integration: Integration) -> dict[str, str]:
    """Labels that exercise the integration's own rules: its severity label says "warning" (read
    through its severity map), its service label names the first service rule's value, else one of
    the team's services."""
    labels = {integration.severity_label: "warning"} if integration.severity_label else {}
    service = next(iter(integration.service_map or {}), None) or (
        Service.objects.filter(team=integration.team).order_by("name").values_list("slug", flat=True).first()
    )
    if service and integration.service_label:
        labels[integration.service_label] = service
    return labels


def test_alert_refusal(integration: Integration) -> errors.ApplicationError | None:
    """Why a test alert would be refused for this integration (the page asks, to say so up front)."""
    if not integration.enabled:
        return errors.Conflict(
            "This integration is disabled, so its deliveries are refused: enable it to send a test alert.",
            code="integration_disabled",
        )
    if integration.kind == Kind.CLOUDWATCH and integration.verify_sns_signatures:
        return errors.Conflict(
            "A test alert cannot carry Amazon SNS's signature, and this integration verifies it, so the "
            "sample would be refused as forged. To test, make an alarm fire: aws cloudwatch "
            "set-alarm-state --alarm-name NAME --state-value ALARM --state-reason test.",
            code="sns_signature_required",
        )
    return None


def integration_send_test_alert(*, actor: Any, integration_id: int) -> int:
    """Post a realistic sample in the integration's own format through the real intake
    (`intake.delivery_receive`, what the endpoint calls), so it is validated, stored and processed
    like any delivery. Returns the delivery's id.

    Each call has a unique identity and group (fingerprint, dedup key, alarm, alert cycle), so each
    opens an incident of its own. Not atomic: the intake commits the delivery itself and rings the
    doorbell on commit, so with tasks run eagerly (the embedded default) the delivery has been
    processed when this returns; with workers it is pending until one takes it.

    Refused: anyone not signed in (403); a disabled integration (409: the endpoint refuses its
    deliveries too); CloudWatch with "Verify SNS signatures" on (409). A test message cannot carry
    AWS's signature, and a way around the check in the intake would be a way around it for anyone
    who found it; a real notification (`aws cloudwatch set-alarm-state`) tests the subscription too.

    The PagerDuty sample's routing_key names the key only by its prefix: the plaintext key is not
    stored, and the intake is handed the integration itself (what the endpoint resolves the key to).
    """
    if actor is None:
        raise errors.PermissionDenied("Sign in to send a test alert.")
    _may_manage(actor)
    integration = Integration.objects.select_related("team").filter(pk=integration_id).first()
    if integration is None:
        raise errors.NotFound(f"Integration {integration_id} does not exist.")
    refusal = test_alert_refusal(integration)
    if refusal is not None:
        raise refusal
    sample = samples.build(
        integration.kind,
        token=uuid.uuid4().hex,
        now=timezone.now(),
        labels=_test_labels(integration),
        routing_key=f"{integration.key_prefix}-cornerstone-test",
        hmac_secret=integration.hmac_secret if integration.kind == Kind.GRAFANA else "",
    )
    received = intake.delivery_receive(integration=integration, body=sample.body, headers=sample.headers)
    if received.delivery_id is None:  # a unique token makes this a bug, not a retry
        raise errors.Conflict("The test alert was taken for a repeat of an earlier one; send it again.")
    return received.delivery_id


# Hot path: a few seconds of in-process memory spares the intake one query per request. A key that
# is rotated or disabled stops working at once in this process and within KEY_CACHE_SECONDS elsewhere.
KEY_CACHE_SECONDS = 5.0
_by_key: dict[str, tuple[float, Integration | None]] = {}


def _forget_keys() -> None:
    _by_key.clear()


def integration_for_key(key: str) -> Integration | None:
    """The enabled integration whose key this is, or None (unknown and disabled look the same)."""
    if not key or len(key) > 200:
        return None
    digest = hash_key(key)
    now = time.monotonic()
    cached = _by_key.get(digest)
    if cached is not None and cached[0] > now:
        return cached[1]
    integration = Integration.objects.filter(key_hash=digest, enabled=True).select_related("team").first()
    if len(_by_key) > 1000:
        _by_key.clear()
    _by_key[digest] = (now + KEY_CACHE_SECONDS, integration)
    return integration
