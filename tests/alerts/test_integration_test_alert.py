"""The "Send test alert" button: a sample in the tool's own format through the real intake, processed,
and the incident it opened shown with a link. Through Django's client and the service."""

import json
import re

import pytest
from django.contrib.auth.models import AnonymousUser

from alerts import services
from alerts.models import Delivery, DeliveryState, Integration
from alerts.services import integrations as integration_services
from core import errors
from incidents.models import Incident
from tests import factories

pytestmark = pytest.mark.django_db

# Every kind that can take a test alert, with the settings it needs. CloudWatch only without SNS
# signature verification: a sample cannot carry AWS's signature (see the refusal test below).
KINDS = [
    ("alertmanager", {}),
    ("grafana", {}),
    ("grafana", {"hmac_secret": "grafana-secret"}),  # the sample is signed, and the intake checks it
    ("pagerduty", {}),
    ("cloudwatch", {"verify_sns_signatures": False}),
    ("datadog", {}),
    ("generic", {}),
]


@pytest.fixture
def click(client_logged_in, django_capture_on_commit_callbacks):
    """Press the button (a plain form POST). The test's transaction never commits, so the on-commit
    doorbell (eager processing, as in the embedded default) is run explicitly."""

    def press(integration: Integration, **headers):
        with django_capture_on_commit_callbacks(execute=True):
            return client_logged_in.post(f"/integrations/{integration.pk}/test-alert/", **headers)

    return press


@pytest.mark.parametrize(("kind", "fields"), KINDS)
def test_test_alert_opens_an_incident_and_the_page_links_it(
    client_logged_in, click, make_integration, kind, fields
):
    integration, _key = make_integration(kind, **fields)

    response = click(integration)

    delivery = Delivery.objects.get(integration=integration)
    assert response.status_code == 302
    assert response["Location"] == f"/integrations/{integration.pk}/?test={delivery.pk}#test-alert"
    assert delivery.state == DeliveryState.PROCESSED, delivery.error
    incident = Incident.objects.get()
    assert incident.title.startswith("Test alert from Cornerstone")
    assert incident.team == integration.team
    assert incident.severity == "SEV3"  # the sample says "warning"
    page = client_logged_in.get(response["Location"]).content.decode()
    assert "opened" in page
    assert f'href="/incidents/{incident.pk}/"' in page


@pytest.mark.parametrize(("kind", "fields"), KINDS)
def test_a_second_click_opens_another_incident(click, make_integration, kind, fields):
    integration, _key = make_integration(kind, **fields)

    click(integration)
    click(integration)

    assert Incident.objects.count() == 2
    assert Delivery.objects.filter(integration=integration, state=DeliveryState.PROCESSED).count() == 2


def test_the_sample_is_in_the_tools_own_format(click, make_integration):
    integration, _key = make_integration("pagerduty")

    click(integration)

    body = json.loads(Delivery.objects.get().body)
    assert body["event_action"] == "trigger"
    assert body["routing_key"].startswith(integration.key_prefix)
    assert body["dedup_key"].startswith("cornerstone-test/")
    assert set(body["payload"]) >= {"summary", "source", "severity", "timestamp"}


def test_the_integrations_own_rules_apply_to_the_test_alert(click, make_integration, team):
    service = factories.service("Checkout API", team=team)
    integration, _key = make_integration(
        "alertmanager", severity_map={"WARNING": "SEV2"}, service_map={"payments": service.slug}
    )

    click(integration)

    incident = Incident.objects.get()
    assert incident.severity == "SEV2"
    assert list(incident.services.all()) == [service]


def test_cloudwatch_with_signature_verification_is_refused_and_nothing_is_stored(
    client_logged_in, click, make_integration
):
    integration, _key = make_integration("cloudwatch")  # verification on, the default
    page = client_logged_in.get(f"/integrations/{integration.pk}/").content.decode()
    assert "cannot carry Amazon SNS" in page
    assert "Send test alert</button>" not in page

    response = click(integration)

    assert response.status_code == 409
    assert "set-alarm-state" in response.content.decode()
    assert not Delivery.objects.exists()
    assert not Incident.objects.exists()


def test_a_disabled_integration_refuses_the_test_alert(click, make_integration):
    integration, _key = make_integration("generic")
    services.integration_set_enabled(integration_id=integration.pk, enabled=False)

    response = click(integration)

    assert response.status_code == 409
    assert "disabled" in response.content.decode()
    assert not Delivery.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_with_htmx_the_panel_is_replaced_in_place(client_logged_in, make_integration):
    """Committed for real, as in production: the on-commit doorbell processes the delivery (eagerly)
    inside the request, so the answer already links the incident."""
    integration, _key = make_integration("datadog")

    response = client_logged_in.post(f"/integrations/{integration.pk}/test-alert/", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<section class="card" id="test-alert"')
    assert "<html" not in content
    assert f"INC-{Incident.objects.get().pk}" in content


def test_queued_for_a_worker_the_panel_polls_until_processed(client_logged_in, make_integration):
    integration, _key = make_integration("generic")

    # No on-commit callbacks run: as with workers, the delivery waits (pending) for one to take it.
    response = client_logged_in.post(f"/integrations/{integration.pk}/test-alert/", HTTP_HX_REQUEST="true")

    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.PENDING
    content = response.content.decode()
    assert "queued" in content
    poll = re.search(r'hx-get="([^"]+)"', content).group(1).replace("&amp;", "&")
    assert poll == f"/integrations/{integration.pk}/test-alert/{delivery.pk}/?poll=1"
    assert not Incident.objects.exists()

    services.deliveries_process()  # what a worker does
    again = client_logged_in.get(poll, HTTP_HX_REQUEST="true").content.decode()

    incident = Incident.objects.get()
    assert f'href="/incidents/{incident.pk}/"' in again
    assert "hx-get" not in again  # done: no more polling


def test_polling_stops_after_its_bound(client_logged_in, make_integration):
    integration, _key = make_integration("generic")
    client_logged_in.post(f"/integrations/{integration.pk}/test-alert/", HTTP_HX_REQUEST="true")
    delivery = Delivery.objects.get()

    last = client_logged_in.get(
        f"/integrations/{integration.pk}/test-alert/{delivery.pk}/?poll=999", HTTP_HX_REQUEST="true"
    ).content.decode()
    early = client_logged_in.get(
        f"/integrations/{integration.pk}/test-alert/{delivery.pk}/?poll=1", HTTP_HX_REQUEST="true"
    ).content.decode()

    assert "Still queued" in last and "hx-get" not in last
    assert "hx-get" in early


@pytest.mark.parametrize("poll", ["abc", "-3", "\x00", "9" * 50])
def test_a_bad_poll_count_is_not_a_5xx(client_logged_in, make_integration, poll):
    integration, _key = make_integration("generic")
    client_logged_in.post(f"/integrations/{integration.pk}/test-alert/", HTTP_HX_REQUEST="true")
    delivery = Delivery.objects.get()

    response = client_logged_in.get(
        f"/integrations/{integration.pk}/test-alert/{delivery.pk}/", {"poll": poll}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200


def test_a_delivery_of_another_integration_is_404(client_logged_in, click, make_integration, team):
    first, _key = make_integration("generic")
    second, _key = services.integration_create(name="other", kind="generic", team=team)
    click(first)
    delivery = Delivery.objects.get()

    response = client_logged_in.get(
        f"/integrations/{second.pk}/test-alert/{delivery.pk}/", HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 404
    page = client_logged_in.get(f"/integrations/{second.pk}/?test={delivery.pk}").content.decode()
    assert 'data-testid="test-result"' not in page


@pytest.mark.parametrize("test", ["abc", "-1", "99999999", "\x00"])
def test_a_bad_test_id_on_the_page_is_ignored(client_logged_in, make_integration, test):
    integration, _key = make_integration("generic")

    response = client_logged_in.get(f"/integrations/{integration.pk}/", {"test": test})

    assert response.status_code == 200
    assert 'data-testid="test-result"' not in response.content.decode()


def test_the_button_needs_a_login_and_a_post(client, make_integration):
    integration, _key = make_integration("generic")

    assert client.post(f"/integrations/{integration.pk}/test-alert/").status_code == 302  # to the login
    assert not Delivery.objects.exists()


def test_get_on_the_button_is_405(client_logged_in, make_integration):
    integration, _key = make_integration("generic")

    assert client_logged_in.get(f"/integrations/{integration.pk}/test-alert/").status_code == 405


def test_unknown_integration_is_404(client_logged_in):
    assert client_logged_in.post("/integrations/999999/test-alert/").status_code == 404


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_the_service_refuses_anyone_not_signed_in(make_integration, actor):
    integration, _key = make_integration("generic")

    with pytest.raises(errors.PermissionDenied):
        integration_services.integration_send_test_alert(actor=actor, integration_id=integration.pk)
    assert not Delivery.objects.exists()


def test_the_service_returns_the_stored_delivery(make_integration, user):
    integration, _key = make_integration("alertmanager")

    delivery_id = integration_services.integration_send_test_alert(actor=user, integration_id=integration.pk)

    delivery = Delivery.objects.get(pk=delivery_id)
    assert delivery.integration == integration
    assert json.loads(delivery.body)["version"] == "4"


def test_the_button_needs_the_csrf_token(make_integration, user):
    from django.test import Client

    integration, _key = make_integration("generic")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)

    refused = browser.post(f"/integrations/{integration.pk}/test-alert/")
    page = browser.get(f"/integrations/{integration.pk}/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    accepted = browser.post(f"/integrations/{integration.pk}/test-alert/", {"csrfmiddlewaretoken": token})

    assert refused.status_code == 403
    assert accepted.status_code == 302
    assert Delivery.objects.count() == 1
