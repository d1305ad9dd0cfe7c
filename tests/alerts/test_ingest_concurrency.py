"""Twenty concurrent deliveries of the same new alert make one alert and one incident (PostgreSQL).

Each thread has its own database connection, so the row locks and constraints are exercised as in
production, where several gunicorn and Celery processes race.
"""

import json
import threading

import pytest
from django.db import connection

from alerts import services
from alerts.models import Alert, Delivery, DeliveryState
from incidents.models import Incident
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

THREADS = 20


def run_concurrently(target, count: int) -> list[BaseException]:
    barrier = threading.Barrier(count)
    failures: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            target(index)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return failures


def test_twenty_concurrent_deliveries_of_one_new_alert_make_one_alert_and_one_incident(client):
    team = factories.team("Orders")
    _integration, key = services.integration_create(name="am", kind="alertmanager", team=team)
    body = json.dumps(
        {
            "version": "4",
            "status": "firing",
            "groupKey": '{}:{alertname="OrdersDown"}',
            "alerts": [
                {
                    "status": "firing",
                    "labels": {"alertname": "OrdersDown"},
                    "annotations": {"summary": "orders down"},
                    "startsAt": "2026-03-10T14:02:31Z",
                    "endsAt": "0001-01-01T00:00:00Z",
                    "fingerprint": "aaaabbbbccccdddd",
                }
            ],
        }
    ).encode()
    statuses: list[int] = []

    def deliver(index: int) -> None:
        from django.test import Client

        statuses.append(
            Client().post(f"/hooks/{key}/", data=body, content_type="application/json").status_code
        )

    failures = run_concurrently(deliver, THREADS)

    assert failures == []
    assert statuses == [202] * THREADS
    assert Delivery.objects.count() == THREADS
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.PROCESSED}
    assert Alert.objects.count() == 1
    assert Incident.objects.count() == 1
    assert Alert.objects.get().delivery_count == THREADS


def test_concurrent_batch_workers_never_process_a_delivery_twice(client):
    from unittest import mock

    from alerts import tasks

    team = factories.team("Orders")
    _integration, key = services.integration_create(name="gen", kind="generic", team=team)
    with mock.patch.object(tasks.deliveries_process, "apply_async"):  # store only; workers below
        for i in range(60):
            body = json.dumps({"title": f"alert {i}", "dedup_key": f"k{i}", "group_key": "g"}).encode()
            assert (
                client.post(f"/hooks/{key}/", data=body, content_type="application/json").status_code == 202
            )
    taken: list[int] = []

    def drain(index: int) -> None:
        while count := services.deliveries_process(limit=7):
            taken.append(count)

    failures = run_concurrently(drain, 4)

    assert failures == []
    assert sum(taken) == 60
    assert Alert.objects.count() == 60
    assert Incident.objects.count() == 1
    assert set(Alert.objects.values_list("delivery_count", flat=True)) == {1}
