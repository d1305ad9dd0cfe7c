"""The PagerDuty Events API v2 adapter, pure: the shared payload files in, signals out."""

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from alerts.adapters import pagerduty
from alerts.adapters.base import Ordering, PayloadError, SignalStatus
from tests.payloads import PAYLOADS

# The developer payload set lives beside the repository (/work/shared/payloads).

ROUTING_KEY = "b6c1e0f4d3a2958e7f1c0a9b8d7e6f51"
DEDUP_KEY = "orders-db/replication-lag"


def load(name: str) -> Any:
    """A shared payload file, read as the endpoint reads it: bytes, then json.loads."""
    return json.loads((PAYLOADS / name).read_bytes())


def event(action: str = "trigger", **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"routing_key": ROUTING_KEY, "event_action": action, "dedup_key": "disk/db-1"}
    if action == "trigger":
        base["payload"] = {"summary": "Disk full on db-1", "source": "db-1", "severity": "critical"}
    base.update(fields)
    return {key: value for key, value in base.items() if value is not None}


def trigger(**details: Any) -> dict[str, Any]:
    payload = {"summary": "Disk full on db-1", "source": "db-1", "severity": "critical", **details}
    return event(payload={key: value for key, value in payload.items() if value is not None})


# --- the shared payload files -----------------------------------------------------------------------

# (dedup key, group key, status, title, event_at, severity) of the one signal
EXPECTED = {
    "pagerduty/trigger.json": (
        DEDUP_KEY,
        f"pd:{DEDUP_KEY}",
        SignalStatus.FIRING,
        "orders-db replica lag is 312s on orders-db-replica-2",
        datetime(2026, 3, 12, 6, 48, 17, 204000, tzinfo=UTC),
        "error",
    ),
    "pagerduty/trigger_update.json": (
        DEDUP_KEY,
        f"pd:{DEDUP_KEY}",
        SignalStatus.FIRING,
        "orders-db replica lag is 547s on orders-db-replica-2",
        datetime(2026, 3, 12, 6, 58, 17, 911000, tzinfo=UTC),
        "error",
    ),
    "pagerduty/resolve.json": (DEDUP_KEY, f"pd:{DEDUP_KEY}", SignalStatus.RESOLVED, "", None, ""),
}


def test_expected_table_covers_every_shared_pagerduty_payload():
    load("pagerduty/trigger.json")

    assert {f"pagerduty/{path.name}" for path in (PAYLOADS / "pagerduty").glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_parse_shared_payload_gives_the_expected_signal(name):
    parsed = pagerduty.parse(load(name), headers={"content-type": "application/json"}, defaults={})

    (s,) = parsed.signals
    assert (s.dedup_key, s.group_key, s.status, s.title, s.event_at, s.severity) == EXPECTED[name]
    assert s.order == Ordering.ARRIVAL
    assert parsed.meta == {"dedup_key": DEDUP_KEY, "routing_key": ROUTING_KEY}
    assert pagerduty.errors(load(name)) == []


def test_parse_trigger_keeps_details_as_labels_links_and_description():
    (signal,) = pagerduty.parse(load("pagerduty/trigger.json")).signals

    assert signal.labels == {
        "source": "orders-db-replica-2.prod.internal",
        "component": "postgresql",
        "group": "orders-db",
        "class": "replication lag",
        "severity": "error",
    }
    assert signal.links == (
        {"href": "https://runbooks.example.internal/orders-db/replication-lag", "text": "Runbook"},
        {"href": "https://dbwatch.example.internal/clusters/orders-db", "text": "DB Watchdog"},
    )
    assert signal.starts_at == signal.event_at
    assert json.loads(signal.description)["lag_seconds"] == 312
    assert signal.annotations == {"client": "DB Watchdog"}


def test_parse_trigger_update_shares_the_dedup_key_of_the_trigger():
    first = pagerduty.parse(load("pagerduty/trigger.json")).signals[0]
    update = pagerduty.parse(load("pagerduty/trigger_update.json")).signals[0]

    assert (update.dedup_key, update.group_key) == (first.dedup_key, first.group_key)
    assert update.event_at > first.event_at


def test_parse_resolve_without_payload_resolves_the_trigger_identity():
    payload = load("pagerduty/resolve.json")
    assert "payload" not in payload

    (signal,) = pagerduty.parse(payload).signals

    assert signal.dedup_key == pagerduty.parse(load("pagerduty/trigger.json")).signals[0].dedup_key
    assert signal.status == SignalStatus.RESOLVED
    assert signal.links == () and signal.labels == {}


def test_parse_acknowledge_gives_an_acknowledged_signal_without_a_title():
    (signal,) = pagerduty.parse(event("acknowledge")).signals

    assert signal.status == SignalStatus.ACKNOWLEDGED
    assert signal.title == ""
    assert signal.event_at is None


# --- dedup keys -------------------------------------------------------------------------------------


def test_parse_trigger_without_dedup_key_takes_the_generated_one():
    parsed = pagerduty.parse(event(dedup_key=None), defaults={"dedup_key": "5d2c0b8e4f1a"})

    assert parsed.signals[0].dedup_key == "5d2c0b8e4f1a"
    assert parsed.signals[0].group_key == "pd:5d2c0b8e4f1a"
    assert parsed.meta["dedup_key"] == "5d2c0b8e4f1a"


def test_parse_trigger_twice_with_the_same_generated_key_gives_the_same_identity():
    defaults = {"dedup_key": "5d2c0b8e4f1a"}

    at_request = pagerduty.parse(event(dedup_key=None), defaults=defaults)
    at_processing = pagerduty.parse(event(dedup_key=None), defaults={**defaults, "routing_key": ROUTING_KEY})

    assert at_request.signals == at_processing.signals


def test_parse_event_dedup_key_wins_over_a_generated_one():
    parsed = pagerduty.parse(event(), defaults={"dedup_key": "generated"})

    assert parsed.signals[0].dedup_key == "disk/db-1"


def test_parse_trigger_without_dedup_key_or_generated_one_raises():
    with pytest.raises(PayloadError) as raised:
        pagerduty.parse(event(dedup_key=None))

    assert raised.value.message == "dedup_key missing and none generated"
    assert raised.value.extra["field"] == "dedup_key"


def test_parse_resolve_without_dedup_key_raises_even_with_a_generated_one():
    with pytest.raises(PayloadError) as raised:
        pagerduty.parse(event("resolve", dedup_key=None), defaults={"dedup_key": "generated"})

    assert raised.value.extra["field"] == "dedup_key"


# --- payload fields ----------------------------------------------------------------------------------


def test_parse_summary_of_5000_characters_is_truncated_to_1024():
    (signal,) = pagerduty.parse(trigger(summary="x" * 5000)).signals

    assert signal.title == "x" * 1024


def test_parse_routing_key_of_any_length_is_accepted():
    assert pagerduty.parse(event(routing_key="short")).meta["routing_key"] == "short"


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("2026-03-12T06:48:17.204+0000", datetime(2026, 3, 12, 6, 48, 17, 204000, tzinfo=UTC)),
        ("2026-03-12T07:48:17+01:00", datetime(2026, 3, 12, 6, 48, 17, tzinfo=UTC)),
        ("2026-03-12T06:48:17Z", datetime(2026, 3, 12, 6, 48, 17, tzinfo=UTC)),
        ("2026-03-12T06:48:17", datetime(2026, 3, 12, 6, 48, 17, tzinfo=UTC)),
        (None, None),
    ],
)
def test_parse_trigger_timestamp_forms_give_a_utc_event_time(stamp, expected):
    (signal,) = pagerduty.parse(trigger(timestamp=stamp)).signals

    assert signal.event_at == expected


def test_parse_link_without_text_is_shown_by_its_href():
    (signal,) = pagerduty.parse(event(links=[{"href": "https://x.example/y"}])).signals

    assert signal.links == ({"href": "https://x.example/y", "text": "https://x.example/y"},)


def test_parse_nul_characters_are_removed_from_summary_and_labels():
    (signal,) = pagerduty.parse(trigger(summary="Disk\x00 full", source="db\x00-1", component="\x00")).signals

    assert signal.title == "Disk full"
    assert signal.labels == {"source": "db-1", "severity": "critical"}


def test_parse_non_ascii_text_is_kept_exactly():
    summary = "Réplica atrasada 312 s — レプリカ遅延 ⚠️"

    (signal,) = pagerduty.parse(trigger(summary=summary, source="bd-réplica-2")).signals

    assert signal.title == summary
    assert signal.labels["source"] == "bd-réplica-2"


# --- invalid events: PayloadError with PagerDuty-style errors -----------------------------------------

INVALID = {
    "body_is_an_array": ([event()], "$"),
    "body_is_a_string": ("trigger", "$"),
    "body_is_null": (None, "$"),
    "routing_key_missing": (event(routing_key=None), "routing_key"),
    "routing_key_blank": (event(routing_key="  "), "routing_key"),
    "routing_key_a_number": (event(routing_key=42), "routing_key"),
    "event_action_missing": ({"routing_key": ROUTING_KEY, "dedup_key": "k"}, "event_action"),
    "event_action_unknown": (event(event_action="escalate"), "event_action"),
    "event_action_capitalised": (event(event_action="Trigger"), "event_action"),
    "event_action_not_a_string": (event(event_action=["trigger"]), "event_action"),
    "dedup_key_a_number": (event(dedup_key=1234), "dedup_key"),
    "dedup_key_too_long": (event(dedup_key="k" * 256), "dedup_key"),
    "acknowledge_without_dedup_key": (event("acknowledge", dedup_key=None), "dedup_key"),
    "trigger_without_payload": (event(payload=None), "payload"),
    "trigger_payload_not_an_object": (event(payload="Disk full"), "payload"),
    "trigger_without_summary": (trigger(summary=None), "payload.summary"),
    "trigger_with_blank_summary": (trigger(summary=" "), "payload.summary"),
    "trigger_without_source": (trigger(source=None), "payload.source"),
    "trigger_without_severity": (trigger(severity=None), "payload.severity"),
    "trigger_with_unknown_severity": (trigger(severity="high"), "payload.severity"),
    "trigger_with_bad_timestamp": (trigger(timestamp="12/03/2026 06:48"), "payload.timestamp"),
    "trigger_with_numeric_timestamp": (trigger(timestamp=1773298097), "payload.timestamp"),
    "component_not_a_string": (trigger(component=5), "payload.component"),
    "links_not_a_list": (event(links={"href": "https://x"}), "links"),
    "link_not_an_object": (event(links=["https://x"]), "links[0]"),
    "link_without_href": (event(links=[{"text": "Runbook"}]), "links[0].href"),
    "client_url_not_a_string": (event(client_url=7), "client_url"),
}


@pytest.mark.parametrize(("payload", "field"), INVALID.values(), ids=INVALID.keys())
def test_parse_invalid_event_raises_payload_error_with_pagerduty_errors(payload, field):
    with pytest.raises(PayloadError) as raised:
        pagerduty.parse(copy.deepcopy(payload), defaults={"dedup_key": "generated"})

    assert raised.value.status == 400
    assert raised.value.extra["field"] == field
    assert raised.value.extra["errors"][0].startswith(f"{field}: ")
    assert raised.value.extra["errors"] == pagerduty.errors(copy.deepcopy(payload))


def test_errors_of_an_event_with_several_problems_lists_them_all():
    payload = {"event_action": "trigger", "payload": {"source": "db-1", "severity": "fatal"}}

    problems = pagerduty.errors(payload)

    assert [problem.split(":")[0] for problem in problems] == [
        "routing_key",
        "payload.summary",
        "payload.severity",
    ]


def test_errors_of_a_trigger_without_dedup_key_is_empty():
    assert pagerduty.errors(event(dedup_key=None)) == []
