"""When recomputes run: after commit, once per transaction, eagerly or through the broker, debounced per
week in Redis (a fake client here; the real one is exercised by test_worker.py), never failing the
caller's change."""

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import transaction

from coe import services as coe_services
from coe.models import ActionItem, ActionStatus, Coe, CoeState, ReviewDecision, Reviewer
from core import consumers
from core import tasks as core_tasks
from core.models import ConsumerCursor
from incidents import services as incident_services
from metrics import consumers as metrics_consumers
from metrics import services, tasks, weeks
from metrics.models import IncidentMetric, Scope, WeeklyAggregate
from metrics.services import recompute, schedule
from tests import events, factories

pytestmark = pytest.mark.django_db


class FakeRedis:
    def __init__(self, *, fail: bool = False):
        self.keys: dict[str, int] = {}
        self.expiries: dict[str, int] = {}
        self.fail = fail

    def set(self, key, value, nx=False, ex=None):
        if self.fail:
            raise ConnectionError("Redis is down")
        if nx and key in self.keys:
            return None
        self.keys[key] = value
        self.expiries[key] = ex
        return True

    def delete(self, key):
        if self.fail:
            raise ConnectionError("Redis is down")
        self.keys.pop(key, None)


@pytest.fixture
def redis(monkeypatch):
    fake = FakeRedis()
    monkeypatch.setattr(schedule.shared_redis, "client", lambda: fake)
    return fake


@pytest.fixture
def enqueued(monkeypatch, settings):
    """Tasks go to a list instead of the broker."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent = []
    for task in (tasks.week_recompute,):
        monkeypatch.setattr(
            task, "apply_async", lambda args, _name=task.name, **options: sent.append((_name, args, options))
        )
    return sent


def _weeks_of(callbacks) -> list[date]:
    return [callback.metrics_week for callback in callbacks if hasattr(callback, "metrics_week")]


def test_an_incident_change_refreshes_its_row_and_week_after_commit_when_eager(
    user, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = factories.incident(actor=user, team=team)
    metric = IncidentMetric.objects.get(incident=incident)
    assert metric.incident_version == incident.version
    week = services.current_week()
    if metric.week == week or metric.week == week - weeks.WEEK:
        assert WeeklyAggregate.objects.get(week=metric.week, scope=Scope.ALL).incidents == 1


def test_several_events_of_one_change_make_one_refresh(user, team, monkeypatch):
    """The metrics consumer takes the change's events in one batch and refreshes the incident once."""
    refreshed = []
    monkeypatch.setattr(
        recompute, "incidents_metric_refresh", lambda incident_ids: refreshed.append(incident_ids)
    )
    incident = factories.incident(actor=user, team=team)
    incident_services.incident_update(
        incident_id=incident.pk,
        actor=user,
        expected_version=None,
        title="New",
        summary="S",
        severity="SEV1",
    )
    assert incident.events.count() > 1

    consumers.consumer_run(name="metrics.incidents")

    assert refreshed == [[incident.pk]]


def test_an_incident_change_wakes_the_metrics_consumer_on_its_queue_when_not_eager(
    user, team, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent = []
    monkeypatch.setattr(
        core_tasks.consumer_run, "apply_async", lambda args, **options: sent.append((args, options))
    )
    with django_capture_on_commit_callbacks(execute=True):
        factories.incident(actor=user, team=team)
    assert (["metrics.incidents"], {"queue": "metrics", "expires": 30}) in sent
    assert not IncidentMetric.objects.exists()  # the worker's pass will refresh it


def test_a_broker_failure_never_fails_the_change(
    user, team, settings, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(core_tasks.consumer_run, "apply_async", down)
    with (
        caplog.at_level(logging.WARNING, logger="core.doorbell"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        incident = factories.incident(actor=user, team=team)
    assert incident.pk  # the declaration stands; the periodic pass refreshes its figures
    assert "Could not wake consumer metrics.incidents" in caplog.text


def test_a_failing_refresh_never_fails_the_change_and_is_retried(
    user, team, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("bug in metrics")

    monkeypatch.setattr(recompute, "incidents_metric_refresh", broken)
    with django_capture_on_commit_callbacks(execute=True):
        incident = factories.incident(actor=user, team=team)
    assert incident.pk  # the declaration stands
    cursor = ConsumerCursor.objects.get(name="metrics.incidents")
    assert set(cursor.retries) == {str(event.pk) for event in incident.events.all()}


def test_week_changed_is_debounced(redis, enqueued, settings):
    settings.METRICS_DEBOUNCE_SECONDS = 5
    week = services.current_week()
    label = weeks.week_format(week)

    services.week_changed(week=week)
    services.week_changed(week=week + timedelta(days=3))  # the same week

    assert enqueued == [("metrics.tasks.week_recompute", [label], {"countdown": 5, "expires": 3605})]
    assert redis.keys == {f"metrics:week-pending:{label}": 1}
    assert redis.expiries[f"metrics:week-pending:{label}"] == 65


def test_the_pending_flag_is_cleared_before_the_recompute_reads(redis, enqueued, monkeypatch):
    week = services.current_week()
    key = f"metrics:week-pending:{weeks.week_format(week)}"
    services.week_changed(week=week)
    seen = []
    monkeypatch.setattr(recompute, "week_recompute", lambda week: seen.append(key in redis.keys) or 1)

    tasks.week_recompute.run(weeks.week_format(week))
    services.week_changed(week=week)  # a change after the read enqueues again

    assert seen == [False]
    assert len(enqueued) == 2


def test_future_weeks_are_not_recomputed(redis, enqueued):
    services.week_changed(week=services.current_week() + weeks.WEEK)
    assert enqueued == []


def test_week_changed_with_redis_down_logs_and_returns(enqueued, monkeypatch, caplog):
    monkeypatch.setattr(schedule.shared_redis, "client", lambda: FakeRedis(fail=True))
    with caplog.at_level(logging.WARNING, logger="metrics.services.schedule"):
        services.week_changed(week=services.current_week())
    assert "Could not enqueue the recompute of week" in caplog.text


def test_a_failed_enqueue_clears_the_flag(redis, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.week_recompute, "apply_async", down)
    services.week_changed(week=services.current_week())
    assert redis.keys == {}


def test_week_changed_recomputes_at_once_when_eager(db):
    week = services.current_week()
    services.week_changed(week=week)
    assert WeeklyAggregate.objects.filter(week=week, scope=Scope.ALL).exists()


def test_week_changed_on_commit_takes_instants_and_days(db, django_capture_on_commit_callbacks):
    monday = date(2026, 3, 2)
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        services.week_changed_on_commit(at=date(2026, 3, 8))  # a Sunday
        services.week_changed_on_commit(at=datetime(2026, 3, 4, 12, tzinfo=UTC))
        services.week_changed_on_commit(at=date(2026, 3, 9))
    assert _weeks_of(callbacks) == [monday, monday, monday + weeks.WEEK]


def test_the_coe_consumer_asks_for_each_week_of_its_batch_once(db, django_capture_on_commit_callbacks):
    class Event:
        def __init__(self, *moments):
            self.data = {"weeks": list(moments)}

    batch = [Event("2026-03-08", "2026-03-04T12:00:00+00:00"), Event("2026-03-09"), Event("2026-03-03")]
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        metrics_consumers.coe_events(batch)
    assert _weeks_of(callbacks) == [date(2026, 3, 2), date(2026, 3, 9)]


def test_action_item_changes_ask_for_their_weeks(user, team, django_capture_on_commit_callbacks):
    coe = factories.coe(actor=user, team=team)
    with django_capture_on_commit_callbacks() as created:
        item = coe_services.action_item_save(coe_id=coe.pk, actor=user, title="Add an alert")
        events.drain()  # the metrics consumer asks for the weeks the COE's events name
    assert services.current_week() in _weeks_of(created)
    ActionItem.objects.filter(pk=item.pk).update(created_at=datetime(2026, 3, 4, 12, tzinfo=UTC))
    with django_capture_on_commit_callbacks() as completed:
        coe_services.action_item_save(coe_id=coe.pk, actor=user, item_id=item.pk, status=ActionStatus.DONE)
        events.drain()
    assert date(2026, 3, 2) in _weeks_of(completed)  # the week it was created in


def test_approving_a_coe_asks_for_its_due_week(user, team, django_capture_on_commit_callbacks):
    coe = factories.coe(actor=user, team=team)
    reviewer = factories.user("rita")
    Coe.objects.filter(pk=coe.pk).update(state=CoeState.IN_REVIEW, due_on=date(2026, 1, 7))
    Reviewer.objects.create(coe=coe, user=reviewer)
    with django_capture_on_commit_callbacks() as callbacks:
        coe_services.coe_review(coe_id=coe.pk, reviewer=reviewer, decision=ReviewDecision.APPROVED)
        events.drain()
    assert Coe.objects.get(pk=coe.pk).state == CoeState.APPROVED  # SEV3 needs one approval
    assert date(2026, 1, 5) in _weeks_of(callbacks)
