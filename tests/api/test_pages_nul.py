"""Pages given a NUL character (`%00`) in a lookup: a 400, never the 500 PostgreSQL's refusal of the
character would cause (core.middleware.NulQueryMiddleware for query strings; forms refuse it beside
the field)."""

import pytest

from incidents.models import Incident

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/dashboard/weekly/", "team"),
        ("/dashboard/weekly/", "service"),
        ("/incidents/", "team"),
        ("/incidents/", "service"),
        ("/incidents/", "q"),
        ("/action-items/", "owner"),
        ("/action-items/", "team"),
    ],
)
def test_nul_in_a_page_filter_is_400(client_logged_in, path, name):
    client_logged_in.raise_request_exception = False

    response = client_logged_in.get(path, {name: "pay\x00ments"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_the_same_filters_without_nul_are_served(client_logged_in, team):
    assert client_logged_in.get("/dashboard/weekly/", {"team": team.slug}).status_code == 200
    assert client_logged_in.get("/incidents/", {"team": team.slug}).status_code == 200


def test_nul_in_a_form_lookup_is_a_form_error(client_logged_in, team):
    response = client_logged_in.post(
        "/incidents/declare/", {"title": "Outage", "team": "\x00", "severity": "SEV2"}
    )

    assert response.status_code == 400
    assert not Incident.objects.exists()
