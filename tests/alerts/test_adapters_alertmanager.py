"""The Alertmanager adapter, pure: the shared payload files in, signals out; no database."""

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from alerts.adapters import alertmanager
from alerts.adapters.base import Ordering, PayloadError, SignalStatus
from tests.payloads import PAYLOADS

# The developer payload set lives beside the repository (/work/shared/payloads).

PAYMENTS_GROUP = '{}/{team="payments"}:{alertname="PaymentsHighErrorRate", service="payments-api"}'
ORDERS_GROUP = '{}/{team="orders"}:{alertname="KubePodCrashLooping", namespace="orders"}'
PAYMENTS_KEY = "41105ac86c1cedee|2026-03-10T14:02:31.118000Z"
PAYMENTS_TITLE = "payments-api 5xx ratio above 5% for 10 minutes"
PAYMENTS_START = datetime(2026, 3, 10, 14, 2, 31, 118000, tzinfo=UTC)
PAYMENTS_END = datetime(2026, 3, 10, 18, 19, 46, 502000, tzinfo=UTC)
PAYMENTS_FIRING = (
    PAYMENTS_KEY,
    PAYMENTS_GROUP,
    SignalStatus.FIRING,
    PAYMENTS_TITLE,
    PAYMENTS_START,
    PAYMENTS_START,
)


def load(name: str) -> Any:
    """A shared payload file, read as the endpoint reads it: bytes, then json.loads."""
    return json.loads((PAYLOADS / name).read_bytes())


def alert(**fields: Any) -> dict[str, Any]:
    base = {
        "status": "firing",
        "labels": {"alertname": "DiskFull", "instance": "db-1"},
        "annotations": {"summary": "Disk full on db-1"},
        "startsAt": "2026-03-10T14:00:00Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "fingerprint": "0123456789abcdef",
    }
    base.update(fields)
    return {key: value for key, value in base.items() if value is not None}


def message(*alerts: dict[str, Any], **fields: Any) -> dict[str, Any]:
    base = {
        "version": "4",
        "status": "firing",
        "groupKey": '{}:{alertname="DiskFull"}',
        "alerts": list(alerts),
    }
    base.update(fields)
    return {key: value for key, value in base.items() if value is not None}


# --- the shared payload files -----------------------------------------------------------------------

# (dedup key, group key, status, title, event_at, starts_at, ends_at) per signal
EXPECTED = {
    "alertmanager/firing.json": [(*PAYMENTS_FIRING, None)],
    "alertmanager/repeat.json": [(*PAYMENTS_FIRING, None)],
    "alertmanager/resolved.json": [
        (
            PAYMENTS_KEY,
            PAYMENTS_GROUP,
            SignalStatus.RESOLVED,
            PAYMENTS_TITLE,
            PAYMENTS_END,
            PAYMENTS_START,
            PAYMENTS_END,
        ),
    ],
    "alertmanager/grouped.json": [
        (
            f"{fingerprint}|2026-03-10T09:{minute:02}:{second:02}.770000Z",
            ORDERS_GROUP,
            SignalStatus.FIRING,
            "Pod is crash looping",
            datetime(2026, 3, 10, 9, minute, second, 770000, tzinfo=UTC),
            datetime(2026, 3, 10, 9, minute, second, 770000, tzinfo=UTC),
            None,
        )
        for fingerprint, minute, second in (
            ("90c314a3ee683d75", 41, 2),
            ("67bd8f41d1592eaf", 41, 32),
            ("c2e7f210cd3b9cf4", 42, 2),
        )
    ],
}


def test_expected_table_covers_every_shared_alertmanager_payload():
    load("alertmanager/firing.json")

    assert {f"alertmanager/{path.name}" for path in (PAYLOADS / "alertmanager").glob("*.json")} == set(
        EXPECTED
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_parse_shared_payload_gives_the_expected_signals(name):
    parsed = alertmanager.parse(load(name), headers={"content-type": "application/json"}, defaults={})

    got = [
        (s.dedup_key, s.group_key, s.status, s.title, s.event_at, s.starts_at, s.ends_at)
        for s in parsed.signals
    ]
    assert got == EXPECTED[name]
    assert parsed.truncated_alerts == 0
    assert parsed.vendor_id == ""
    assert all(s.order == Ordering.EPISODE for s in parsed.signals)


def test_parse_firing_payload_keeps_labels_annotations_severity_and_links():
    (signal,) = alertmanager.parse(load("alertmanager/firing.json")).signals

    assert signal.severity == "critical"
    assert signal.labels["service"] == "payments-api"
    assert signal.description.startswith("7.3% of requests to payments-api returned 5xx")
    assert signal.annotations["runbook_url"] == "https://runbooks.example.internal/payments/high-error-rate"
    assert [link["text"] for link in signal.links] == ["Source", "Runbook"]
    # Go escapes & as \u0026; the decoded URL has a plain ampersand.
    assert signal.links[0]["href"].endswith("0.05&g0.tab=1")


def test_parse_repeat_notification_keeps_the_identity_of_the_first_one():
    first = alertmanager.parse(load("alertmanager/firing.json")).signals[0]
    repeat = alertmanager.parse(load("alertmanager/repeat.json")).signals[0]

    assert (repeat.dedup_key, repeat.group_key) == (first.dedup_key, first.group_key)
    assert repeat.event_at == first.event_at
    assert repeat.description != first.description  # newer text, same alert


def test_parse_resolved_notification_resolves_the_firing_identity():
    first = alertmanager.parse(load("alertmanager/firing.json")).signals[0]
    resolved = alertmanager.parse(load("alertmanager/resolved.json")).signals[0]

    assert resolved.dedup_key == first.dedup_key
    assert resolved.status == SignalStatus.RESOLVED
    assert resolved.event_at > first.event_at


def test_parse_grouped_notification_gives_three_alerts_in_one_group():
    signals = alertmanager.parse(load("alertmanager/grouped.json")).signals

    assert len(signals) == 3
    assert len({s.dedup_key for s in signals}) == 3
    assert {s.group_key for s in signals} == {ORDERS_GROUP}


# --- identity -------------------------------------------------------------------------------------


def test_parse_alert_without_fingerprint_derives_the_one_alertmanager_sends():
    payload = load("alertmanager/firing.json")
    del payload["alerts"][0]["fingerprint"]

    (signal,) = alertmanager.parse(payload).signals

    assert signal.dedup_key == PAYMENTS_KEY


def test_label_fingerprint_of_any_label_order_is_the_same():
    labels = {"alertname": "DiskFull", "instance": "db-1", "severity": "warning"}
    fingerprint = alertmanager.label_fingerprint

    assert fingerprint(labels) == fingerprint(dict(reversed(labels.items())))
    assert fingerprint(labels) != fingerprint({**labels, "instance": "db-2"})


def test_parse_starts_at_with_offset_and_nanoseconds_is_normalised_to_utc_in_the_key():
    parsed = alertmanager.parse(message(alert(startsAt="2026-03-10T15:02:31.118123456+01:00")))

    assert parsed.signals[0].dedup_key == "0123456789abcdef|2026-03-10T14:02:31.118123Z"
    assert parsed.signals[0].starts_at == datetime(2026, 3, 10, 14, 2, 31, 118123, tzinfo=UTC)


def test_parse_alert_firing_again_after_resolving_gets_a_new_dedup_key():
    before = alertmanager.parse(message(alert(startsAt="2026-03-10T14:00:00Z"))).signals[0]
    again = alertmanager.parse(message(alert(startsAt="2026-03-10T16:00:00Z"))).signals[0]

    assert before.dedup_key != again.dedup_key
    assert before.group_key == again.group_key


def test_parse_without_group_key_makes_each_alert_its_own_group():
    parsed = alertmanager.parse(message(alert(), alert(fingerprint="fedcba9876543210"), groupKey=None))

    assert [s.group_key for s in parsed.signals] == ["0123456789abcdef", "fedcba9876543210"]


def test_parse_very_long_group_key_is_bounded_and_stable():
    group_key = "{}:{" + ", ".join(f'label{i}="{"v" * 20}"' for i in range(40)) + "}"

    first = alertmanager.parse(message(alert(), groupKey=group_key)).signals[0]
    second = alertmanager.parse(message(alert(), groupKey=group_key)).signals[0]

    assert len(first.group_key) <= alertmanager.KEY_MAX
    assert first.group_key == second.group_key
    assert first.group_key.startswith("{}:{label0=")


# --- status, times, title ---------------------------------------------------------------------------


def test_parse_per_alert_status_wins_over_the_top_level_status():
    resolved = alert(status="resolved", endsAt="2026-03-10T15:00:00Z")

    parsed = alertmanager.parse(message(alert(status="firing"), resolved, status="resolved"))

    assert [s.status for s in parsed.signals] == [SignalStatus.FIRING, SignalStatus.RESOLVED]


def test_parse_firing_alert_with_a_future_ends_at_has_no_end():
    (signal,) = alertmanager.parse(message(alert(endsAt="2026-03-10T14:04:00Z"))).signals

    assert signal.ends_at is None
    assert signal.event_at == datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


def test_parse_resolved_alert_with_zero_ends_at_has_no_end_and_no_event_time():
    (signal,) = alertmanager.parse(message(alert(status="resolved"))).signals

    assert signal.ends_at is None
    assert signal.event_at is None


def test_parse_alert_without_summary_is_titled_by_its_alertname():
    (signal,) = alertmanager.parse(message(alert(annotations={"summary": "  "}))).signals

    assert signal.title == "DiskFull"


def test_parse_alert_without_summary_or_alertname_is_titled_by_its_fingerprint():
    (signal,) = alertmanager.parse(message(alert(annotations=None, labels={"job": "node"}))).signals

    assert signal.title == "Alert 0123456789abcdef"


def test_parse_empty_alerts_list_gives_no_signals():
    assert alertmanager.parse(message()).signals == ()


def test_parse_truncated_alerts_are_counted():
    assert alertmanager.parse(message(alert(), truncatedAlerts=7)).truncated_alerts == 7


@pytest.mark.parametrize("version", [None, "4", "4.1"])
def test_parse_missing_or_same_major_version_is_accepted(version):
    assert len(alertmanager.parse(message(alert(), version=version)).signals) == 1


# --- text ------------------------------------------------------------------------------------------


def test_parse_nul_characters_are_removed_from_labels_and_titles():
    labels = {"alertname": "Disk\x00Full", "inst\x00ance": "db\x00-1"}
    payload = message(alert(labels=labels, annotations={"summary": "Disk\x00 full"}))

    (signal,) = alertmanager.parse(payload).signals

    assert signal.title == "Disk full"
    assert signal.labels == {"alertname": "DiskFull", "instance": "db-1"}


def test_parse_non_ascii_text_is_kept_exactly():
    summary = "Zahlungsdienst: Fehlerquote über 5 % — 決済サービスの障害 🔥"
    payload = message(alert(annotations={"summary": summary}, labels={"alertname": "Ärger", "zone": "東京"}))

    (signal,) = alertmanager.parse(payload).signals

    assert signal.title == summary
    assert signal.labels == {"alertname": "Ärger", "zone": "東京"}


# --- malformed bodies: each a PayloadError (400) naming the field -------------------------------------

MALFORMED = {
    "body_is_an_array": ([message(alert())], "$"),
    "body_is_a_string": ("alerts", "$"),
    "body_is_null": (None, "$"),
    "body_is_a_number": (4, "$"),
    "other_major_version": (message(alert(), version="3"), "version"),
    "version_not_a_string": (message(alert(), version=4), "version"),
    "alerts_missing": ({"version": "4", "groupKey": "g"}, "alerts"),
    "alerts_not_a_list": (message(alerts={"0": alert()}), "alerts"),
    "alert_not_an_object": (message(alert(), "firing"), "alerts[1]"),
    "group_key_not_a_string": (message(alert(), groupKey=666), "groupKey"),
    "truncated_alerts_negative": (message(alert(), truncatedAlerts=-1), "truncatedAlerts"),
    "truncated_alerts_a_string": (message(alert(), truncatedAlerts="2"), "truncatedAlerts"),
    "truncated_alerts_a_boolean": (message(alert(), truncatedAlerts=True), "truncatedAlerts"),
    "status_missing": (message({k: v for k, v in alert().items() if k != "status"}), "alerts[0].status"),
    "status_unknown": (message(alert(status="pending")), "alerts[0].status"),
    "status_not_a_string": (message(alert(status=["firing"])), "alerts[0].status"),
    "starts_at_missing": (message(alert(startsAt=None)), "alerts[0].startsAt"),
    "starts_at_unparseable": (message(alert(startsAt="yesterday at noon")), "alerts[0].startsAt"),
    "starts_at_without_offset": (message(alert(startsAt="2026-03-10T14:00:00")), "alerts[0].startsAt"),
    "starts_at_zero_time": (message(alert(startsAt="0001-01-01T00:00:00Z")), "alerts[0].startsAt"),
    "starts_at_a_number": (message(alert(startsAt=1773151351)), "alerts[0].startsAt"),
    "ends_at_unparseable": (message(alert(endsAt="2026-02-30T00:00:00Z")), "alerts[0].endsAt"),
    "no_fingerprint_no_labels": (message(alert(fingerprint=None, labels=None)), "alerts[0].fingerprint"),
    "no_fingerprint_empty_labels": (message(alert(fingerprint=None, labels={})), "alerts[0].fingerprint"),
    "fingerprint_not_a_string": (message(alert(fingerprint=12345)), "alerts[0].fingerprint"),
    "labels_not_an_object": (message(alert(labels=["alertname=DiskFull"])), "alerts[0].labels"),
    "label_value_not_a_string": (
        message(alert(labels={"n": "A", "replicas": 3})),
        "alerts[0].labels.replicas",
    ),
    "annotations_not_an_object": (message(alert(annotations="Disk full")), "alerts[0].annotations"),
    "generator_url_not_a_string": (message(alert(generatorURL=False)), "alerts[0].generatorURL"),
}


@pytest.mark.parametrize(("payload", "field"), MALFORMED.values(), ids=MALFORMED.keys())
def test_parse_malformed_body_raises_payload_error_naming_the_field(payload, field):
    with pytest.raises(PayloadError) as raised:
        alertmanager.parse(copy.deepcopy(payload))

    assert raised.value.status == 400
    assert raised.value.extra["field"] == field
    assert raised.value.message.startswith(f"{field}: ")


def test_parse_bad_timestamp_error_quotes_the_value_and_the_expected_form():
    with pytest.raises(PayloadError) as raised:
        alertmanager.parse(message(alert(startsAt="yesterday at noon")))

    assert "'yesterday at noon'" in raised.value.message
    assert "RFC 3339" in raised.value.message
