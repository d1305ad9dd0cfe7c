"""A hand-made week (2026-W10, reporting zone UTC) whose every figure is worked out in the tests.

Incidents (minutes after impact began at which each later stamp is set: detected, evaluated,
responded, recovered, confirmed):
- i1 team A, service S1, SEV1, Tue 10:00, (5, 10, 20, 30, 40): resolved; downtime 1800 s
- i2 team A, services S1+S2, SEV2, Wed 10:00, (10, 20, 40, 70, 80): resolved; downtime 4200 s
- i3 team B, service S3, SEV2, Thu 10:00, (20,): still in evaluate: ongoing, downtime runs to NOW
- i4 team B, SEV3, Fri 10:00: a false alarm (noise)
- i5 team A, SEV4, Sat 10:00, opened by an alert and auto-resolved (noise)
- i0 team A, SEV1, the week before: not in this week
S1 costs 3600 an hour (1 a second), S2 7200 (2 a second), S3 nothing.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from coe import services as coe_services
from coe.models import ActionItem, ActionStatus, Coe, CoeState
from incidents import services as incident_services
from incidents.models import Incident
from incidents.phases import current_phase
from tests import factories

WEEK = date(2026, 3, 2)  # 2026-W10
PREVIOUS = date(2026, 2, 23)
TUESDAY = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)  # long after the week


def at(day: int, hour: int = 10, minute: int = 0) -> datetime:
    """Day 0 is Monday of 2026-W10 (negative: the week before, 7 and more: the week after)."""
    return datetime(2026, 3, 2, hour, minute, tzinfo=UTC) + timedelta(days=day)


def make(*, team, services=(), severity="SEV2", start: datetime, minutes=(5,), actor=None) -> Incident:
    """Declared by a person with detected_at = start + minutes[0]; each later stamp after it."""
    incident = factories.incident(
        actor=actor,
        team=team,
        services_=list(services),
        severity=severity,
        started_at=start,
        detected_at=start + timedelta(minutes=minutes[0]),
    )
    for minute in minutes[1:]:
        incident = incident_services.incident_advance(
            incident_id=incident.pk,
            actor=actor,
            expected_phase=current_phase(incident.stamps),
            at=start + timedelta(minutes=minute),
        )
    return incident


@dataclass
class Week:
    team_a: object
    team_b: object
    s1: object
    s2: object
    s3: object
    incidents: dict[str, Incident]
    user: object


@pytest.fixture
def week(db, user) -> Week:
    team_a, team_b = factories.team("Payments"), factories.team("Search")
    s1 = factories.service("Checkout", team=team_a, cost_per_hour="3600")
    s2 = factories.service("Ledger", team=team_a, cost_per_hour="7200")
    s3 = factories.service("Index", team=team_b, cost_per_hour="0")
    incidents = {
        "i1": make(team=team_a, services=[s1], severity="SEV1", start=at(1), minutes=(5, 10, 20, 30, 40)),
        "i2": make(
            team=team_a, services=[s1, s2], severity="SEV2", start=at(2), minutes=(10, 20, 40, 70, 80)
        ),
        "i3": make(team=team_b, services=[s3], severity="SEV2", start=at(3), minutes=(20,)),
        "i4": make(team=team_b, severity="SEV3", start=at(4)),
        "i0": make(team=team_a, severity="SEV1", start=at(-3), minutes=(5, 10, 20, 30, 40)),
    }
    incident_services.incident_mark_false_alarm(
        incident_id=incidents["i4"].pk, actor=user, reason="Flaky probe"
    )
    alert = factories.incident(team=team_a, severity="SEV4", started_at=at(5), source="alert")
    incident_services.incident_alerts_resolved(incident_id=alert.pk, ended_at=at(5, 10, 15))
    incidents["i5"] = alert
    return Week(team_a, team_b, s1, s2, s3, incidents, user)


def item(coe: Coe, *, actor, created: datetime, status=ActionStatus.OPEN, completed=None, due=None, **fields):
    """An action item made through the service, then moved in time."""
    saved = coe_services.action_item_save(
        coe_id=coe.pk,
        actor=actor,
        title=f"Item {created.isoformat()}",
        status=status,
        wont_do_reason="Not worth it" if status == ActionStatus.WONT_DO else "",
        **fields,
    )
    ActionItem.objects.filter(pk=saved.pk).update(created_at=created, completed_at=completed, due_on=due)
    return saved


@pytest.fixture
def follow_up(week) -> dict[str, object]:
    """COEs and action items around 2026-W10 (see test_services.py for what each one counts as).

    Action items, all on the COE of i1 (team A, S1, SEV1):
    a1 created Wed, open, due Fri               -> created, overdue at week end
    a2 created Wed, done Thu, due Fri           -> created, completed on time
    a3 created the week before, done Sun 23:00, due Sat -> completed late
    a4 created the week before, won't do, due the week before -> nothing
    a5 created Wed, done the next week, due Wed -> created, overdue at week end
    a6 created Wed, done Thu, no due date       -> created, completed on time
    COEs: i1 due Thu, approved Wed (on time); i2 due Fri, approved next Monday (late);
    i3 due Sat, never approved (late, the date has passed).
    """
    actor = week.user
    coes = {name: factories.coe(week.incidents[name], actor=actor) for name in ("i1", "i2", "i3")}
    coe = coes["i1"]  # items are added while it is a draft, then it is approved
    done = ActionStatus.DONE
    items = {
        "a1": item(coe, actor=actor, created=at(2), due=at(4).date()),
        "a2": item(coe, actor=actor, created=at(2), status=done, completed=at(3), due=at(4).date()),
        "a3": item(coe, actor=actor, created=at(-2), status=done, completed=at(6, 23), due=at(5).date()),
        "a4": item(coe, actor=actor, created=at(-2), status=ActionStatus.WONT_DO, due=at(-1).date()),
        "a5": item(coe, actor=actor, created=at(2), status=done, completed=at(8), due=at(2).date()),
        "a6": item(coe, actor=actor, created=at(2), status=done, completed=at(3)),
    }
    Coe.objects.filter(pk=coes["i1"].pk).update(
        due_on=at(3).date(), approved_at=at(2), state=CoeState.APPROVED
    )
    Coe.objects.filter(pk=coes["i2"].pk).update(
        due_on=at(4).date(), approved_at=at(7), state=CoeState.APPROVED
    )
    Coe.objects.filter(pk=coes["i3"].pk).update(due_on=at(5).date(), approved_at=None)
    return {"coes": coes, "items": items}
