"""Durations and downtime cost, pure: stamps in, numbers out, no database."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from incidents import timing
from incidents.phases import Phase

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)

# A resolved incident: detect 5m, evaluate 10m, respond 20m, recover 15m, confirm 10m (60m in all).
RESOLVED = {
    "started_at": T0,
    "detected_at": T0 + 5 * MINUTE,
    "evaluated_at": T0 + 15 * MINUTE,
    "responded_at": T0 + 35 * MINUTE,
    "recovered_at": T0 + 50 * MINUTE,
    "confirmed_at": T0 + 60 * MINUTE,
}
LATER = T0 + timedelta(days=2)  # long after the incident: must not matter once it is resolved


def in_respond() -> dict[str, datetime | None]:
    return {**RESOLVED, "responded_at": None, "recovered_at": None, "confirmed_at": None}


def spans_by_phase(result: timing.Durations) -> dict[Phase, timing.PhaseSpan]:
    return {span.phase: span for span in result.spans}


# --- spans ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phase", "started", "ended", "minutes"),
    [
        (Phase.DETECT, "started_at", "detected_at", 5),
        (Phase.EVALUATE, "detected_at", "evaluated_at", 10),
        (Phase.RESPOND, "evaluated_at", "responded_at", 20),
        (Phase.RECOVER, "responded_at", "recovered_at", 15),
        (Phase.CONFIRM, "recovered_at", "confirmed_at", 10),
    ],
)
def test_durations_resolved_incident_spans_each_phase_between_its_stamps(phase, started, ended, minutes):
    span = spans_by_phase(timing.durations(RESOLVED, now=LATER))[phase]

    assert (span.started, span.ended) == (RESOLVED[started], RESOLVED[ended])
    assert span.duration == minutes * MINUTE
    assert span.seconds == minutes * 60
    assert not span.running
    assert not span.skipped


def test_durations_spans_follow_the_lifecycle_order():
    assert [span.phase for span in timing.durations(RESOLVED, now=LATER).spans] == list(Phase)


def test_durations_running_phase_counts_up_to_now():
    now = T0 + 40 * MINUTE

    span = spans_by_phase(timing.durations(in_respond(), now=now))[Phase.RESPOND]

    assert span.running
    assert span.ended is None
    assert span.duration == 25 * MINUTE  # evaluated at 15m, now at 40m


def test_durations_phases_not_begun_have_no_duration():
    spans = spans_by_phase(timing.durations(in_respond(), now=T0 + 40 * MINUTE))

    for phase in (Phase.RECOVER, Phase.CONFIRM):
        assert spans[phase].started is None
        assert spans[phase].duration is None
        assert spans[phase].seconds == 0.0
        assert not spans[phase].running
        assert not spans[phase].skipped
    assert [p for p, span in spans.items() if span.running] == [Phase.RESPOND]


def test_durations_alert_incident_in_detect_counts_detection_to_now():
    stamps = {"started_at": T0, **dict.fromkeys(("detected_at", "evaluated_at"), None)}

    result = timing.durations(stamps, now=T0 + 7 * MINUTE)

    detect = spans_by_phase(result)[Phase.DETECT]
    assert detect.running
    assert detect.duration == 7 * MINUTE
    assert result.time_to_detect is None


def test_durations_jumped_phases_after_detect_are_skipped():
    jumped_at = T0 + 15 * MINUTE
    stamps = {**RESOLVED, "evaluated_at": jumped_at, "responded_at": jumped_at, "recovered_at": jumped_at}

    spans = spans_by_phase(timing.durations(stamps, now=LATER))

    assert {phase for phase, span in spans.items() if span.skipped} == {Phase.RESPOND, Phase.RECOVER}
    assert spans[Phase.RESPOND].duration == timedelta(0)
    assert spans[Phase.EVALUATE].duration == 10 * MINUTE


def test_durations_zero_length_detect_is_not_skipped():
    stamps = {**RESOLVED, "detected_at": T0}  # declared the moment impact began

    detect = spans_by_phase(timing.durations(stamps, now=LATER))[Phase.DETECT]

    assert detect.duration == timedelta(0)
    assert not detect.skipped


def test_durations_running_phase_started_now_is_not_skipped():
    now = RESOLVED["evaluated_at"]

    respond = spans_by_phase(timing.durations(in_respond(), now=now))[Phase.RESPOND]

    assert respond.duration == timedelta(0)
    assert respond.running
    assert not respond.skipped


# --- headline durations --------------------------------------------------------------------------


def test_durations_resolved_incident_headline_times_are_measured_from_impact():
    result = timing.durations(RESOLVED, now=LATER)

    assert result.time_to_detect == 5 * MINUTE
    assert result.time_to_recover == 50 * MINUTE
    assert result.time_to_resolve == 60 * MINUTE
    assert result.total == 60 * MINUTE


def test_durations_unresolved_incident_total_runs_to_now_and_later_times_are_unknown():
    result = timing.durations(in_respond(), now=T0 + 40 * MINUTE)

    assert result.time_to_detect == 5 * MINUTE
    assert result.time_to_recover is None
    assert result.time_to_resolve is None
    assert result.total == 40 * MINUTE


def test_durations_share_of_resolved_incident_sums_to_100_percent():
    result = timing.durations(RESOLVED, now=LATER)

    shares = [result.share(span) for span in result.spans]

    assert shares == [pytest.approx(s) for s in (8.33, 16.67, 33.33, 25.0, 16.67)]
    assert sum(shares) == pytest.approx(100, abs=0.05)


def test_durations_share_with_zero_total_is_zero():
    stamps = dict.fromkeys(RESOLVED, T0)

    result = timing.durations(stamps, now=LATER)

    assert result.total == timedelta(0)
    assert [result.share(span) for span in result.spans] == [0.0] * 5


def test_durations_now_before_impact_never_goes_negative():
    stamps = {"started_at": T0, "detected_at": None}

    result = timing.durations(stamps, now=T0 - MINUTE)

    assert result.total == timedelta(0)
    assert result.spans[0].duration == timedelta(0)


# --- downtime and cost ---------------------------------------------------------------------------


def test_downtime_unrecovered_runs_to_now():
    assert timing.downtime(in_respond(), now=T0 + 42 * MINUTE) == 42 * MINUTE


def test_downtime_recovered_stops_at_recovery_whatever_now():
    assert timing.downtime(RESOLVED, now=LATER) == 50 * MINUTE


def test_downtime_now_before_impact_is_zero():
    assert timing.downtime(in_respond(), now=T0 - MINUTE) == timedelta(0)


def test_estimated_cost_sums_each_service_over_downtime_exactly():
    stamps = {**RESOLVED, "recovered_at": T0 + 90 * MINUTE, "confirmed_at": T0 + 95 * MINUTE}

    cost = timing.estimated_cost(stamps, costs_per_hour=[Decimal("60000"), Decimal("1000")], now=LATER)

    assert cost == Decimal("91500.00")
    assert isinstance(cost, Decimal)
    assert cost.as_tuple().exponent == -2


def test_estimated_cost_unrecovered_counts_to_now():
    cost = timing.estimated_cost(in_respond(), costs_per_hour=[Decimal("1200")], now=T0 + 30 * MINUTE)

    assert cost == Decimal("600.00")


def test_estimated_cost_without_services_is_zero():
    assert timing.estimated_cost(RESOLVED, costs_per_hour=[], now=LATER) == Decimal("0.00")


@pytest.mark.parametrize(
    ("downtime", "cost_per_hour", "expected"),
    [
        (timedelta(seconds=1), "1000", "0.28"),  # 0.2777... rounds up
        (timedelta(seconds=1), "100", "0.03"),  # 0.02777... rounds up
        (timedelta(seconds=20), "100", "0.56"),  # 0.5555... rounds up
        (timedelta(minutes=10), "100.01", "16.67"),  # 16.66833... rounds down
        (timedelta(minutes=1), "0.01", "0.00"),  # 0.000166... rounds down
    ],
)
def test_estimated_cost_rounds_to_cents(downtime, cost_per_hour, expected):
    stamps = {"started_at": T0, "recovered_at": T0 + downtime}

    cost = timing.estimated_cost(stamps, costs_per_hour=[Decimal(cost_per_hour)], now=LATER)

    assert cost == Decimal(expected)


def test_estimated_cost_exact_half_cent_with_whole_seconds_rounds_half_up():
    stamps = {"started_at": T0, "recovered_at": T0 + timedelta(seconds=90)}

    cost = timing.estimated_cost(stamps, costs_per_hour=[Decimal("0.20")], now=LATER)

    assert cost == Decimal("0.01")  # 0.20 x 90/3600 = 0.005 exactly


def test_estimated_cost_exact_half_cent_over_odd_seconds_rounds_half_up():
    stamps = {"started_at": T0, "recovered_at": T0 + timedelta(minutes=30, seconds=7)}

    cost = timing.estimated_cost(stamps, costs_per_hour=[Decimal("18.00")], now=LATER)

    assert cost == Decimal("9.04")
