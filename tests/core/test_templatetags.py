"""The one way the product shows a moment (core/templatetags/cornerstone.py): relative and absolute, in
the viewer's zone. Rendered through Django's template engine with a zone active, as the middleware
activates it; then through pages with Django's client, for users who chose zones far from UTC."""

import re
import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.template import Context, Template
from django.utils import timezone

from core import forms as core_forms
from core.models import Profile
from tests import factories

NOW = datetime(2026, 12, 4, 17, 33, tzinfo=UTC)


def render(source: str, zone: str, **context) -> str:
    with time_machine.travel(NOW, tick=False), timezone.override(zoneinfo.ZoneInfo(zone)):
        return Template("{% load cornerstone %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("value", "zone", "expected"),
    [
        (NOW - timedelta(minutes=12), "Europe/Paris", "12\xa0minutes ago · Fri 4 Dec 18:21 CET"),
        (NOW - timedelta(minutes=12), "UTC", "12\xa0minutes ago · Fri 4 Dec 17:21 UTC"),
        # The same instant is already Saturday in Auckland (NZDT, +13) and still Friday in Los Angeles.
        (NOW - timedelta(hours=3), "Pacific/Auckland", "3\xa0hours ago · Sat 5 Dec 03:33 NZDT"),
        (NOW - timedelta(hours=3), "America/Los_Angeles", "3\xa0hours ago · Fri 4 Dec 06:33 PST"),
        # Summer time in the zone is shown as such (PDT in July), and another year is written out.
        (
            datetime(2025, 7, 1, 20, 0, tzinfo=UTC),
            "America/Los_Angeles",
            "1\xa0year ago · Tue 1 Jul 2025 13:00 PDT",
        ),
        (NOW - timedelta(seconds=20), "UTC", "just now · Fri 4 Dec 17:32 UTC"),
        (NOW + timedelta(hours=2, minutes=5), "UTC", "in 2\xa0hours · Fri 4 Dec 19:38 UTC"),
        (NOW - timedelta(days=9), "UTC", "1\xa0week ago · Wed 25 Nov 17:33 UTC"),
    ],
)
def test_when_shows_relative_and_absolute_in_the_active_zone(value, zone, expected):
    html = render("{{ value|when }}", zone, value=value)

    assert html == f'<time datetime="{value.isoformat()}">{expected}</time>'


def test_when_short_shows_the_relative_time_with_the_absolute_one_in_its_title():
    value = NOW - timedelta(minutes=12)

    html = render("{{ value|when_short }}", "Europe/Paris", value=value)

    assert (
        html == f'<time datetime="{value.isoformat()}" title="Fri 4 Dec 18:21 CET">12\xa0minutes ago</time>'
    )


def test_when_absolute_and_when_text_show_only_the_absolute_time():
    value = NOW - timedelta(minutes=12)

    assert (
        render("{{ value|when_absolute }}", "Asia/Kolkata", value=value)
        == f'<time datetime="{value.isoformat()}">Fri 4 Dec 22:51 IST</time>'
    )
    assert render("{{ value|when_text }}", "Asia/Kolkata", value=value) == "Fri 4 Dec 22:51 IST"


@pytest.mark.parametrize("name", ["when", "when_short", "when_absolute", "when_text"])
def test_an_unknown_time_is_a_dash(name):
    assert render(f"{{{{ value|{name} }}}}", "UTC", value=None) == "—"


@pytest.mark.django_db
def test_person_names_people_by_full_name_else_username():
    named = factories.user("mokafor", first_name="Maya", last_name="Okafor")
    nameless = factories.user("bdev")

    assert render("{{ a|person }}/{{ b|person }}/{{ c|person }}", "UTC", a=named, b=nameless, c=None) == (
        "Maya Okafor/bdev/—"
    )


@pytest.mark.django_db
def test_user_choice_field_labels_and_sorts_people_by_full_name():
    factories.user("zed", first_name="Anna", last_name="Zed")
    factories.user("able")  # no name: shown and sorted by username
    factories.user("carl", first_name="carl", last_name="Berg")  # sorted without regard to case
    factories.user("left", first_name="Left", is_active=False)

    field = core_forms.UserChoiceField(queryset=core_forms.active_users())

    assert [label for _, label in field.choices] == ["---------", "able", "Anna Zed", "carl Berg"]


# Pages: the middleware activates each user's own zone, so one incident reads differently to each.


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Pacific/Auckland", "Sat 5 Dec 03:33 NZDT"),
        ("America/Los_Angeles", "Fri 4 Dec 06:33 PST"),
        ("UTC", "Fri 4 Dec 14:33 UTC"),
    ],
)
def test_incident_page_shows_times_in_the_users_zone(client, zone, expected):
    viewer = factories.user("viewer")
    Profile.objects.create(user=viewer, time_zone=zone)
    with time_machine.travel(NOW, tick=False):
        incident = factories.incident(
            started_at=NOW - timedelta(hours=4), detected_at=NOW - timedelta(hours=3)
        )
        client.force_login(viewer)
        content = client.get(f"/incidents/{incident.pk}/").content.decode()

    detected = re.search(r"<dt>Detected</dt><dd>(.*?)</dd>", content).group(1)
    detected_at = incident.detected_at.isoformat()
    assert detected == f'<time datetime="{detected_at}">3\xa0hours ago · {expected}</time>'


@pytest.mark.django_db
def test_incident_list_shows_relative_times_with_the_absolute_one_in_the_title(client):
    viewer = factories.user("viewer")
    Profile.objects.create(user=viewer, time_zone="Pacific/Auckland")
    with time_machine.travel(NOW, tick=False):
        incident = factories.incident(
            started_at=NOW - timedelta(hours=4), detected_at=NOW - timedelta(hours=3)
        )
        client.force_login(viewer)
        content = client.get("/incidents/").content.decode()

    started = incident.started_at.isoformat()
    assert f'<time datetime="{started}" title="Sat 5 Dec 02:33 NZDT">4\xa0hours ago</time>' in content
