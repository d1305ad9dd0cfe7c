import pytest
import redis
from rest_framework.test import APIClient

from alerts import doorbell as alerts_doorbell
from config.celery import app as celery_app
from core import consumers
from core import redis as shared_redis
from metrics.services.schedule import PENDING_KEY
from tests import factories
from tests.worker import not_eager  # noqa: F401 (a fixture, for the tests that start a real worker)


@pytest.fixture
def user(db):
    return factories.user("alice", first_name="Alice")


@pytest.fixture
def client_logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def team(db):
    return factories.team("Payments")


@pytest.fixture
def service(team):
    return factories.service("Checkout API", team=team, critical=True, cost_per_hour="60000")


@pytest.fixture
def private_cache(settings):
    """A cache of this test's own (throttle counters), not the Redis other test runs share."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def api(user):
    """DRF's client, logged in as `user`."""
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _tasks_run_eagerly(request):
    """Every test but a real-worker one runs tasks in-process; a test that leaked the broker mode into
    the next ones would make them pass or fail for the wrong reason."""
    if "not_eager" not in request.fixturenames:
        assert celery_app.conf.task_always_eager, "a previous test left Celery out of eager mode"


@pytest.fixture(autouse=True)
def _ingestion_doorbell_armed():
    """The ingestion doorbell debounces rings per process and in Redis (alerts.doorbell); a test whose
    ring found no drain (a broker made to fail, a task mocked) must not mute the next test's."""
    alerts_doorbell.reset()


@pytest.fixture(autouse=True)
def _doorbells_armed():
    """The consumers' doorbell (core.doorbell) and the metrics week debounce (metrics.services.schedule)
    keep a key in Redis until the task they enqueued runs; a test that rang without that task running
    (tasks mocked, or sent to a broker nobody reads) must not mute the next test's ring."""
    client = shared_redis.client()
    if client is None:
        return
    try:
        for pattern in (consumers.WAKE_KEY.format("*"), PENDING_KEY.format(week="*")):
            keys = list(client.scan_iter(match=pattern, count=100))
            if keys:
                client.delete(*keys)
    except redis.RedisError:
        pass  # Redis is down for this run: nothing was debounced either
