"""Recomputing the derived rows: `IncidentMetric` per incident and `WeeklyAggregate` per week.

Every write to the metrics tables happens here, as idempotent upserts from the source data, so running
anything twice, or late, gives the same rows. Definitions: `metrics.figures` (per incident) and
`metrics.aggregate` (per week), and docs/metrics.md. Percentiles are computed in Python, so SQLite and
PostgreSQL agree to the digit.
"""

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from coe import states
from coe.models import ActionItem, Coe, ContributingFactor
from core import reporting
from incidents.models import Incident
from incidents.phases import STAMP_FIELDS
from metrics import aggregate, figures, weeks
from metrics.models import TIME_METRICS, IncidentMetric, Scope, WeeklyAggregate
from metrics.services import schedule

# The periodic job refreshes at most this many incident rows per run (oldest first); after a fresh
# install `recompute_metrics` rebuilds history in one go instead.
RECENT_REFRESH_LIMIT = 2000

_INCIDENT_FIELDS = ("id", "version", "status", "severity", "team_id", *STAMP_FIELDS, "closed_at")
_METRIC_FIELDS = [field.name for field in IncidentMetric._meta.concrete_fields if field.name != "incident"]
_AGGREGATE_FIELDS = [
    field.name
    for field in WeeklyAggregate._meta.concrete_fields
    if field.name not in ("id", "week", "scope", "key")
]


reporting_zone = reporting.reporting_zone  # re-exported by metrics.services


# --- Per incident ---------------------------------------------------------------------------------


def _services_of(incident_ids: Iterable[int], *, with_costs: bool) -> dict[int, list[Any]]:
    """Affected services of each incident: their ids, or their costs per hour. One query."""
    ids = list(set(incident_ids))
    found: dict[int, list[Any]] = defaultdict(list)
    if not ids:
        return found
    column = "service__cost_per_hour" if with_costs else "service_id"
    through = Incident.services.through.objects.filter(incident_id__in=ids)
    for incident_id, value in through.values_list("incident_id", column).order_by("incident_id", "id"):
        found[incident_id].append(value)
    return found


def _metrics_upsert(rows: list[dict[str, Any]], *, now: datetime) -> list[IncidentMetric]:
    """Compute and upsert the rows of these incidents (dicts of _INCIDENT_FIELDS). Two queries."""
    if not rows:
        return []
    costs = _services_of((row["id"] for row in rows), with_costs=True)
    zone = reporting_zone()
    metrics = []
    for row in rows:
        facts = figures.IncidentFacts(
            incident_id=row["id"],
            version=row["version"],
            status=row["status"],
            severity=row["severity"],
            team_id=row["team_id"],
            stamps={field: row[field] for field in STAMP_FIELDS},
            closed_at=row["closed_at"],
            costs_per_hour=tuple(Decimal(cost) for cost in costs.get(row["id"], ())),
        )
        metrics.append(IncidentMetric(**figures.incident_figures(facts, now=now, tz=zone)))
    IncidentMetric.objects.bulk_create(
        metrics, update_conflicts=True, unique_fields=["incident"], update_fields=_METRIC_FIELDS
    )
    return metrics


def _moved_weeks(rows: list[dict[str, Any]], metrics: list[IncidentMetric]) -> set[date]:
    """Weeks a refresh touched: each incident's week now, and the one it was in before."""
    touched = {metric.week for metric in metrics}
    touched.update(row["metric__week"] for row in rows if row.get("metric__week"))
    return touched


def _refresh(incident_ids: list[int], now: datetime | None) -> list[IncidentMetric]:
    """Recompute these incidents' rows in one statement, then ask (after commit) for a recompute of
    the weeks they are in and were in (a moved start changes two weeks)."""
    rows = list(Incident.objects.filter(pk__in=incident_ids).values(*_INCIDENT_FIELDS, "metric__week"))
    if not rows:
        return []
    metrics = _metrics_upsert(rows, now=now or timezone.now())
    for week in sorted(_moved_weeks(rows, metrics)):
        schedule.week_on_commit(week)
    return metrics


@transaction.atomic
def incident_metric_refresh(*, incident_id: int, now: datetime | None = None) -> IncidentMetric | None:
    """Recompute one incident's row (and ask for its weeks). Three queries; None if it is gone."""
    metrics = _refresh([incident_id], now)
    return metrics[0] if metrics else None


def incidents_metric_refresh(*, incident_ids: list[int], now: datetime | None = None) -> int:
    """The same for a consumer's batch, in one statement. Returns how many rows were written."""
    return len(_refresh(incident_ids, now))


# --- Per week -------------------------------------------------------------------------------------


def _week_lock(week: date, now: datetime) -> None:
    """Serialize recomputes of one week: lock its "all" row (created if missing). Two queries.

    Two workers could otherwise read in one order and write in the other, leaving older figures.
    SQLite has no row locks, but it allows one writer at a time, which serializes the upserts.
    """
    WeeklyAggregate.objects.bulk_create(
        [WeeklyAggregate(week=week, scope=Scope.ALL, key="", computed_at=now)], ignore_conflicts=True
    )
    list(WeeklyAggregate.objects.select_for_update().filter(week=week, scope=Scope.ALL, key="").values("pk"))


def _week_refresh_stale(week: date, bounds: tuple[datetime, datetime], now: datetime) -> set[date]:
    """Refresh the rows of the week's incidents that are missing, out of date or still ongoing, and
    return the other weeks they moved from or to. One query, plus two when any row was stale."""
    start, end = bounds
    rows = Incident.objects.filter(Q(started_at__gte=start, started_at__lt=end) | Q(metric__week=week))
    rows = rows.values(*_INCIDENT_FIELDS, "metric__week", "metric__incident_version", "metric__ongoing")
    stale = [
        row
        for row in rows
        if row["metric__incident_version"] != row["version"] or row["metric__ongoing"] is not False
    ]
    return _moved_weeks(stale, _metrics_upsert(stale, now=now)) - {week}


def _subject(team_id: int, severity: str, service_ids: list[int]) -> aggregate.Subject:
    return aggregate.Subject(team_id=team_id, severity=severity, service_ids=tuple(service_ids))


def _week_rows(window: aggregate.Window) -> tuple[list, list, list]:
    """The week's incident rows, action items and COEs for `aggregate.week_aggregates`. Four queries."""
    start, end = window.bounds
    metrics = list(IncidentMetric.objects.filter(week=window.monday).values())
    created = Q(created_at__gte=start, created_at__lt=end)
    completed = Q(completed_at__gte=start, completed_at__lt=end)
    items = list(
        ActionItem.objects.filter(created | completed).values(
            *("created_at", "completed_at", "status", "due_on"),
            *("coe__incident_id", "coe__incident__team_id", "coe__incident__severity"),
        )
    )
    coes = list(
        Coe.objects.filter(due_on__gte=window.monday, due_on__lte=weeks.week_last_day(window.monday)).values(
            "due_on", "approved_at", "incident_id", "incident__team_id", "incident__severity"
        )
    )
    services = _services_of(
        [
            *(row["incident_id"] for row in metrics),
            *(row["coe__incident_id"] for row in items),
            *(row["incident_id"] for row in coes),
        ],
        with_costs=False,
    )
    metric_rows = [
        aggregate.MetricRow(
            subject=_subject(row["team_id"], row["severity"], services.get(row["incident_id"], [])),
            noise=row["noise"],
            durations={name: row[name] for name in TIME_METRICS},
            downtime=row["downtime"],
            cost=row["cost"],
        )
        for row in metrics
    ]
    item_rows = [
        aggregate.ActionItemRow(
            subject=_subject(
                row["coe__incident__team_id"],
                row["coe__incident__severity"],
                services.get(row["coe__incident_id"], []),
            ),
            created_at=row["created_at"],
            completed_at=row["completed_at"],
            status=row["status"],
            due_on=row["due_on"],
        )
        for row in items
    ]
    coe_rows = [
        aggregate.CoeRow(
            subject=_subject(
                row["incident__team_id"], row["incident__severity"], services.get(row["incident_id"], [])
            ),
            due_on=row["due_on"],
            approved_at=row["approved_at"],
        )
        for row in coes
    ]
    return metric_rows, item_rows, coe_rows


def _factor_rows(window: aggregate.Window) -> list[aggregate.FactorRow]:
    """Contributing factors of the COEs approved in the week, with their incident's subject. Two
    queries (the factors, then the services of their incidents)."""
    start, end = window.bounds
    factors = list(
        ContributingFactor.objects.filter(
            states.published_q(prefix="coe__"), coe__approved_at__gte=start, coe__approved_at__lt=end
        ).values_list("category", "coe__incident_id", "coe__incident__team_id", "coe__incident__severity")
    )
    services = _services_of([row[1] for row in factors], with_costs=False) if factors else {}
    return [
        aggregate.FactorRow(
            subject=_subject(team_id, severity, services.get(incident_id, [])), category=category
        )
        for category, incident_id, team_id, severity in factors
    ]


def _overdue_counts(window: aggregate.Window) -> dict[aggregate.Key, int]:
    """Action items overdue at the week's cutoff (its end, or now while it runs), counted per key in
    SQL: created before the cutoff, due before the cutoff's date, not completed before the cutoff, and
    not won't-do. Two grouped queries, whatever the number of items."""
    cutoff = window.cutoff
    overdue = ActionItem.objects.filter(
        states.action_item_overdue_at_q(cutoff=cutoff, cutoff_day=window.local_date(cutoff))
    )
    by_team_and_severity = (
        overdue.values_list("coe__incident__team_id", "coe__incident__severity")
        .annotate(count=Count("id"))
        .order_by()
    )
    by_service = (
        overdue.filter(coe__incident__services__isnull=False)
        .values_list("coe__incident__services")
        .annotate(count=Count("id"))
        .order_by()
    )
    return aggregate.overdue_by_key(by_team_and_severity=by_team_and_severity, by_service=by_service)


def _aggregates_store(week: date, computed: dict[aggregate.Key, dict[str, Any]], now: datetime) -> None:
    """Upsert the computed rows and delete the week's rows of scopes without activity. Two queries."""
    WeeklyAggregate.objects.bulk_create(
        [
            WeeklyAggregate(week=week, scope=scope, key=key, computed_at=now, **values)
            for (scope, key), values in sorted(computed.items())
        ],
        update_conflicts=True,
        unique_fields=["week", "scope", "key"],
        update_fields=_AGGREGATE_FIELDS,
    )
    keep = Q(scope=Scope.ALL)
    for scope in (Scope.TEAM, Scope.SERVICE, Scope.SEVERITY):
        keys = [key for (kind, key) in computed if kind == scope]
        if keys:
            keep |= Q(scope=scope, key__in=keys)
    WeeklyAggregate.objects.filter(week=week).exclude(keep).delete()


@transaction.atomic
def week_recompute(*, week: date, now: datetime | None = None) -> int:
    """Recompute every aggregate row of the ISO week starting on Monday `week`; return how many rows
    it now has ("all" always, even for an empty week, plus each team, service and severity with any
    activity; the rest are deleted).

    Holds a lock on the week's "all" row for the whole recompute. First refreshes the week's stale
    incident rows (missing, out of date, or ongoing). A fixed number of queries, whatever the number
    of incidents. If a refresh moved an incident to another week, that week is recomputed after commit.
    """
    now = now or timezone.now()
    window = aggregate.Window(monday=weeks.week_monday(week), tz=reporting_zone(), now=now)
    _week_lock(window.monday, now)
    for other in sorted(_week_refresh_stale(window.monday, window.bounds, now)):
        schedule.week_on_commit(other)
    metric_rows, item_rows, coe_rows = _week_rows(window)
    computed = aggregate.week_aggregates(
        window,
        metrics=metric_rows,
        action_items=item_rows,
        coes=coe_rows,
        overdue=_overdue_counts(window),
        factors=_factor_rows(window),
    )
    _aggregates_store(window.monday, computed, now)
    return len(computed)


# --- Periodic and history -------------------------------------------------------------------------


@dataclass(frozen=True)
class RecentResult:
    incidents_refreshed: int
    weeks: tuple[date, ...]


def recent_weeks_recompute(*, now: datetime | None = None) -> RecentResult:
    """Catch up: refresh the incident rows that are missing, out of date (the incident's version moved
    on) or ongoing, at most RECENT_REFRESH_LIMIT per run; then recompute the current and previous week
    and every week those incidents are in or moved from. Each week in its own transaction."""
    now = now or timezone.now()
    stale = (
        Incident.objects.filter(
            Q(metric__isnull=True) | Q(metric__ongoing=True) | ~Q(metric__incident_version=F("version"))
        )
        .order_by("id")
        .values(*_INCIDENT_FIELDS, "metric__week")[:RECENT_REFRESH_LIMIT]
    )
    with transaction.atomic():
        rows = list(stale)
        touched = _moved_weeks(rows, _metrics_upsert(rows, now=now))
    this_week = schedule.current_week(now)
    touched.update({this_week, this_week - weeks.WEEK})
    recomputed = tuple(sorted(week for week in touched if week <= this_week))
    for week in recomputed:
        week_recompute(week=week, now=now)
    return RecentResult(incidents_refreshed=len(rows), weeks=recomputed)


@dataclass(frozen=True)
class HistoryResult:
    weeks: int
    rows: int
    incidents: int
    seconds: float


def history_recompute(
    *,
    since: date,
    until: date | None = None,
    progress: Callable[[int, int, date], None] | None = None,
) -> HistoryResult:
    """Recompute every week from the week of `since` to the week of `until` (default: the current
    week; never past it), oldest first, each in its own transaction. `progress(done, total, week)` is
    called after each week."""
    started = time.monotonic()
    last = min(until or date.max, timezone.now().astimezone(reporting_zone()).date())
    total = weeks.weeks_count(since, last)
    rows = 0
    for done, week in enumerate(weeks.weeks_between(since, last), start=1):
        rows += week_recompute(week=week)
        if progress is not None:
            progress(done, total, week)
    first, end = weeks.week_monday(since), weeks.week_monday(last) + weeks.WEEK
    incidents = IncidentMetric.objects.filter(week__gte=first, week__lt=end).count() if total else 0
    return HistoryResult(weeks=total, rows=rows, incidents=incidents, seconds=time.monotonic() - started)


def week_pending_recompute(*, week: date) -> int:
    """The debounced recompute (the `week_recompute` task): clear the week's pending flag, then
    recompute (see schedule.week_flag_clear for why in that order)."""
    schedule.week_flag_clear(week=week)
    return week_recompute(week=week)
