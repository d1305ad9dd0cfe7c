"""alerts/samples.py: each test alert is what its tool sends, read by that tool's own adapter, with an
identity of its own per call and the time it was built. Pure: no database."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from alerts import adapters, samples
from alerts.adapters import grafana
from alerts.adapters.base import SignalStatus
from alerts.models import Kind

NOW = datetime(2026, 3, 12, 21, 7, 44, 871000, tzinfo=UTC)
LABELS = {"severity": "warning", "service": "checkout-api"}


def parsed(kind: str, sample: samples.Sample):
    headers = {name.lower(): value for name, value in sample.headers.items()}
    return adapters.parser(kind)(json.loads(sample.body), headers=headers, defaults={})


def build(kind: str, token: str | None = None, **extra) -> samples.Sample:
    return samples.build(kind, token=token or uuid.uuid4().hex, now=NOW, labels=LABELS, **extra)


@pytest.mark.parametrize("kind", Kind.values)
def test_each_sample_is_one_firing_alert_its_adapter_reads(kind):
    result = parsed(kind, build(kind, routing_key="abc123-test"))

    assert len(result.signals) == 1
    signal = result.signals[0]
    assert signal.status == SignalStatus.FIRING
    assert "Test alert from Cornerstone" in signal.title


@pytest.mark.parametrize("kind", Kind.values)
def test_each_call_has_an_identity_and_group_of_its_own(kind):
    first = parsed(kind, build(kind, routing_key="k")).signals[0]
    second = parsed(kind, build(kind, routing_key="k")).signals[0]

    assert first.dedup_key != second.dedup_key
    assert first.group_key != second.group_key


@pytest.mark.parametrize("kind", Kind.values)
def test_the_same_token_gives_the_same_identity(kind):
    token = uuid.uuid4().hex

    first = parsed(kind, build(kind, token, routing_key="k")).signals[0]
    second = parsed(kind, build(kind, token, routing_key="k")).signals[0]

    assert first.dedup_key == second.dedup_key


@pytest.mark.parametrize("kind", [Kind.ALERTMANAGER, Kind.GRAFANA, Kind.CLOUDWATCH, Kind.DATADOG])
def test_the_alert_starts_when_it_was_built(kind):
    signal = parsed(kind, build(kind)).signals[0]

    assert abs((signal.starts_at or signal.event_at) - NOW) < timedelta(seconds=1)


@pytest.mark.parametrize("kind", [Kind.ALERTMANAGER, Kind.GRAFANA, Kind.DATADOG, Kind.GENERIC])
def test_the_integrations_labels_reach_the_alert(kind):
    signal = parsed(kind, build(kind)).signals[0]

    assert signal.labels["severity"] == "warning"
    assert signal.labels["service"] == "checkout-api"


def test_pagerduty_carries_the_routing_key_and_a_valid_severity():
    sample = samples.build(
        Kind.PAGERDUTY,
        token=uuid.uuid4().hex,
        now=NOW,
        labels={"severity": "urgent"},
        routing_key="abc123-test",
    )

    body = json.loads(sample.body)
    assert body["routing_key"] == "abc123-test"
    assert body["payload"]["severity"] == "warning"  # "urgent" is not a PagerDuty severity
    assert parsed(Kind.PAGERDUTY, sample).meta["routing_key"] == "abc123-test"


def test_pagerduty_labels_named_like_payload_fields_fill_them():
    sample = samples.build(
        Kind.PAGERDUTY, token=uuid.uuid4().hex, now=NOW, labels={"component": "checkout-api"}, routing_key="k"
    )

    assert parsed(Kind.PAGERDUTY, sample).signals[0].labels["component"] == "checkout-api"


def test_grafana_sample_is_signed_with_the_secret_and_only_that_secret():
    sample = build(Kind.GRAFANA, hmac_secret="s3cret")
    headers = {name.lower(): value for name, value in sample.headers.items()}

    assert grafana.signature_valid(sample.body, headers, "s3cret")
    assert not grafana.signature_valid(sample.body, headers, "another")
    assert not grafana.signature_valid(sample.body + b" ", headers, "s3cret")


def test_grafana_sample_without_a_secret_is_unsigned():
    headers = {name.lower() for name in build(Kind.GRAFANA).headers}

    assert "x-grafana-alerting-signature" not in headers


def test_cloudwatch_sample_is_an_sns_notification_with_its_headers():
    sample = build(Kind.CLOUDWATCH)
    envelope = json.loads(sample.body)
    alarm = json.loads(envelope["Message"])

    assert envelope["Type"] == "Notification"
    assert sample.headers["x-amz-sns-message-type"] == "Notification"
    assert sample.headers["x-amz-sns-message-id"] == envelope["MessageId"]
    assert alarm["NewStateValue"] == "ALARM"
    assert alarm["StateChangeTime"] == "2026-03-12T21:07:44.871+0000"
    assert parsed(Kind.CLOUDWATCH, sample).vendor_id == envelope["MessageId"]


def test_cloudwatch_dimensions_come_from_dimension_labels_only():
    sample = samples.build(
        Kind.CLOUDWATCH,
        token=uuid.uuid4().hex,
        now=NOW,
        labels={"severity": "warning", "dimension.LoadBalancer": "app/web"},
    )

    labels = parsed(Kind.CLOUDWATCH, sample).signals[0].labels
    assert labels["dimension.LoadBalancer"] == "app/web"
    assert "severity" not in labels and "dimension.severity" not in labels


def test_datadog_sample_is_the_recommended_template_of_strings():
    body = json.loads(build(Kind.DATADOG).body)

    assert body["alert_transition"] == "Triggered"
    assert body["date"] == str(int(NOW.timestamp() * 1000))
    assert all(isinstance(value, str) for key, value in body.items() if key != "org")


def test_an_unknown_kind_has_no_sample():
    with pytest.raises(ValueError, match="No sample"):
        samples.build("nagios", token=uuid.uuid4().hex, now=NOW, labels={})
