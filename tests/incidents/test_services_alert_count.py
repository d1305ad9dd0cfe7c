"""`services.incident_alert_count_add`: what the alert intake calls once per chunk to count the alerts
it grouped into each incident."""

import pytest

from core import errors
from incidents import services
from incidents.models import Incident
from tests import factories

pytestmark = pytest.mark.django_db


def test_alert_count_add_increments_each_incident_and_leaves_its_version(team, user):
    first = factories.incident(actor=user, team=team, title="First")
    second = factories.incident(actor=user, team=team, title="Second")

    services.incident_alert_count_add(counts={first.pk: 3, second.pk: 1})
    services.incident_alert_count_add(counts={first.pk: 2})

    assert dict(Incident.objects.values_list("pk", "alert_count")) == {first.pk: 5, second.pk: 1}
    assert Incident.objects.get(pk=first.pk).version == first.version
    assert not Incident.objects.get(pk=first.pk).events.exclude(pk__in=first.events.all()).exists()


def test_alert_count_add_of_nothing_writes_nothing(team, user, django_assert_num_queries):
    incident = factories.incident(actor=user, team=team)

    with django_assert_num_queries(0):
        services.incident_alert_count_add(counts={})
    with django_assert_num_queries(0):
        services.incident_alert_count_add(counts={incident.pk: 0})


def test_alert_count_add_refuses_a_negative_count_and_changes_nothing(team, user):
    incident = factories.incident(actor=user, team=team)
    services.incident_alert_count_add(counts={incident.pk: 2})

    with pytest.raises(errors.ValidationFailed, match="only grows"):
        services.incident_alert_count_add(counts={incident.pk: -1})

    assert Incident.objects.get(pk=incident.pk).alert_count == 2
