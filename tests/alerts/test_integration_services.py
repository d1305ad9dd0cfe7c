"""integration_create / integration_update on the real database: the maps, names unique per team,
the settings that belong to one kind only."""

import pytest
from django.contrib.auth.models import AnonymousUser

from alerts import services
from alerts.models import Integration
from alerts.services import integrations
from core import errors
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkout(team):
    return factories.service("Checkout API", team=team)


def test_maps_are_stored_trimmed_with_severities_in_capitals(team, checkout):
    integration, _key = services.integration_create(
        name="gen",
        kind="generic",
        team=team,
        severity_map={" db-down ": "sev1", "noise": "SEV4"},
        service_map={" payments": checkout.slug},
    )

    integration.refresh_from_db()
    assert integration.severity_map == {"db-down": "SEV1", "noise": "SEV4"}
    assert integration.service_map == {"payments": checkout.slug}


BAD_MAPS = [
    # (severity map, service map, the field named, words of the message)
    ({"x": "SEV9"}, {}, "severity_map", "unknown severity 'SEV9'"),
    ({"x": 1}, {}, "severity_map", "unknown severity 1"),
    ({"  ": "SEV1"}, {}, "severity_map", "a label value is empty"),
    ({"High": "SEV1", " high": "SEV2"}, {}, "severity_map", "are the same label value"),
    ({"x" * 201: "SEV1"}, {}, "severity_map", "longer than 200"),
    (["x"], {}, "severity_map", "must map label values"),
    ({}, {"payments": "no-such-service"}, "service_map", "unknown service 'no-such-service'"),
    ({}, {"payments": None}, "service_map", "unknown service None"),
    ({}, {"a": "checkout-api", "A ": "checkout-api"}, "service_map", "are the same label value"),
    ({f"v{i}": "SEV1" for i in range(201)}, {}, "severity_map", "at most 200 rows"),
]


@pytest.mark.parametrize(("severity_map", "service_map", "field", "words"), BAD_MAPS)
def test_bad_maps_are_refused_naming_the_field(team, checkout, severity_map, service_map, field, words):
    with pytest.raises(errors.ValidationFailed) as caught:
        services.integration_create(
            name="gen", kind="generic", team=team, severity_map=severity_map, service_map=service_map
        )

    assert caught.value.extra["field"] == field
    assert words in caught.value.message
    assert not Integration.objects.exists()


@pytest.mark.parametrize(("severity_map", "service_map", "field", "words"), BAD_MAPS)
def test_bad_maps_are_refused_on_update_too(team, checkout, severity_map, service_map, field, words):
    integration, _key = services.integration_create(name="gen", kind="generic", team=team)

    with pytest.raises(errors.ValidationFailed) as caught:
        services.integration_update(
            integration_id=integration.pk, severity_map=severity_map, service_map=service_map
        )

    assert caught.value.extra["field"] == field
    integration.refresh_from_db()
    assert (integration.severity_map, integration.service_map) == ({}, {})


def test_a_name_is_unique_per_team_whatever_its_case(team):
    services.integration_create(name="Prod Alertmanager", kind="alertmanager", team=team)

    with pytest.raises(errors.Conflict) as caught:
        services.integration_create(name=" PROD alertmanager ", kind="generic", team=team)

    assert caught.value.status == 409
    assert caught.value.extra == {"field": "name"}
    assert "Payments already has an integration named" in caught.value.message


def test_the_same_name_in_another_team_is_allowed(team):
    services.integration_create(name="Prod", kind="alertmanager", team=team)

    other, _key = services.integration_create(name="prod", kind="alertmanager", team=factories.team("Orders"))

    assert other.pk


def test_a_concurrent_create_of_the_same_name_is_a_409_not_a_500(team, monkeypatch):
    """Two requests both pass the check before either saves: the database constraint decides."""
    services.integration_create(name="Prod", kind="generic", team=team)
    # Both checks (ours and full_clean's) ran before the other request saved.
    monkeypatch.setattr(integrations, "_check_name_free", lambda *args, **kwargs: None)
    monkeypatch.setattr(Integration, "validate_constraints", lambda self, exclude=None: None)

    with pytest.raises(errors.Conflict) as caught:
        services.integration_create(name="PROD", kind="generic", team=team)

    assert caught.value.code == "name_taken"
    assert Integration.objects.count() == 1


def test_update_keeps_its_own_name_and_refuses_another_integrations(team):
    services.integration_create(name="First", kind="generic", team=team)
    second, _key = services.integration_create(name="Second", kind="generic", team=team)

    services.integration_update(integration_id=second.pk, name="second")  # its own name, in another case
    with pytest.raises(errors.Conflict):
        services.integration_update(integration_id=second.pk, name="first")

    second.refresh_from_db()
    assert second.name == "second"


def test_moving_to_a_team_that_has_the_name_is_refused(team):
    orders = factories.team("Orders")
    services.integration_create(name="Prod", kind="generic", team=orders)
    mine, _key = services.integration_create(name="Prod", kind="generic", team=team)

    with pytest.raises(errors.Conflict):
        services.integration_update(integration_id=mine.pk, team=orders)


def test_an_hmac_secret_applies_to_grafana_only(team):
    with pytest.raises(errors.ValidationFailed) as caught:
        services.integration_create(name="am", kind="alertmanager", team=team, hmac_secret="s")
    assert caught.value.extra == {"field": "hmac_secret"}

    grafana, _key = services.integration_create(name="g", kind="grafana", team=team, hmac_secret="s")
    assert grafana.hmac_secret == "s"


def test_a_service_deleted_since_does_not_block_a_rename(team, checkout):
    integration, _key = services.integration_create(
        name="gen", kind="generic", team=team, service_map={"payments": checkout.slug}
    )
    Integration.objects.filter(pk=integration.pk).update(service_map={"payments": "gone"})

    services.integration_update(integration_id=integration.pk, name="renamed")

    integration.refresh_from_db()
    assert integration.name == "renamed"


def test_update_refuses_fields_that_cannot_change(team):
    integration, _key = services.integration_create(name="gen", kind="generic", team=team)

    with pytest.raises(errors.ValidationFailed, match="cannot be changed: key_hash, kind"):
        services.integration_update(integration_id=integration.pk, kind="grafana", key_hash="x")


def test_anonymous_actors_cannot_create_or_update(team):
    with pytest.raises(errors.PermissionDenied):
        services.integration_create(name="gen", kind="generic", team=team, actor=AnonymousUser())
    integration, _key = services.integration_create(name="gen", kind="generic", team=team)
    with pytest.raises(errors.PermissionDenied):
        services.integration_update(integration_id=integration.pk, actor=AnonymousUser(), name="x")
