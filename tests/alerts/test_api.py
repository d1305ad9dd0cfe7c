"""The alerts REST API (read-only): list (filters, pagination, query counts) and retrieve, through DRF's
APIClient on the real database. Alerts are made the way tools make them: a POST to the integration's
hook, processed eagerly on commit (the `post` fixture)."""

import json
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from alerts import services
from alerts.models import Alert, Integration
from core import services as core_services
from tests import factories

pytestmark = pytest.mark.django_db

LIST = "/api/v1/alerts/"


def detail(alert_id: int) -> str:
    return f"/api/v1/alerts/{alert_id}/"


@pytest.fixture(autouse=True)
def _private_cache(settings):
    """Throttle counters in a cache of this test's own, not the Redis other test runs share."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


@pytest.fixture
def send(post):
    """Report one alert's state to an integration's hook, as a tool would; returns the alert."""

    def report(key: str, dedup_key: str, *, status: str = "firing", group_key: str = "", **fields) -> Alert:
        body = {"title": f"Alert {dedup_key}", "dedup_key": dedup_key, "status": status, **fields}
        body["group_key"] = group_key or dedup_key
        response = post(key, json.dumps(body).encode())
        assert response.status_code == 202, response.content
        return Alert.objects.filter(dedup_key=dedup_key).latest("id")

    return report


@pytest.fixture
def prometheus(team) -> tuple[Integration, str]:
    return services.integration_create(name="Prometheus", kind="generic", team=team)


@pytest.fixture
def uptime(team) -> tuple[Integration, str]:
    return services.integration_create(name="Uptime checks", kind="generic", team=team)


def ago(minutes: int) -> str:
    return (timezone.now() - timedelta(minutes=minutes)).isoformat()


@pytest.fixture
def alerts(prometheus, uptime, send) -> dict[str, Alert]:
    """Four alerts in three incidents. Prometheus: cpu and disk grouped together (firing), latency on
    its own (acknowledged); uptime: ping (resolved). Each began at a different time, not in the
    order they arrived."""
    _, prometheus_key = prometheus
    _, uptime_key = uptime
    made = {
        "disk": send(prometheus_key, "disk", group_key="db", started_at=ago(30)),
        "cpu": send(prometheus_key, "cpu", group_key="db", started_at=ago(40)),
        "latency": send(prometheus_key, "latency", started_at=ago(10)),
        "ping": send(uptime_key, "ping", started_at=ago(20)),
    }
    send(prometheus_key, "latency", status="acknowledged", started_at=ago(5))
    send(uptime_key, "ping", status="resolved", ended_at=ago(1))
    for alert in made.values():
        alert.refresh_from_db()
    return made


def ids(client: APIClient, **params) -> list[int]:
    response = client.get(LIST, params)
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


# --- Authentication ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [LIST, detail(1)])
def test_without_credentials_returns_401_in_the_error_shape(path):
    response = APIClient().get(path)

    assert response.status_code == 401
    assert response.json() == {
        "message": "Authentication credentials were not provided.",
        "code": "not_authenticated",
        "extra": {},
    }
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_bearer_token_opens_the_list_and_the_detail(user, alerts):
    _, plaintext = core_services.api_token_create(user=user, name="script")
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {plaintext}")

    listed = client.get(LIST)
    one = client.get(detail(alerts["cpu"].pk))

    assert listed.status_code == 200
    assert listed.json()["count"] == 4
    assert one.status_code == 200
    assert one.json()["id"] == alerts["cpu"].pk


def test_an_unknown_token_returns_401(alerts):
    response = APIClient().get(LIST, HTTP_AUTHORIZATION="Bearer cs_not-a-real-token")

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


# --- Retrieve ----------------------------------------------------------------------------------------


def test_retrieve_returns_every_documented_field(api, prometheus, send):
    integration, key = prometheus
    send(
        key,
        "checkout-5xx",
        title="Checkout 5xx above 5%",
        description="Error rate on /pay.",
        severity="critical",
        labels={"service": "checkout-api", "region": "eu-west-1"},
        links=[{"href": "https://grafana.example.com/d/checkout", "text": "Dashboard"}],
        started_at=ago(15),
    )
    alert = send(key, "checkout-5xx", status="acknowledged", title="Checkout 5xx above 5%", started_at=ago(5))
    alert.refresh_from_db()

    response = api.get(detail(alert.pk))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "id",
        "integration",
        "incident",
        "dedup_key",
        "status",
        "title",
        "description",
        "severity",
        "labels",
        "annotations",
        "links",
        "starts_at",
        "ends_at",
        "acknowledged_at",
        "last_event_at",
        "delivery_count",
        "created_at",
        "updated_at",
    }
    assert body["id"] == alert.pk
    assert body["integration"] == {"id": integration.pk, "name": "Prometheus", "kind": "generic"}
    assert body["incident"] == {
        "id": alert.incident_id,
        "reference": f"INC-{alert.incident_id}",
        "url": f"http://testserver/incidents/{alert.incident_id}/",
    }
    assert body["dedup_key"] == "checkout-5xx"
    assert body["status"] == "acknowledged"
    assert body["title"] == "Checkout 5xx above 5%"
    assert body["description"] == "Error rate on /pay."
    assert body["labels"] == {"service": "checkout-api", "region": "eu-west-1"}
    assert body["annotations"] == {}
    assert body["severity"] == "critical"
    assert body["links"] == [{"href": "https://grafana.example.com/d/checkout", "text": "Dashboard"}]
    assert body["ends_at"] is None
    assert body["delivery_count"] == 2
    for field in ("starts_at", "acknowledged_at", "last_event_at", "created_at", "updated_at"):
        assert body[field].endswith("Z"), field  # UTC, like the rest of the API
        assert datetime.fromisoformat(body[field]) == getattr(alert, field), field


def test_retrieve_a_resolved_alert_has_its_end(api, alerts):
    ping = alerts["ping"]

    body = api.get(detail(ping.pk)).json()

    assert body["status"] == "resolved"
    assert datetime.fromisoformat(body["ends_at"]) == ping.ends_at


def test_retrieve_unknown_alert_returns_404_in_the_error_shape(api):
    response = api.get(detail(999_999))

    assert response.status_code == 404
    assert response.json() == {
        "message": "Alert 999999 does not exist.",
        "code": "not_found",
        "extra": {"alert_id": 999_999},
    }


def test_retrieve_a_non_numeric_id_returns_json_404(api):
    response = api.get("/api/v1/alerts/abc/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- List --------------------------------------------------------------------------------------------


def test_list_returns_a_page_newest_first(api, alerts):
    response = api.get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert body["next"] is None and body["previous"] is None
    by_start = ["latency", "ping", "disk", "cpu"]  # began 10, 20, 30, 40 minutes ago
    assert [row["id"] for row in body["results"]] == [alerts[name].pk for name in by_start]
    assert body["results"][0] == api.get(detail(alerts["latency"].pk)).json()  # rows are full alerts


def test_list_filters_by_integration_status_and_incident(api, alerts, prometheus, uptime):
    cpu, disk, latency, ping = (alerts[name].pk for name in ("cpu", "disk", "latency", "ping"))
    assert alerts["cpu"].incident_id == alerts["disk"].incident_id  # grouped by their group key

    assert set(ids(api, integration=prometheus[0].pk)) == {cpu, disk, latency}
    assert ids(api, integration=uptime[0].pk) == [ping]
    assert set(ids(api, status="firing")) == {cpu, disk}
    assert ids(api, status="acknowledged") == [latency]
    assert ids(api, status="resolved") == [ping]
    assert set(ids(api, incident=alerts["cpu"].incident_id)) == {cpu, disk}
    assert ids(api, incident=alerts["ping"].incident_id) == [ping]


def test_list_filters_combine(api, alerts, prometheus, uptime):
    prometheus_id, uptime_id = prometheus[0].pk, uptime[0].pk
    db_incident = alerts["cpu"].incident_id

    assert ids(api, integration=prometheus_id, status="acknowledged") == [alerts["latency"].pk]
    assert ids(api, integration=uptime_id, status="firing") == []
    assert set(ids(api, integration=prometheus_id, incident=db_incident, status="firing")) == {
        alerts["cpu"].pk,
        alerts["disk"].pk,
    }
    assert ids(api, integration=uptime_id, incident=db_incident) == []
    assert len(ids(api, integration="", status="", incident="")) == 4  # blank: any


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("integration", "abc"),
        ("integration", "999999"),
        ("status", "closed"),
        ("incident", "abc"),
        ("incident", "999999"),
    ],
)
def test_list_invalid_filter_returns_400_naming_the_filter(api, alerts, name, value):
    response = api.get(LIST, {name: value})

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"message", "code", "extra"}
    assert body["code"] == "invalid"
    assert list(body["extra"]["fields"]) == [name]
    assert body["message"].startswith(f"{name}: ")


def test_list_paginates(api, alerts):
    first = api.get(LIST, {"page_size": 3}).json()
    second = api.get(first["next"]).json()

    assert first["count"] == 4 and len(first["results"]) == 3
    assert "page=2" in first["next"] and first["previous"] is None
    assert len(second["results"]) == 1 and second["next"] is None
    assert {row["id"] for row in first["results"] + second["results"]} == {a.pk for a in alerts.values()}


def test_list_paginates_filtered_results(api, alerts, prometheus):
    body = api.get(LIST, {"integration": prometheus[0].pk, "page_size": 2}).json()

    assert body["count"] == 3 and len(body["results"]) == 2
    assert f"integration={prometheus[0].pk}" in body["next"]


def test_list_page_past_the_end_returns_404(api, alerts):
    response = api.get(LIST, {"page": 5})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("param", [{"page": "0"}, {"page": "x"}, {"page_size": "0"}])
def test_list_invalid_pagination_returns_400_naming_it(api, param):
    response = api.get(LIST, param)

    assert response.status_code == 400
    (name,) = param
    assert list(response.json()["extra"]["fields"]) == [name]


def send_batch(post, key: str, start: int, count: int) -> None:
    """`count` alerts in one delivery, spread over five groups (so five incidents)."""
    batch = {
        "alerts": [
            {"title": f"Alert {n}", "dedup_key": f"alert-{n}", "group_key": f"group-{n % 5}"}
            for n in range(start, start + count)
        ]
    }
    assert post(key, json.dumps(batch).encode()).status_code == 202


@pytest.mark.parametrize("params", [{}, {"status": "firing"}])
def test_list_query_count_is_constant_with_the_number_of_alerts(
    api, django_assert_num_queries, prometheus, uptime, post, params
):
    send_batch(post, prometheus[1], 0, 2)
    send_batch(post, uptime[1], 2, 1)
    api.get(LIST)  # the session is read and its time zone cached on the first request

    # session, user, count, page (with integration and incident joined)
    with django_assert_num_queries(4):
        few = api.get(LIST, {"page_size": 50, **params})
    send_batch(post, prometheus[1], 3, 14)
    send_batch(post, uptime[1], 17, 13)
    with django_assert_num_queries(4):
        many = api.get(LIST, {"page_size": 50, **params})

    assert len(few.json()["results"]) == 3
    assert len(many.json()["results"]) == 30
    assert len({row["incident"]["id"] for row in many.json()["results"]}) == 10


def test_detail_issues_a_fixed_set_of_queries(api, django_assert_num_queries, alerts):
    api.get(LIST)

    # session, user, the alert (with integration and incident joined)
    with django_assert_num_queries(3):
        assert api.get(detail(alerts["cpu"].pk)).status_code == 200


# --- Agreement with the incident -----------------------------------------------------------------------


def test_incident_alert_count_agrees_with_the_alerts_listed_for_it(api, alerts, team, send, prometheus):
    # A retriggered alert (resolved, then firing again) is a second alert with the same dedup key.
    send(prometheus[1], "disk", status="resolved", group_key="db")
    send(prometheus[1], "disk", group_key="db", started_at=ago(0))
    quiet = factories.incident(team=team, title="Declared by hand")
    incident_ids = {alert.incident_id for alert in Alert.objects.all()} | {quiet.pk}
    assert len(incident_ids) >= 4

    for incident_id in incident_ids:
        incident = api.get(f"/api/v1/incidents/{incident_id}/").json()
        listed = api.get(LIST, {"incident": incident_id}).json()
        assert incident["alert_count"] == listed["count"], incident_id
        assert {row["incident"]["id"] for row in listed["results"]} <= {incident_id}
    assert api.get(LIST, {"incident": quiet.pk}).json()["count"] == 0
