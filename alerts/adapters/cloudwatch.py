"""Amazon CloudWatch alarms delivered by an Amazon SNS HTTP/S subscription.

Specs:
- SNS envelope (Type, MessageId, TopicArn, Message, Timestamp, ...):
  https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html
- Subscription confirmation: https://docs.aws.amazon.com/sns/latest/dg/http-subscription-confirmation-json.html
- The alarm in `Message` (a JSON string):
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html

The body arrives as `text/plain; charset=UTF-8` but is JSON; the endpoint decodes it and passes the
envelope here. Checking the SNS signature and confirming a subscription are network work and live in
`alerts/sns.py`; this module stays pure.

- Alert identity (dedup key): the alarm's `AlarmArn`. One alarm is one alert at a time.
- Group key: "cw:" + `AlarmArn`, so each alarm is an incident of its own.
- Delivery id (vendor_id): the SNS `MessageId`, which SNS keeps when it retries a delivery.
- Resolution: `NewStateValue` ALARM is firing, OK is resolved. INSUFFICIENT_DATA says nothing about
  the alert and yields no signal (the delivery is still recorded through its vendor_id). A new ALARM
  after OK starts a new alert. Order: STATE_TIME, by `event_at`, the alarm's `StateChangeTime`, so the
  processing layer never lets an older state change override a newer one: an OK is remembered even
  for an alarm never seen firing, and a late ALARM older than it opens nothing.
- `Type` SubscriptionConfirmation yields `Parsed.subscription` and no signal; UnsubscribeConfirmation
  yields nothing.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from alerts.adapters.base import (
    AlertSignal,
    Ordering,
    Parsed,
    PayloadError,
    SignalStatus,
    SnsSubscription,
    clean,
)
from core import json as core_json

NOTIFICATION = "Notification"
SUBSCRIPTION_CONFIRMATION = "SubscriptionConfirmation"
UNSUBSCRIBE_CONFIRMATION = "UnsubscribeConfirmation"

STATUS = {"ALARM": SignalStatus.FIRING, "OK": SignalStatus.RESOLVED, "INSUFFICIENT_DATA": None}

# The console of each partition, for a link to the alarm (none for partitions not listed).
CONSOLE = {"aws": "https://{region}.console.aws.amazon.com"}


def parse(
    payload: Any,
    *,
    headers: Mapping[str, str] | None = None,
    defaults: Mapping[str, Any] | None = None,  # no per-integration default applies to CloudWatch
) -> Parsed:
    """The signals of one decoded SNS envelope. Raises PayloadError naming what is wrong."""
    if not isinstance(payload, dict):
        raise PayloadError("The SNS message must be a JSON object.", extra={"field": ""})
    envelope = clean(payload)
    kind = _string(envelope, "Type")
    message_id = _string(envelope, "MessageId")
    header_kind = _header(headers, "x-amz-sns-message-type")
    if header_kind and header_kind != kind:
        raise PayloadError(
            f"The x-amz-sns-message-type header ({header_kind}) disagrees with Type ({kind}).",
            extra={"field": "Type"},
        )
    meta = {"sns_type": kind, "topic_arn": str(envelope.get("TopicArn") or "")}
    if kind == SUBSCRIPTION_CONFIRMATION:
        subscription = SnsSubscription(
            topic_arn=_string(envelope, "TopicArn"), subscribe_url=_string(envelope, "SubscribeURL")
        )
        return Parsed(vendor_id=message_id, subscription=subscription, meta=meta)
    if kind == UNSUBSCRIBE_CONFIRMATION:
        return Parsed(vendor_id=message_id, meta=meta)
    if kind != NOTIFICATION:
        raise PayloadError(f"Unknown SNS message Type {kind!r}.", extra={"field": "Type"})
    signal = _signal(_alarm(_string(envelope, "Message")))
    return Parsed(signals=(signal,) if signal else (), vendor_id=message_id, meta=meta)


def _alarm(message: str) -> dict[str, Any]:
    try:
        alarm = core_json.loads(message)  # nesting bounded, as every body we read
    except core_json.TooDeep as exc:
        raise PayloadError(
            f"The SNS Message: {exc.message}", extra={"field": "Message", "reason": "too_deep"}
        ) from None
    except ValueError:
        raise PayloadError(
            "The SNS Message is plain text, not a CloudWatch alarm (JSON).", extra={"field": "Message"}
        ) from None
    if not isinstance(alarm, dict):
        raise PayloadError("The SNS Message must hold a JSON object.", extra={"field": "Message"})
    return clean(alarm)  # "\u0000" inside the Message string becomes a NUL only once decoded


def _signal(alarm: dict[str, Any]) -> AlertSignal | None:
    arn = _string(alarm, "AlarmArn", prefix="Message.")
    name = _string(alarm, "AlarmName", prefix="Message.")
    state = _string(alarm, "NewStateValue", prefix="Message.")
    if state not in STATUS:
        raise PayloadError(f"Unknown NewStateValue {state!r}.", extra={"field": "Message.NewStateValue"})
    event_at = _timestamp(_string(alarm, "StateChangeTime", prefix="Message."), "Message.StateChangeTime")
    status = STATUS[state]
    if status is None:
        return None
    annotations = {
        key: str(alarm[source])
        for key, source in (("alarm_description", "AlarmDescription"), ("old_state", "OldStateValue"))
        if alarm.get(source)
    }
    return AlertSignal(
        dedup_key=arn,
        group_key=f"cw:{arn}",
        status=status,
        title=name,
        event_at=event_at,
        starts_at=event_at if status == SignalStatus.FIRING else None,
        ends_at=event_at if status == SignalStatus.RESOLVED else None,
        severity="",
        description=str(alarm.get("NewStateReason") or ""),
        labels=_labels(alarm),
        annotations=annotations,
        links=_links(arn, name),
        order=Ordering.STATE_TIME,
    )


def _labels(alarm: dict[str, Any]) -> dict[str, str]:
    trigger = alarm.get("Trigger") if isinstance(alarm.get("Trigger"), dict) else {}
    labels = {
        "alarm_name": alarm.get("AlarmName"),
        "region": alarm.get("Region"),
        "aws_account_id": alarm.get("AWSAccountId"),
        "namespace": trigger.get("Namespace"),
        "metric_name": trigger.get("MetricName"),
    }
    dimensions = trigger.get("Dimensions")
    for dimension in dimensions if isinstance(dimensions, list) else ():
        if isinstance(dimension, dict) and dimension.get("name"):
            labels[f"dimension.{dimension['name']}"] = dimension.get("value")
    return {key: str(value) for key, value in labels.items() if value not in (None, "")}


def _links(arn: str, name: str) -> tuple[Mapping[str, str], ...]:
    # arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>
    parts = arn.split(":")
    if len(parts) < 7 or parts[1] not in CONSOLE or not parts[3]:
        return ()
    region = parts[3]
    href = (
        CONSOLE[parts[1]].format(region=region)
        + f"/cloudwatch/home?region={region}#alarmsV2:alarm/{quote(name, safe='')}"
    )
    return ({"href": href, "text": "CloudWatch alarm"},)


def _timestamp(value: str, field: str) -> datetime:
    """CloudWatch writes "2026-03-12T21:07:44.871+0000"; ISO 8601 with an offset is required."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise PayloadError(f"{field} is not an ISO 8601 time: {value!r}.", extra={"field": field}) from None
    if moment.tzinfo is None:
        raise PayloadError(f"{field} has no UTC offset: {value!r}.", extra={"field": field})
    return moment


def _string(data: Mapping[str, Any], key: str, *, prefix: str = "") -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise PayloadError(f"{prefix}{key} is missing or not a string.", extra={"field": f"{prefix}{key}"})
    return value


def _header(headers: Mapping[str, str] | None, name: str) -> str:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return str(value)
    return ""
