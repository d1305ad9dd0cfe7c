"""Prometheus Alertmanager webhook notifications (webhook_config, payload version "4").

Spec: https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
(the JSON is Alertmanager's `notify/webhook.Message`: `template.Data` plus version, groupKey and
truncatedAlerts). A missing `version` is accepted (hand-written senders omit it); any other major
version than 4 is rejected, since the layout of another version is unknown.

- One signal per element of `alerts`; an empty list is valid (no signals).
- Dedup key: `<fingerprint>|<startsAt in UTC>` (e.g. `41105ac86c1cedee|2026-03-10T14:02:31.118000Z`).
  The fingerprint names the label set; startsAt tells apart two firings of the same label set, so
  an alert that fires again after it resolved is a new alert. When an old sender omits
  `fingerprint`, it is derived from the labels with Prometheus's own algorithm (FNV-1a 64 over the
  sorted `name 0xff value 0xff` pairs, as 16 hex digits: `model.LabelSet.Fingerprint()`), so the
  key is the one Alertmanager itself would have sent.
- Group key: the top-level `groupKey` (one notification group shares one open incident). Without
  one, each alert is its own group, keyed by its fingerprint.
- Resolved: the per-alert `status` ("firing" | "resolved") is authoritative; the top-level status
  only says whether any alert of the group still fires. `endsAt` "0001-01-01T00:00:00Z" (Go's zero
  time) means no end. A firing alert's endsAt is only the time it would expire without a refresh,
  so it is ignored: ends_at is set for resolved alerts only.
- event_at: endsAt for a resolved alert, startsAt for a firing one.
- Order: EPISODE. startsAt is in the key, so a resolve ends the identity for good: a `firing` copy
  from the other HA peer or a retry that arrives after it is stale, and a resolve that arrives
  before any firing is remembered so the late firing opens nothing.

The helpers below are shared with the Grafana adapter, whose payload extends this one.
"""

import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from alerts.adapters.base import AlertSignal, Ordering, Parsed, PayloadError, SignalStatus, clean

VERSION = "4"
KEY_MAX = 500  # Alert.dedup_key and AlertGroup.key hold 500 characters
TITLE_MAX = 1024
SEVERITY_MAX = 100
ALERT_LINKS = (("generatorURL", "Source"),)
STATUSES = {"firing": SignalStatus.FIRING, "resolved": SignalStatus.RESOLVED}

_FNV_OFFSET = 14695981039346656037
_FNV_PRIME = 1099511628211
_SEPARATOR = 0xFF


def parse(
    payload: Any, *, headers: Mapping[str, str] | None = None, defaults: Mapping[str, str] | None = None
) -> Parsed:
    body = notification(payload, version=VERSION)
    group_key = optional_str(body, "groupKey", "groupKey")
    signals = tuple(
        alert_signal(alert, path, key_prefix="", group_key=group_key, links=ALERT_LINKS)
        for path, alert in alerts_of(body)
    )
    return Parsed(signals=signals, truncated_alerts=truncated_alerts(body))


# --- shared with grafana.py ------------------------------------------------------------------------


def fail(field: str, problem: str) -> PayloadError:
    """The error for one field: `alerts[0].startsAt: expected ...`, with the JSON path in extra."""
    return PayloadError(f"{field}: {problem}", extra={"field": field})


def type_name(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def notification(payload: Any, *, version: str) -> dict[str, Any]:
    """The cleaned top-level object, after checking its `version` (missing is accepted)."""
    payload = clean(payload)
    if not isinstance(payload, dict):
        raise fail("$", f"expected a JSON object (a webhook notification), got {type_name(payload)}")
    sent = payload.get("version")
    if sent is not None:
        if not isinstance(sent, str):
            raise fail("version", f'expected the string "{version}", got {type_name(sent)}')
        if sent.split(".")[0] != version:
            raise fail("version", f'unsupported webhook version "{sent}"; expected "{version}"')
    return payload


def alerts_of(body: Mapping[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    """(path, alert object) for each element of the required `alerts` array."""
    if "alerts" not in body:
        raise fail("alerts", "required (an array of alert objects)")
    alerts = body["alerts"]
    if not isinstance(alerts, list):
        raise fail("alerts", f"expected an array of alert objects, got {type_name(alerts)}")
    for index, alert in enumerate(alerts):
        path = f"alerts[{index}]"
        if not isinstance(alert, dict):
            raise fail(path, f"expected an alert object, got {type_name(alert)}")
        yield path, alert


def truncated_alerts(body: Mapping[str, Any]) -> int:
    count = body.get("truncatedAlerts", 0)
    if count is None:
        return 0
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise fail("truncatedAlerts", f"expected a non-negative integer, got {count!r}")
    return count


def optional_str(obj: Mapping[str, Any], key: str, path: str) -> str:
    """The string at `key`, or "" when it is absent or null."""
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise fail(path, f"expected a string, got {type_name(value)}")
    return value


def str_map(obj: Mapping[str, Any], key: str, path: str) -> dict[str, str]:
    """An object of string values (labels, annotations); {} when absent or null."""
    value = obj.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise fail(path, f"expected an object of string values, got {type_name(value)}")
    for name, item in value.items():
        if not isinstance(item, str):
            raise fail(f"{path}.{name}", f"expected a string, got {type_name(item)}")
    return dict(value)


def timestamp(obj: Mapping[str, Any], key: str, path: str, *, zero_is_none: bool = False) -> datetime | None:
    """An RFC 3339 timestamp with its offset, in UTC. None when absent, or for Go's zero time
    (year 1) where that means "not set"."""
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise fail(path, f"expected an RFC 3339 timestamp string, got {type_name(value)}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise fail(path, f"expected an RFC 3339 timestamp (2026-03-10T14:02:31Z), got {value!r}") from None
    if moment.tzinfo is None:
        raise fail(path, f"the timestamp {value!r} has no UTC offset (add Z or +hh:mm)")
    if moment.year <= 1:
        if zero_is_none:
            return None
        raise fail(path, f"the zero time {value!r} is not a valid value here")
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise fail(path, f"the timestamp {value!r} is out of range") from None


def required_timestamp(obj: Mapping[str, Any], key: str, path: str) -> datetime:
    moment = timestamp(obj, key, path)
    if moment is None:
        raise fail(path, "required (an RFC 3339 timestamp)")
    return moment


def iso_utc(moment: datetime) -> str:
    """A fixed-width UTC rendering, so one instant always gives one dedup key."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def label_fingerprint(labels: Mapping[str, str]) -> str:
    """Prometheus's `LabelSet.Fingerprint()`: FNV-1a 64 over sorted `name 0xff value 0xff`."""
    digest = _FNV_OFFSET
    for name in sorted(labels):
        for chunk in (name.encode(), bytes([_SEPARATOR]), labels[name].encode(), bytes([_SEPARATOR])):
            for byte in chunk:
                digest = ((digest ^ byte) * _FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return f"{digest:016x}"


def bounded(key: str) -> str:
    """Keys longer than the columns keep a readable head and a digest of the whole."""
    if len(key) <= KEY_MAX:
        return key
    return f"{key[: KEY_MAX - 72]}#sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def alert_signal(
    alert: Mapping[str, Any],
    path: str,
    *,
    key_prefix: str,
    group_key: str,
    links: Iterable[tuple[str, str]],
) -> AlertSignal:
    """One Alertmanager-shaped alert (Grafana's adds fields) as a signal."""
    if "status" not in alert:
        raise fail(f"{path}.status", 'required ("firing" or "resolved")')
    raw_status = alert["status"]
    if not isinstance(raw_status, str) or raw_status not in STATUSES:
        raise fail(f"{path}.status", f'expected "firing" or "resolved", got {raw_status!r}')
    status = STATUSES[raw_status]
    labels = str_map(alert, "labels", f"{path}.labels")
    annotations = str_map(alert, "annotations", f"{path}.annotations")
    fingerprint = optional_str(alert, "fingerprint", f"{path}.fingerprint")
    if not fingerprint:
        if not labels:
            raise fail(f"{path}.fingerprint", "missing, and there are no labels to derive it from")
        fingerprint = label_fingerprint(labels)
    starts_at = required_timestamp(alert, "startsAt", f"{path}.startsAt")
    ends_at = timestamp(alert, "endsAt", f"{path}.endsAt", zero_is_none=True)
    if status != SignalStatus.RESOLVED:
        ends_at = None  # the expiry Prometheus predicts, not an end
    alert_key = f"{key_prefix}{fingerprint}"
    return AlertSignal(
        dedup_key=bounded(f"{alert_key}|{iso_utc(starts_at)}"),
        group_key=bounded(f"{key_prefix}{group_key}" if group_key else alert_key),
        status=status,
        title=first_text(annotations.get("summary"), labels.get("alertname"), f"Alert {fingerprint}"),
        event_at=ends_at if status == SignalStatus.RESOLVED else starts_at,
        starts_at=starts_at,
        ends_at=ends_at,
        severity=labels.get("severity", "")[:SEVERITY_MAX],
        description=annotations.get("description", ""),
        labels=labels,
        annotations=annotations,
        links=alert_links(alert, annotations, path, links),
        order=Ordering.EPISODE,
    )


def first_text(*candidates: str | None) -> str:
    """The first candidate that is not blank, cut to the title column's length."""
    for candidate in candidates:
        if candidate and candidate.strip():
            return candidate[:TITLE_MAX]
    return ""


def alert_links(
    alert: Mapping[str, Any], annotations: Mapping[str, str], path: str, fields: Iterable[tuple[str, str]]
) -> tuple[dict[str, str], ...]:
    found = [(optional_str(alert, name, f"{path}.{name}"), text) for name, text in fields]
    found.append((annotations.get("runbook_url", ""), "Runbook"))
    return tuple({"href": href, "text": text} for href, text in found if href)
