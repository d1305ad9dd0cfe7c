"""One week's aggregates for everything and for each team, service and severity. Pure: rows in,
the field values of `WeeklyAggregate` out, keyed by (scope, key).

Definitions (the week is [Monday 00:00, next Monday 00:00) in the reporting zone; see docs/metrics.md):
- incidents belong to the week they started in. Counted incidents exclude false alarms and
  auto-resolved ones, which are counted apart (`false_alarms`, `auto_resolved`) as noise;
- time metrics: count, mean, p50, p90 and max (`metrics.stats.summarize`) over counted incidents that
  have the value; downtime and cost are summed over counted incidents;
- action items: created in the week (created_at); completed in the week (status done, completed_at
  in the week); completed on time (completed in the week, on or before its due date in the reporting
  zone, or with no due date); overdue at week end (created before the cutoff, due before the cutoff's
  date, not completed before the cutoff, not won't do), where the cutoff is the end of the week, or now
  for the week in progress;
- COEs due in the week (due_on within it): on time = approved on or before the due date; late =
  approved after it, or not approved and the due date has passed (`coe.states.coe_on_time`, `coe_late`);
- contributing factors of the COEs approved in the week, counted per category;
- action items, COEs and factors are scoped through their incident: its team, services, severity.
A scope key gets a row when anything above happened for it in the week; "all" always does.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from coe import states
from coe.states import ActionStatus
from incidents.models import Severity
from metrics import stats, weeks
from metrics.models import TIME_METRICS, Noise, Scope

Key = tuple[str, str]
ALL: Key = (Scope.ALL.value, "")


@dataclass(frozen=True)
class Subject:
    """Who a row counts for: the incident's team, severity and affected services."""

    team_id: int
    severity: str
    service_ids: tuple[int, ...] = ()

    def scope_keys(self) -> list[Key]:
        return [
            ALL,
            (Scope.TEAM.value, str(self.team_id)),
            (Scope.SEVERITY.value, self.severity),
            *((Scope.SERVICE.value, str(service_id)) for service_id in sorted(set(self.service_ids))),
        ]


@dataclass(frozen=True)
class MetricRow:
    subject: Subject
    noise: str
    durations: dict[str, int | None]
    downtime: int
    cost: Decimal


@dataclass(frozen=True)
class ActionItemRow:
    subject: Subject
    created_at: datetime
    completed_at: datetime | None
    status: str
    due_on: date | None


@dataclass(frozen=True)
class CoeRow:
    subject: Subject
    due_on: date
    approved_at: datetime | None


@dataclass(frozen=True)
class FactorRow:
    """A contributing factor of a COE approved in the week."""

    subject: Subject
    category: str


@dataclass(frozen=True)
class Window:
    """The week being computed, and the moment it is computed at."""

    monday: date
    tz: tzinfo
    now: datetime

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return weeks.week_bounds(self.monday, self.tz)

    @property
    def cutoff(self) -> datetime:
        """The end of the week, or now while the week is in progress."""
        return min(self.bounds[1], self.now)

    def local_date(self, at: datetime) -> date:
        return at.astimezone(self.tz).date()


@dataclass
class _Bucket:
    incidents: int = 0
    by_severity: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Severity.values, 0))
    false_alarms: int = 0
    auto_resolved: int = 0
    samples: dict[str, list[int]] = field(default_factory=lambda: {name: [] for name in TIME_METRICS})
    downtime: int = 0
    cost: Decimal = Decimal("0.00")
    action_items_created: int = 0
    action_items_completed: int = 0
    action_items_completed_on_time: int = 0
    action_items_overdue: int = 0
    coes_due: int = 0
    coes_on_time: int = 0
    coes_late: int = 0
    factors: dict[str, int] = field(default_factory=dict)

    def values(self) -> dict[str, Any]:
        return {
            "incidents": self.incidents,
            "by_severity": self.by_severity,
            "false_alarms": self.false_alarms,
            "auto_resolved": self.auto_resolved,
            "durations": {name: stats.summarize(self.samples[name]) for name in TIME_METRICS},
            "downtime": self.downtime,
            "cost": self.cost,
            "action_items_created": self.action_items_created,
            "action_items_completed": self.action_items_completed,
            "action_items_completed_on_time": self.action_items_completed_on_time,
            "action_items_overdue": self.action_items_overdue,
            "coes_due": self.coes_due,
            "coes_on_time": self.coes_on_time,
            "coes_late": self.coes_late,
            "factors": dict(sorted(self.factors.items())),
        }


def empty() -> dict[str, Any]:
    """The values of a scope with no activity in the week (what the API shows for it)."""
    return _Bucket().values()


def _add_metric(bucket: _Bucket, row: MetricRow) -> None:
    if row.noise == Noise.FALSE_ALARM:
        bucket.false_alarms += 1
        return
    if row.noise == Noise.AUTO_RESOLVED:
        bucket.auto_resolved += 1
        return
    bucket.incidents += 1
    bucket.by_severity[row.subject.severity] = bucket.by_severity.get(row.subject.severity, 0) + 1
    for name in TIME_METRICS:
        value = row.durations.get(name)
        if value is not None:
            bucket.samples[name].append(value)
    bucket.downtime += row.downtime
    bucket.cost += row.cost


def action_item_counts(row: ActionItemRow, window: Window) -> dict[str, int]:
    """Which of the flow counts (created, completed, completed on time) this item adds one to.

    "Overdue at week end" is a stock, not a flow: it counts every item ever opened and still open
    past its due date, tens of thousands on a big install, so it is counted in SQL by the caller
    (`metrics.services.recompute`) and arrives here as numbers per key (`overdue`)."""
    start, end = window.bounds
    done = row.status == ActionStatus.DONE and row.completed_at is not None
    completed = done and start <= row.completed_at < end
    on_time = completed and (row.due_on is None or window.local_date(row.completed_at) <= row.due_on)
    return {
        "action_items_created": int(start <= row.created_at < end),
        "action_items_completed": int(completed),
        "action_items_completed_on_time": int(on_time),
    }


def overdue_by_key(
    *, by_team_and_severity: Iterable[tuple[int, str, int]], by_service: Iterable[tuple[int, int]]
) -> dict[Key, int]:
    """Overdue counts per scope key, from counts grouped by (team, severity) and by service. An item
    has one team and one severity but any number of services, hence the two groupings."""
    counts: dict[Key, int] = defaultdict(int)
    for team_id, severity, count in by_team_and_severity:
        counts[ALL] += count
        counts[(Scope.TEAM.value, str(team_id))] += count
        counts[(Scope.SEVERITY.value, severity)] += count
    for service_id, count in by_service:
        counts[(Scope.SERVICE.value, str(service_id))] += count
    return dict(counts)


def coe_counts(row: CoeRow, window: Window) -> dict[str, int]:
    """Due in this week: published on time, late, or neither yet (not approved, not yet due)."""
    if not window.monday <= row.due_on <= weeks.week_last_day(window.monday):
        return {}
    approved_on = window.local_date(row.approved_at) if row.approved_at is not None else None
    today = window.local_date(window.now)
    return {
        "coes_due": 1,
        "coes_on_time": int(states.coe_on_time(due_on=row.due_on, approved_on=approved_on)),
        "coes_late": int(states.coe_late(due_on=row.due_on, approved_on=approved_on, today=today)),
    }


def week_aggregates(
    window: Window,
    *,
    metrics: Iterable[MetricRow],
    action_items: Iterable[ActionItemRow] = (),
    coes: Iterable[CoeRow] = (),
    overdue: Mapping[Key, int] | None = None,
    factors: Iterable[FactorRow] = (),
) -> dict[Key, dict[str, Any]]:
    """Every (scope, key) with activity in the week, and ("all", "") always, with its values.
    `overdue` gives the action items overdue at week end per key (see `overdue_by_key`)."""
    buckets: dict[Key, _Bucket] = defaultdict(_Bucket)
    buckets[ALL] = _Bucket()
    for key, count in (overdue or {}).items():
        if count:
            buckets[key].action_items_overdue += count
    for factor in factors:
        for key in factor.subject.scope_keys():
            counts = buckets[key].factors
            counts[factor.category] = counts.get(factor.category, 0) + 1
    for row in metrics:
        for key in row.subject.scope_keys():
            _add_metric(buckets[key], row)
    for counted in (
        *((item.subject, action_item_counts(item, window)) for item in action_items),
        *((coe.subject, coe_counts(coe, window)) for coe in coes),
    ):
        subject, counts = counted
        if not any(counts.values()):
            continue
        for key in subject.scope_keys():
            bucket = buckets[key]
            for name, value in counts.items():
                setattr(bucket, name, getattr(bucket, name) + value)
    return {key: bucket.values() for key, bucket in buckets.items()}
