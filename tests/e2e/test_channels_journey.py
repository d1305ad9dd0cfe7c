"""An incident commander wires a team to a (local) webhook receiver in the browser, with a signing
secret shown once; declaring an incident posts a signed Slack body there; a send that kept failing is
shown failed in the outbox and retried from there. Tasks run in-process (the embedded default)."""

import hashlib
import hmac
import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.e2e.test_incident_journey import PASSWORD, _log_in
from tests.notifications.receivers import HttpReceiver

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver():
    # The first delivery is refused three times (the send's every attempt), then it answers 200.
    server = HttpReceiver(script=[500, 500, 500, 200]).start()
    yield server
    server.stop()


def test_channels_journey_webhook_secret_incident_outbox_retry(live_server, page: Page, receiver, settings):
    settings.SITE_URL = live_server.url
    factories.user("jo", password=PASSWORD, first_name="Jo")
    factories.team("Payments")

    page.goto(f"{live_server.url}/channels/")
    _log_in(page, "jo")
    page.get_by_role("link", name="New webhook").click()
    page.get_by_label("Team").select_option(label="Payments")
    page.get_by_label("Name").fill("#payments-incidents")
    page.get_by_label("URL").fill(receiver.url)
    page.get_by_label("Generate a secret").check()
    page.get_by_role("button", name="Create webhook").click()
    secret = page.locator("#new-secret-value").input_value()
    assert len(secret) >= 20

    page.locator(".topbar").get_by_role("link", name="Declare incident").click()
    page.get_by_label("Title").fill("Checkout returns 502s")
    page.get_by_role("radio", name=re.compile(r"^SEV1:")).check()
    page.get_by_label("Team").select_option(label="Payments")
    page.get_by_role("button", name="Declare incident").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Checkout returns 502s")

    assert len(receiver.received) == 3  # one send, every attempt refused
    page.goto(f"{live_server.url}/outbox/")
    row = page.locator("tr[data-testid^='message-']").first
    expect(row).to_contain_text("Failed")
    expect(row).to_contain_text("500")
    row.get_by_role("button", name=re.compile(r"^Retry message")).click()
    expect(page.locator("tr[data-testid^='message-']").first).to_contain_text("Sent")

    delivered = receiver.received[-1]
    body = json.loads(delivered.body)
    assert body["text"].startswith("[SEV1] INC-") and "Checkout returns 502s" in body["text"]
    signed = f"{delivered.headers['x-cornerstone-timestamp']}.".encode() + delivered.body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    assert delivered.headers["x-cornerstone-signature"] == f"sha256={expected}"
