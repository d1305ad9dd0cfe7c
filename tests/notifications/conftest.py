from datetime import UTC, datetime

import pytest

from notifications import services
from notifications.models import TeamWebhook
from tests import factories
from tests.notifications.receivers import HttpReceiver

# A Wednesday morning, in the reporting time zone (UTC in the tests).
WEDNESDAY = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def owner(db):
    return factories.user("olivia", email="olivia@example.com", first_name="Olivia")


@pytest.fixture
def commander(db):
    return factories.user("carl", email="carl@example.com", first_name="Carl")


@pytest.fixture
def reviewer(db):
    return factories.user("rita", email="rita@example.com", first_name="Rita")


@pytest.fixture
def receiver():
    http_receiver = HttpReceiver().start()
    yield http_receiver
    http_receiver.stop()


@pytest.fixture
def webhook_for():
    def make(team, url: str, *, format: str = "generic", secret: str = "", events=None) -> TeamWebhook:
        webhook, _ = services.webhook_create(
            team=team,
            name=f"hook {TeamWebhook.objects.count() + 1}",
            url=url,
            format=format,
            events=events or ["incident.declared", "incident.resolved", "digest.weekly"],
            secret=secret,
        )
        return webhook

    return make
