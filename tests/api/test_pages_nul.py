"""Pages given a NUL character (`%00`) in a lookup: a 400, never the 500 PostgreSQL's refusal of the
character would cause (core.middleware.NulInputMiddleware); pages whose filter forms already refuse or
ignore it keep doing so, and forms refuse it beside the field."""

import pytest
from django.core.exceptions import SuspiciousOperation
from django.db import connection
from django.test import RequestFactory

from core.middleware import NulInputMiddleware
from incidents.models import Incident

pytestmark = pytest.mark.django_db


def _database_refusal() -> Exception:
    exception_class, message = connection.features.prohibits_null_characters_in_text_exception
    return exception_class(message)


@pytest.mark.parametrize("name", ["team", "service"])
def test_nul_in_the_weekly_dashboard_filter_is_400(client_logged_in, name):
    client_logged_in.raise_request_exception = False

    response = client_logged_in.get("/dashboard/weekly/", {name: "pay\x00ments"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("path", "name"),
    [("/incidents/", "team"), ("/incidents/", "service"), ("/incidents/", "q"), ("/action-items/", "owner")],
)
def test_filter_forms_that_handle_nul_themselves_still_answer_the_page(client_logged_in, path, name):
    response = client_logged_in.get(path, {name: "pay\x00ments"})

    assert response.status_code == 200


def test_the_dashboard_filter_without_nul_is_served(client_logged_in, team):
    assert client_logged_in.get("/dashboard/weekly/", {"team": team.slug}).status_code == 200


def test_nul_in_a_form_lookup_is_a_form_error(client_logged_in, team):
    response = client_logged_in.post(
        "/incidents/declare/", {"title": "Outage", "team": "\x00", "severity": "SEV2"}
    )

    assert response.status_code == 400
    assert not Incident.objects.exists()


@pytest.mark.skipif(
    not getattr(connection.features, "prohibits_null_characters_in_text_exception", None),
    reason="this database stores NUL characters",
)
@pytest.mark.parametrize(
    ("path", "data", "answered"),
    [
        ("/somewhere/", {"team": "a\x00"}, 400),
        ("/somewhere/", {"a\x00": "1"}, 400),
        ("/somewhere/", {"team": "a"}, None),  # the request sent no NUL: a bug of ours stays a 500
    ],
)
def test_the_databases_refusal_of_a_nul_the_request_sent_is_a_400(path, data, answered):
    middleware = NulInputMiddleware(lambda request: None)
    request = RequestFactory().get(path, data)

    response = middleware.process_exception(request, _database_refusal())

    assert (response.status_code if response else None) == answered


def test_other_errors_are_left_alone():
    middleware = NulInputMiddleware(lambda request: None)
    request = RequestFactory().get("/somewhere/", {"team": "a\x00"})

    assert middleware.process_exception(request, SuspiciousOperation("no")) is None
    assert middleware.process_exception(request, ValueError("something else")) is None


def test_under_the_api_the_400_is_json():
    middleware = NulInputMiddleware(lambda request: None)
    if not getattr(connection.features, "prohibits_null_characters_in_text_exception", None):
        pytest.skip("this database stores NUL characters")
    request = RequestFactory().get("/api/v1/somewhere/", {"team": "a\x00"})

    response = middleware.process_exception(request, _database_refusal())

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
