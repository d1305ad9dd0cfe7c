"""The text a new COE starts with (coe/prefill.py): pure, plain values in, Markdown out, no database."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from coe import prefill

T0 = datetime(2025, 1, 3, 10, 0, tzinfo=UTC)


def minutes(value: int) -> timedelta:
    return timedelta(minutes=value)


def phase(label: str, started, ended, *, skipped: bool = False) -> prefill.PhaseLine:
    duration = None if started is None else ((ended or started) - started)
    return prefill.PhaseLine(label, started, ended, duration, skipped)


def data(**overrides) -> str:
    arguments = {
        "phases": [],
        "time_to_detect": None,
        "time_to_recover": None,
        "time_to_resolve": None,
        "alerts": [],
        **overrides,
    }
    return prefill.data(**arguments)


def impact(**overrides) -> str:
    arguments = {
        "customer_impact": "Checkout failed for card payments",
        "customers_affected": 1200,
        "blast_radius": ["eu-west-1", "cell-7"],
        "downtime": timedelta(hours=1, minutes=5),
        "estimated_cost": Decimal("65000.00"),
        "services": ["Checkout API", "Payments DB"],
        **overrides,
    }
    return prefill.impact(**arguments)


# what_happened


def test_what_happened_lists_every_timeline_line_in_the_given_order_with_its_utc_time():
    text = prefill.what_happened(
        [
            prefill.TimelineLine(T0, "Declared"),
            prefill.TimelineLine(T0 + minutes(12), "Rolled back to v1.42"),
            prefill.TimelineLine(T0 + timedelta(hours=1, minutes=3), "Phase ended: Recover"),
        ]
    )

    assert text.splitlines() == [
        "Timeline (from the incident; edit it into a narrative):",
        "",
        "- 2025-01-03 10:00 UTC: Declared",
        "- 2025-01-03 10:12 UTC: Rolled back to v1.42",
        "- 2025-01-03 11:03 UTC: Phase ended: Recover",
    ]


def test_what_happened_accepts_any_iterable_of_lines():
    lines = (prefill.TimelineLine(T0 + minutes(n), f"step {n}") for n in range(3))

    assert prefill.what_happened(lines).count("\n- ") == 3


def test_what_happened_without_timeline_says_it_is_empty():
    assert prefill.what_happened([]).splitlines()[-1] == "- (empty)"


def test_what_happened_shows_a_time_from_another_zone_in_utc():
    paris = datetime(2025, 1, 3, 11, 0, tzinfo=ZoneInfo("Europe/Paris"))  # 10:00 UTC

    text = prefill.what_happened([prefill.TimelineLine(paris, "Declared")])

    assert "- 2025-01-03 10:00 UTC: Declared" in text


# data


def test_data_has_a_phase_table_with_times_and_durations():
    text = data(
        phases=[
            phase("Detect", T0, T0 + minutes(30)),
            phase("Evaluate", T0 + minutes(30), T0 + timedelta(hours=1, minutes=45)),
        ]
    )

    assert "| Phase | Started | Ended | Took |\n|---|---|---|---|" in text
    assert "| Detect | 2025-01-03 10:00 UTC | 2025-01-03 10:30 UTC | 30m |" in text
    assert "| Evaluate | 2025-01-03 10:30 UTC | 2025-01-03 11:45 UTC | 1h 15m |" in text


def test_data_marks_a_skipped_phase_as_skipped_instead_of_a_duration():
    at = T0 + minutes(50)
    text = data(phases=[phase("Respond", at, at, skipped=True), phase("Recover", at, at, skipped=True)])

    assert "| Respond | 2025-01-03 10:50 UTC | 2025-01-03 10:50 UTC | skipped |" in text
    assert "| Recover | 2025-01-03 10:50 UTC | 2025-01-03 10:50 UTC | skipped |" in text
    assert "0s" not in text


def test_data_a_phase_that_took_no_time_without_being_skipped_shows_zero_minutes():
    assert "| Detect | 2025-01-03 10:00 UTC | 2025-01-03 10:00 UTC | 0s |" in data(
        phases=[phase("Detect", T0, T0)]
    )


def test_data_a_running_phase_has_no_end_and_a_phase_not_begun_has_no_duration():
    running = prefill.PhaseLine("Evaluate", T0, None, minutes(7), False)
    text = data(phases=[running, phase("Respond", None, None)])

    assert "| Evaluate | 2025-01-03 10:00 UTC | not yet | 7m |" in text
    assert "| Respond | not yet | not yet | n/a |" in text


def test_data_lists_the_headline_durations_and_na_for_those_not_reached():
    text = data(time_to_detect=minutes(30), time_to_recover=timedelta(hours=26, minutes=1))

    assert "- Time to detect: 30m" in text
    assert "- Time to recover: 1d 2h" in text
    assert "- Time to resolve: n/a" in text


def test_data_durations_read_as_on_the_pages_rounded_down():
    assert "- Time to detect: 1m" in data(time_to_detect=timedelta(seconds=119))
    assert "- Time to detect: 1h" in data(time_to_detect=timedelta(hours=1, seconds=59))


def test_data_lists_the_linked_alerts():
    text = data(alerts=["HighErrorRate (firing)", "CheckoutLatency (resolved)"])

    assert "Linked alerts:\n\n- HighErrorRate (firing)\n- CheckoutLatency (resolved)" in text


def test_data_without_alerts_has_no_alerts_heading():
    assert "Linked alerts" not in data()


def test_data_ends_with_the_prompt_for_evidence():
    assert data().endswith("Add the graphs, logs and numbers that support the analysis.")


# impact


def test_impact_lists_the_incident_fields_downtime_and_cost():
    assert impact().splitlines() == [
        "- Customer impact: Checkout failed for card payments",
        "- Customers affected: 1200",
        "- Blast radius: eu-west-1, cell-7",
        "- Affected services: Checkout API, Payments DB",
        "- Downtime: 1h 5m",
        "- Estimated cost: $65,000",
    ]


@pytest.mark.parametrize(
    ("cost", "shown"),
    [
        (Decimal("0"), "$0"),
        (Decimal("999.40"), "$999"),
        (Decimal("1234567.89"), "$1,234,568"),
        (Decimal("60000.00"), "$60,000"),
    ],
)
def test_impact_formats_the_cost_in_whole_dollars_with_thousands_separators(cost, shown):
    assert f"- Estimated cost: {shown}" in impact(estimated_cost=cost).splitlines()


def test_impact_says_what_is_not_known_yet():
    text = impact(customer_impact="", customers_affected=None, blast_radius=[], services=[])

    assert "- Customer impact: not described yet" in text
    assert "- Customers affected: unknown" in text
    assert "- Blast radius: not recorded" in text
    assert "- Affected services: none recorded" in text


def test_impact_zero_customers_affected_is_zero_not_unknown():
    assert "- Customers affected: 0" in impact(customers_affected=0)
