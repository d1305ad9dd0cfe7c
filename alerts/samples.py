"""Realistic test alerts, one builder per tool, each in that tool's own wire format. Pure: the
caller passes the time, a unique token and the labels; nothing here reads a clock or a database.

The "Send test alert" button posts these through the real intake, so a sample must be what the tool
sends, byte for byte in shape (the formats and their identities are described in the adapters'
docstrings and in the shared payload set):

- Alertmanager: webhook v4 (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config).
- Grafana: the webhook contact point, `version: "1"`, with `orgId`
  (https://grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier/);
  signed with the integration's HMAC secret when it has one (`grafana_signature`).
- PagerDuty: an Events API v2 trigger (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/).
- CloudWatch: an SNS `Notification` envelope whose `Message` is the alarm JSON
  (https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html). It cannot carry a
  real AWS signature: the caller decides what to do about verification.
- Datadog: the recommended webhook payload (every value a string, `date` in epoch milliseconds).
- Generic: Cornerstone's own format (docs/generic-alert-format.md).

Every call gets a unique token, which goes into the tool's identity (fingerprint, dedup key, alarm
ARN, alert cycle key) and into the group key, so each click opens an incident of its own instead of
joining the previous test's incident.
"""

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from alerts.models import Kind

TITLE = "Test alert from Cornerstone"
DESCRIPTION = (
    "A sample sent with the Send test alert button, to check that this integration opens incidents. "
    "Nothing is wrong; resolve or mark the incident as a false alarm."
)


@dataclass(frozen=True)
class Sample:
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


def _json(payload: dict) -> bytes:
    return json.dumps(payload, indent=2).encode("utf-8")


def _go_time(at: datetime) -> str:
    """RFC 3339 with milliseconds and Z, as Go's alertmanager writes it."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def _aws_time(at: datetime) -> str:
    """CloudWatch's own form, e.g. 2026-03-12T21:07:44.871+0000."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}+0000"


def _fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def _alertmanager_alert(labels: Mapping[str, str], token: str, now: datetime, generator: str) -> dict:
    return {
        "status": "firing",
        "labels": dict(labels),
        "annotations": {"summary": TITLE, "description": DESCRIPTION},
        "startsAt": _go_time(now),
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": generator,
        "fingerprint": _fingerprint(token),
    }


def _common(labels: Mapping[str, str], token: str) -> dict:
    return {
        "groupLabels": {"alertname": labels["alertname"], "test_id": token},
        "commonLabels": dict(labels),
        "commonAnnotations": {"summary": TITLE, "description": DESCRIPTION},
        "groupKey": f'{{}}:{{alertname="{labels["alertname"]}", test_id="{token}"}}',
        "truncatedAlerts": 0,
    }


def alertmanager(*, token: str, now: datetime, labels: Mapping[str, str]) -> Sample:
    labels = {"alertname": "CornerstoneTestAlert", "test_id": token, **labels}
    alert = _alertmanager_alert(labels, token, now, "http://prometheus:9090/graph?g0.expr=vector%281%29")
    payload = {
        "receiver": "cornerstone",
        "status": "firing",
        "alerts": [alert],
        "notification_reason": "first notification",
        **_common(labels, token),
        "externalURL": "http://alertmanager:9093",
        "version": "4",
    }
    return Sample(_json(payload), {"Content-Type": "application/json", "User-Agent": "Alertmanager/0.28.1"})


def grafana_signature(body: bytes, secret: str, timestamp: int) -> str:
    """Grafana's X-Grafana-Alerting-Signature: HMAC-SHA256 of "<timestamp>:<body>", hex."""
    return hmac.new(secret.encode(), f"{timestamp}:".encode() + body, hashlib.sha256).hexdigest()


def grafana(*, token: str, now: datetime, labels: Mapping[str, str], hmac_secret: str = "") -> Sample:
    labels = {"alertname": "CornerstoneTestAlert", "test_id": token, **labels}
    alert = _alertmanager_alert(labels, token, now, "https://grafana.example.com/alerting/list")
    alert |= {
        "values": {"A": 1},
        "valueString": "[ var='A' labels={} value=1 ]",
        "silenceURL": "",
        "dashboardURL": "",
    }
    payload = {
        "receiver": "cornerstone",
        "status": "firing",
        "orgId": 1,
        "alerts": [alert],
        **_common(labels, token),
        "externalURL": "https://grafana.example.com/",
        "version": "1",
        "title": f"[FIRING:1] {labels['alertname']}",
        "state": "alerting",
        "message": f"**Firing**\n\n{DESCRIPTION}\n",
    }
    body = _json(payload)
    headers = {"Content-Type": "application/json", "User-Agent": "Grafana"}
    if hmac_secret:
        stamp = int(now.timestamp())
        headers["X-Grafana-Alerting-Signature"] = grafana_signature(body, hmac_secret, stamp)
        headers["X-Grafana-Alerting-Signature-Timestamp"] = str(stamp)
    return Sample(body, headers)


PAGERDUTY_SEVERITIES = ("critical", "error", "warning", "info")


def pagerduty(*, token: str, now: datetime, labels: Mapping[str, str], routing_key: str) -> Sample:
    """A trigger. PagerDuty has no free labels: a label named like one of the payload's fields
    (source, component, group, class, severity) fills that field; all go into custom_details."""
    fields = {"source": "cornerstone", "component": "test", "group": "cornerstone", "class": "test alert"}
    fields |= {name: str(value) for name, value in labels.items() if name in fields}
    severity = str(labels.get("severity") or "")
    payload = {
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": f"cornerstone-test/{token}",
        "payload": {
            "summary": TITLE,
            "severity": severity if severity in PAGERDUTY_SEVERITIES else "warning",
            "timestamp": _aws_time(now),
            **fields,
            "custom_details": {"test_id": token, **labels},
        },
        "client": "Cornerstone",
    }
    return Sample(_json(payload), {"Content-Type": "application/json"})


def cloudwatch(*, token: str, now: datetime, labels: Mapping[str, str]) -> Sample:
    """An ALARM notification. An alarm's only labels are its metric's dimensions (the adapter reads
    them as `dimension.<name>`), so only labels named so become dimensions. Unsigned."""
    account = "123456789012"
    name = f"{TITLE} ({token[:12]})"  # the alarm name is the incident's title; its ARN the identity
    topic = f"arn:aws:sns:us-east-1:{account}:cornerstone-test"
    alarm = {
        "AlarmName": name,
        "AlarmDescription": DESCRIPTION,
        "AWSAccountId": account,
        "AlarmConfigurationUpdatedTimestamp": _aws_time(now),
        "NewStateValue": "ALARM",
        "NewStateReason": "Threshold Crossed: 1 datapoint [1.0] was greater than the threshold (0.0).",
        "StateChangeTime": _aws_time(now),
        "Region": "US East (N. Virginia)",
        "AlarmArn": f"arn:aws:cloudwatch:us-east-1:{account}:alarm:{name}",
        "OldStateValue": "OK",
        "OKActions": [topic],
        "AlarmActions": [topic],
        "InsufficientDataActions": [],
        "Trigger": {
            "MetricName": "CornerstoneTest",
            "Namespace": "Cornerstone",
            "StatisticType": "Statistic",
            "Statistic": "MAXIMUM",
            "Unit": None,
            "Dimensions": [
                {"value": value, "name": key.removeprefix("dimension.")}
                for key, value in labels.items()
                if key.startswith("dimension.")
            ],
            "Period": 60,
            "EvaluationPeriods": 1,
            "ComparisonOperator": "GreaterThanThreshold",
            "Threshold": 0.0,
            "TreatMissingData": "missing",
            "EvaluateLowSampleCountPercentile": "",
        },
    }
    message_id = f"{token[:8]}-{token[8:12]}-{token[12:16]}-{token[16:20]}-{token[20:32]}"
    envelope = {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": topic,
        "Subject": f'ALARM: "{name}" in US East (N. Virginia)',
        "Message": json.dumps(alarm),
        "Timestamp": _go_time(now),
        "SignatureVersion": "1",
        "Signature": "",  # a real one needs AWS's private key
        "SigningCertURL": "",
        "UnsubscribeURL": "",
    }
    headers = {
        "Content-Type": "text/plain; charset=UTF-8",
        "x-amz-sns-message-type": "Notification",
        "x-amz-sns-message-id": message_id,
        "x-amz-sns-topic-arn": topic,
        "User-Agent": "Amazon Simple Notification Service Agent",
    }
    return Sample(json.dumps(envelope, indent=2).encode(), headers)


def datadog(*, token: str, now: datetime, labels: Mapping[str, str]) -> Sample:
    millis = str(int(now.timestamp() * 1000))
    number = str(int(token[:15], 16))
    title = f"[Triggered] {TITLE}"
    payload = {
        "id": number,
        "title": title,
        "body": f"%%%\n{DESCRIPTION}\n%%%",
        "event_type": "metric_alert_monitor",
        "date": millis,
        "last_updated": millis,
        "org": {"id": "1", "name": "Cornerstone"},
        "alert_id": "1",
        "alert_cycle_key": number,
        "aggreg_key": token,
        "alert_transition": "Triggered",
        "alert_type": "warning",
        "alert_title": title,
        "alert_scope": f"test_id:{token}",
        "alert_status": "max(last_1m):cornerstone.test{*} > 0 (1)",
        "alert_metric": "cornerstone.test",
        "alert_priority": "P3",
        "alert_query": "max(last_1m):cornerstone.test{*} > 0",
        "hostname": "cornerstone",
        "link": "https://app.datadoghq.com/monitors/1",
        "tags": ",".join([f"test_id:{token}", *(f"{key}:{value}" for key, value in labels.items())]),
    }
    return Sample(_json(payload), {"Content-Type": "application/json", "User-Agent": "Datadog Webhook"})


def generic(*, token: str, now: datetime, labels: Mapping[str, str]) -> Sample:
    payload = {
        "title": TITLE,
        "dedup_key": f"cornerstone-test/{token}",
        "status": "firing",
        "severity": str(labels.get("severity", "warning")),
        "started_at": now.astimezone(UTC).isoformat(),
        "description": DESCRIPTION,
        "labels": {"test_id": token, **labels},
    }
    return Sample(_json(payload), {"Content-Type": "application/json"})


def build(
    kind: str,
    *,
    token: str,
    now: datetime,
    labels: Mapping[str, str],
    routing_key: str = "",
    hmac_secret: str = "",
) -> Sample:
    """The sample for an integration of `kind`. `token` must be unique per call (32 hex digits)."""
    if kind == Kind.ALERTMANAGER:
        return alertmanager(token=token, now=now, labels=labels)
    if kind == Kind.GRAFANA:
        return grafana(token=token, now=now, labels=labels, hmac_secret=hmac_secret)
    if kind == Kind.PAGERDUTY:
        return pagerduty(token=token, now=now, labels=labels, routing_key=routing_key)
    if kind == Kind.CLOUDWATCH:
        return cloudwatch(token=token, now=now, labels=labels)
    if kind == Kind.DATADOG:
        return datadog(token=token, now=now, labels=labels)
    if kind == Kind.GENERIC:
        return generic(token=token, now=now, labels=labels)
    raise ValueError(f"No sample for kind {kind!r}.")
