"""Recomputing on the real database: per-incident rows and weekly aggregates of the hand-made week in
conftest.py, every figure worked out by hand; idempotence, stale rows, empty weeks and query counts."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents import services as incident_services
from metrics import services
from metrics.models import IncidentMetric, Noise, Scope, WeeklyAggregate
from tests import factories
from tests.metrics.conftest import NOW, PREVIOUS, WEEK, at, make

pytestmark = pytest.mark.django_db

I3_DOWNTIME = int((NOW - at(3)).total_seconds())  # still unrecovered: runs to NOW


def stats(count, mean, p50, p90, largest):
    return {"count": count, "mean": mean, "p50": p50, "p90": p90, "max": largest}


EMPTY = stats(0, None, None, None, None)

# The "all" row of 2026-W10. The same literal is asserted on SQLite and PostgreSQL: identical data
# gives identical aggregates on either database.
EXPECTED_DURATIONS = {
    "time_to_detect": stats(3, 700.0, 600.0, 1080.0, 1200),
    "time_to_recover": stats(2, 3000.0, 3000.0, 3960.0, 4200),
    "time_to_resolve": stats(2, 3600.0, 3600.0, 4560.0, 4800),
    "phase_detect": stats(3, 700.0, 600.0, 1080.0, 1200),
    "phase_evaluate": stats(2, 450.0, 450.0, 570.0, 600),  # i3's evaluate is still running
    "phase_respond": stats(2, 900.0, 900.0, 1140.0, 1200),
    "phase_recover": stats(2, 1200.0, 1200.0, 1680.0, 1800),
    "phase_confirm": stats(2, 600.0, 600.0, 600.0, 600),
}


def row(scope=Scope.ALL, key=""):
    return WeeklyAggregate.objects.get(week=WEEK, scope=scope, key=str(key))


def values(aggregate: WeeklyAggregate) -> dict:
    return {
        field.name: getattr(aggregate, field.name)
        for field in WeeklyAggregate._meta.concrete_fields
        if field.name not in ("id", "computed_at")
    }


# --- Per incident ---------------------------------------------------------------------------------


def test_incident_metric_refresh_computes_the_figures(week):
    metric = services.incident_metric_refresh(incident_id=week.incidents["i2"].pk, now=NOW)
    stored = IncidentMetric.objects.get(incident=week.incidents["i2"])
    assert metric.pk == stored.pk
    assert (stored.week, stored.team_id, stored.severity, stored.noise) == (WEEK, week.team_a.pk, "SEV2", "")
    assert (stored.time_to_detect, stored.time_to_recover, stored.time_to_resolve) == (600, 4200, 4800)
    assert (stored.phase_detect, stored.phase_evaluate, stored.phase_respond) == (600, 600, 1200)
    assert (stored.phase_recover, stored.phase_confirm) == (1800, 600)
    assert (stored.downtime, stored.cost, stored.ongoing) == (4200, Decimal("12600.00"), False)
    assert stored.incident_version == week.incidents["i2"].version == 5  # declared, then four advances


def test_incident_metric_refresh_of_an_ongoing_incident_runs_to_now(week):
    metric = services.incident_metric_refresh(incident_id=week.incidents["i3"].pk, now=NOW)
    assert metric.ongoing is True
    assert (metric.time_to_detect, metric.time_to_recover, metric.phase_evaluate) == (1200, None, None)
    assert metric.downtime == I3_DOWNTIME


def test_incident_metric_refresh_marks_noise(week):
    false_alarm = services.incident_metric_refresh(incident_id=week.incidents["i4"].pk, now=NOW)
    auto = services.incident_metric_refresh(incident_id=week.incidents["i5"].pk, now=NOW)
    assert (false_alarm.noise, false_alarm.downtime, false_alarm.ongoing) == (Noise.FALSE_ALARM, 0, False)
    assert (auto.noise, auto.downtime, auto.ongoing) == (Noise.AUTO_RESOLVED, 900, False)  # to closed_at


def test_incident_metric_refresh_skipped_phases_have_no_duration(user, team):
    incident = make(team=team, start=at(1), minutes=(5,))
    incident = incident_services.incident_advance(
        incident_id=incident.pk, actor=user, expected_phase="evaluate", through="recover", at=at(1, 11)
    )
    metric = services.incident_metric_refresh(incident_id=incident.pk, now=NOW)
    assert (metric.phase_detect, metric.phase_evaluate) == (300, 3300)
    assert (metric.phase_respond, metric.phase_recover) == (None, None)  # jumped over
    assert metric.time_to_recover == 3600


def test_incident_metric_refresh_of_a_missing_incident_is_a_no_op(db):
    assert services.incident_metric_refresh(incident_id=999_999) is None


def test_incident_week_is_read_in_the_reporting_zone(settings, team):
    sunday_late = datetime(2026, 3, 8, 23, 30, tzinfo=UTC)  # Monday 08:30 in Tokyo
    incident = make(team=team, start=sunday_late, minutes=(5,))
    assert services.incident_metric_refresh(incident_id=incident.pk, now=NOW).week == WEEK
    settings.REPORTING_TIME_ZONE = "Asia/Tokyo"
    assert services.incident_metric_refresh(incident_id=incident.pk, now=NOW).week == WEEK + timedelta(days=7)


# --- Per week -------------------------------------------------------------------------------------


def test_week_recompute_everything(week, follow_up):
    assert services.week_recompute(week=WEEK, now=NOW) == 10
    everything = row()
    assert values(everything) == {
        "week": WEEK,
        "scope": "all",
        "key": "",
        "incidents": 3,
        "by_severity": {"SEV1": 1, "SEV2": 2, "SEV3": 0, "SEV4": 0},
        "false_alarms": 1,
        "auto_resolved": 1,
        "durations": EXPECTED_DURATIONS,
        "downtime": 1800 + 4200 + I3_DOWNTIME,
        "cost": Decimal("14400.00"),
        "action_items_created": 4,
        "action_items_completed": 3,
        "action_items_completed_on_time": 2,
        "action_items_overdue": 2,
        "coes_due": 3,
        "coes_on_time": 1,
        "coes_late": 2,
        "factors": {},
    }
    assert everything.computed_at == NOW


def test_week_recompute_per_team(week, follow_up):
    services.week_recompute(week=WEEK, now=NOW)
    team_a, team_b = row(Scope.TEAM, week.team_a.pk), row(Scope.TEAM, week.team_b.pk)
    assert (team_a.incidents, team_a.false_alarms, team_a.auto_resolved) == (2, 0, 1)
    assert team_a.by_severity == {"SEV1": 1, "SEV2": 1, "SEV3": 0, "SEV4": 0}
    assert team_a.durations["time_to_recover"] == stats(2, 3000.0, 3000.0, 3960.0, 4200)
    assert (team_a.downtime, team_a.cost) == (6000, Decimal("14400.00"))
    assert (team_a.action_items_created, team_a.action_items_overdue) == (4, 2)
    assert (team_a.coes_due, team_a.coes_on_time, team_a.coes_late) == (2, 1, 1)
    assert (team_b.incidents, team_b.false_alarms, team_b.downtime) == (1, 1, I3_DOWNTIME)
    assert team_b.durations["time_to_recover"] == EMPTY
    assert team_b.durations["time_to_detect"] == stats(1, 1200.0, 1200.0, 1200.0, 1200)
    assert (team_b.action_items_created, team_b.coes_due, team_b.coes_late) == (0, 1, 1)


def test_week_recompute_per_service(week, follow_up):
    services.week_recompute(week=WEEK, now=NOW)
    s1, s2, s3 = (row(Scope.SERVICE, service.pk) for service in (week.s1, week.s2, week.s3))
    assert (s1.incidents, s2.incidents, s3.incidents) == (2, 1, 1)
    assert (s1.cost, s2.cost) == (Decimal("14400.00"), Decimal("12600.00"))
    assert s2.durations["time_to_detect"] == stats(1, 600.0, 600.0, 600.0, 600)
    assert (s1.action_items_completed, s2.action_items_completed) == (3, 0)  # the items hang off i1
    assert (s1.coes_due, s2.coes_due, s3.coes_due) == (2, 1, 1)


def test_week_recompute_per_severity(week, follow_up):
    services.week_recompute(week=WEEK, now=NOW)
    sev1, sev2, sev3, sev4 = (row(Scope.SEVERITY, name) for name in ("SEV1", "SEV2", "SEV3", "SEV4"))
    assert (sev1.incidents, sev2.incidents, sev3.incidents, sev4.incidents) == (1, 2, 0, 0)
    assert (sev3.false_alarms, sev4.auto_resolved) == (1, 1)
    assert sev3.durations["time_to_detect"] == EMPTY  # noise is left out of the time metrics
    assert (sev1.action_items_created, sev2.action_items_created) == (4, 0)
    assert (sev2.coes_due, sev2.coes_on_time, sev2.coes_late) == (2, 0, 2)


def test_week_recompute_leaves_other_weeks_out(week):
    services.week_recompute(week=PREVIOUS, now=NOW)
    previous = WeeklyAggregate.objects.get(week=PREVIOUS, scope=Scope.ALL)
    assert previous.incidents == 1  # i0 only
    assert previous.durations["time_to_detect"] == stats(1, 300.0, 300.0, 300.0, 300)


def test_week_recompute_of_an_empty_week_writes_zeros(db):
    assert services.week_recompute(week=WEEK, now=NOW) == 1
    everything = row()
    assert (everything.incidents, everything.downtime, everything.cost, everything.coes_due) == (0, 0, 0, 0)
    assert everything.durations["time_to_detect"] == EMPTY
    assert WeeklyAggregate.objects.count() == 1


def test_week_recompute_is_idempotent(week, follow_up):
    services.week_recompute(week=WEEK, now=NOW)
    first = {(r.scope, r.key): values(r) for r in WeeklyAggregate.objects.all()}
    ids = set(WeeklyAggregate.objects.values_list("id", flat=True))
    services.week_recompute(week=WEEK, now=NOW)
    assert {(r.scope, r.key): values(r) for r in WeeklyAggregate.objects.all()} == first
    assert set(WeeklyAggregate.objects.values_list("id", flat=True)) == ids  # updated in place


def test_week_recompute_refreshes_stale_rows(week, user):
    services.week_recompute(week=WEEK, now=NOW)
    i3 = week.incidents["i3"]
    # No worker here: the change leaves i3's row behind its incident's version.
    factories.advance(i3, to=None, actor=user, step=timedelta(minutes=10))
    IncidentMetric.objects.filter(incident=week.incidents["i1"]).delete()
    services.week_recompute(week=WEEK, now=NOW)
    i3_metric = IncidentMetric.objects.get(incident=i3)
    assert (i3_metric.ongoing, i3_metric.time_to_recover, i3_metric.downtime) == (False, 1200 + 1800, 3000)
    assert IncidentMetric.objects.filter(incident=week.incidents["i1"]).exists()
    assert row().durations["time_to_recover"]["count"] == 3


def test_week_recompute_drops_scopes_without_activity_and_moves_incidents(
    week, user, django_capture_on_commit_callbacks
):
    other = factories.team("Mobile")
    moved = make(team=other, start=at(1), minutes=(5,))
    services.week_recompute(week=WEEK, now=NOW)
    assert WeeklyAggregate.objects.filter(week=WEEK, scope=Scope.TEAM, key=str(other.pk)).exists()

    incident_services.incident_correct_stamp(
        incident_id=moved.pk, actor=user, field="started_at", value=at(-6), reason="Began the week before"
    )
    with django_capture_on_commit_callbacks() as callbacks:
        services.week_recompute(week=WEEK, now=NOW)
    assert not WeeklyAggregate.objects.filter(week=WEEK, scope=Scope.TEAM, key=str(other.pk)).exists()
    assert IncidentMetric.objects.get(incident=moved).week == PREVIOUS
    assert [getattr(callback, "metrics_week", None) for callback in callbacks] == [PREVIOUS]


def _queries(django_assert_max_num_queries, count: int) -> tuple[int, int]:
    team = factories.team(f"Team {count}")
    service = factories.service(team=team)
    for index in range(count):
        make(team=team, services=[service], start=at(1, 0, index), minutes=(5, 10, 20, 30, 40))
    with CaptureQueriesContext(connection) as stale:
        services.week_recompute(week=WEEK, now=NOW)
    with CaptureQueriesContext(connection) as fresh:
        services.week_recompute(week=WEEK, now=NOW)
    return len(stale), len(fresh)


def test_week_recompute_queries_do_not_grow_with_incidents(db, django_assert_max_num_queries):
    few = _queries(django_assert_max_num_queries, 3)
    IncidentMetric.objects.all().delete()
    WeeklyAggregate.objects.all().delete()
    many = _queries(django_assert_max_num_queries, 30)
    assert few == many
    assert many[1] <= 14


def test_recent_weeks_recompute_refreshes_changed_incidents_and_their_weeks(week, user):
    result = services.recent_weeks_recompute(now=NOW)
    assert result.incidents_refreshed == 6
    assert WEEK in result.weeks and PREVIOUS in result.weeks
    this_week = services.current_week(NOW)
    assert {this_week, this_week - timedelta(days=7)} <= set(result.weeks)
    assert IncidentMetric.objects.count() == 6

    # Only i3 is stale now (ongoing): then i1 changes too (a note does not change it).
    incident_services.incident_update(
        incident_id=week.incidents["i1"].pk, actor=user, expected_version=None, severity="SEV2"
    )
    again = services.recent_weeks_recompute(now=NOW)
    assert again.incidents_refreshed == 2
    assert row(Scope.SEVERITY, "SEV2").incidents == 3
    assert not WeeklyAggregate.objects.filter(week=WEEK, scope=Scope.SEVERITY, key="SEV1").exists()


def test_history_recompute_covers_every_week_with_progress(week, follow_up):
    calls = []
    result = services.history_recompute(
        since=PREVIOUS, until=WEEK + timedelta(days=8), progress=lambda *args: calls.append(args)
    )
    assert (result.weeks, result.incidents) == (3, 6)
    assert [(done, total) for done, total, _ in calls] == [(1, 3), (2, 3), (3, 3)]
    assert WeeklyAggregate.objects.filter(scope=Scope.ALL).count() == 3
    assert result.rows == WeeklyAggregate.objects.count()
