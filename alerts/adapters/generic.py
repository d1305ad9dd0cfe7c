"""Cornerstone's own generic JSON alert format, for tools without an adapter (scripts, cron jobs,
in-house monitors).

Spec: docs/generic-alert-format.md. A body is one alert object, or {"alerts": [<alert>, ...]}
(a body with an `alerts` member is always read as a batch). Fields of an alert:
  title (required), dedup_key (required), status ("firing" | "acknowledged" | "resolved",
  default "firing"), severity, started_at, ended_at (ISO 8601 with an offset), group_key (default
  the dedup_key), description, labels ({string: string}), links ([{"href", "text"}]).
Unknown fields are ignored, so senders can add their own.

- Dedup key: `dedup_key` as sent (1 to 255 characters).
- Group key: `group_key` (1 to 255 characters), default the dedup key (an incident per alert).
- Resolved: `status` "resolved". A "firing" alert with the dedup key of a resolved one opens a new
  alert when it started after the resolve ended. Order: STATE_TIME by the sender's own times where
  both events carry one (`started_at` of a firing against `ended_at` of the resolve), else by
  arrival: a firing copy older than the resolve is stale.
- event_at: `ended_at` for a resolved alert, else `started_at` (None when not sent: the receipt
  time applies).
- A title longer than 1,024 characters is truncated.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from alerts.adapters.base import AlertSignal, Ordering, Parsed, PayloadError, SignalStatus, clean

KEY_MAX = 255
TITLE_MAX = 1024
SEVERITY_MAX = 100
STATUSES = {status.value: status for status in SignalStatus}


def parse(
    payload: Any, *, headers: Mapping[str, str] | None = None, defaults: Mapping[str, str] | None = None
) -> Parsed:
    payload = clean(payload)
    if not isinstance(payload, dict):
        raise _fail(
            "$", f'expected a JSON object (an alert, or {{"alerts": [...]}}), got {_type_name(payload)}'
        )
    if "alerts" not in payload:
        return Parsed(signals=(_signal(payload, ""),))
    alerts = payload["alerts"]
    if not isinstance(alerts, list):
        raise _fail("alerts", f"expected an array of alert objects, got {_type_name(alerts)}")
    signals = []
    for index, alert in enumerate(alerts):
        if not isinstance(alert, dict):
            raise _fail(f"alerts[{index}]", f"expected an alert object, got {_type_name(alert)}")
        signals.append(_signal(alert, f"alerts[{index}]."))
    return Parsed(signals=tuple(signals))


def _signal(alert: Mapping[str, Any], path: str) -> AlertSignal:
    title = _text(alert, "title", path, required=True)
    dedup_key = _key(alert, "dedup_key", path, required=True)
    group_key = _key(alert, "group_key", path) or dedup_key
    raw_status = "firing" if alert.get("status") is None else alert["status"]
    if not isinstance(raw_status, str) or raw_status not in STATUSES:
        raise _fail(f"{path}status", f'expected "firing", "acknowledged" or "resolved", got {raw_status!r}')
    status = STATUSES[raw_status]
    started_at = _timestamp(alert, "started_at", path)
    ended_at = _timestamp(alert, "ended_at", path)
    return AlertSignal(
        dedup_key=dedup_key,
        group_key=group_key,
        status=status,
        title=title[:TITLE_MAX],
        event_at=ended_at if status == SignalStatus.RESOLVED else started_at,
        starts_at=started_at,
        ends_at=ended_at if status == SignalStatus.RESOLVED else None,
        severity=_text(alert, "severity", path)[:SEVERITY_MAX],
        description=_text(alert, "description", path),
        labels=_labels(alert, path),
        links=_links(alert, path),
        order=Ordering.STATE_TIME,
    )


def _text(alert: Mapping[str, Any], name: str, path: str, *, required: bool = False) -> str:
    value = alert.get(name)
    if value is None:
        if required:
            raise _fail(f"{path}{name}", "required (a non-empty string)")
        return ""
    if not isinstance(value, str):
        raise _fail(f"{path}{name}", f"expected a string, got {_type_name(value)}")
    if required and not value.strip():
        raise _fail(f"{path}{name}", "must not be blank")
    return value


def _key(alert: Mapping[str, Any], name: str, path: str, *, required: bool = False) -> str:
    value = _text(alert, name, path, required=required)
    if len(value) > KEY_MAX:
        raise _fail(f"{path}{name}", f"at most {KEY_MAX} characters, got {len(value)}")
    return value


def _timestamp(alert: Mapping[str, Any], name: str, path: str) -> datetime | None:
    value = _text(alert, name, path)
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise _fail(
            f"{path}{name}", f"expected an ISO 8601 timestamp (2026-03-10T14:02:31Z), got {value!r}"
        ) from None
    if moment.tzinfo is None:
        raise _fail(f"{path}{name}", f"the timestamp {value!r} has no UTC offset (add Z or +hh:mm)")
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise _fail(f"{path}{name}", f"the timestamp {value!r} is out of range") from None


def _labels(alert: Mapping[str, Any], path: str) -> dict[str, str]:
    labels = alert.get("labels")
    if labels is None:
        return {}
    if not isinstance(labels, dict):
        raise _fail(f"{path}labels", f"expected an object of string values, got {_type_name(labels)}")
    for name, value in labels.items():
        if not isinstance(value, str):
            raise _fail(f"{path}labels.{name}", f"expected a string, got {_type_name(value)}")
    return dict(labels)


def _links(alert: Mapping[str, Any], path: str) -> tuple[dict[str, str], ...]:
    links = alert.get("links")
    if links is None:
        return ()
    if not isinstance(links, list):
        raise _fail(f"{path}links", f"expected an array of {{href, text}} objects, got {_type_name(links)}")
    result = []
    for index, link in enumerate(links):
        where = f"{path}links[{index}]"
        if not isinstance(link, dict):
            raise _fail(where, f"expected an object with href and text, got {_type_name(link)}")
        href = _text(link, "href", f"{where}.", required=True)
        result.append({"href": href, "text": _text(link, "text", f"{where}.") or href})
    return tuple(result)


def _fail(field: str, problem: str) -> PayloadError:
    return PayloadError(f"{field}: {problem}", extra={"field": field})


def _type_name(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")
