"""Integrations: each has a secret inbound key, shown once and stored only as its SHA-256."""

import hashlib
import secrets
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from alerts.models import Integration, Kind
from core import errors
from incidents.models import Severity, Team

KEY_BYTES = 24  # 32 URL-safe characters


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _new_key() -> str:
    return secrets.token_urlsafe(KEY_BYTES)


def _full_clean(integration: Integration) -> None:
    try:
        integration.full_clean()
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        raise errors.ValidationFailed(f"{name}: {messages[0]}", extra={"fields": exc.message_dict}) from exc


def _check_maps(severity_map: dict, service_map: dict) -> None:
    if not isinstance(severity_map, dict) or not all(
        isinstance(k, str) and v in Severity.values for k, v in severity_map.items()
    ):
        raise errors.ValidationFailed(
            f"The severity map must map label values to one of {', '.join(Severity.values)}.",
            extra={"field": "severity_map"},
        )
    if not isinstance(service_map, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in service_map.items()
    ):
        raise errors.ValidationFailed(
            "The service map must map label values to service slugs.", extra={"field": "service_map"}
        )


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
) -> tuple[Integration, str]:
    """Create an integration; returns it and its plaintext key (the only time the key is known)."""
    if kind not in Kind.values:
        raise errors.ValidationFailed(
            f"Unknown kind {kind!r}; expected one of {', '.join(Kind.values)}.", extra={"field": "kind"}
        )
    severity_map = severity_map or {}
    service_map = service_map or {}
    _check_maps(severity_map, service_map)
    key = _new_key()
    integration = Integration(
        name=name.strip(),
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
    integration.save()
    return integration, key


@transaction.atomic
def integration_update(*, integration_id: int, **changes: Any) -> Integration:
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
    for field, value in changes.items():
        setattr(integration, field, value)
    _check_maps(integration.severity_map, integration.service_map)
    _full_clean(integration)
    integration.save()
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
