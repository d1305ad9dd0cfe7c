"""The event log drives metrics and notifications end to end through a real worker: incidents are
declared and advanced (committed), the doorbell wakes the consumers on their queues, and the weekly
figures and a team's webhook follow, including after the worker is killed in the middle of a pass:
nothing is handled twice, nothing is skipped.

Transactional (the worker reads what the test commits); PostgreSQL only (the worker shares it).
"""

import threading

import pytest
from django.db import connection, connections

from core.models import ConsumerCursor
from incidents.models import Incident, IncidentEvent
from metrics.models import IncidentMetric
from notifications import services as notification_services
from notifications.models import OutboundMessage
from tests import factories
from tests.notifications.receivers import HttpReceiver
from tests.worker import children, kill, start_worker, stop_worker, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs the shared PostgreSQL"),
]

QUEUES = "notify,metrics,default"


def _webhook(team, url):
    webhook, _ = notification_services.webhook_create(
        team=team,
        name="incidents",
        url=url,
        format="generic",
        events=["incident.declared", "incident.phase_changed"],
        secret="",
    )
    return webhook


def _handled(name: str) -> int:
    newest = IncidentEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    cursor = ConsumerCursor.objects.filter(name=name).first()
    return bool(cursor and cursor.position >= newest and not cursor.gaps and not cursor.retries)


def test_a_phase_change_reaches_the_weekly_figures_and_the_webhook(not_eager):
    receiver = HttpReceiver(script=[200]).start()
    team = factories.team("Payments")
    _webhook(team, receiver.url)
    worker = start_worker(queues=QUEUES, pool="prefork", concurrency=1)
    try:
        incident = factories.incident(team=team, title="Checkout 500s")
        factories.advance(incident, to="respond")
        wait_for(lambda: len(receiver.received) >= 2, timeout=60, worker=worker)
        version = Incident.objects.values_list("version", flat=True).get(pk=incident.pk)
        wait_for(
            lambda: IncidentMetric.objects.filter(incident=incident, incident_version=version).exists(),
            timeout=60,
            worker=worker,
        )
    finally:
        output = stop_worker(worker)
        receiver.stop()

    events = sorted(received.headers["x-cornerstone-event"] for received in receiver.received)
    assert events == ["incident.declared", "incident.phase_changed"], output
    assert IncidentMetric.objects.get(incident=incident).week is not None, output


def test_a_worker_killed_in_the_middle_of_a_pass_handles_every_event_exactly_once(not_eager):
    """The webhooks consumer is held inside its pass (its INSERT waits on a table lock the test
    holds), the pool process is killed there, and the pass is redone from the same cursor."""
    receiver = HttpReceiver(script=[200]).start()
    team = factories.team("Payments")
    _webhook(team, receiver.url)
    locked, release, done = threading.Event(), threading.Event(), threading.Event()

    def hold_the_outbox():
        with connections["default"].cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("LOCK TABLE notifications_outboundmessage IN SHARE ROW EXCLUSIVE MODE")
            locked.set()
            release.wait(timeout=60)
            cursor.execute("ROLLBACK")
        connections["default"].close()
        done.set()

    holder = threading.Thread(target=hold_the_outbox)
    holder.start()
    assert locked.wait(timeout=20)
    worker = start_worker(queues=QUEUES, pool="prefork", concurrency=1)
    try:
        incidents = [factories.incident(team=team, title=f"Incident {n}") for n in range(5)]

        def waiting_on_the_lock() -> bool:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                    "WHERE NOT l.granted AND c.relname = 'notifications_outboundmessage'"
                )
                return cursor.fetchone()[0] > 0

        wait_for(waiting_on_the_lock, timeout=60, worker=worker)
        (child,) = children(worker.pid)
        kill(child)  # dies inside the pass: its transaction (effects and cursor) is rolled back
        release.set()
        assert done.wait(timeout=20)
        wait_for(lambda: _handled("notifications.incident-webhooks"), timeout=60, worker=worker)
        wait_for(lambda: _handled("metrics.incidents"), timeout=60, worker=worker)
    finally:
        release.set()
        holder.join(timeout=20)
        output = stop_worker(worker)
        receiver.stop()

    declared = OutboundMessage.objects.filter(event="incident.declared")
    assert declared.count() == len(incidents), output  # once each: nothing twice, nothing skipped
    assert {message.payload["object"]["id"] for message in declared} == {i.pk for i in incidents}
    assert IncidentMetric.objects.filter(incident__in=incidents).count() == len(incidents)
