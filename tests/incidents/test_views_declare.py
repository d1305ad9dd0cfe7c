"""The declare form, through Django's test client on the real database: the GET defaults, a valid
declaration, backfilled times, and every invalid field with its error next to it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import phases
from incidents.models import EventKind, Incident
from incidents.phases import Phase
from tests import factories
from tests.incidents.helpers import kinds, local, minute

pytestmark = pytest.mark.django_db


def field_errors(response) -> dict[str, list[str]]:
    """The error messages rendered next to each form field (templates/incidents/_field.html)."""
    errors: dict[str, list[str]] = {}
    for name, message in re.findall(
        r'<p class="error" id="id_(\w+)_error" role="alert">(.*?)</p>', response.content.decode()
    ):
        errors.setdefault(name, []).append(message)
    return errors


@pytest.fixture
def declare_data(team, service, user) -> dict:
    return {
        "title": "Payments failing",
        "severity": "SEV2",
        "team": team.pk,
        "services": [service.pk],
        "commander": user.pk,
        "summary": "",
        "customer_impact": "Cards declined",
        "customers_affected": "120",
        "blast_radius": "eu-west-1, cell-3",
        "detected_at": "",
        "started_at": "",
    }


def test_declare_get_defaults_the_commander_to_the_current_user(client_logged_in, user):
    response = client_logged_in.get("/incidents/declare/")

    assert response.status_code == 200
    assert f'<option value="{user.pk}" selected>Alice</option>' in response.content.decode()


def test_declare_commander_picker_names_people_by_full_name_sorted_by_that_name(client_logged_in, user):
    zoe = factories.user("zbrown", first_name="Zoe", last_name="Brown")
    nameless = factories.user("bdev")
    factories.user("gone", first_name="Gone", is_active=False)

    content = client_logged_in.get("/incidents/declare/").content.decode()

    select = re.search(r'<select name="commander".*?</select>', content, re.S).group(0)
    labels = re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', select)
    assert labels == [
        ("", "---------"),
        (str(user.pk), "Alice"),
        (str(nameless.pk), "bdev"),
        (str(zoe.pk), "Zoe Brown"),
    ]


def test_declare_get_with_team_preselects_it(client_logged_in, team):
    response = client_logged_in.get(f"/incidents/declare/?team={team.pk}")

    assert f'<option value="{team.pk}" selected>Payments</option>' in response.content.decode()


def test_declare_valid_post_creates_one_incident_in_evaluate_and_redirects(
    client_logged_in, declare_data, user, service
):
    before = timezone.now()

    response = client_logged_in.post("/incidents/declare/", declare_data)

    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response.url == f"/incidents/{incident.pk}/"
    assert phases.current_phase(incident.stamps) == Phase.EVALUATE
    assert before <= incident.detected_at <= timezone.now()
    assert incident.started_at == incident.detected_at
    assert incident.commander == user
    assert list(incident.services.all()) == [service]
    assert incident.blast_radius == ["eu-west-1", "cell-3"]
    assert incident.customers_affected == 120
    assert incident.severity == "SEV2"
    assert kinds(incident) == [EventKind.DECLARED]
    page = client_logged_in.get(response.url).content.decode()
    assert '<span class="tag">eu-west-1</span> <span class="tag">cell-3</span>' in page


def test_declare_backfilled_times_are_stored(client_logged_in, declare_data):
    now = timezone.now()
    declare_data.update(
        started_at=local(now - timedelta(hours=3)), detected_at=local(now - timedelta(hours=1))
    )

    response = client_logged_in.post("/incidents/declare/", declare_data)

    incident = Incident.objects.get()
    assert response.status_code == 302
    assert incident.started_at == minute(now - timedelta(hours=3))
    assert incident.detected_at == minute(now - timedelta(hours=1))


HOUR = timedelta(hours=1)
# Each invalid declaration: what changes in the valid form (a timedelta is a time that far from now),
# the field the error must sit next to, and the error.
INVALID_DECLARATIONS = {
    "missing-title": ({"title": ""}, "title", "This field is required."),
    "long-title": (
        {"title": "x" * 201},
        "title",
        "Ensure this value has at most 200 characters (it has 201).",
    ),
    "bad-severity": (
        {"severity": "SEV9"},
        "severity",
        "Select a valid choice. SEV9 is not one of the available choices.",
    ),
    "missing-team": ({"team": ""}, "team", "This field is required."),
    "unknown-service": (
        {"services": ["999999"]},
        "services",
        "Select a valid choice. 999999 is not one of the available choices.",
    ),
    "negative-customers": (
        {"customers_affected": "-1"},
        "customers_affected",
        "Ensure this value is greater than or equal to 0.",
    ),
    "detected-in-future": (
        {"started_at": -HOUR, "detected_at": 24 * HOUR},
        "detected_at",
        "The detected time cannot be in the future.",
    ),
    "started-after-detected": (
        {"started_at": -HOUR, "detected_at": -2 * HOUR},
        "started_at",
        "Impact cannot start after it was detected.",
    ),
    "malformed-datetime": ({"detected_at": "yesterday at noon"}, "detected_at", "Enter a valid date/time."),
}


@pytest.mark.parametrize(
    ("changes", "field", "message"), INVALID_DECLARATIONS.values(), ids=INVALID_DECLARATIONS
)
def test_declare_invalid_field_returns_400_with_the_error_next_to_it(
    client_logged_in, declare_data, changes, field, message
):
    now = timezone.now()
    declare_data.update({k: local(now + v) if isinstance(v, timedelta) else v for k, v in changes.items()})

    response = client_logged_in.post("/incidents/declare/", declare_data)

    assert response.status_code == 400
    assert field_errors(response) == {field: [message]}
    assert not Incident.objects.exists()


def test_declare_only_detected_at_in_future_shows_the_error_next_to_detected_at(
    client_logged_in, declare_data
):
    declare_data["detected_at"] = local(timezone.now() + timedelta(days=1))

    response = client_logged_in.post("/incidents/declare/", declare_data)

    assert response.status_code == 400
    assert field_errors(response) == {"detected_at": ["The detected time cannot be in the future."]}
    assert not Incident.objects.exists()
