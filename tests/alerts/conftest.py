import json

import pytest

from alerts import services
from tests import factories
from tests.payloads import PAYLOADS


def payload(name: str) -> bytes:
    """A shared sample body, byte for byte as the tool sends it."""
    return (PAYLOADS / name).read_bytes()


def payload_headers(name: str) -> dict[str, str]:
    """The request headers that go with a sample (CloudWatch via SNS has them), as test-client kwargs."""
    headers = json.loads((PAYLOADS / name).read_text())
    return {
        f"HTTP_{key.upper().replace('-', '_')}": value
        for key, value in headers.items()
        if key != "Content-Type"
    }


@pytest.fixture
def team(db):
    return factories.team("Payments")


@pytest.fixture
def make_integration(team):
    def make(kind: str, **fields):
        return services.integration_create(name=f"{kind} test", kind=kind, team=team, **fields)

    return make


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST a body to an integration's hook as the tool would. The test runs inside a transaction
    that never commits, so the on-commit doorbell (eager processing here) is run explicitly."""

    def send(key: str, body: bytes, *, content_type: str = "application/json", bearer: bool = False, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            if bearer:  # the key in the Authorization header instead of the path
                return client.post(
                    "/hooks/",
                    data=body,
                    content_type=content_type,
                    HTTP_AUTHORIZATION=f"Bearer {key}",
                    **extra,
                )
            return client.post(f"/hooks/{key}/", data=body, content_type=content_type, **extra)

    return send


@pytest.fixture
def enqueue(client, django_capture_on_commit_callbacks):
    """POST a PagerDuty Events v2 event to /v2/enqueue."""

    def send(event: dict | bytes):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/v2/enqueue", data=event, content_type="application/json")

    return send
