"""Integration pages and the create_integration command, through Django's client."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from alerts import services
from alerts.models import Integration
from incidents.models import Incident

pytestmark = pytest.mark.django_db


def test_integration_pages_need_a_login(client):
    response = client.get("/integrations/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_create_shows_the_key_once_and_stores_only_its_hash(client_logged_in, team):
    response = client_logged_in.post(
        "/integrations/new/",
        {
            "name": "Prod Alertmanager",
            "kind": "alertmanager",
            "team": team.pk,
            "default_severity": "SEV3",
            "severity_label": "severity",
            "service_label": "service",
            "verify_sns_signatures": "on",
            "rate_limit_per_minute": 6000,
        },
    )

    integration = Integration.objects.get()
    assert response.status_code == 302  # post/redirect/get: a reload re-posts nothing
    assert response["Location"] == f"/integrations/{integration.pk}/"
    shown = client_logged_in.get(response["Location"])
    key = shown.context["new_key"]
    assert len(key) >= 32
    assert key not in response["Location"]
    content = shown.content.decode()
    assert "Copy this key now" in content
    assert f"/hooks/{key}/" in content
    assert "webhook_configs" in content  # the example configuration for Alertmanager
    assert key not in json.dumps(list(Integration.objects.values()), default=str)
    assert integration.key_hash == services.hash_key(key)
    detail = client_logged_in.get(f"/integrations/{integration.pk}/").content.decode()
    assert key not in detail
    assert "/hooks/YOUR-KEY/" in detail


def test_create_with_missing_fields_is_400_with_errors(client_logged_in):
    response = client_logged_in.post("/integrations/new/", {"name": "", "kind": "nope"})

    assert response.status_code == 400
    assert Integration.objects.count() == 0
    assert "This field is required." in response.content.decode()


def test_rotate_shows_a_new_key_and_the_old_one_stops_working(client_logged_in, team, client):
    integration, old_key = services.integration_create(name="gen", kind="generic", team=team)

    response = client_logged_in.post(f"/integrations/{integration.pk}/rotate/")

    assert response.status_code == 302
    new_key = client_logged_in.get(response["Location"]).context["new_key"]
    assert new_key != old_key
    assert client_logged_in.get(response["Location"]).context["new_key"] == ""  # shown once
    assert services.integration_for_key(old_key) is None
    assert services.integration_for_key(new_key) == integration


def test_toggle_disables_then_enables(client_logged_in, team):
    integration, key = services.integration_create(name="gen", kind="generic", team=team)

    client_logged_in.post(f"/integrations/{integration.pk}/toggle/")
    assert services.integration_for_key(key) is None
    client_logged_in.post(f"/integrations/{integration.pk}/toggle/")
    assert services.integration_for_key(key) == integration


def test_detail_lists_recent_deliveries_with_their_outcome(client_logged_in, team, post):
    integration, key = services.integration_create(name="gen", kind="generic", team=team)
    post(key, json.dumps({"title": "Orders down", "dedup_key": "o"}).encode())
    post(key, b"not json")

    content = client_logged_in.get(f"/integrations/{integration.pk}/").content.decode()

    assert "Processed" in content
    assert "Rejected" in content
    assert "not valid JSON" in content
    assert f"INC-{Incident.objects.get().pk}" in content


def test_list_shows_each_integration(client_logged_in, team):
    services.integration_create(name="Prod Grafana", kind="grafana", team=team)

    content = client_logged_in.get("/integrations/").content.decode()

    assert "Prod Grafana" in content
    assert "Grafana" in content


def test_unknown_integration_is_404(client_logged_in):
    assert client_logged_in.get("/integrations/999/").status_code == 404


def test_incident_page_lists_its_alerts(client_logged_in, team, post):
    _integration, key = services.integration_create(name="gen", kind="generic", team=team)
    body = {
        "title": "Orders down",
        "dedup_key": "o",
        "links": [{"href": "javascript:alert(1)", "text": "bad"}],
    }
    post(key, json.dumps(body).encode())
    incident = Incident.objects.get()

    content = client_logged_in.get(f"/incidents/{incident.pk}/").content.decode()

    assert 'data-testid="alert-count"' in content
    assert "1 alert, 1 open" in content
    assert "javascript:" not in content


def test_create_integration_command_prints_the_hook_path_last(team):
    out = io.StringIO()

    call_command(
        "create_integration", "--kind", "grafana", "--name", "Grafana", "--team", team.slug, stdout=out
    )

    last = out.getvalue().strip().splitlines()[-1]
    assert last.startswith("/hooks/") and last.endswith("/")
    key = last.removeprefix("/hooks/").removesuffix("/")
    assert services.integration_for_key(key).kind == "grafana"


def test_create_integration_command_unknown_team_fails(team):
    with pytest.raises(CommandError, match="No team"):
        call_command("create_integration", "--kind", "generic", "--name", "x", "--team", "nope")
