"""The API on hostile input, through DRF's APIClient and Django's client: every refusal is a 4xx with the
JSON error body `{"message", "code", "extra"}`, never a 5xx or an HTML page.

NUL characters in lookups (query parameters and bodies), JSON nested a thousand levels deep, lone
surrogates, values of the wrong JSON type, unknown fields, bodies that are not JSON, and Django's own
refusals (too many fields, a long URL, a path no pattern matches)."""

import json

import pytest
from django.test import override_settings

from coe.models import ActionItem
from core import json as core_json
from incidents.models import Incident
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]


def error(response, status: int) -> dict:
    """The JSON error body of `response`, after checking its status and shape."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"message", "code", "extra"}, body
    return body


@pytest.fixture
def coe(user, team, service):
    incident = factories.incident(actor=user, team=team, services_=[service])
    return factories.coe(incident, actor=user, owner=user)


# --- 1. NUL characters ------------------------------------------------------------------------------

NUL_QUERIES = [
    ("/api/v1/incidents/", "team"),
    ("/api/v1/incidents/", "service"),
    ("/api/v1/incidents/", "q"),
    ("/api/v1/action-items/", "owner"),
    ("/api/v1/action-items/", "team"),
    ("/api/v1/alerts/", "integration"),
    ("/api/v1/coe/", "state"),
    ("/api/v1/metrics/weekly/", "team"),
    ("/api/v1/metrics/weekly/", "service"),
    ("/api/v1/metrics/weekly.csv", "team"),
]


@pytest.mark.parametrize(("path", "name"), NUL_QUERIES)
def test_nul_in_a_query_filter_is_400_naming_it(api, path, name):
    body = error(api.get(path, {name: "pay\x00ments"}), 400)

    assert body["code"] == "invalid"
    assert body["extra"]["fields"] == {name: ["Null characters are not allowed."]}
    assert body["extra"]["codes"] == {name: ["null_characters"]}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "Outage", "team": "pay\x00ments"}, "team"),
        ({"title": "Outage", "team": "payments", "services": ["checkout-api", "x\x00"]}, "services"),
        ({"title": "Outage", "team": "payments", "commander": "al\x00ice"}, "commander"),
        ({"title": "Out\x00age", "team": "payments"}, "title"),
        ({"title": "Outage", "team": "payments", "blast_radius": ["eu\x00"]}, "blast_radius"),
    ],
)
def test_nul_in_a_body_lookup_is_400_and_nothing_is_declared(api, team, service, payload, field):
    body = error(api.post("/api/v1/incidents/", payload, format="json"), 400)

    assert field in body["extra"]["fields"]
    assert not Incident.objects.exists()


def test_nul_in_an_owner_or_reviewer_is_400(api, coe):
    item = error(
        api.post(
            f"/api/v1/coe/{coe.pk}/action-items/", {"title": "Fix", "owner": "al\x00ice"}, format="json"
        ),
        400,
    )
    submit = error(api.post(f"/api/v1/coe/{coe.pk}/submit/", {"reviewers": ["b\x00b"]}, format="json"), 400)
    start = error(
        api.post(f"/api/v1/incidents/{coe.incident_id}/coe/", {"owner": "\x00"}, format="json"), 400
    )

    assert list(item["extra"]["fields"]) == ["owner"]
    assert list(submit["extra"]["fields"]) == ["reviewers"]
    assert start["extra"]["fields"]  # refused before the lookup (the COE exists: no 409 either)
    assert not ActionItem.objects.exists()


def test_nul_in_a_json_key_is_400(api, team):
    body = error(
        api.post("/api/v1/incidents/", {"title": "Outage", "team": "payments", "a\x00": 1}, format="json"),
        400,
    )

    assert body["extra"]["fields"] == {"a\x00": ["Null characters are not allowed."]}


def test_nul_in_a_path_segment_is_404(api, coe):
    body = error(api.get(f"/api/v1/coe/{coe.pk}/sections/sum%00mary/"), 404)

    assert body["code"] == "not_found"


# --- 2. Deep JSON -----------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [65, 1000, 100_000])
def test_json_nested_past_the_limit_is_400_parse_error(api, coe, depth):
    deep = "[" * depth + "]" * depth

    body = error(
        api.post("/api/v1/coe/lint/", data=f'{{"text": {deep}}}', content_type="application/json"), 400
    )

    assert body["code"] == "parse_error"
    assert body["extra"] == {"reason": "too_deep", "max_depth": core_json.MAX_DEPTH}


def test_json_nested_to_the_limit_reaches_the_serializer(api):
    nested = "[" * 63 + "]" * 63  # 64 levels with the object around it

    body = error(
        api.post("/api/v1/coe/lint/", data=f'{{"text": {nested}}}', content_type="application/json"), 400
    )

    assert body["extra"]["fields"] == {"text": ["Must be a string, not list."]}


def test_brackets_inside_strings_do_not_count_as_nesting(api):
    response = api.post("/api/v1/coe/lint/", {"text": "[" * 5000 + "{" * 5000}, format="json")

    assert response.status_code == 200
    assert response.json() == {"findings": []}


def test_nan_is_not_json(api):
    body = error(api.post("/api/v1/coe/lint/", data='{"text": NaN}', content_type="application/json"), 400)

    assert body["code"] == "parse_error"


# --- 3. Lone surrogates -----------------------------------------------------------------------------


def test_a_lone_surrogate_in_a_body_is_stored_as_u_fffd(api, team):
    response = api.post(
        "/api/v1/incidents/",
        data='{"title": "Checkout \\ud800 down", "team": "payments", "summary": "\\udfff"}',
        content_type="application/json",
    )

    assert response.status_code == 201, response.json()
    incident = Incident.objects.get()
    assert incident.title == "Checkout \ufffd down"
    assert incident.summary == "\ufffd"


def test_a_lone_surrogate_in_a_lookup_is_a_400_not_a_500(api, team):
    body = error(
        api.post(
            "/api/v1/incidents/",
            data='{"title": "Outage", "team": "pay\\ud800ments"}',
            content_type="application/json",
        ),
        400,
    )

    assert body["extra"]["codes"] == {"team": ["does_not_exist"]}


# --- 5. Types, unknown fields, media types ----------------------------------------------------------


@pytest.mark.parametrize("value", [0, 1.5, True, ["text"], {"text": "x"}])
def test_lint_refuses_text_that_is_not_a_string(api, value):
    body = error(api.post("/api/v1/coe/lint/", {"text": value}, format="json"), 400)

    assert body["extra"]["fields"] == {"text": [f"Must be a string, not {type(value).__name__}."]}
    assert body["extra"]["codes"] == {"text": ["wrong_type"]}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": 42, "team": "payments"}, "title"),
        ({"title": "Outage", "team": 7}, "team"),
        ({"title": "Outage", "team": "payments", "services": [1]}, "services.0"),
        ({"title": "Outage", "team": "payments", "customers_affected": "12"}, "customers_affected"),
        ({"title": "Outage", "team": "payments", "customers_affected": True}, "customers_affected"),
        ({"title": "Outage", "team": "payments", "blast_radius": [1]}, "blast_radius.0"),
    ],
)
def test_declare_refuses_values_of_the_wrong_json_type(api, team, service, payload, field):
    body = error(api.post("/api/v1/incidents/", payload, format="json"), 400)

    assert field in body["extra"]["fields"]
    assert not Incident.objects.exists()


def test_booleans_must_be_json_booleans(api, coe, user):
    item = factories.coe_complete(coe, actor=user).action_items.get()

    body = error(api.patch(f"/api/v1/action-items/{item.pk}/", {"effective": "yes"}, format="json"), 400)

    assert body["extra"]["fields"] == {"effective": ["Must be a boolean, not str."]}


def test_unknown_fields_are_refused_with_the_accepted_ones(api, team):
    body = error(
        api.post(
            "/api/v1/incidents/", {"title": "x", "team": "payments", "stauts": "resolved"}, format="json"
        ),
        400,
    )

    assert body["extra"]["codes"] == {"stauts": ["unknown_field"]}
    assert body["extra"]["fields"]["stauts"][0].startswith("Unknown field; accepted: title, team,")


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("application/x-www-form-urlencoded", "title=From+a+form&team=payments"),
        (
            "multipart/form-data; boundary=b",
            '--b\r\nContent-Disposition: form-data; name="title"\r\n\r\nx\r\n--b--\r\n',
        ),
        ("text/plain", "title"),
    ],
)
def test_a_body_that_is_not_json_is_415(api, team, content_type, data):
    body = error(api.post("/api/v1/incidents/", data=data, content_type=content_type), 415)

    assert body["code"] == "unsupported_media_type"
    assert not Incident.objects.exists()


def test_accept_without_json_is_406_in_json(api):
    body = error(api.get("/api/v1/incidents/", HTTP_ACCEPT="text/html"), 406)

    assert body["code"] == "not_acceptable"


def test_a_wrong_method_is_405_in_json(api):
    body = error(api.delete("/api/v1/incidents/"), 405)

    assert body["code"] == "method_not_allowed"


def test_a_body_over_the_limit_is_413_in_json(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    body = error(api.post("/api/v1/coe/lint/", {"text": "x" * 2000}, format="json"), 413)

    assert body["code"] == "too_large"


def test_too_many_query_parameters_is_400_in_json(api, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    query = "&".join(f"p{i}=1" for i in range(20))

    body = error(api.get(f"/api/v1/incidents/?{query}"), 400)

    assert body["code"] == "too_many_fields"
    assert body["extra"] == {"max_fields": 10}


def test_a_url_over_the_limit_is_414_in_json(api, settings):
    long = "x" * settings.MAX_URL_LENGTH

    api_body = error(api.get(f"/api/v1/incidents/?q={long}"), 414)
    page = error(api.get(f"/incidents/?q={long}"), 414)

    assert api_body["code"] == page["code"] == "uri_too_long"
    assert api_body["extra"] == {"max_length": settings.MAX_URL_LENGTH}


def test_a_url_at_the_limit_is_served(api, settings):
    query = "q=" + "x" * 250
    path = "/api/v1/incidents/"
    padding = settings.MAX_URL_LENGTH - len(path) - len(query) - len("&a=") - 1

    response = api.get(f"{path}?{query}&a={'y' * padding}")

    assert response.status_code == 400  # the q filter is too long: the URL itself was read
    assert list(response.json()["extra"]["fields"]) == ["q"]


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/v1/incidents/1%0A/", "/api/v2/incidents/"])
def test_unknown_paths_under_the_api_are_404_in_json(api, path):
    body = error(api.get(path), 404)

    assert body["code"] == "not_found"


def test_a_bad_host_under_the_api_is_400_in_json(client):
    body = error(client.get("/api/v1/incidents/", HTTP_HOST="evil.example"), 400)

    assert body["code"] == "bad_host"


@override_settings(DEBUG_PROPAGATE_EXCEPTIONS=False)
def test_an_unexpected_error_under_the_api_is_500_in_json(api, monkeypatch):
    from incidents import api_selectors

    monkeypatch.setattr(api_selectors, "incident_list", lambda **kwargs: 1 / 0)
    api.raise_request_exception = False

    body = error(api.get("/api/v1/incidents/"), 500)

    assert body["code"] == "server_error"
    assert "ZeroDivision" not in json.dumps(body)


def test_pages_keep_their_html_404(client_logged_in):
    response = client_logged_in.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
