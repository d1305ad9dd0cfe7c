"""A real Celery worker on the real Redis broker processes what the endpoint stored.

The test database is shared with the worker process (a transactional test, so rows are committed),
and the app is switched out of eager mode for the duration of the test.
"""

import json
import time

import pytest
from django.db import connection

from alerts import services
from alerts.models import Delivery, DeliveryState
from incidents.models import Incident
from tests import factories
from tests.worker import start_worker, stop_worker

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs the shared PostgreSQL"),
]


@pytest.fixture
def worker():
    process = start_worker(queues="ingest,default")
    yield process
    stop_worker(process)


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
