"""The Datadog webhook adapter, pure: the shared payload files in, signals out."""

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from alerts.adapters import datadog
from alerts.adapters.base import Ordering, PayloadError, SignalStatus
from tests.payloads import PAYLOADS

# The developer payload set lives beside the repository (/work/shared/payloads).

CYCLE = "6210458810379926471"
DISK_TITLE = "Disk usage above 90% on orders-db"
TRIGGERED_AT = datetime(2026, 3, 13, 2, 14, 5, tzinfo=UTC)  # 1773368045000 ms
RECOVERED_AT = datetime(2026, 3, 13, 3, 2, 41, tzinfo=UTC)  # 1773370961000 ms
DEFAULT_AT = datetime(2026, 3, 13, 11, 20, 9, tzinfo=UTC)  # 1773400809000 ms


def load(name: str) -> Any:
    """A shared payload file, read as the endpoint reads it: bytes, then json.loads."""
    return json.loads((PAYLOADS / name).read_bytes())


def custom(**fields: Any) -> dict[str, Any]:
    """A recommended-template delivery; a field set to None is left out."""
    base = {
        "id": "1001",
        "title": "[Triggered on {host:db-1}] Disk full",
        "body": "%%%\nDisk full on db-1.\n%%%",
        "date": "1773368045000",
        "last_updated": "1773368045000",
        "alert_id": "4242",
        "alert_cycle_key": "777",
        "aggreg_key": "abc123",
        "alert_transition": "Triggered",
        "alert_type": "error",
        "alert_title": "[Triggered on {host:db-1}] Disk full",
        "alert_scope": "host:db-1",
        "alert_priority": "P3",
        "tags": "host:db-1,env:prod",
    }
    base.update(fields)
    return {key: value for key, value in base.items() if value is not None}


def default(title: str, **fields: Any) -> dict[str, Any]:
    """A default-template delivery: no alert fields."""
    base = {
        "id": "2002",
        "title": title,
        "body": "%%%\nLatency high.\n\n[[Monitor Status](https://app.datadoghq.com/monitors/58209941)]\n%%%",
        "date": "1773400809000",
        "last_updated": "1773400809000",
        "event_type": "metric_alert_monitor",
        "org": {"id": "318204", "name": "Example Corp"},
    }
    base.update(fields)
    return {key: value for key, value in base.items() if value is not None}


# --- the shared payload files -----------------------------------------------------------------------

# (dedup key, group key, status, title, event_at, starts_at, ends_at, vendor id) of the one signal
EXPECTED = {
    "datadog/triggered.json": (
        CYCLE,
        f"dd:{CYCLE}",
        SignalStatus.FIRING,
        DISK_TITLE,
        TRIGGERED_AT,
        TRIGGERED_AT,
        None,
        "7761932046118530311",
    ),
    "datadog/recovered.json": (
        CYCLE,
        f"dd:{CYCLE}",
        SignalStatus.RESOLVED,
        DISK_TITLE,
        RECOVERED_AT,
        None,
        RECOVERED_AT,
        "7761950318273391870",
    ),
    "datadog/default_payload_triggered.json": (
        "monitor:58209941",
        "dd:monitor:58209941",
        SignalStatus.FIRING,
        "checkout-api p99 latency above 2s",
        DEFAULT_AT,
        DEFAULT_AT,
        None,
        "7762214409127733950",
    ),
}


def test_expected_table_covers_every_shared_datadog_payload():
    load("datadog/triggered.json")

    assert {f"datadog/{path.name}" for path in (PAYLOADS / "datadog").glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_parse_shared_payload_gives_the_expected_signal(name):
    parsed = datadog.parse(load(name), headers={"content-type": "application/json"}, defaults={})

    (s,) = parsed.signals
    got = (s.dedup_key, s.group_key, s.status, s.title, s.event_at, s.starts_at, s.ends_at, parsed.vendor_id)
    assert got == EXPECTED[name]


def test_parse_triggered_payload_reads_tags_priority_and_links():
    (signal,) = datadog.parse(load("datadog/triggered.json")).signals

    assert signal.labels == {
        "device": "/dev/nvme1n1",
        "env": "prod",
        "host": "orders-db-1",
        "monitor": "",
        "service": "orders-db",
        "team": "orders",
    }
    assert signal.severity == "P2"
    assert signal.annotations["alert_scope"] == "host:orders-db-1,device:/dev/nvme1n1"
    assert [link["text"] for link in signal.links] == ["Datadog event", "Monitor Status", "Edit Monitor"]
    assert signal.description.startswith(
        "@webhook-incident-intake Disk /dev/nvme1n1 on orders-db-1 is 93.4% full."
    )
    assert "%%%" not in signal.description
    assert signal.order == Ordering.EPISODE  # a cycle key never fires again after its recovery


def test_parse_recovered_payload_resolves_the_triggered_cycle():
    triggered = datadog.parse(load("datadog/triggered.json")).signals[0]
    recovered = datadog.parse(load("datadog/recovered.json")).signals[0]

    assert (recovered.dedup_key, recovered.group_key) == (triggered.dedup_key, triggered.group_key)
    assert recovered.status == SignalStatus.RESOLVED
    assert recovered.event_at > triggered.event_at


def test_parse_default_payload_takes_state_from_the_title_and_links_from_the_body():
    (signal,) = datadog.parse(load("datadog/default_payload_triggered.json")).signals

    assert signal.order == Ordering.STATE_TIME
    assert signal.links == (
        {"href": "https://app.datadoghq.com/monitors/58209941", "text": "Monitor Status"},
        {"href": "https://app.datadoghq.com/monitors/58209941/edit", "text": "Edit Monitor"},
    )
    assert signal.annotations["org_name"] == "Example Corp"


# --- state ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("transition", "status"),
    [
        ("Triggered", SignalStatus.FIRING),
        ("Re-Triggered", SignalStatus.FIRING),
        ("Warn", SignalStatus.FIRING),
        ("Re-Warn", SignalStatus.FIRING),
        ("No Data", SignalStatus.FIRING),
        ("Re-No Data", SignalStatus.FIRING),
        ("Renotify", SignalStatus.FIRING),
        ("Recovered", SignalStatus.RESOLVED),
    ],
)
def test_parse_alert_transition_gives_its_status(transition, status):
    (signal,) = datadog.parse(custom(alert_transition=transition)).signals

    assert signal.status == status
    assert (signal.starts_at is not None) == (status == SignalStatus.FIRING)


def test_parse_null_transition_falls_back_to_the_title_state():
    payload = custom(alert_transition="Null", alert_title="[Recovered on {host:db-1}] Disk full")

    assert datadog.parse(payload).signals[0].status == SignalStatus.RESOLVED


@pytest.mark.parametrize(
    ("title", "status", "name", "severity"),
    [
        ("[Triggered] Latency high", SignalStatus.FIRING, "Latency high", ""),
        ("[Recovered] Latency high", SignalStatus.RESOLVED, "Latency high", ""),
        ("[Warn] Latency high", SignalStatus.FIRING, "Latency high", ""),
        ("[No Data] Latency high", SignalStatus.FIRING, "Latency high", ""),
        ("[Re-Triggered] Latency high", SignalStatus.FIRING, "Latency high", ""),
        ("[P1] [Triggered] Latency high", SignalStatus.FIRING, "Latency high", "P1"),
    ],
)
def test_parse_default_payload_title_prefix_gives_state_name_and_priority(title, status, name, severity):
    (signal,) = datadog.parse(default(title)).signals

    assert (signal.status, signal.title, signal.severity) == (status, name, severity)
    assert signal.dedup_key == "monitor:58209941"


def test_parse_default_payload_recovery_on_a_scope_matches_its_trigger():
    triggered = datadog.parse(default("[Triggered on {host:a,device:/dev/sda}] Disk full")).signals[0]
    recovered = datadog.parse(default("[Recovered on {host:a,device:/dev/sda}] Disk full")).signals[0]

    assert triggered.dedup_key == recovered.dedup_key == "monitor:58209941|host:a,device:/dev/sda"
    assert recovered.status == SignalStatus.RESOLVED


# --- identity fallbacks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "dedup_key", "per_cycle"),
    [
        ({}, "777", True),
        ({"alert_cycle_key": None}, "aggreg:abc123", False),
        ({"alert_cycle_key": "", "aggreg_key": ""}, "monitor:4242|host:db-1", False),
        ({"alert_cycle_key": None, "aggreg_key": None, "alert_scope": None}, "monitor:4242|host:db-1", False),
        (
            {"alert_cycle_key": "$ALERT_CYCLE_KEY", "aggreg_key": "$AGGREG_KEY"},
            "monitor:4242|host:db-1",
            False,
        ),
        (
            {"alert_cycle_key": None, "aggreg_key": None, "alert_id": None, "body": "no link"},
            "title:Disk full|host:db-1",
            False,
        ),
    ],
)
def test_parse_identity_falls_back_in_order(fields, dedup_key, per_cycle):
    (signal,) = datadog.parse(custom(**fields)).signals

    assert signal.dedup_key == dedup_key
    assert signal.group_key == f"dd:{dedup_key}"
    assert signal.order == (Ordering.EPISODE if per_cycle else Ordering.STATE_TIME)


# --- fields ------------------------------------------------------------------------------------------


def test_parse_tags_without_value_or_repeated_are_kept():
    (signal,) = datadog.parse(custom(tags="team:orders, monitor ,url:https://x:8080,team:payments,,")).signals

    assert signal.labels == {"team": "orders,payments", "monitor": "", "url": "https://x:8080"}


def test_parse_without_priority_takes_the_alert_type_as_severity():
    assert datadog.parse(custom(alert_priority="")).signals[0].severity == "error"


def test_parse_date_is_used_when_last_updated_is_missing():
    (signal,) = datadog.parse(custom(last_updated=None, date="1773370961000")).signals

    assert signal.event_at == RECOVERED_AT


def test_parse_without_any_time_has_no_event_time():
    assert datadog.parse(custom(last_updated=None, date=None)).signals[0].event_at is None


def test_parse_nul_characters_are_removed_from_tags_and_titles():
    payload = custom(alert_title="[Triggered] Disk\x00 full", tags="host:db\x00-1")

    (signal,) = datadog.parse(payload).signals

    assert signal.title == "Disk full"
    assert signal.labels == {"host": "db-1"}


def test_parse_non_ascii_text_is_kept_exactly():
    title = "Disque plein à 93 % — ディスク使用率 📈"

    (signal,) = datadog.parse(custom(alert_title=f"[Triggered] {title}", tags="équipe:commandes")).signals

    assert signal.title == title
    assert signal.labels == {"équipe": "commandes"}


# --- malformed bodies ---------------------------------------------------------------------------------

MALFORMED = {
    "body_is_an_array": ([custom()], "$"),
    "body_is_a_string": ("Triggered", "$"),
    "body_is_null": (None, "$"),
    "unknown_transition_without_title_state": (
        custom(alert_transition="Exploded", alert_title="Disk full", title="Disk full"),
        "alert_transition",
    ),
    "default_payload_title_without_state": (default("checkout-api p99 latency above 2s"), "title"),
    "default_payload_unknown_title_state": (default("[Exploded] checkout-api latency"), "title"),
    "last_updated_not_epoch_ms": (custom(last_updated="2026-03-13T02:14:05Z"), "last_updated"),
    "date_not_epoch_ms": (custom(last_updated=None, date="yesterday"), "date"),
    "tags_not_a_string": (custom(tags=["host:db-1"]), "tags"),
    "alert_cycle_key_a_number": (custom(alert_cycle_key=6210458810379926471), "alert_cycle_key"),
    "org_not_an_object": (custom(org="Example Corp"), "org"),
    "org_id_a_number": (custom(org={"id": 318204}), "org.id"),
    "no_identity_at_all": (
        {"alert_transition": "Triggered", "title": "", "body": "", "id": "1"},
        "alert_cycle_key",
    ),
}


@pytest.mark.parametrize(("payload", "field"), MALFORMED.values(), ids=MALFORMED.keys())
def test_parse_malformed_body_raises_payload_error_naming_the_field(payload, field):
    with pytest.raises(PayloadError) as raised:
        datadog.parse(copy.deepcopy(payload))

    assert raised.value.status == 400
    assert raised.value.extra["field"] == field
    assert raised.value.message.startswith(f"{field}: ")
