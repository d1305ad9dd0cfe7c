"""What every adapter returns: plain dataclasses, no Django models.

An adapter is a pure function `parse(payload, *, headers, defaults) -> Parsed` over the decoded
JSON body; `defaults` carries what the endpoint decided once (a generated PagerDuty dedup key).
It raises PayloadError (400) naming what is wrong. It never touches the database or the network.
"""

import enum
import re
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


class Ordering(enum.StrEnum):
    """How the events of one alert identity are put in order, which says what a late event means.

    Tools deliver at least once, from HA peers, with retries, and out of order; the processing layer
    compares each event with the newest one applied (or the newest resolve remembered) this way:
    """

    # The identity is one episode: its start is part of the key (Alertmanager and Grafana
    # fingerprint + startsAt, a Datadog alert cycle). A resolve ends it for good, whenever it
    # arrives; a firing copy that comes after (or is processed after) the resolve is stale.
    EPISODE = "episode"
    # The sender stamps each state change on one clock of its own (CloudWatch StateChangeTime, the
    # generic format's started_at/ended_at): the newest state change wins, and a firing newer than
    # the last resolve starts a new alert. Where an event carries no time, arrival decides.
    STATE_TIME = "state_time"
    # The sender's events are ordered by their arrival (PagerDuty Events v2 orders the events of a
    # dedup key so): the latest arrival wins, and a trigger that arrives after a resolve starts a
    # new alert whatever its payload timestamp says (that is when the problem began, nothing more).
    ARRIVAL = "arrival"


@dataclass(frozen=True)
class AlertSignal:
    """One alert's state as one delivery reports it."""

    dedup_key: str  # the alert's identity within its integration
    group_key: str  # alerts with the same group key share an open incident
    status: SignalStatus
    title: str  # empty: keep the alert's previous title (PagerDuty acknowledge/resolve carry none)
    # When the tool says this state began (the sender's clock): for stamps, and for ordering only
    # where `order` is STATE_TIME. Never compared with the time we received anything.
    event_at: datetime | None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    severity: str = ""  # the tool's own word ("critical", "error", "P2"); mapped per integration
    description: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    links: tuple[Mapping[str, str], ...] = ()
    order: Ordering = Ordering.EPISODE


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


_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(value: Any) -> Any:
    """Every string in a JSON value made storable in PostgreSQL: NUL characters removed, and lone
    surrogates (an escaped "\\ud800" decodes into one, which UTF-8 cannot hold) replaced by U+FFFD."""
    if isinstance(value, str):
        value = value.replace("\x00", "")
        return value if value.isascii() else _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(item) for item in value]
    return value
