"""The incident's `alert_count`, kept by the intake through `incidents.services.incident_alert_count_add`:
each new alert counts once, a repeat delivery or an update counts nothing, and a chunk costs one UPDATE
per incident however many alerts it brings."""

import json
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts import services, tasks
from alerts.models import Alert, Delivery, DeliveryState
from incidents.models import Incident


def generic(dedup_key: str, *, group_key: str, status: str = "firing") -> bytes:
    body = {"title": f"Alert {dedup_key}", "dedup_key": dedup_key, "group_key": group_key, "status": status}
    return json.dumps(body).encode()


def _count_updates(captured) -> int:
    return sum(
        1
        for query in captured.captured_queries
        if query["sql"].startswith('UPDATE "incidents_incident"') and '"alert_count"' in query["sql"]
    )


def test_each_new_alert_counts_once_and_repeats_count_nothing(post, make_integration):
    _integration, key = make_integration("generic")
    post(key, generic("a", group_key="checkout"))
    post(key, generic("b", group_key="checkout"))
    post(key, generic("a", group_key="checkout"))  # the same alert again: an update, not a new one
    incident = Incident.objects.get()
    version = incident.version

    post(key, generic("a", group_key="checkout", status="resolved"))

    incident.refresh_from_db()
    assert Alert.objects.filter(incident=incident).count() == 2
    assert incident.alert_count == 2
    assert incident.version == version  # alerts arriving never make a person's edit stale


def test_reprocessing_a_delivery_does_not_count_its_alert_again(post, make_integration):
    _integration, key = make_integration("generic")
    post(key, generic("a", group_key="g"))
    delivery = Delivery.objects.get()

    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.PENDING)  # as if a worker died after
    services.delivery_process(delivery_id=delivery.pk)

    assert Incident.objects.get().alert_count == 1


def test_a_chunk_updates_each_incident_once_whatever_its_alerts(post, make_integration):
    _integration, key = make_integration("generic")
    with mock.patch.object(tasks.deliveries_process, "apply_async", side_effect=OSError("broker down")):
        for index in range(6):  # stored, not processed: the sweep takes them in one chunk
            post(key, generic(f"a{index}", group_key="one" if index < 4 else "two"))
    assert Delivery.objects.filter(state=DeliveryState.PENDING).count() == 6

    with CaptureQueriesContext(connection) as captured:
        tasks.deliveries_sweep()

    assert Delivery.objects.filter(state=DeliveryState.PENDING).count() == 0
    counts = dict(Incident.objects.values_list("title", "alert_count"))
    assert sorted(counts.values()) == [2, 4]
    assert _count_updates(captured) == 2  # one per incident, not one per alert
