"""core.consumers: cursors over the published logs, read once each, gaps for ids that commit late,
bounded retries, recorded failures, and the lag. The log here is the incident timeline."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from core import consumers
from core.models import ConsumerCursor, ConsumerFailure
from incidents.models import EventKind, IncidentEvent
from tests import factories

pytestmark = pytest.mark.django_db


class Recorder:
    """A handler that remembers what it was given, and can be told to fail on some events."""

    def __init__(self, fail_on=()):
        self.seen: list[int] = []
        self.fail_on = set(fail_on)

    def __call__(self, events):
        for event in events:
            if event.pk in self.fail_on:
                raise RuntimeError(f"cannot handle {event.pk}")
        self.seen.extend(event.pk for event in events)


@pytest.fixture
def register():
    added = []

    def add(handler, name="test-consumer", batch_size=200):
        consumer = consumers.Consumer(
            name=name, log="incidents.IncidentEvent", handle=handler, batch_size=batch_size
        )
        consumers.register(consumer)
        added.append(name)
        return consumer

    yield add
    for name in added:
        consumers._registry.pop(name, None)


@pytest.fixture
def incident(db):
    return factories.incident(title="Checkout 500s")


def note(incident, body="a note"):
    return IncidentEvent.objects.create(
        incident=incident, kind=EventKind.NOTE, occurred_at=timezone.now(), body=body
    )


def test_consumer_reads_each_event_once(register, incident):
    recorder = Recorder()
    register(recorder)
    existing = list(IncidentEvent.objects.values_list("id", flat=True))
    first, second = note(incident), note(incident)

    result = consumers.consumer_run(name="test-consumer")
    again = consumers.consumer_run(name="test-consumer")

    assert recorder.seen == [*existing, first.pk, second.pk]
    assert (result.handled, again.handled) == (len(existing) + 2, 0)
    assert ConsumerCursor.objects.get(name="test-consumer").position == second.pk


def test_batches_are_bounded_and_the_next_pass_goes_on(register, incident):
    recorder = Recorder()
    register(recorder, batch_size=2)
    for i in range(4):
        note(incident, f"n{i}")
    total = IncidentEvent.objects.count()

    passes = [consumers.consumer_run(name="test-consumer").handled for _ in range(total)]

    assert sorted(recorder.seen) == sorted(IncidentEvent.objects.values_list("id", flat=True))
    assert max(passes) == 2 and sum(passes) == total


def test_a_failing_event_is_retried_with_backoff_then_recorded_and_skipped(register, incident, settings):
    settings.CONSUMER_MAX_ATTEMPTS = 3
    bad = note(incident, "poison")
    good = note(incident, "fine")
    recorder = Recorder(fail_on={bad.pk})
    register(recorder)

    first = consumers.consumer_run(name="test-consumer", now=1000.0)
    assert good.pk in recorder.seen and bad.pk not in recorder.seen
    assert (first.retried, first.failed) == (1, 0)
    cursor = ConsumerCursor.objects.get(name="test-consumer")
    assert cursor.position == good.pk  # the cursor moved on; the bad one waits in the retries
    retry_at = cursor.retries[str(bad.pk)]["retry_at"]
    assert 1000.0 <= retry_at <= 1000.0 + consumers.BACKOFF_BASE * 2

    assert consumers.consumer_run(name="test-consumer", now=999.0).retried == 0  # not due yet
    second = consumers.consumer_run(name="test-consumer", now=retry_at)
    assert second.retried == 1
    retry_at = ConsumerCursor.objects.get(name="test-consumer").retries[str(bad.pk)]["retry_at"]
    third = consumers.consumer_run(name="test-consumer", now=retry_at + consumers.BACKOFF_CAP)

    assert third.failed == 1
    failure = ConsumerFailure.objects.get(consumer="test-consumer")
    assert (failure.event_id, failure.attempts) == (bad.pk, 3)
    assert "cannot handle" in failure.error
    assert ConsumerCursor.objects.get(name="test-consumer").retries == {}
    assert consumers.consumer_lag(name="test-consumer").failed == 1

    recorder.fail_on.clear()
    consumers.failure_retry(failure_id=failure.pk)
    assert consumers.consumer_run(name="test-consumer").handled == 1
    assert recorder.seen.count(bad.pk) == 1
    assert consumers.consumer_lag(name="test-consumer").failed == 0


def test_a_failing_consumer_does_not_block_another(register, incident):
    event = note(incident)
    broken, working = Recorder(fail_on={event.pk}), Recorder()
    register(broken, name="broken")
    register(working, name="working")

    results = consumers.consumers_run()

    assert event.pk in working.seen
    assert results["broken"].retried == 1 and results["working"].handled >= 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite hands a rolled-back id out again")
def test_an_id_rolled_back_is_looked_for_until_the_gap_expires(register, incident, settings):
    settings.CONSUMER_GAP_SECONDS = 60
    recorder = Recorder()
    register(recorder)
    consumers.consumer_run(name="test-consumer", now=0.0)
    with pytest.raises(RuntimeError), transaction.atomic():
        lost = note(incident, "rolled back")
        raise RuntimeError("roll it back")
    after = note(incident)

    consumers.consumer_run(name="test-consumer", now=100.0)
    assert after.pk in recorder.seen
    assert str(lost.pk) in ConsumerCursor.objects.get(name="test-consumer").gaps
    consumers.consumer_run(name="test-consumer", now=200.0)

    assert ConsumerCursor.objects.get(name="test-consumer").gaps == {}
    assert lost.pk not in recorder.seen


def test_lag_counts_events_behind_and_the_age_of_the_oldest(register, incident, time_machine):
    register(Recorder())
    consumers.consumer_run(name="test-consumer")
    time_machine.move_to(timezone.now(), tick=False)
    note(incident)
    note(incident)
    time_machine.shift(90)

    lag = consumers.consumer_lag(name="test-consumer")

    assert lag.events == 2
    assert lag.oldest_seconds == pytest.approx(90, abs=1)
    consumers.consumer_run(name="test-consumer")
    assert consumers.consumer_lag(name="test-consumer").events == 0
    assert consumers.consumer_lag(name="test-consumer").oldest_seconds is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL transactions")
def test_events_committed_out_of_id_order_are_not_skipped(register):
    """T1 appends first (the lower id) but commits after T2; the pass between sees only T2's."""
    incident = factories.incident(title="Out of order")
    recorder = Recorder()
    register(recorder)
    consumers.consumer_run(name="test-consumer")
    inserted, release, done = threading.Event(), threading.Event(), threading.Event()
    ids = {}

    def slow_writer():
        try:
            with transaction.atomic():
                ids["slow"] = note(incident, "slow").pk
                inserted.set()
                release.wait(timeout=20)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert inserted.wait(timeout=20)
    fast = note(incident, "fast")  # autocommit: committed at once, with the higher id

    consumers.consumer_run(name="test-consumer")
    assert fast.pk in recorder.seen and ids["slow"] not in recorder.seen
    assert ids["slow"] < fast.pk
    release.set()
    assert done.wait(timeout=20)
    thread.join(timeout=20)
    consumers.consumer_run(name="test-consumer")

    assert recorder.seen.count(ids["slow"]) == 1 and recorder.seen.count(fast.pk) == 1
    assert str(ids["slow"]) not in ConsumerCursor.objects.get(name="test-consumer").gaps


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL transactions")
def test_a_consumer_held_by_another_worker_is_skipped(register):
    register(Recorder())
    consumers.consumer_run(name="test-consumer")
    held, release, done = threading.Event(), threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                ConsumerCursor.objects.select_for_update().get(name="test-consumer")
                held.set()
                release.wait(timeout=20)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=other_worker)
    thread.start()
    assert held.wait(timeout=20)
    try:
        assert consumers.consumer_run(name="test-consumer").skipped
    finally:
        release.set()
        thread.join(timeout=20)
    assert not consumers.consumer_run(name="test-consumer").skipped


def test_registering_one_name_for_two_handlers_is_refused(register):
    register(Recorder(), name="twice")
    with pytest.raises(ValueError, match="twice"):
        consumers.register(consumers.Consumer(name="twice", log="incidents.IncidentEvent", handle=Recorder()))


def test_admin_lists_cursors_with_their_lag_and_failures_with_a_retry(register, incident, client, settings):
    settings.CONSUMER_MAX_ATTEMPTS = 1
    bad = note(incident, "poison")
    register(Recorder(fail_on={bad.pk}))
    consumers.consumer_run(name="test-consumer")
    admin = factories.user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)

    cursors = client.get("/admin/core/consumercursor/")
    failures = client.get("/admin/core/consumerfailure/")
    failure = ConsumerFailure.objects.get()
    retried = client.post(
        "/admin/core/consumerfailure/", {"action": "retry", "_selected_action": [failure.pk]}, follow=True
    )

    assert cursors.status_code == 200 and "test-consumer" in cursors.content.decode()
    assert failures.status_code == 200 and str(bad.pk) in failures.content.decode()
    assert "will be handled again" in retried.content.decode()
    assert ConsumerFailure.objects.get().retried_at is not None
    assert str(bad.pk) in ConsumerCursor.objects.get(name="test-consumer").retries
