"""PagerDuty Events API v2 alert events (POST /v2/enqueue).

Spec: https://developer.pagerduty.com/docs/events-api-v2/trigger-events/
One event per request; one signal per event.

- event_action: "trigger" (firing), "acknowledge" (acknowledged), "resolve" (resolved); anything
  else is invalid. A trigger needs `payload.summary`, `payload.source` and `payload.severity`
  (critical | error | warning | info); acknowledge and resolve need no payload (it is ignored).
- routing_key: required. PagerDuty's are 32-character integration keys; any non-empty string is
  accepted here, since the endpoint authenticates with it. It is constant within an integration,
  so it is not part of the identity; it is returned in Parsed.meta.
- Dedup key: the event's `dedup_key` (at most 255 characters, as at PagerDuty). A trigger without
  one gets the key the endpoint generated and passed as `defaults["dedup_key"]`, so parsing at
  request time and again at processing time gives the same identity. Acknowledge and resolve
  must name their dedup_key (a generated one could never match an alert).
- Group key: `pd:<dedup key>`: each dedup key is an incident of its own.
- Resolved: event_action "resolve". After a resolve, a trigger with the same dedup key opens a
  new alert, as at PagerDuty. Order: ARRIVAL. PagerDuty orders the events of one dedup key by
  their arrival, so do we (the delivery's sequence); `payload.timestamp` is the sender's clock,
  often when the problem began, and is used only for that (the alert's start), never to order.
- `payload.summary` longer than 1,024 characters is truncated, not rejected.
- `payload.timestamp` is optional ISO 8601; PagerDuty's own form "2026-03-12T06:48:17.204+0000"
  is accepted; a timestamp without an offset is taken as UTC. Acknowledge and resolve have no
  time of their own (event_at None: the receipt time applies).
- Acknowledge and resolve carry no title (""): the alert keeps the one its trigger gave it.

Invalid events raise PayloadError whose extra carries every problem found, in PagerDuty's
400 shape: {"field": <first field>, "errors": ["routing_key: ...", ...]}; `errors()` gives the
same list without raising.
"""

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from alerts.adapters.base import AlertSignal, Ordering, Parsed, PayloadError, SignalStatus, clean

ACTIONS = {
    "trigger": SignalStatus.FIRING,
    "acknowledge": SignalStatus.ACKNOWLEDGED,
    "resolve": SignalStatus.RESOLVED,
}
SEVERITIES = ("critical", "error", "warning", "info")
SUMMARY_MAX = 1024
DEDUP_KEY_MAX = 255
DETAIL_FIELDS = ("source", "component", "group", "class")

Problem = tuple[str, str]  # (JSON path, what is wrong)


def parse(
    payload: Any, *, headers: Mapping[str, str] | None = None, defaults: Mapping[str, str] | None = None
) -> Parsed:
    payload = clean(payload)
    problems = _problems(payload)
    if problems:
        messages = [f"{path}: {problem}" for path, problem in problems]
        raise PayloadError(
            "Event object is invalid: " + "; ".join(messages),
            extra={"field": problems[0][0], "errors": messages},
        )
    dedup_key = payload.get("dedup_key") or (defaults or {}).get("dedup_key") or ""
    if not dedup_key:
        raise PayloadError(
            "dedup_key missing and none generated",
            extra={"field": "dedup_key", "errors": ["dedup_key: missing and none generated"]},
        )
    status = ACTIONS[payload["event_action"]]
    if status == SignalStatus.FIRING:
        signal = _trigger(payload, dedup_key)
    else:
        signal = AlertSignal(
            dedup_key=dedup_key,
            group_key=f"pd:{dedup_key}",
            status=status,
            title="",
            event_at=None,
            order=Ordering.ARRIVAL,
        )
    return Parsed(signals=(signal,), meta={"dedup_key": dedup_key, "routing_key": payload["routing_key"]})


def _trigger(event: Mapping[str, Any], dedup_key: str) -> AlertSignal:
    details = event["payload"]
    happened_at = _timestamp(details.get("timestamp"))
    return AlertSignal(
        dedup_key=dedup_key,
        group_key=f"pd:{dedup_key}",
        status=SignalStatus.FIRING,
        title=details["summary"][:SUMMARY_MAX],
        event_at=happened_at,
        starts_at=happened_at,
        severity=details["severity"],
        description=_description(details.get("custom_details")),
        labels={name: details[name] for name in (*DETAIL_FIELDS, "severity") if details.get(name)},
        annotations={"client": event["client"]} if event.get("client") else {},
        links=_links(event),
        order=Ordering.ARRIVAL,
    )


def errors(payload: Any) -> list[str]:
    """Every problem of the event as "<field>: <problem>"; [] for a valid event. A trigger without a
    dedup_key is valid here: the endpoint generates one."""
    return [f"{path}: {problem}" for path, problem in _problems(clean(payload))]


def _problems(event: Any) -> list[Problem]:
    if not isinstance(event, dict):
        return [("$", f"expected a JSON object (an event), got {_type_name(event)}")]
    problems: list[Problem] = []
    routing_key = event.get("routing_key")
    if not isinstance(routing_key, str) or not routing_key.strip():
        problems.append(("routing_key", "required (the 32-character integration key, a non-empty string)"))
    action = event.get("event_action")
    if action is None:
        problems.append(("event_action", 'required ("trigger", "acknowledge" or "resolve")'))
    elif not isinstance(action, str) or action not in ACTIONS:
        problems.append(("event_action", f'expected "trigger", "acknowledge" or "resolve", got {action!r}'))
    dedup_key = event.get("dedup_key")
    if dedup_key is not None and not isinstance(dedup_key, str):
        problems.append(("dedup_key", f"expected a string, got {_type_name(dedup_key)}"))
    elif dedup_key and len(dedup_key) > DEDUP_KEY_MAX:
        problems.append(("dedup_key", f"at most {DEDUP_KEY_MAX} characters, got {len(dedup_key)}"))
    elif not dedup_key and action in ("acknowledge", "resolve"):
        problems.append(("dedup_key", f"required for {action} events (the key of the alert to {action})"))
    if action == "trigger":
        problems += _trigger_problems(event.get("payload"))
        problems += _link_problems(event)
    for name in ("client", "client_url"):
        if event.get(name) is not None and not isinstance(event[name], str):
            problems.append((name, f"expected a string, got {_type_name(event[name])}"))
    return problems


def _trigger_problems(details: Any) -> list[Problem]:
    if details is None:
        return [("payload", "required for trigger events (an object with summary, source and severity)")]
    if not isinstance(details, dict):
        return [("payload", f"expected an object, got {_type_name(details)}")]
    problems: list[Problem] = []
    for name in ("summary", "source"):
        value = details.get(name)
        if not isinstance(value, str) or not value.strip():
            problems.append((f"payload.{name}", "required for trigger events (a non-empty string)"))
    severity = details.get("severity")
    if severity is None:
        problems.append(("payload.severity", f"required for trigger events (one of {', '.join(SEVERITIES)})"))
    elif not isinstance(severity, str) or severity not in SEVERITIES:
        problems.append(("payload.severity", f"expected one of {', '.join(SEVERITIES)}, got {severity!r}"))
    for name in ("component", "group", "class"):
        if details.get(name) is not None and not isinstance(details[name], str):
            problems.append((f"payload.{name}", f"expected a string, got {_type_name(details[name])}"))
    stamp = details.get("timestamp")
    if stamp is not None and _timestamp(stamp) is None:
        problems.append(("payload.timestamp", f"expected an ISO 8601 timestamp, got {stamp!r}"))
    return problems


def _link_problems(event: Mapping[str, Any]) -> list[Problem]:
    links = event.get("links")
    if links is None:
        return []
    if not isinstance(links, list):
        return [("links", f"expected an array of {{href, text}} objects, got {_type_name(links)}")]
    problems: list[Problem] = []
    for index, link in enumerate(links):
        path = f"links[{index}]"
        if not isinstance(link, dict):
            problems.append((path, f"expected an object with href and text, got {_type_name(link)}"))
            continue
        if not isinstance(link.get("href"), str) or not link["href"].strip():
            problems.append((f"{path}.href", "required (a URL string)"))
        if link.get("text") is not None and not isinstance(link["text"], str):
            problems.append((f"{path}.text", f"expected a string, got {_type_name(link['text'])}"))
    return problems


def _timestamp(value: Any) -> datetime | None:
    """An ISO 8601 timestamp in UTC (no offset: UTC); None when absent or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return None


def _description(custom_details: Any) -> str:
    if custom_details is None:
        return ""
    if isinstance(custom_details, str):
        return custom_details
    return json.dumps(custom_details, ensure_ascii=False, indent=2, sort_keys=True)


def _links(event: Mapping[str, Any]) -> tuple[dict[str, str], ...]:
    links = [
        {"href": link["href"], "text": link.get("text") or link["href"]} for link in event.get("links") or ()
    ]
    if event.get("client_url"):
        links.append({"href": event["client_url"], "text": event.get("client") or "Client"})
    return tuple(links)


def _type_name(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")
