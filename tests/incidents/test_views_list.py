"""Incident pages that list: login, the incident list (filters, order, pages, htmx), teams and
services, and their query counts. Through Django's test client, on the real database."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents.phases import Phase
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def titles(response) -> list[str]:
    """The incidents a list page shows, in order."""
    return [incident.title for incident, _figures in response.context["rows"]]


def queries_for(client, url: str) -> int:
    """Queries of one GET, after a first GET has cached the viewer's time zone in the session."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def search_team(db):
    return factories.team("Search")


@pytest.fixture
def search_service(search_team):
    return factories.service("Search API", team=search_team)


@pytest.fixture
def incidents(user, team, service, search_team, search_service):
    """Three incidents, newest first: one in evaluate, one in respond, one resolved."""
    now = timezone.now()
    evaluating = factories.incident(
        actor=user,
        title="Checkout errors",
        team=team,
        services_=[service],
        severity="SEV1",
        started_at=now - timedelta(hours=3),
    )
    responding = factories.advance(
        factories.incident(
            actor=user,
            title="Search latency",
            team=search_team,
            services_=[search_service],
            severity="SEV2",
            started_at=now - timedelta(hours=4),
        ),
        to=Phase.RESPOND,
    )
    resolved = factories.advance(
        factories.incident(
            actor=user, title="Ledger drift", team=team, severity="SEV3", started_at=now - timedelta(hours=5)
        ),
        to=None,
    )
    return {"evaluating": evaluating, "responding": responding, "resolved": resolved}


# Login and logout


@pytest.mark.parametrize(
    "path", ["/incidents/", "/incidents/1/", "/incidents/declare/", "/teams/", "/services/", "/preferences/"]
)
def test_page_anonymous_redirects_to_login_with_next(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={quote(path)}"


def test_login_page_anonymous_renders_the_form(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()
    assert 'name="password"' in response.content.decode()


def test_login_correct_password_logs_in_and_follows_next(client, user):
    response = client.post("/accounts/login/?next=/teams/", {"username": "alice", "password": "pw"})

    assert response.status_code == 302
    assert response.url == "/teams/"
    assert client.get("/teams/").status_code == 200


def test_login_wrong_password_shows_an_error_and_stays_anonymous(client, user):
    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert client.get("/incidents/").status_code == 302


def test_logout_post_logs_out_and_redirects_to_login(client_logged_in):
    response = client_logged_in.post("/accounts/logout/")

    assert response.status_code == 302
    assert response.url == "/accounts/login/"
    assert client_logged_in.get("/incidents/").status_code == 302


def test_logout_get_is_refused_and_keeps_the_session(client_logged_in):
    response = client_logged_in.get("/accounts/logout/")

    assert response.status_code == 405
    assert client_logged_in.get("/incidents/").status_code == 200


# Incident list


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=active", ["Checkout errors", "Search latency"]),
        ("status=resolved", ["Ledger drift"]),
        ("phase=evaluate", ["Checkout errors"]),
        ("phase=respond", ["Search latency"]),
        ("phase=confirm", []),
        ("severity=SEV2", ["Search latency"]),
        ("team=payments", ["Checkout errors", "Ledger drift"]),
        ("service=search-api", ["Search latency"]),
        ("q=CHECKOUT", ["Checkout errors"]),
        ("q=drift", ["Ledger drift"]),
        ("team=payments&status=active", ["Checkout errors"]),
        ("team=payments&severity=SEV3&q=ledger", ["Ledger drift"]),
        ("status=active&service=search-api&phase=evaluate", []),
    ],
)
def test_list_filters_show_only_matching_incidents(client_logged_in, incidents, query, expected):
    response = client_logged_in.get(f"/incidents/?{query}")

    assert response.status_code == 200
    assert titles(response) == expected
    assert f"{len(expected)} incident" in response.content.decode()


def test_list_no_filter_shows_every_incident_newest_started_first(client_logged_in, user, team):
    now = timezone.now()
    for title, hours_ago in [("Middle", 4), ("Newest", 3), ("Oldest", 5)]:
        factories.incident(actor=user, title=title, team=team, started_at=now - timedelta(hours=hours_ago))

    response = client_logged_in.get("/incidents/")

    assert response.status_code == 200
    assert titles(response) == ["Newest", "Middle", "Oldest"]
    content = response.content.decode()
    assert content.index("Newest") < content.index("Middle") < content.index("Oldest")


def test_list_invalid_filter_value_shows_an_error_and_is_ignored(client_logged_in, incidents):
    response = client_logged_in.get("/incidents/?status=bogus")

    assert response.status_code == 200
    content = response.content.decode()
    assert "Some filters were not understood and were ignored: status (" in content
    assert "bogus is not one of the available choices" in content
    assert titles(response) == ["Checkout errors", "Search latency", "Ledger drift"]


def test_list_invalid_filter_value_keeps_the_valid_filters(client_logged_in, incidents):
    response = client_logged_in.get("/incidents/?status=bogus&team=payments")

    assert response.status_code == 200
    assert "ignored: status (" in response.content.decode()
    assert titles(response) == ["Checkout errors", "Ledger drift"]


def test_list_pages_split_newest_first_by_setting(client_logged_in, settings, user, team):
    settings.INCIDENTS_PER_PAGE = 2
    now = timezone.now()
    for hours_ago in range(3, 8):
        factories.incident(
            actor=user,
            title=f"Started {hours_ago}h ago",
            team=team,
            started_at=now - timedelta(hours=hours_ago),
        )

    first = client_logged_in.get("/incidents/")
    last = client_logged_in.get("/incidents/?page=3")

    assert titles(first) == ["Started 3h ago", "Started 4h ago"]
    assert "Page 1 of 3" in first.content.decode()
    assert 'href="?page=2"' in first.content.decode()
    assert titles(last) == ["Started 7h ago"]
    assert "Page 3 of 3" in last.content.decode()
    assert "Older" not in last.content.decode()


def test_list_page_links_keep_the_filters(client_logged_in, settings, user, team):
    settings.INCIDENTS_PER_PAGE = 1
    for _ in range(2):
        factories.incident(actor=user, team=team, severity="SEV2")
    factories.incident(actor=user, team=team, severity="SEV4")

    response = client_logged_in.get("/incidents/?severity=SEV2&page=1")

    assert "Page 1 of 2" in response.content.decode()
    assert 'href="?severity=SEV2&page=2"' in response.content.decode()


def test_list_htmx_request_returns_only_the_results_fragment(client_logged_in, incidents):
    response = client_logged_in.get("/incidents/?severity=SEV1", **HTMX)

    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="results"')
    assert "<html" not in content
    assert 'class="filters card"' not in content
    assert "Checkout errors" in content
    assert "Search latency" not in content


def test_list_full_page_includes_filters_and_results(client_logged_in, incidents):
    response = client_logged_in.get("/incidents/")

    content = response.content.decode()
    assert "<html" in content
    assert 'class="filters card"' in content
    assert 'id="results"' in content


def test_list_without_incidents_shows_the_empty_state(client_logged_in):
    response = client_logged_in.get("/incidents/")

    assert response.status_code == 200
    assert "No incidents yet. Quiet is good." in response.content.decode()


def test_list_filter_matching_nothing_shows_the_no_match_message(client_logged_in, incidents):
    response = client_logged_in.get("/incidents/?q=nothing-like-this")

    assert titles(response) == []
    assert "No incident matches these filters." in response.content.decode()


# Teams and services


def test_team_list_shows_every_team_with_its_counts(client_logged_in, incidents):
    response = client_logged_in.get("/teams/")

    assert response.status_code == 200
    content = response.content.decode()
    assert 'href="/teams/payments/"' in content
    assert 'href="/teams/search/"' in content
    assert "1 service · " in content
    assert "1 active incident" in content


def test_team_detail_shows_its_incidents_and_services_only(client_logged_in, incidents):
    response = client_logged_in.get("/teams/payments/")

    assert response.status_code == 200
    assert titles(response) == ["Checkout errors", "Ledger drift"]
    content = response.content.decode()
    assert "Checkout API" in content
    assert "Search latency" not in content
    assert "Search API" not in content


def test_team_detail_unknown_slug_returns_404(client_logged_in):
    assert client_logged_in.get("/teams/no-such-team/").status_code == 404


def test_service_list_shows_every_service_with_its_team_and_cost(client_logged_in, incidents):
    response = client_logged_in.get("/services/")

    assert response.status_code == 200
    content = response.content.decode()
    assert 'href="/services/checkout-api/"' in content
    assert 'href="/services/search-api/"' in content
    assert "$60,000" in content


def test_service_detail_shows_its_incidents_only(client_logged_in, incidents):
    response = client_logged_in.get("/services/search-api/")

    assert response.status_code == 200
    assert titles(response) == ["Search latency"]
    assert "Checkout errors" not in response.content.decode()
    assert "Owned by" in response.content.decode()


def test_service_detail_unknown_slug_returns_404(client_logged_in):
    assert client_logged_in.get("/services/no-such-service/").status_code == 404


# Query counts: a list page costs the same whatever the number of rows.


def _grow(count: int, *, user, team, services_) -> None:
    """`count` more incidents of `team`, each with its own commander."""
    for _ in range(count):
        factories.incident(actor=user, team=team, services_=services_, commander=factories.user())


@pytest.mark.parametrize("url", ["/incidents/", "/teams/payments/"])
def test_list_pages_query_count_without_services_is_constant(
    client_logged_in, django_assert_num_queries, user, team, url
):
    _grow(3, user=user, team=team, services_=[])
    baseline = queries_for(client_logged_in, url)
    _grow(27, user=user, team=team, services_=[])

    with django_assert_num_queries(baseline):
        response = client_logged_in.get(url)
    assert len(response.context["rows"]) == 25


@pytest.mark.parametrize("url", ["/incidents/", "/teams/payments/", "/services/checkout-api/"])
def test_list_pages_query_count_with_services_is_constant(
    client_logged_in, django_assert_num_queries, user, team, service, url
):
    _grow(3, user=user, team=team, services_=[service])
    baseline = queries_for(client_logged_in, url)
    _grow(27, user=user, team=team, services_=[service])

    with django_assert_num_queries(baseline):
        client_logged_in.get(url)


@pytest.mark.parametrize("url", ["/teams/", "/services/"])
def test_directory_pages_query_count_is_constant(client_logged_in, django_assert_num_queries, url):
    for _ in range(2):
        factories.service(team=factories.team())
    baseline = queries_for(client_logged_in, url)
    for _ in range(10):
        factories.service(team=factories.team())

    with django_assert_num_queries(baseline):
        client_logged_in.get(url)
