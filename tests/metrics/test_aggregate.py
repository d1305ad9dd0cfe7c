"""The week's aggregation rules without a database: the action-item cutoff of a week in progress, COEs
not yet due, noise, and which scopes get a row."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from coe.models import ActionStatus
from metrics import aggregate
from metrics.models import TIME_METRICS

MONDAY = date(2026, 3, 2)
SUBJECT = aggregate.Subject(team_id=7, severity="SEV2", service_ids=(3, 3, 1))


def window(now: datetime) -> aggregate.Window:
    return aggregate.Window(monday=MONDAY, tz=UTC, now=now)


def item(**fields) -> aggregate.ActionItemRow:
    values = {"created_at": datetime(2026, 3, 2, 9, tzinfo=UTC), "completed_at": None,
              "status": ActionStatus.OPEN, "due_on": date(2026, 3, 4)}  # fmt: skip
    return aggregate.ActionItemRow(subject=SUBJECT, **{**values, **fields})


def test_subject_scope_keys_are_deduplicated_and_sorted():
    assert SUBJECT.scope_keys() == [("all", ""), ("team", "7"), ("severity", "SEV2"), ("service", "1"),
                                    ("service", "3")]  # fmt: skip


def test_overdue_counts_reach_every_scope_once_per_item():
    counts = aggregate.overdue_by_key(
        by_team_and_severity=[(7, "SEV2", 3), (8, "SEV2", 1), (7, "SEV1", 2)], by_service=[(3, 4), (1, 2)]
    )
    assert counts == {
        ("all", ""): 6, ("team", "7"): 5, ("team", "8"): 1, ("severity", "SEV2"): 4, ("severity", "SEV1"): 2,
        ("service", "3"): 4, ("service", "1"): 2,
    }  # fmt: skip


def test_overdue_counts_alone_give_a_scope_its_row():
    computed = aggregate.week_aggregates(
        window(datetime(2026, 4, 1, tzinfo=UTC)), metrics=[], overdue={("all", ""): 2, ("team", "9"): 2}
    )
    assert computed[("team", "9")]["action_items_overdue"] == 2
    assert computed[("all", "")]["action_items_overdue"] == 2


def test_completion_on_time_is_read_in_the_reporting_zone():
    late_utc = item(status=ActionStatus.DONE, completed_at=datetime(2026, 3, 4, 20, tzinfo=UTC))
    utc = aggregate.action_item_counts(late_utc, window(datetime(2026, 4, 1, tzinfo=UTC)))
    tokyo_window = aggregate.Window(
        monday=MONDAY, tz=ZoneInfo("Asia/Tokyo"), now=datetime(2026, 4, 1, tzinfo=UTC)
    )
    tokyo = aggregate.action_item_counts(late_utc, tokyo_window)  # 5 March 05:00 in Tokyo: a day late
    assert (utc["action_items_completed_on_time"], tokyo["action_items_completed_on_time"]) == (1, 0)


def test_a_coe_not_yet_due_is_neither_on_time_nor_late():
    coe = aggregate.CoeRow(subject=SUBJECT, due_on=date(2026, 3, 6), approved_at=None)
    assert aggregate.coe_counts(coe, window(datetime(2026, 3, 4, tzinfo=UTC))) == {
        "coes_due": 1, "coes_on_time": 0, "coes_late": 0,
    }  # fmt: skip
    assert aggregate.coe_counts(coe, window(datetime(2026, 3, 7, tzinfo=UTC)))["coes_late"] == 1


def test_noise_only_scopes_get_rows_without_time_metrics():
    durations = dict.fromkeys(TIME_METRICS, 60)
    rows = [aggregate.MetricRow(subject=SUBJECT, noise="false_alarm", durations=durations, downtime=60,
                                cost=Decimal("1.00"))]  # fmt: skip
    computed = aggregate.week_aggregates(window(datetime(2026, 4, 1, tzinfo=UTC)), metrics=rows)
    assert set(computed) == set(SUBJECT.scope_keys())
    team = computed[("team", "7")]
    assert (team["incidents"], team["false_alarms"], team["downtime"], team["cost"]) == (0, 1, 0, 0)
    assert team["durations"]["time_to_detect"]["count"] == 0


def test_an_empty_week_has_only_everything():
    computed = aggregate.week_aggregates(window(datetime(2026, 4, 1, tzinfo=UTC)), metrics=[])
    assert list(computed) == [("all", "")]
    assert computed[("all", "")] == aggregate.empty()
