"""The incidents REST API: list (filters, pagination, query counts), retrieve, declare and update, through
DRF's APIClient on the real database. Lifecycle operations, the timeline, teams and services are in
test_api_lifecycle.py; the error shapes shared by every endpoint in test_api_errors.py."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.models import Alert, AlertGroup, Integration
from incidents import services
from incidents.models import EventKind, Incident, Severity, Source, Status
from incidents.phases import Phase
from tests import factories
from tests.incidents.helpers import advance_to, events

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]

LIST = "/api/v1/incidents/"


def detail(incident: Incident) -> str:
    return f"/api/v1/incidents/{incident.pk}/"


@pytest.fixture
def incident(user, team, service):
    """Impact began three hours ago, detected two hours ago: now in evaluate."""
    now = timezone.now()
    return factories.incident(
        actor=user,
        team=team,
        services_=[service],
        title="Checkout errors",
        started_at=now - timedelta(hours=3),
        detected_at=now - timedelta(hours=2),
    )


def add_alerts(incident: Incident, count: int) -> None:
    """Alerts grouped into the incident, counted on it as the alert intake does (one call per chunk)."""
    integration = Integration.objects.create(
        name=f"Prometheus {incident.pk}",
        kind="alertmanager",
        team=incident.team,
        key_hash=f"{incident.pk:064d}",
    )
    group = AlertGroup.objects.create(integration=integration, key=f"group-{incident.pk}", incident=incident)
    now = timezone.now()
    for index in range(count):
        Alert.objects.create(
            integration=integration,
            group=group,
            incident=incident,
            dedup_key=f"alert-{index}",
            title=f"Alert {index}",
            starts_at=now,
            last_event_at=now,
        )
    services.incident_alert_count_add(counts={incident.pk: count})


# --- Retrieve ----------------------------------------------------------------------------------------


def test_retrieve_returns_every_documented_field(api, incident, user, service):
    add_alerts(incident, 2)

    response = api.get(detail(incident))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == incident.pk
    assert body["reference"] == f"INC-{incident.pk}"
    assert body["title"] == "Checkout errors"
    assert body["severity"] == "SEV3"
    assert body["status"] == "active"
    assert body["phase"] == "evaluate"
    assert body["source"] == "web"
    assert body["team"] == {"slug": "payments", "name": "Payments"}
    assert body["services"] == [
        {
            "slug": "checkout-api",
            "name": "Checkout API",
            "criticality": "critical",
            "cost_per_hour": "60000.00",
        }
    ]
    assert body["commander"] is None
    assert body["alert_count"] == 2
    assert body["version"] == incident.version
    assert body["url"] == f"http://testserver/incidents/{incident.pk}/"
    assert set(body["stamps"]) == {
        "started_at",
        "detected_at",
        "evaluated_at",
        "responded_at",
        "recovered_at",
        "confirmed_at",
        "closed_at",
    }
    assert body["stamps"]["detected_at"] == incident.detected_at.isoformat().replace("+00:00", "Z")
    assert body["stamps"]["evaluated_at"] is None
    for key in (
        "created_at",
        "updated_at",
        "summary",
        "customer_impact",
        "customers_affected",
        "blast_radius",
    ):
        assert key in body


def test_retrieve_durations_and_cost_follow_the_stamps(api, incident, user):
    resolved = advance_to(incident, None, actor=user)  # each phase ended ten minutes after the previous one

    body = api.get(detail(resolved)).json()

    assert body["phase"] is None
    assert body["status"] == "resolved"
    durations = body["durations"]
    assert durations["detect"] == 3600
    assert [durations[p] for p in ("evaluate", "respond", "recover", "confirm")] == [600] * 4
    assert durations["time_to_detect"] == 3600
    assert durations["time_to_recover"] == 3600 + 3 * 600
    assert durations["time_to_resolve"] == 3600 + 4 * 600
    assert durations["downtime"] == 3600 + 3 * 600
    # 60,000 an hour for 1.5 hours of downtime.
    assert Decimal(body["estimated_cost"]) == Decimal("90000.00")
    assert body["stamps"]["closed_at"] == body["stamps"]["confirmed_at"]


def test_retrieve_running_phase_counts_up_to_now(api, incident):
    body = api.get(detail(incident)).json()

    assert body["durations"]["detect"] == 3600
    assert 7195 <= body["durations"]["evaluate"] <= 7205
    assert body["durations"]["respond"] is None
    assert body["durations"]["time_to_recover"] is None


def test_retrieve_unknown_incident_returns_404_in_the_error_shape(api):
    response = api.get("/api/v1/incidents/999999/")

    assert response.status_code == 404
    assert response.json() == {
        "message": "Incident 999999 does not exist.",
        "code": "not_found",
        "extra": {"incident_id": 999999},
    }


def test_retrieve_times_are_utc_whatever_zone_the_user_picked(api, incident):
    api.post("/preferences/", {"time_zone": "Asia/Kolkata"})

    body = api.get(detail(incident)).json()

    assert body["stamps"]["started_at"].endswith("Z")


# --- List --------------------------------------------------------------------------------------------


def test_list_returns_a_page_newest_first(api, team):
    now = timezone.now()
    older = factories.incident(team=team, title="Older", detected_at=now - timedelta(days=2))
    newer = factories.incident(team=team, title="Newer", detected_at=now - timedelta(days=1))

    response = api.get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["next"] is None and body["previous"] is None
    assert [row["id"] for row in body["results"]] == [newer.pk, older.pk]
    assert body["results"][0]["alert_count"] == 0


def test_list_paginates_and_caps_page_size_at_100(api, team):
    for _ in range(3):
        factories.incident(team=team)

    first = api.get(LIST, {"page_size": 2}).json()
    second = api.get(first["next"]).json()
    capped = api.get(LIST, {"page_size": 1000}).json()

    assert first["count"] == 3 and len(first["results"]) == 2
    assert "page=2" in first["next"]
    assert len(second["results"]) == 1 and second["next"] is None
    assert len(capped["results"]) == 3  # capped at 100, not refused


def test_list_page_past_the_end_returns_404(api, incident):
    response = api.get(LIST, {"page": 5})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("param", [{"page": "0"}, {"page": "x"}, {"page_size": "0"}])
def test_list_invalid_pagination_returns_400_naming_it(api, param):
    response = api.get(LIST, param)

    assert response.status_code == 400
    (name,) = param
    assert name in response.json()["extra"]["fields"]


def test_list_filters_like_the_ui(api, user, team, service):
    other_team = factories.team("Search")
    other_service = factories.service("Search API", team=other_team)
    checkout = factories.incident(team=team, services_=[service], title="Checkout errors", severity="SEV1")
    search = factories.incident(team=other_team, services_=[other_service], title="Slow search")
    resolved = advance_to(factories.incident(team=team, title="Old outage"), None)
    responding = advance_to(factories.incident(team=team, title="Queue backlog"), Phase.RESPOND)

    def ids(**params):
        response = api.get(LIST, params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(status="resolved") == {resolved.pk}
    assert ids(status="active") == {checkout.pk, search.pk, responding.pk}
    assert ids(phase="respond") == {responding.pk}
    assert ids(severity="SEV1") == {checkout.pk}
    assert ids(team="search") == {search.pk}
    assert ids(service="checkout-api") == {checkout.pk}
    assert ids(q="SEARCH") == {search.pk}
    assert ids(team="payments", status="active") == {checkout.pk, responding.pk}
    assert ids(status="", team="") == {checkout.pk, search.pk, resolved.pk, responding.pk}  # blank: any


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("status", "closed"),
        ("phase", "celebrate"),
        ("severity", "SEV9"),
        ("team", "no-such-team"),
        ("service", "no-such-service"),
        ("q", "x" * 201),
    ],
)
def test_list_invalid_filter_returns_400_naming_the_filter(api, incident, name, value):
    response = api.get(LIST, {name: value})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["extra"]["fields"]) == [name]
    assert body["message"].startswith(f"{name}: ")


def test_list_query_count_is_constant_with_the_number_of_incidents(api, team, service):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            response = api.get(LIST, {"page_size": 50, "service": "checkout-api"})
        assert response.status_code == 200
        assert len(response.json()["results"]) == Incident.objects.count()
        return len(context)

    api.get(LIST)  # the first request of a session also reads the profile's time zone
    for _ in range(3):
        add_alerts(factories.incident(team=team, services_=[service]), 2)
    few = queries()
    for _ in range(27):
        add_alerts(factories.incident(team=team, services_=[service]), 1)
    many = queries()

    assert few == many


def test_list_issues_a_fixed_set_of_queries(api, django_assert_num_queries, team, service):
    for _ in range(5):
        factories.incident(team=team, services_=[service])
    api.get(LIST)  # the session is read and its time zone cached on the first request

    # session, user, count, page (alert counts are a column of the incident), services
    with django_assert_num_queries(5):
        assert api.get(LIST).status_code == 200


def test_list_alert_count_is_not_multiplied_by_the_service_filter(api, team, service):
    second = factories.service("Checkout DB", team=team)
    incident = factories.incident(team=team, services_=[service, second])
    add_alerts(incident, 3)

    (row,) = api.get(LIST, {"service": "checkout-api"}).json()["results"]

    assert row["alert_count"] == 3
    assert len(row["services"]) == 2


# --- Declare -----------------------------------------------------------------------------------------


def test_declare_creates_an_incident_in_evaluate_from_the_api(api, user, team, service):
    factories.user("bob")
    response = api.post(
        LIST,
        {
            "title": "  Card payments failing ",
            "team": "payments",
            "severity": "SEV1",
            "services": ["checkout-api"],
            "summary": "Card payments time out.",
            "commander": "bob",
            "customer_impact": "Cannot pay.",
            "customers_affected": 1200,
            "blast_radius": ["eu-west-1", " eu-west-1 ", "cell-3"],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    incident = Incident.objects.get()
    assert response["Location"] == f"http://testserver/api/v1/incidents/{incident.pk}/"
    assert body["id"] == incident.pk
    assert body["title"] == "Card payments failing"
    assert body["source"] == Source.API == incident.source
    assert body["phase"] == "evaluate"
    assert body["commander"] == "bob"
    assert body["blast_radius"] == ["eu-west-1", "cell-3"]
    assert [s["slug"] for s in body["services"]] == ["checkout-api"]
    (declared,) = events(incident)
    assert declared.kind == EventKind.DECLARED and declared.actor == user


def test_declare_with_backfilled_times(api, team):
    now = timezone.now().replace(microsecond=0)
    started, detected = now - timedelta(hours=2), now - timedelta(hours=1)

    response = api.post(
        LIST,
        {
            "title": "Late report",
            "team": "payments",
            "started_at": started.isoformat(),
            "detected_at": detected.isoformat(),
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    incident = Incident.objects.get()
    assert (incident.started_at, incident.detected_at) == (started, detected)
    assert response.json()["durations"]["detect"] == 3600
    assert incident.severity == Severity.SEV3


def test_declare_naive_time_is_read_as_utc(api, team):
    detected = (timezone.now() - timedelta(hours=1)).replace(microsecond=0)

    response = api.post(
        LIST,
        {"title": "Naive", "team": "payments", "detected_at": detected.strftime("%Y-%m-%dT%H:%M:%S")},
        format="json",
    )

    assert response.status_code == 201
    assert Incident.objects.get().detected_at == detected


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"team": "payments"}, "title"),
        ({"title": "", "team": "payments"}, "title"),
        ({"title": "x" * 201, "team": "payments"}, "title"),
        ({"title": "Outage"}, "team"),
        ({"title": "Outage", "team": "no-such-team"}, "team"),
        ({"title": "Outage", "team": "payments", "severity": "SEV9"}, "severity"),
        ({"title": "Outage", "team": "payments", "services": ["nope"]}, "services"),
        ({"title": "Outage", "team": "payments", "services": "checkout-api"}, "services"),
        ({"title": "Outage", "team": "payments", "commander": "nobody"}, "commander"),
        ({"title": "Outage", "team": "payments", "customers_affected": -1}, "customers_affected"),
        ({"title": "Outage", "team": "payments", "customers_affected": "many"}, "customers_affected"),
        ({"title": "Outage", "team": "payments", "blast_radius": "eu-west-1"}, "blast_radius"),
        ({"title": "Outage", "team": "payments", "detected_at": "yesterday"}, "detected_at"),
    ],
)
def test_declare_invalid_field_returns_400_naming_it(api, team, service, payload, field):
    response = api.post(LIST, payload, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["extra"]["fields"]
    assert body["message"].startswith(field)
    assert not Incident.objects.exists()


def test_declare_inactive_commander_is_refused(api, team):
    factories.user("gone", is_active=False)

    response = api.post(LIST, {"title": "Outage", "team": "payments", "commander": "gone"}, format="json")

    assert response.status_code == 400
    assert "commander" in response.json()["extra"]["fields"]


def test_declare_future_detection_is_refused_by_the_service(api, team):
    future = timezone.now() + timedelta(hours=1)

    response = api.post(
        LIST, {"title": "Outage", "team": "payments", "detected_at": future.isoformat()}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_stamp"
    assert body["message"] == "The detected time cannot be in the future."
    assert body["extra"]["field"] == "detected_at"


def test_declare_refuses_a_form_encoded_body_with_415(api, team, service):
    response = api.post(LIST, {"title": "From a form", "team": "payments", "services": ["checkout-api"]})

    assert response.status_code == 415, response.json()
    assert response.json()["code"] == "unsupported_media_type"
    assert not Incident.objects.filter(title="From a form").exists()


# --- Update ------------------------------------------------------------------------------------------


def test_update_changes_only_the_fields_sent_and_records_them(api, incident, user):
    bob = factories.user("bob")
    other = factories.service("Ledger", team=incident.team)

    response = api.patch(
        detail(incident),
        {"severity": "SEV1", "commander": "bob", "services": ["checkout-api", "ledger"], "version": 1},
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["severity"] == "SEV1"
    assert body["commander"] == "bob"
    assert body["version"] == 2
    assert body["title"] == "Checkout errors"
    incident.refresh_from_db()
    assert incident.commander == bob
    assert set(incident.services.all()) == {other, *incident.services.filter(slug="checkout-api")}
    changed = {event.data["field"] for event in events(incident, EventKind.FIELD_CHANGED)}
    assert changed == {"severity", "commander", "services"}


def test_update_without_version_applies(api, incident):
    response = api.patch(detail(incident), {"title": "Checkout down"}, format="json")

    assert response.status_code == 200
    assert response.json()["title"] == "Checkout down"


def test_update_clearing_the_commander_with_null(api, incident, user):
    api.patch(detail(incident), {"commander": "alice"}, format="json")

    response = api.patch(detail(incident), {"commander": None}, format="json")

    assert response.status_code == 200
    assert response.json()["commander"] is None


def test_update_with_a_stale_version_returns_409_and_changes_nothing(api, incident, user):
    api.patch(detail(incident), {"title": "Someone else's edit"}, format="json")  # version 1 -> 2

    response = api.patch(detail(incident), {"title": "Mine", "version": 1}, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale_version"
    assert body["extra"] == {"current_version": 2, "expected_version": 1}
    incident.refresh_from_db()
    assert incident.title == "Someone else's edit"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": ""}, "title"),
        ({"severity": "SEV0"}, "severity"),
        ({"team": "nope"}, "team"),
        ({"version": 0}, "version"),
        ({"version": "one"}, "version"),
        ({"blast_radius": [["nested"]]}, "blast_radius.0"),
    ],
)
def test_update_invalid_field_returns_400(api, incident, payload, field):
    response = api.patch(detail(incident), payload, format="json")

    assert response.status_code == 400
    assert field in response.json()["extra"]["fields"]


def test_update_unknown_incident_returns_404(api):
    response = api.patch("/api/v1/incidents/999999/", {"title": "x"}, format="json")

    assert response.status_code == 404


def test_update_refuses_stamps_status_and_unknown_fields(api, incident):
    response = api.patch(
        detail(incident), {"status": "resolved", "detected_at": timezone.now().isoformat()}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert set(body["extra"]["fields"]) == {"detected_at", "status"}
    assert body["message"].startswith("detected_at: Unknown field; accepted: title, team,")
    incident.refresh_from_db()
    assert incident.status == Status.ACTIVE
    assert incident.version == 1
