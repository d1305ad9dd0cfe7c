"""Small builders for test data. Incidents go through the real services, so their timeline and
invariants are what production would have."""

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from coe import services as coe_services
from coe.models import ActionKind, Coe
from coe.sections import SectionKey
from incidents import phases, services
from incidents.models import Criticality, Incident, Service, Team

_counter = itertools.count(1)


def user(username: str | None = None, *, password: str = "pw", **fields):
    username = username or f"user{next(_counter)}"
    return get_user_model().objects.create_user(username=username, password=password, **fields)


def team(name: str | None = None) -> Team:
    return services.team_create(name=name or f"Team {next(_counter)}")


def service(
    name: str | None = None, *, team: Team | None = None, critical: bool = False, cost_per_hour="1000"
) -> Service:
    return services.service_create(
        name=name or f"Service {next(_counter)}",
        team=team or globals()["team"](),
        criticality=Criticality.CRITICAL if critical else Criticality.NON_CRITICAL,
        cost_per_hour=Decimal(cost_per_hour),
    )


def incident(
    *,
    actor=None,
    title: str | None = None,
    team: Team | None = None,
    services_: list[Service] | None = None,
    severity: str = "SEV3",
    started_at: datetime | None = None,
    detected_at: datetime | None = None,
    source: str = "web",
    **fields,
) -> Incident:
    now = timezone.now()
    return services.incident_declare(
        actor=actor,
        title=title or f"Incident {next(_counter)}",
        team=team or globals()["team"](),
        services=services_ or [],
        severity=severity,
        started_at=started_at,
        detected_at=detected_at
        if detected_at is not None
        else (None if source == "alert" else now - timedelta(hours=2)),
        source=source,
        **fields,
    )


def advance(
    incident: Incident, *, to: phases.Phase | None, actor=None, step: timedelta = timedelta(minutes=10)
) -> Incident:
    """Advance one phase at a time, `step` after the last stamp, until `to` is current (None: resolved)."""
    at = max(value for value in incident.stamps.values() if value is not None)
    while (current := phases.current_phase(incident.stamps)) != to:
        at += step
        incident = services.incident_advance(
            incident_id=incident.pk, actor=actor, expected_phase=current, at=at
        )
    return incident


def coe(incident: Incident | None = None, *, actor=None, owner=None, **incident_fields) -> Coe:
    """Start the COE of `incident` (by default a new one, built from `incident_fields`) via the service."""
    actor = actor or user()
    incident = incident or globals()["incident"](actor=actor, **incident_fields)
    return coe_services.coe_start(incident_id=incident.pk, actor=actor, owner=owner)


def coe_complete(coe: Coe, *, actor, owner=None) -> Coe:
    """Give a COE everything submission asks for except the reviewers: the six sections written, a
    factor with its whys and a "prevent" action item with an owner and a due date."""
    for key in SectionKey:
        section = coe.sections.get(key=key)
        coe_services.coe_section_save(
            coe_id=coe.pk, key=key, body=f"Written: {key.label}", base_version=section.version, actor=actor
        )
    coe_services.factor_save(
        coe_id=coe.pk,
        actor=actor,
        statement="The deploy pipeline let a bad config through",
        category="process",
        whys=["No validation step", "The schema was not versioned"],
    )
    coe_services.action_item_save(
        coe_id=coe.pk,
        actor=actor,
        title="Validate configs in CI",
        kind=ActionKind.PREVENT,
        owner=owner or actor,
        due_on=timezone.localdate() + timedelta(days=14),
    )
    return coe
