"""A real Celery worker on queue "metrics", on the real Redis broker: advancing an incident through its
service leads the worker to refresh the incident's row and, debounced, recompute its week.

The test database is shared with the worker process (a transactional test, so rows are committed),
and the app is switched out of eager mode for the duration of the test. PostgreSQL only.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from incidents import services as incident_services
from incidents.phases import Phase
from metrics.models import IncidentMetric, Scope, WeeklyAggregate
from tests import factories
from tests.worker import start_worker, stop_worker, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs the shared PostgreSQL"),
]


@pytest.fixture
def metrics_worker(settings):
    process = start_worker(
        queues="metrics", REPORTING_TIME_ZONE=settings.REPORTING_TIME_ZONE, METRICS_DEBOUNCE_SECONDS="0.5"
    )
    yield process
    stop_worker(process)


def test_a_phase_change_reaches_the_weekly_aggregate_through_the_worker(metrics_worker, not_eager, user):
    now = timezone.now()
    team = factories.team("Orders")
    incident = factories.incident(
        actor=user, team=team, severity="SEV2", started_at=now - timedelta(minutes=30),
        detected_at=now - timedelta(minutes=25),
    )  # fmt: skip
    incident = incident_services.incident_advance(
        incident_id=incident.pk, actor=user, expected_phase=Phase.EVALUATE, through=Phase.RECOVER,
        at=now - timedelta(minutes=5),
    )  # fmt: skip

    def refreshed() -> bool:
        metric = IncidentMetric.objects.filter(incident=incident).first()
        return metric is not None and metric.incident_version == incident.version

    wait_for(refreshed, timeout=45, worker=metrics_worker)
    metric = IncidentMetric.objects.get(incident=incident)
    assert (metric.time_to_detect, metric.time_to_recover, metric.ongoing) == (300, 1500, False)

    def aggregated() -> bool:
        row = WeeklyAggregate.objects.filter(week=metric.week, scope=Scope.TEAM, key=str(team.pk)).first()
        return row is not None and row.durations["time_to_recover"]["count"] == 1

    wait_for(aggregated, timeout=45, worker=metrics_worker)
    row = WeeklyAggregate.objects.get(week=metric.week, scope=Scope.TEAM, key=str(team.pk))
    assert row.incidents == 1
    assert row.durations["time_to_recover"]["p50"] == 1500.0
    assert WeeklyAggregate.objects.get(week=metric.week, scope=Scope.ALL).incidents >= 1
