"""What every adapter returns: plain dataclasses, no Django models.

An adapter is a pure function `parse(payload, *, headers, defaults) -> Parsed` over the decoded
JSON body; `defaults` carries what the endpoint decided once (a generated PagerDuty dedup key).
It raises PayloadError (400) naming what is wrong. It never touches the database or the network.
"""

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core import errors


class PayloadError(errors.ValidationFailed):
    default_code = "invalid_payload"


class SignalStatus(enum.StrEnum):
    FIRING = "firing"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class AlertSignal:
    """One alert's state as one delivery reports it."""

    dedup_key: str  # the alert's identity within its integration
    group_key: str  # alerts with the same group key share an open incident
    status: SignalStatus
    title: str  # empty: keep the alert's previous title (PagerDuty acknowledge/resolve carry none)
    # When the tool says this state began; an older state never overrides a newer one.
    event_at: datetime | None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    severity: str = ""  # the tool's own word ("critical", "error", "P2"); mapped per integration
    description: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    links: tuple[Mapping[str, str], ...] = ()
    retrigger_after_resolve: bool = False  # a firing signal after a resolve starts a new alert


@dataclass(frozen=True)
class SnsSubscription:
    """An SNS SubscriptionConfirmation: confirm by one GET to `subscribe_url` (if trusted)."""

    topic_arn: str
    subscribe_url: str


@dataclass(frozen=True)
class Parsed:
    signals: tuple[AlertSignal, ...] = ()
    vendor_id: str = ""  # the tool's delivery id, when it has one (dedups retries of one delivery)
    truncated_alerts: int = 0
    subscription: SnsSubscription | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)  # e.g. a generated PagerDuty dedup key


def clean(value: Any) -> Any:
    """Remove NUL characters (PostgreSQL cannot store them) from every string in a JSON value."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(item) for item in value]
    return value
