"""A real Celery worker on queue "metrics", on the real Redis broker: advancing an incident through its
service leads the worker to refresh the incident's row and, debounced, recompute its week.

The test database is shared with the worker process (a transactional test, so rows are committed),
and the app is switched out of eager mode for the duration of the test. PostgreSQL only.
"""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app
from incidents import services as incident_services
from incidents.phases import Phase
from metrics.models import IncidentMetric, Scope, WeeklyAggregate
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs the shared PostgreSQL"),
]


WORKER = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "metrics", "--pool", "solo"]
WORKER += ["--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "WARNING"]


@pytest.fixture
def metrics_worker():
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "0",
        "SECRET_KEY": "worker-test-secret-key-0123456789abcdef-0123456789",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "REPORTING_TIME_ZONE": settings.REPORTING_TIME_ZONE,
        "METRICS_DEBOUNCE_SECONDS": "0.5",
    }
    app.control.purge()
    process = subprocess.Popen(
        WORKER,
        cwd=Path(settings.BASE_DIR),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def not_eager(settings):
    """Tasks go through the broker for real during the test."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = previous


def _wait_for(condition, worker, seconds: float = 45) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        assert worker.poll() is None, worker.stdout.read().decode()
        time.sleep(0.2)
    raise AssertionError("the worker did not get there in time")


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

    _wait_for(refreshed, metrics_worker)
    metric = IncidentMetric.objects.get(incident=incident)
    assert (metric.time_to_detect, metric.time_to_recover, metric.ongoing) == (300, 1500, False)

    def aggregated() -> bool:
        row = WeeklyAggregate.objects.filter(week=metric.week, scope=Scope.TEAM, key=str(team.pk)).first()
        return row is not None and row.durations["time_to_recover"]["count"] == 1

    _wait_for(aggregated, metrics_worker)
    row = WeeklyAggregate.objects.get(week=metric.week, scope=Scope.TEAM, key=str(team.pk))
    assert row.incidents == 1
    assert row.durations["time_to_recover"]["p50"] == 1500.0
    assert WeeklyAggregate.objects.get(week=metric.week, scope=Scope.ALL).incidents >= 1
