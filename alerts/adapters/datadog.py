"""Datadog monitor notifications through the Webhooks integration.

Spec: https://docs.datadoghq.com/integrations/webhooks/ (the payload is a template the user writes
with `$VARIABLES`; every value arrives as a string). One delivery is one alert; one signal.

Two templates are read:
- The recommended custom payload (docs/payloads README: id, title, body, date, last_updated, org,
  alert_id, alert_cycle_key, aggreg_key, alert_transition, alert_type, alert_title, alert_scope,
  alert_priority, tags, link, ...).
- Datadog's default payload (body, last_updated, event_type, title, date, org, id), which has no
  alert fields: the state, scope and priority come from the title, e.g.
  "[P2] [Triggered on {host:a,device:b}] Disk usage above 90%".

Dedup key, the first available of:
  1. `alert_cycle_key` (one value from trigger to recovery), used as is;
  2. `aggreg_key`, as "aggreg:<key>";
  3. the monitor id with the scope, as "monitor:<id>" or "monitor:<id>|<scope>": the id from
     `alert_id`, else from the first ".../monitors/<id>" link in the body (Datadog appends
     "[Monitor Status](https://app.datadoghq.com/monitors/<id>...)" to every monitor message);
     the scope from `alert_scope`, else from the title's "on {...}";
  4. the title without its state prefix, as "title:<title>" or "title:<title>|<scope>".
Keys 2-4 outlive one alert cycle, so after a recovery a new trigger opens a new alert
(order STATE_TIME, by `last_updated`/`date`); a cycle key is one episode (order EPISODE): it never
fires again after its recovery, and a late Triggered copy of a recovered cycle is stale.
Group key: "dd:<dedup key>": each alert cycle is an incident of its own.
Delivery id: `id` ($ID, one per notification), so Datadog's retries of one delivery dedupe.

Resolved: `alert_transition` "Recovered" (or, without it, a "[Recovered]" / "[Recovered on {...}]"
title). Triggered, Re-Triggered, Warn, Re-Warn, No Data, Re-No Data and Renotify are firing. Other
values (Datadog also sends "Null" for events that are not state changes) fall back to the title;
a delivery whose state cannot be read either way is rejected.
event_at: `last_updated`, else `date` (epoch milliseconds). Labels: `tags` ("a:b,c" gives
{"a": "b", "c": ""}; a repeated tag name keeps all values, comma-joined). Severity:
`alert_priority` (P1..P5), else the title's "[P1]", else `alert_type` (error, warning, ...).
A value still holding its variable name (an unrendered "$ALERT_CYCLE_KEY") counts as absent.
"""

import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from alerts.adapters.base import AlertSignal, Ordering, Parsed, PayloadError, SignalStatus, clean

TRANSITIONS = {
    "triggered": SignalStatus.FIRING,
    "re-triggered": SignalStatus.FIRING,
    "warn": SignalStatus.FIRING,
    "re-warn": SignalStatus.FIRING,
    "no data": SignalStatus.FIRING,
    "re-no data": SignalStatus.FIRING,
    "renotify": SignalStatus.FIRING,
    "recovered": SignalStatus.RESOLVED,
}
STRING_FIELDS = (
    "id",
    "title",
    "body",
    "event_type",
    "date",
    "last_updated",
    "alert_id",
    "alert_cycle_key",
    "aggreg_key",
    "alert_transition",
    "alert_type",
    "alert_title",
    "alert_scope",
    "alert_status",
    "alert_metric",
    "alert_priority",
    "alert_query",
    "hostname",
    "link",
    "tags",
)
ANNOTATION_FIELDS = (
    "alert_id",
    "alert_transition",
    "alert_type",
    "alert_priority",
    "alert_scope",
    "alert_status",
    "alert_metric",
    "alert_query",
    "hostname",
    "event_type",
)
TITLE_PREFIX = re.compile(
    r"^\s*(?:\[(?P<priority>P[1-5])\]\s*)?"  # [P2]
    r"\[(?P<state>[A-Za-z -]+?)(?: on \{(?P<scope>[^}]*)\})?\]"  # [Triggered on {host:a}]
    r"\s*(?P<name>.*)$",
    re.DOTALL,
)
MONITOR_LINK = re.compile(r"/monitors/(\d+)")
MARKDOWN_LINK = re.compile(r"\[([^\[\]]+)\]\((https?://[^\s)]+)\)")
UNRENDERED = re.compile(r"^\$[A-Z][A-Z_]*$")
KEY_MAX = 500
TITLE_MAX = 1024
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse(
    payload: Any, *, headers: Mapping[str, str] | None = None, defaults: Mapping[str, str] | None = None
) -> Parsed:
    payload = clean(payload)
    if not isinstance(payload, dict):
        raise _fail("$", f"expected a JSON object (a webhook payload), got {_type_name(payload)}")
    fields = {name: _string(payload, name) for name in STRING_FIELDS}
    org = _org(payload)
    prefix = TITLE_PREFIX.match(fields["alert_title"] or fields["title"])
    if prefix and prefix["state"].lower() not in TRANSITIONS:
        prefix = None
    status = _status(fields, prefix)
    scope = fields["alert_scope"] or (prefix["scope"] if prefix and prefix["scope"] else "")
    name = prefix["name"] if prefix else fields["alert_title"] or fields["title"]
    dedup_key, per_cycle = _identity(fields, scope, name)
    event_at = _epoch_ms(fields, "last_updated") or _epoch_ms(fields, "date")
    annotations = {key: fields[key] for key in ANNOTATION_FIELDS if fields[key]}
    annotations.update({f"org_{key}": value for key, value in org.items() if value})
    signal = AlertSignal(
        dedup_key=dedup_key,
        group_key=_bounded(f"dd:{dedup_key}"),
        status=status,
        title=(name if name.strip() else f"Datadog alert {dedup_key}")[:TITLE_MAX],
        event_at=event_at,
        starts_at=event_at if status == SignalStatus.FIRING else None,
        ends_at=event_at if status == SignalStatus.RESOLVED else None,
        severity=fields["alert_priority"] or (prefix["priority"] if prefix else None) or fields["alert_type"],
        description=_description(fields["body"]),
        labels=_tags(fields["tags"]),
        annotations=annotations,
        links=_links(fields),
        order=Ordering.EPISODE if per_cycle else Ordering.STATE_TIME,
    )
    return Parsed(signals=(signal,), vendor_id=fields["id"])


def _status(fields: Mapping[str, str], prefix: re.Match | None) -> SignalStatus:
    transition = fields["alert_transition"].strip().lower()
    if transition in TRANSITIONS:
        return TRANSITIONS[transition]
    if prefix:
        return TRANSITIONS[prefix["state"].lower()]
    if fields["alert_transition"]:
        raise _fail(
            "alert_transition",
            f"unknown transition {fields['alert_transition']!r} and no state prefix in the title; expected "
            "Triggered, Re-Triggered, Warn, Re-Warn, No Data, Re-No Data, Renotify or Recovered",
        )
    raise _fail(
        "title",
        "no alert_transition, and the title does not start with a state such as [Triggered] or [Recovered]",
    )


def _identity(fields: Mapping[str, str], scope: str, name: str) -> tuple[str, bool]:
    """(dedup key, whether it names one alert cycle only)."""
    if fields["alert_cycle_key"]:
        return _bounded(fields["alert_cycle_key"]), True
    if fields["aggreg_key"]:
        return _bounded(f"aggreg:{fields['aggreg_key']}"), False
    scoped = f"|{scope}" if scope else ""
    monitor = fields["alert_id"] or next(iter(MONITOR_LINK.findall(fields["body"])), "")
    if monitor:
        return _bounded(f"monitor:{monitor}{scoped}"), False
    if name.strip():
        return _bounded(f"title:{name.strip()}{scoped}"), False
    raise _fail(
        "alert_cycle_key",
        "no alert identity: alert_cycle_key, aggreg_key, alert_id and title are all missing",
    )


def _string(payload: Mapping[str, Any], name: str, path: str = "") -> str:
    value = payload.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _fail(
            path or name,
            f"expected a string (Datadog renders every variable as one), got {_type_name(value)}",
        )
    return "" if UNRENDERED.match(value.strip()) else value


def _org(payload: Mapping[str, Any]) -> dict[str, str]:
    org = payload.get("org")
    if org is None:
        return {}
    if not isinstance(org, dict):
        raise _fail("org", f"expected an object with id and name, got {_type_name(org)}")
    return {key: _string(org, key, f"org.{key}") for key in ("id", "name")}


def _epoch_ms(fields: Mapping[str, str], name: str) -> datetime | None:
    value = fields[name].strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise _fail(name, f"expected epoch milliseconds such as 1773368045000, got {value!r}")
    try:
        return EPOCH + timedelta(milliseconds=int(value))
    except OverflowError:
        raise _fail(name, f"the epoch milliseconds {value!r} are out of range") from None


def _tags(tags: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    for tag in (part.strip() for part in tags.split(",")):
        if not tag:
            continue
        key, _, value = tag.partition(":")
        labels[key] = f"{labels[key]},{value}" if key in labels else value
    return labels


def _description(body: str) -> str:
    """The message without the %%% markers that wrap Datadog's markdown."""
    text = body.strip()
    if len(text) >= 6 and text.startswith("%%%") and text.endswith("%%%"):
        text = text[3:-3].strip()
    return text


def _links(fields: Mapping[str, str]) -> tuple[dict[str, str], ...]:
    links = [{"href": fields["link"], "text": "Datadog event"}] if fields["link"] else []
    links += [{"href": href, "text": text} for text, href in MARKDOWN_LINK.findall(fields["body"])]
    return tuple(links)


def _bounded(key: str) -> str:
    if len(key) <= KEY_MAX:
        return key
    return f"{key[: KEY_MAX - 72]}#sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def _fail(field: str, problem: str) -> PayloadError:
    return PayloadError(f"{field}: {problem}", extra={"field": field})


def _type_name(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")
