"""A real Celery worker on the real Redis broker processes what the endpoint stored.

The test database is shared with the worker process (a transactional test, so rows are committed),
and the app is switched out of eager mode for the duration of the test.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from alerts import services
from alerts.models import Delivery, DeliveryState
from config.celery import app
from incidents.models import Incident
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs the shared PostgreSQL"),
]


@pytest.fixture
def worker():
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "0",
        "SECRET_KEY": "worker-test-secret-key-0123456789abcdef-0123456789",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            "ingest,default",
            "--pool",
            "solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "WARNING",
        ],
        cwd=Path(settings.BASE_DIR),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    app.control.purge()
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


def test_worker_processes_a_stored_delivery(worker, not_eager, client):
    team = factories.team("Orders")
    _integration, key = services.integration_create(name="gen", kind="generic", team=team)
    body = json.dumps({"title": "Orders API down", "dedup_key": "orders-down"}).encode()

    response = client.post(f"/hooks/{key}/", data=body, content_type="application/json")

    assert response.status_code == 202
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if Delivery.objects.filter(state=DeliveryState.PROCESSED).exists():
            break
        assert worker.poll() is None, worker.stdout.read().decode()
        time.sleep(0.2)
    assert Delivery.objects.get().state == DeliveryState.PROCESSED
    assert Incident.objects.get().title == "Orders API down"
