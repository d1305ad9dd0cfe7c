"""The generic JSON adapter, pure: documented bodies in, signals out."""

import copy
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from alerts.adapters import generic
from alerts.adapters.base import Ordering, PayloadError, SignalStatus

DOC = Path(__file__).resolve().parents[2] / "docs" / "generic-alert-format.md"


def alert(**fields: Any) -> dict[str, Any]:
    base = {"title": "Nightly backup failed", "dedup_key": "backup/orders-db"}
    base.update(fields)
    return {key: value for key, value in base.items() if value is not None}


def documented_bodies() -> list[Any]:
    """The request bodies shown in docs/generic-alert-format.md (the curl heredoc and the json blocks)."""
    text = DOC.read_text()
    bodies = re.findall(r"<<'EOF'\n(.*?)\nEOF", text, re.DOTALL)
    bodies += [block for block in re.findall(r"```json\n(.*?)\n```", text, re.DOTALL) if '"title"' in block]
    return [json.loads(body) for body in bodies]


# --- the documented examples ------------------------------------------------------------------------


def test_documented_examples_parse():
    curl_body, batch = documented_bodies()

    (signal,) = generic.parse(curl_body).signals
    assert (signal.dedup_key, signal.group_key, signal.status) == (
        "backup/orders-db",
        "backup/orders-db",
        SignalStatus.FIRING,
    )
    assert signal.event_at == datetime(2026, 3, 12, 2, 15, tzinfo=UTC)
    assert signal.links == ({"href": "https://runbooks.example.internal/backups", "text": "Runbook"},)
    assert [(s.dedup_key, s.group_key) for s in generic.parse(batch).signals] == [
        ("disk-full/db-1", "disk-full/db-1"),
        ("disk-full/db-2", "disk-full/orders-db"),
    ]


# --- one alert ----------------------------------------------------------------------------------------


def test_parse_minimal_alert_fires_in_a_group_of_its_own():
    (signal,) = generic.parse(alert()).signals

    assert signal.dedup_key == signal.group_key == "backup/orders-db"
    assert signal.status == SignalStatus.FIRING
    assert signal.title == "Nightly backup failed"
    assert (signal.event_at, signal.starts_at, signal.ends_at) == (None, None, None)
    assert (signal.severity, signal.description, signal.labels, signal.links) == ("", "", {}, ())
    assert signal.order == Ordering.STATE_TIME


def test_parse_full_alert_keeps_every_field():
    payload = alert(
        status="firing",
        severity="critical",
        started_at="2026-03-12T03:15:00+01:00",
        group_key="backups",
        description="pg_dump exited with status 1.",
        labels={"service": "orders-db", "team": "orders"},
        links=[{"href": "https://runbooks.example.internal/backups"}],
        extra_field_of_the_sender={"ignored": True},
    )

    (signal,) = generic.parse(payload, headers={}, defaults={}).signals

    assert signal.group_key == "backups"
    assert signal.severity == "critical"
    assert signal.starts_at == signal.event_at == datetime(2026, 3, 12, 2, 15, tzinfo=UTC)
    assert signal.description == "pg_dump exited with status 1."
    assert signal.labels == {"service": "orders-db", "team": "orders"}
    assert signal.links == (
        {
            "href": "https://runbooks.example.internal/backups",
            "text": "https://runbooks.example.internal/backups",
        },
    )


def test_parse_resolved_alert_takes_its_end_as_event_time():
    payload = alert(status="resolved", started_at="2026-03-12T02:15:00Z", ended_at="2026-03-12T04:00:00Z")

    (signal,) = generic.parse(payload).signals

    assert signal.status == SignalStatus.RESOLVED
    assert signal.event_at == signal.ends_at == datetime(2026, 3, 12, 4, 0, tzinfo=UTC)


def test_parse_firing_alert_ignores_an_ended_at():
    (signal,) = generic.parse(alert(ended_at="2026-03-12T04:00:00Z")).signals

    assert signal.ends_at is None


def test_parse_acknowledged_alert_gives_an_acknowledged_signal():
    assert generic.parse(alert(status="acknowledged")).signals[0].status == SignalStatus.ACKNOWLEDGED


def test_parse_resolve_repeats_the_identity_of_the_firing_alert():
    firing = generic.parse(alert()).signals[0]
    resolved = generic.parse(alert(status="resolved")).signals[0]

    assert (resolved.dedup_key, resolved.group_key) == (firing.dedup_key, firing.group_key)


def test_parse_title_longer_than_1024_characters_is_truncated():
    assert generic.parse(alert(title="t" * 5000)).signals[0].title == "t" * 1024


def test_parse_nul_characters_are_removed_from_labels_and_titles():
    payload = alert(title="Backup\x00 failed", labels={"ser\x00vice": "orders\x00-db"})

    (signal,) = generic.parse(payload).signals

    assert signal.title == "Backup failed"
    assert signal.labels == {"service": "orders-db"}


def test_parse_non_ascii_text_is_kept_exactly():
    title = "Sauvegarde échouée — バックアップ失敗 💾"

    (signal,) = generic.parse(
        alert(title=title, dedup_key="sauvegarde/bd-commandes", labels={"équipe": "仓库"})
    ).signals

    assert signal.title == title
    assert signal.dedup_key == "sauvegarde/bd-commandes"
    assert signal.labels == {"équipe": "仓库"}


# --- batches ----------------------------------------------------------------------------------------


def test_parse_batch_gives_one_signal_per_alert_in_order():
    payload = {
        "alerts": [alert(dedup_key="a"), alert(dedup_key="b", status="resolved"), alert(dedup_key="c")]
    }

    signals = generic.parse(payload).signals

    assert [(s.dedup_key, s.status) for s in signals] == [
        ("a", SignalStatus.FIRING),
        ("b", SignalStatus.RESOLVED),
        ("c", SignalStatus.FIRING),
    ]


def test_parse_empty_batch_gives_no_signals():
    assert generic.parse({"alerts": []}).signals == ()


# --- malformed bodies ---------------------------------------------------------------------------------

MALFORMED = {
    "body_is_an_array": ([alert()], "$"),
    "body_is_a_string": ("Nightly backup failed", "$"),
    "body_is_null": (None, "$"),
    "title_missing": (alert(title=None), "title"),
    "title_blank": (alert(title="  "), "title"),
    "title_a_number": (alert(title=42), "title"),
    "dedup_key_missing": (alert(dedup_key=None), "dedup_key"),
    "dedup_key_empty": (alert(dedup_key=""), "dedup_key"),
    "dedup_key_too_long": (alert(dedup_key="k" * 256), "dedup_key"),
    "group_key_too_long": (alert(group_key="g" * 256), "group_key"),
    "group_key_a_number": (alert(group_key=7), "group_key"),
    "status_unknown": (alert(status="open"), "status"),
    "status_capitalised": (alert(status="Firing"), "status"),
    "status_a_boolean": (alert(status=True), "status"),
    "severity_a_number": (alert(severity=1), "severity"),
    "started_at_unparseable": (alert(started_at="last night"), "started_at"),
    "started_at_without_offset": (alert(started_at="2026-03-12T02:15:00"), "started_at"),
    "started_at_a_number": (alert(started_at=1773281700), "started_at"),
    "ended_at_unparseable": (alert(status="resolved", ended_at="2026-13-01T00:00:00Z"), "ended_at"),
    "description_an_object": (alert(description={"text": "x"}), "description"),
    "labels_not_an_object": (alert(labels=["service=orders-db"]), "labels"),
    "label_value_a_number": (alert(labels={"replicas": 3}), "labels.replicas"),
    "links_not_a_list": (alert(links={"href": "https://x"}), "links"),
    "link_not_an_object": (alert(links=["https://x"]), "links[0]"),
    "link_without_href": (alert(links=[{"text": "Runbook"}]), "links[0].href"),
    "alerts_not_a_list": ({"alerts": alert()}, "alerts"),
    "alert_in_batch_not_an_object": ({"alerts": [alert(), "backup failed"]}, "alerts[1]"),
    "alert_in_batch_without_dedup_key": ({"alerts": [alert(), alert(dedup_key=None)]}, "alerts[1].dedup_key"),
}


@pytest.mark.parametrize(("payload", "field"), MALFORMED.values(), ids=MALFORMED.keys())
def test_parse_malformed_body_raises_payload_error_naming_the_field(payload, field):
    with pytest.raises(PayloadError) as raised:
        generic.parse(copy.deepcopy(payload))

    assert raised.value.status == 400
    assert raised.value.extra["field"] == field
    assert raised.value.message.startswith(f"{field}: ")
