"""What every API endpoint shares: authentication (401), permission (403), the error shape of 400, 404,
405, 413 and 429, and the OpenAPI schema and its interactive docs."""

import re
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from core import services as core_services
from incidents.models import Incident
from tests import factories

pytestmark = pytest.mark.django_db

# Every operation, as the schema names its path.
ENDPOINTS = [
    ("get", "/api/v1/alerts/"),
    ("get", "/api/v1/alerts/{alert_id}/"),
    ("get", "/api/v1/incidents/"),
    ("get", "/api/v1/metrics/weekly/"),
    ("get", "/api/v1/metrics/weekly.csv"),
    ("post", "/api/v1/incidents/"),
    ("get", "/api/v1/incidents/{incident_id}/"),
    ("patch", "/api/v1/incidents/{incident_id}/"),
    ("post", "/api/v1/incidents/{incident_id}/advance/"),
    ("post", "/api/v1/incidents/{incident_id}/correct/"),
    ("post", "/api/v1/incidents/{incident_id}/reopen/"),
    ("post", "/api/v1/incidents/{incident_id}/false-alarm/"),
    ("get", "/api/v1/incidents/{incident_id}/timeline/"),
    ("post", "/api/v1/incidents/{incident_id}/timeline/"),
    ("get", "/api/v1/teams/"),
    ("get", "/api/v1/teams/{slug}/"),
    ("get", "/api/v1/services/"),
    ("get", "/api/v1/services/{slug}/"),
    ("post", "/api/v1/incidents/{incident_id}/coe/"),
    ("get", "/api/v1/coe/"),
    ("get", "/api/v1/coe/{coe_id}/"),
    ("put", "/api/v1/coe/{coe_id}/sections/{key}/"),
    ("get", "/api/v1/coe/{coe_id}/sections/{key}/revisions/"),
    ("post", "/api/v1/coe/{coe_id}/sections/{key}/revisions/{version}/restore/"),
    ("post", "/api/v1/coe/{coe_id}/factors/"),
    ("patch", "/api/v1/coe/{coe_id}/factors/{factor_id}/"),
    ("delete", "/api/v1/coe/{coe_id}/factors/{factor_id}/"),
    ("post", "/api/v1/coe/{coe_id}/action-items/"),
    ("get", "/api/v1/action-items/"),
    ("patch", "/api/v1/action-items/{item_id}/"),
    ("post", "/api/v1/coe/{coe_id}/submit/"),
    ("post", "/api/v1/coe/{coe_id}/review/"),
    ("post", "/api/v1/coe/{coe_id}/reopen/"),
    ("post", "/api/v1/coe/lint/"),
    ("get", "/api/v1/coe/{coe_id}/sections/{key}/comments/"),
    ("post", "/api/v1/coe/{coe_id}/sections/{key}/comments/"),
    ("post", "/api/v1/coe/{coe_id}/sections/{key}/comments/{comment_id}/resolve/"),
    ("post", "/api/v1/coe/{coe_id}/sections/{key}/comments/{comment_id}/reopen/"),
    ("get", "/api/v1/notifications/"),
    ("post", "/api/v1/notifications/read/"),
]
# The operations that can meet a conflict (an illegal transition or stale data).
CONFLICTS = {
    ("patch", "/api/v1/incidents/{incident_id}/"),
    ("post", "/api/v1/incidents/{incident_id}/advance/"),
    ("post", "/api/v1/incidents/{incident_id}/correct/"),
    ("post", "/api/v1/incidents/{incident_id}/reopen/"),
    ("post", "/api/v1/incidents/{incident_id}/false-alarm/"),
    ("post", "/api/v1/incidents/{incident_id}/coe/"),
    ("put", "/api/v1/coe/{coe_id}/sections/{key}/"),
    ("post", "/api/v1/coe/{coe_id}/sections/{key}/revisions/{version}/restore/"),
    ("post", "/api/v1/coe/{coe_id}/factors/"),
    ("patch", "/api/v1/coe/{coe_id}/factors/{factor_id}/"),
    ("delete", "/api/v1/coe/{coe_id}/factors/{factor_id}/"),
    ("post", "/api/v1/coe/{coe_id}/submit/"),
    ("post", "/api/v1/coe/{coe_id}/review/"),
    ("post", "/api/v1/coe/{coe_id}/reopen/"),
}


@pytest.fixture(autouse=True)
def _private_cache(settings):
    """Throttle counters in a cache of this test's own, not the Redis other test runs share."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


@pytest.fixture
def incident(user, team, service):
    return factories.incident(actor=user, team=team, services_=[service], title="Checkout errors")


def call(client, method: str, path: str, incident: Incident, **kwargs):
    url = path.format(
        incident_id=incident.pk,
        alert_id=1,
        slug="payments" if "/teams/" in path else "checkout-api",
        coe_id=1,
        key="what_happened",
        version=1,
        factor_id=1,
        item_id=1,
        comment_id=1,
    )
    return getattr(client, method)(url, {}, format="json", **kwargs)


# --- 401 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_every_endpoint_without_credentials_returns_401_json(incident, method, url):
    response = call(APIClient(), method, url, incident)

    assert response.status_code == 401
    assert response.json() == {
        "message": "Authentication credentials were not provided.",
        "code": "not_authenticated",
        "extra": {},
    }
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Bearer cs_not-a-real-token", "invalid_token"),
        ("Bearer nothing-like-ours", "invalid_token"),
        ("Bearer", "malformed_token"),
        ("Bearer two parts", "malformed_token"),
    ],
)
def test_bad_bearer_token_returns_401_json(incident, header, code):
    response = APIClient().get("/api/v1/incidents/", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    body = response.json()
    assert body["code"] == code
    assert set(body) == {"message", "code", "extra"}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_bad_token_is_refused_even_with_a_valid_session(api, incident):
    response = api.get("/api/v1/incidents/", HTTP_AUTHORIZATION="Bearer cs_wrong")

    assert response.status_code == 401


def test_unauthenticated_api_request_is_not_redirected_to_the_login_page(incident):
    response = Client().get(f"/api/v1/incidents/{incident.pk}/")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"


# --- 403 ---------------------------------------------------------------------------------------------


def test_disabled_account_with_a_valid_token_returns_403(incident):
    user = factories.user("former", is_active=False)
    _, plaintext = core_services.api_token_create(user=user, name="old script")

    response = APIClient().get("/api/v1/incidents/", HTTP_AUTHORIZATION=f"Bearer {plaintext}")

    assert response.status_code == 403
    assert response.json() == {
        "message": "This account is disabled.",
        "code": "account_disabled",
        "extra": {},
    }


def test_session_write_without_csrf_token_returns_403(user, incident):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post(f"/api/v1/incidents/{incident.pk}/timeline/", {"body": "hi"}, format="json")

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "permission_denied"
    assert body["message"].startswith("CSRF Failed")
    assert client.get("/api/v1/incidents/").status_code == 200  # reads need no CSRF token


def test_token_write_needs_no_csrf_token(user, incident):
    _, plaintext = core_services.api_token_create(user=user, name="script")
    client = APIClient(enforce_csrf_checks=True)

    response = client.post(
        f"/api/v1/incidents/{incident.pk}/timeline/",
        {"body": "hi"},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {plaintext}",
    )

    assert response.status_code == 201


# --- 400, 404, 405 -----------------------------------------------------------------------------------


def test_malformed_json_returns_400_parse_error(api, incident):
    response = api.post(
        f"/api/v1/incidents/{incident.pk}/timeline/", data='{"body": ', content_type="application/json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "parse_error"
    assert body["message"].startswith("JSON parse error")


def test_a_body_that_is_not_an_object_returns_400(api, incident):
    response = api.post(f"/api/v1/incidents/{incident.pk}/timeline/", ["a note"], format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"] == "Invalid data. Expected a dictionary, but got list."
    assert "non_field_errors" in body["extra"]["fields"]


def test_unsupported_media_type_returns_415(api, incident):
    response = api.post(
        f"/api/v1/incidents/{incident.pk}/timeline/", data="body=hi", content_type="text/plain"
    )

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_unknown_path_returns_json_404(api):
    response = api.get("/api/v1/nothing/here/")

    assert response.status_code == 404
    assert response.json() == {
        "message": "No endpoint at /api/v1/nothing/here/.",
        "code": "not_found",
        "extra": {},
    }


def test_missing_trailing_slash_returns_404_with_a_hint(incident):
    response = APIClient().post("/api/v1/incidents", {}, format="json")

    assert response.status_code == 404
    assert response.json()["message"] == "No endpoint at /api/v1/incidents; did you mean /api/v1/incidents/?"


def test_unsupported_method_returns_405_json(api, incident):
    response = api.put(f"/api/v1/incidents/{incident.pk}/", {}, format="json")

    assert response.status_code == 405
    assert response.json() == {
        "message": 'Method "PUT" not allowed.',
        "code": "method_not_allowed",
        "extra": {},
    }


# --- 413 ---------------------------------------------------------------------------------------------


def test_body_over_the_upload_limit_returns_413(api, incident, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 200

    response = api.post(f"/api/v1/incidents/{incident.pk}/timeline/", {"body": "x" * 300}, format="json")

    assert response.status_code == 413
    assert response.json() == {
        "message": "The request body is larger than the limit of 200 bytes.",
        "code": "too_large",
        "extra": {"max_bytes": 200},
    }
    assert incident.events.count() == 1  # only "declared"


def test_form_body_over_the_upload_limit_returns_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 200

    response = api.post("/api/v1/incidents/", {"title": "x" * 300, "team": "payments"})

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_body_under_the_upload_limit_is_accepted(api, incident, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 200

    response = api.post(f"/api/v1/incidents/{incident.pk}/timeline/", {"body": "short"}, format="json")

    assert response.status_code == 201


# --- 429 ---------------------------------------------------------------------------------------------


def test_over_the_rate_returns_429_with_retry_after(api, incident, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "2/min"}}

    statuses = [api.get("/api/v1/incidents/").status_code for _ in range(3)]
    response = api.get(f"/api/v1/incidents/{incident.pk}/")

    assert statuses == [200, 200, 429]
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    assert 1 <= body["extra"]["wait"] <= 60
    assert response["Retry-After"] == str(body["extra"]["wait"])
    assert body["message"].startswith("Request was throttled.")


def test_the_rate_is_per_user(api, incident, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "1/min"}}
    other = APIClient()
    other.force_login(factories.user("bob"))

    assert api.get("/api/v1/incidents/").status_code == 200
    assert api.get("/api/v1/incidents/").status_code == 429
    assert other.get("/api/v1/incidents/").status_code == 200


# --- Schema and docs ---------------------------------------------------------------------------------


def test_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    text = (tmp_path / "schema.yaml").read_text()
    assert "/api/v1/incidents/{incident_id}/advance/:" in text


def test_schema_endpoint_describes_every_operation_and_its_errors():
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    schema = response.json()
    operations = {
        (method, path): operation
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }
    assert set(operations) == set(ENDPOINTS)
    for (method, path), operation in operations.items():
        responses = operation["responses"]
        for status in ("401", "403", "429"):
            assert responses[status]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorOut"
            }, (method, path, status)
        if method in {"post", "put", "patch"}:
            assert {"400", "413"} <= set(responses), (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        assert ("409" in responses) == ((method, path) in CONFLICTS), (method, path)
    assert schema["components"]["securitySchemes"]["tokenAuth"]["scheme"] == "bearer"
    assert set(schema["components"]["schemas"]["ErrorOut"]["properties"]) == {"message", "code", "extra"}


def test_docs_page_uses_only_the_vendored_swagger_ui():
    response = Client().get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    for host in ("cdn", "unpkg", "jsdelivr", "http://", "https://"):
        assert host not in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/vendor/swagger-ui-dist/5.35.0/swagger-ui-bundle.js" in assets
    assert "/static/vendor/swagger-ui-dist/5.35.0/swagger-ui.css" in assets
    # Its start-up script comes from this server too (no inline script: the CSP forbids it).
    vendored = [url for url in assets if url.startswith("/static/vendor/swagger-ui-dist/5.35.0/")]
    assert set(assets) - set(vendored) == {"/api/docs/?script="}
    script = Client().get("/api/docs/?script=")
    assert script.status_code == 200
    assert "/api/schema/" in script.content.decode()


def test_docs_assets_are_vendored_static_files():
    for name in (
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "swagger-ui.css",
        "favicon-32x32.png",
    ):
        assert finders.find(f"vendor/swagger-ui-dist/5.35.0/{name}"), name


def test_a_past_time_is_accepted_and_a_future_one_named_in_extra(api, incident):
    """400s from the services keep their own code and point at the field through `extra`."""
    future = timezone.now() + timedelta(minutes=5)

    response = api.post(
        f"/api/v1/incidents/{incident.pk}/advance/", {"at": future.isoformat()}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_stamp"
    assert response.json()["extra"]["field"] == "evaluated_at"
