"""/operations/: the consumers' lag and the events they gave up on, for staff only."""

import pytest

from core import consumers
from core.models import ConsumerCursor, ConsumerFailure
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    person = factories.user("ops", is_staff=True)
    client.force_login(person)
    return person


def test_staff_see_every_consumer_with_its_lag(client, staff):
    factories.incident(actor=staff, title="Checkout 500s")

    content = client.get("/operations/").content.decode()

    for consumer in consumers.registered():
        assert f'data-testid="consumer-{consumer.name}"' in content
    assert 'data-testid="no-failures"' in content


def test_a_failed_event_is_listed_and_given_another_pass(client, staff):
    ConsumerCursor.objects.update_or_create(name="metrics.incidents", defaults={"position": 10})
    failure = ConsumerFailure.objects.create(
        consumer="metrics.incidents",
        event_id=7,
        attempts=3,
        error="RuntimeError: boom",
        failed_at="2026-12-01T10:00Z",
    )

    listed = client.get("/operations/").content.decode()
    response = client.post(f"/operations/failures/{failure.pk}/retry/", follow=True)

    assert "RuntimeError: boom" in listed
    assert "will be handled again" in response.content.decode()
    assert "7" in ConsumerCursor.objects.get(name="metrics.incidents").retries
    again = client.post(f"/operations/failures/{failure.pk}/retry/", follow=True)
    assert "already given another pass" in again.content.decode()


def test_others_are_refused_with_403_and_change_nothing(client, user):
    client.force_login(user)
    failure = ConsumerFailure.objects.create(
        consumer="metrics.incidents", event_id=7, attempts=3, error="boom", failed_at="2026-12-01T10:00Z"
    )

    assert client.get("/operations/").status_code == 403
    assert client.post(f"/operations/failures/{failure.pk}/retry/").status_code == 403
    assert ConsumerFailure.objects.get().retried_at is None
