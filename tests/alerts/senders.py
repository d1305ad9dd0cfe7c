"""Bodies as each tool sends them, for one alert identity in a chosen state at a chosen time.

Built from the shared samples (tests/fixtures/payloads), with only identity, state, times and the
delivery id changed, so the ordering tests exercise the real adapters with realistic bodies. Each
builder returns an `Event`: how to post it (path, body, headers) and what it says.
"""

import copy
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tests.payloads import decoded

BASE = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # in the past, so no time is clamped to "now"


def at(minutes: float) -> datetime:
    return BASE + timedelta(minutes=minutes)


@dataclass(frozen=True)
class Event:
    kind: str
    firing: bool  # what the event says: firing (or triggered), or resolved
    body: bytes
    headers: dict = field(default_factory=dict)
    label: str = ""

    def __repr__(self) -> str:
        return self.label or f"{self.kind}:{'firing' if self.firing else 'resolved'}"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def alertmanager(fingerprint: str, *, starts: float, resolved_at: float | None = None, peer: str = "0"):
    """One alert of a notification group; `peer` only changes the sender's URL (HA copies)."""
    body = decoded("alertmanager/firing.json")
    alert = body["alerts"][0]
    alert["fingerprint"] = fingerprint
    alert["labels"]["instance"] = fingerprint
    alert["startsAt"] = _iso(at(starts))
    if resolved_at is not None:
        alert["status"] = body["status"] = "resolved"
        alert["endsAt"] = _iso(at(resolved_at))
    body["groupKey"] = f'{{}}:{{fingerprint="{fingerprint}"}}'
    body["externalURL"] = f"http://alertmanager-{peer}.monitoring.svc:9093"
    label = f"am:{'resolved' if resolved_at is not None else 'firing'}@{peer}"
    return Event("alertmanager", resolved_at is None, json.dumps(body).encode(), label=label)


def grafana(fingerprint: str, *, starts: float, resolved_at: float | None = None, peer: str = "0"):
    body = decoded("grafana/firing.json")
    alert = body["alerts"][0]
    alert["fingerprint"] = fingerprint
    alert["startsAt"] = _iso(at(starts))
    if resolved_at is not None:
        alert["status"] = body["status"] = "resolved"
        alert["endsAt"] = _iso(at(resolved_at))
    body["groupKey"] = f'{{}}:{{fingerprint="{fingerprint}"}}'
    body["externalURL"] = f"https://grafana-{peer}.example.com/"
    label = f"grafana:{'resolved' if resolved_at is not None else 'firing'}@{peer}"
    return Event("grafana", resolved_at is None, json.dumps(body).encode(), label=label)


def pagerduty(dedup_key: str, *, action: str = "trigger", timestamp: float | None = None, n: int = 0):
    """An Events v2 event; the routing key is set by the poster (the integration's key)."""
    if action == "trigger":
        body = decoded("pagerduty/trigger.json")
        body["payload"]["summary"] = f"replica lag ({n})"
        if timestamp is None:
            del body["payload"]["timestamp"]
        else:
            body["payload"]["timestamp"] = _iso(at(timestamp))
    else:
        body = {"routing_key": "", "event_action": action}
    body["dedup_key"] = dedup_key
    label = f"pd:{action}#{n}"
    return Event("pagerduty", action == "trigger", json.dumps(body).encode(), label=label)


def cloudwatch(arn_name: str, *, state: str, changed: float, message_id: str):
    envelope = decoded("cloudwatch-sns/alarm.json")
    alarm = json.loads(envelope["Message"])
    alarm["AlarmName"] = arn_name
    alarm["AlarmArn"] = f"arn:aws:cloudwatch:us-east-1:902114437015:alarm:{arn_name}"
    alarm["NewStateValue"] = state
    alarm["OldStateValue"] = "OK" if state == "ALARM" else "ALARM"
    alarm["StateChangeTime"] = at(changed).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"
    envelope["Message"] = json.dumps(alarm)
    envelope["MessageId"] = message_id
    envelope["Subject"] = f'{state}: "{arn_name}" in US East (N. Virginia)'
    headers = {
        "HTTP_X_AMZ_SNS_MESSAGE_TYPE": "Notification",
        "HTTP_X_AMZ_SNS_MESSAGE_ID": message_id,
        "HTTP_X_AMZ_SNS_TOPIC_ARN": envelope["TopicArn"],
    }
    label = f"cw:{state}@{changed}#{message_id[-4:]}"
    return Event("cloudwatch", state == "ALARM", json.dumps(envelope).encode(), headers, label=label)


def datadog(cycle_key: str, *, transition: str, when: float, delivery_id: str):
    body = copy.deepcopy(decoded("datadog/triggered.json"))
    body["id"] = delivery_id
    body["alert_cycle_key"] = cycle_key
    body["alert_transition"] = transition
    body["title"] = body["alert_title"] = body["alert_title"].replace("[Triggered", f"[{transition}")
    millis = str(int(at(when).timestamp() * 1000))
    body["date"] = body["last_updated"] = millis
    label = f"dd:{transition}@{when}"
    return Event("datadog", transition != "Recovered", json.dumps(body).encode(), label=label)


def generic(dedup_key: str, *, started: float | None = None, ended: float | None = None, n: int = 0):
    body: dict = {"title": f"Nightly export late ({n})", "dedup_key": dedup_key}
    if started is not None:
        body["started_at"] = _iso(at(started))
    if ended is not None:
        body["status"] = "resolved"
        body["ended_at"] = _iso(at(ended))
    label = f"generic:{'resolved' if ended is not None else 'firing'}#{n}"
    return Event("generic", ended is None, json.dumps(body).encode(), label=label)


def send(client, integration_key: str, event: Event):
    """POST an event to the intake as its tool does; nothing is processed yet (the test's
    transaction never commits, so the on-commit doorbell does not ring)."""
    if event.kind == "pagerduty":
        body = json.loads(event.body)
        body["routing_key"] = integration_key
        return client.post("/v2/enqueue", data=json.dumps(body), content_type="application/json")
    content_type = "text/plain; charset=UTF-8" if event.kind == "cloudwatch" else "application/json"
    return client.post(
        f"/hooks/{integration_key}/", data=event.body, content_type=content_type, **event.headers
    )
