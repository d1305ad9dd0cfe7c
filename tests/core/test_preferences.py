"""The preferences page: a person picks the time zone in which every page shows (and reads) times."""

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.models import Profile
from core.templatetags import cornerstone
from incidents.models import Incident
from tests import factories

pytestmark = pytest.mark.django_db

KOLKATA = ZoneInfo("Asia/Kolkata")


def shown(value, zone) -> str:
    """The absolute time as pages show it in `zone` (the format itself: tests/core/test_templatetags.py)."""
    with timezone.override(zone):
        return cornerstone.absolute(value)


@pytest.fixture
def incident(user, team):
    return factories.incident(actor=user, team=team, title="Checkout errors")


def test_preferences_get_shows_utc_for_a_new_user(client_logged_in, user):
    response = client_logged_in.get("/preferences/")

    assert response.status_code == 200
    assert '<option value="UTC" selected>UTC</option>' in response.content.decode()
    assert Profile.objects.get(user=user).time_zone == "UTC"


def test_preferences_valid_zone_is_saved_and_redirects(client_logged_in, user):
    response = client_logged_in.post("/preferences/", {"time_zone": "Asia/Kolkata"})

    assert response.status_code == 302
    assert response.url == "/preferences/"
    assert Profile.objects.get(user=user).time_zone == "Asia/Kolkata"
    page = client_logged_in.get(response.url).content.decode()
    assert "Times are now shown in Asia/Kolkata." in page
    assert '<option value="Asia/Kolkata" selected>Asia/Kolkata</option>' in page


def test_preferences_chosen_zone_shows_incident_times_in_that_zone(client_logged_in, incident):
    url = f"/incidents/{incident.pk}/"
    in_utc = incident.detected_at.astimezone(UTC)
    in_kolkata = incident.detected_at.astimezone(KOLKATA)
    before = client_logged_in.get(url).content.decode()

    client_logged_in.post("/preferences/", {"time_zone": "Asia/Kolkata"})
    after = client_logged_in.get(url).content.decode()

    assert f" · {shown(in_utc, UTC)}</time>" in before
    assert shown(in_utc, UTC).endswith(f"{in_utc:%H:%M} UTC")
    assert f" · {shown(in_kolkata, KOLKATA)}</time>" in after
    assert shown(in_kolkata, KOLKATA).endswith(f"{in_kolkata:%H:%M} IST")
    assert " UTC" not in after


def test_preferences_chosen_zone_applies_to_a_new_session(client, user, incident):
    Profile.objects.create(user=user, time_zone="Asia/Kolkata")
    client.post("/accounts/login/", {"username": "alice", "password": "pw"})

    content = client.get(f"/incidents/{incident.pk}/").content.decode()

    assert f" · {shown(incident.detected_at, KOLKATA)}</time>" in content


def test_preferences_chosen_zone_reads_typed_times_in_that_zone(client_logged_in, team):
    client_logged_in.post("/preferences/", {"time_zone": "Asia/Kolkata"})
    typed = (timezone.now().astimezone(KOLKATA) - timedelta(days=1)).replace(second=0, microsecond=0)

    response = client_logged_in.post(
        "/incidents/declare/",
        {
            "title": "Late night outage",
            "severity": "SEV3",
            "team": team.pk,
            "detected_at": typed.strftime("%Y-%m-%dT%H:%M"),
        },
    )

    assert response.status_code == 302
    assert Incident.objects.get().detected_at == typed.astimezone(UTC)


def test_preferences_invalid_zone_returns_400_and_keeps_the_old_one(client_logged_in, user, incident):
    response = client_logged_in.post("/preferences/", {"time_zone": "Mars/Olympus_Mons"})

    assert response.status_code == 400
    assert "Select a valid choice. Mars/Olympus_Mons is not one of the available choices." in (
        response.content.decode()
    )
    assert Profile.objects.get(user=user).time_zone == "UTC"
    page = client_logged_in.get(f"/incidents/{incident.pk}/").content.decode()
    assert f" · {shown(incident.detected_at, UTC)}</time>" in page


def test_preferences_page_links_to_the_notification_preferences_through_its_panel(client_logged_in):
    content = client_logged_in.get("/preferences/").content.decode()

    assert 'id="notification-preferences"' in content  # served by the notifications app (core.panels)
    assert 'href="/preferences/notifications/"' in content
