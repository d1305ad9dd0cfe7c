import pytest

from tests import factories
from tests.worker import not_eager  # noqa: F401 (a fixture, for the tests that start a real worker)


@pytest.fixture
def user(db):
    return factories.user("alice", first_name="Alice")


@pytest.fixture
def client_logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def team(db):
    return factories.team("Payments")


@pytest.fixture
def service(team):
    return factories.service("Checkout API", team=team, critical=True, cost_per_hour="60000")
