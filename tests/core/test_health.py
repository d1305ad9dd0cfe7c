"""/healthz (shallow) and /readyz (deep), through Django's test client without a login."""

import pytest

from core import health
from tests import events, factories


@pytest.mark.django_db  # CaptureQueriesContext connects first; the count is what matters
def test_healthz_answers_ok_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_without_database_access_still_answers(client):
    # No db fixture: any query would raise "Database access not allowed".
    response = client.get("/healthz")

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_healthz_other_than_get_is_not_allowed(client, method):
    response = getattr(client, method)("/healthz")

    assert response.status_code == 405


@pytest.mark.django_db
def test_readyz_with_database_and_redis_up_answers_ok_with_timings(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "redis"}
    for check in body["checks"].values():
        assert check["ok"] is True
        assert isinstance(check["ms"], int | float) and not isinstance(check["ms"], bool)
    assert "failing" not in body


@pytest.mark.django_db
def test_readyz_with_redis_unreachable_answers_503_naming_redis(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["redis"]
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["redis"]["error"] == "ConnectionError"
    assert b"127.0.0.1" not in response.content
    assert b"redis://" not in response.content


@pytest.mark.django_db
def test_readyz_with_database_check_failing_answers_503_naming_database(client, monkeypatch):
    def broken(timeout: float) -> None:
        raise OSError("could not connect to server at postgres://postgres:secret@db:5432")

    monkeypatch.setattr(health, "check_database", broken)

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert (body["checks"]["database"]["ok"], body["checks"]["database"]["error"]) == (False, "OSError")
    assert body["checks"]["redis"]["ok"] is True
    assert b"secret" not in response.content
    assert b"postgres://" not in response.content


@pytest.mark.django_db
def test_readyz_without_redis_url_checks_only_the_database(client, settings):
    settings.REDIS_URL = ""

    response = client.get("/readyz")

    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"database"}


def test_readyz_post_is_not_allowed(client):
    assert client.post("/readyz").status_code == 405


@pytest.mark.django_db
def test_readyz_shows_each_consumers_lag(client, user):
    factories.incident(actor=user, title="Checkout 500s")  # two consumers of the timeline now lag

    behind = client.get("/readyz").json()["consumers"]
    events.drain()
    caught_up = client.get("/readyz").json()["consumers"]

    assert {"metrics.incidents", "notifications.incident-webhooks", "metrics.coe"} <= set(behind)
    assert behind["metrics.incidents"]["lag_events"] >= 1
    assert behind["metrics.incidents"]["oldest_unhandled_seconds"] is not None
    assert caught_up["metrics.incidents"] == {
        "lag_events": 0,
        "waiting": 0,
        "oldest_unhandled_seconds": None,
        "failed": 0,
    }
