"""Property: however a scenario's deliveries are shuffled (HA copies, retries, repeats, resolves),
and in whatever order workers then process them, the end state is the one the tool's own order
says, so an alert is never left open that the latest state says is resolved.

The latest state is a small reference model per format: for one episode (Alertmanager, Grafana, a
Datadog cycle) any resolve ends it; CloudWatch's latest StateChangeTime wins; PagerDuty's latest
arrival wins. Orders come from a seeded generator, so a failure names a reproducible order.
"""

import random

import pytest
from django.core.cache import cache

from alerts import services
from alerts.models import Alert, AlertStatus, Delivery
from incidents.models import Incident, Status
from tests.alerts import senders
from tests.alerts.senders import alertmanager, cloudwatch, datadog, generic, grafana, pagerduty

pytestmark = pytest.mark.django_db

ORDERS_PER_SCENARIO = 20


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _episode(events):
    """One episode: open unless a resolve arrived."""
    return any(e.firing for e in events) and all(e.firing for e in events)


def _latest_by_time(timed):
    """[(time, event)]: the state of the newest state change."""
    return max(timed, key=lambda pair: pair[0])[1].firing


def alertmanager_scenario(k):
    return [
        alertmanager(k, starts=0, peer="0"),
        alertmanager(k, starts=0, peer="1"),  # the HA peer's copy
        alertmanager(k, starts=0, peer="0"),  # repeat interval
        alertmanager(k, starts=0, resolved_at=9, peer="0"),
        alertmanager(k, starts=0, resolved_at=9, peer="1"),
    ], _episode


def alertmanager_firing_only(k):
    return [alertmanager(k, starts=0, peer="0"), alertmanager(k, starts=0, peer="1")], _episode


def grafana_scenario(k):
    return [
        grafana(k, starts=0, peer="0"),
        grafana(k, starts=0, peer="1"),
        grafana(k, starts=0, resolved_at=4, peer="1"),
    ], _episode


def datadog_scenario(k):
    return [
        datadog(k, transition="Triggered", when=0, delivery_id=f"{k}-t"),
        datadog(k, transition="Triggered", when=0, delivery_id=f"{k}-t"),  # a retry: same $ID
        datadog(k, transition="Re-Triggered", when=2, delivery_id=f"{k}-rt"),
        datadog(k, transition="Recovered", when=6, delivery_id=f"{k}-r"),
    ], _episode


def cloudwatch_scenario(k):
    timed = [
        (1, cloudwatch(k, state="ALARM", changed=1, message_id=f"{k}-1")),
        (1, cloudwatch(k, state="ALARM", changed=1, message_id=f"{k}-1")),  # SNS retry
        (5, cloudwatch(k, state="OK", changed=5, message_id=f"{k}-2")),
        (9, cloudwatch(k, state="ALARM", changed=9, message_id=f"{k}-3")),
        (14, cloudwatch(k, state="OK", changed=14, message_id=f"{k}-4")),
    ]
    return [e for _, e in timed], lambda events: _latest_by_time(
        [pair for pair in timed if pair[1] in events]
    )


def cloudwatch_refiring(k):
    timed = [
        (1, cloudwatch(k, state="ALARM", changed=1, message_id=f"{k}-1")),
        (5, cloudwatch(k, state="OK", changed=5, message_id=f"{k}-2")),
        (9, cloudwatch(k, state="ALARM", changed=9, message_id=f"{k}-3")),
    ]
    return [e for _, e in timed], lambda events: _latest_by_time(timed)


def generic_scenario(k):
    timed = [
        (0, generic(k, started=0, n=1)),
        (0, generic(k, started=0, n=2)),  # a copy
        (10, generic(k, started=0, ended=10, n=3)),
        (20, generic(k, started=20, n=4)),
        (30, generic(k, started=20, ended=30, n=5)),
    ]
    return [e for _, e in timed], lambda events: _latest_by_time(timed)


def pagerduty_scenario(k):
    return [
        pagerduty(k, timestamp=0, n=1),
        pagerduty(k, timestamp=0, n=2),  # a retry of the trigger
        pagerduty(k, action="resolve", n=3),
        pagerduty(k, timestamp=-30, n=4),  # a new trigger with an old payload timestamp
        pagerduty(k, action="resolve", n=5),
    ], lambda arrived: arrived[-1].firing  # the latest arrival wins


SCENARIOS = {
    "alertmanager": alertmanager_scenario,
    "alertmanager-firing-only": alertmanager_firing_only,
    "grafana": grafana_scenario,
    "datadog": datadog_scenario,
    "cloudwatch": cloudwatch_scenario,
    "cloudwatch-refiring": cloudwatch_refiring,
    "generic": generic_scenario,
    "pagerduty": pagerduty_scenario,
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_shuffled_deliveries_end_in_the_latest_state(name, client, team):
    rng = random.Random(f"ordering-{name}")
    build = SCENARIOS[name]
    kind = build("probe")[0][0].kind
    integration, key = services.integration_create(
        name=f"{kind} property", kind=kind, team=team, verify_sns_signatures=False
    )
    for round_ in range(ORDERS_PER_SCENARIO):
        identity = f"{name}-{round_:03d}-k"
        events, latest_is_firing = build(identity)
        arrival = events[:]
        rng.shuffle(arrival)
        before = set(Delivery.objects.filter(integration=integration).values_list("id", flat=True))
        sent = set()
        for event in arrival:
            response = senders.send(client, key, event)
            retry = event.body in sent and event.kind in ("cloudwatch", "datadog")  # same vendor id
            expected = "success" if kind == "pagerduty" else "duplicate" if retry else "accepted"
            assert response.json()["status"] == expected, event
            sent.add(event.body)
        stored = sorted(
            set(Delivery.objects.filter(integration=integration).values_list("id", flat=True)) - before
        )
        processing = stored[:]
        rng.shuffle(processing)  # workers' batches commit in any order
        for delivery_id in processing:
            services.delivery_process(delivery_id=delivery_id)

        alerts = Alert.objects.filter(integration=integration, dedup_key__contains=identity)
        open_alerts = [a for a in alerts if a.status != AlertStatus.RESOLVED]
        expected_open = latest_is_firing(arrival)
        context = {"arrival": arrival, "processed": processing, "outcomes": _outcomes(processing)}
        assert bool(open_alerts) == expected_open, context
        assert len(open_alerts) <= 1, context
        if not expected_open:
            incident_ids = {a.incident_id for a in alerts}
            assert not Incident.objects.filter(pk__in=incident_ids, status=Status.ACTIVE).exists(), context


def _outcomes(delivery_ids):
    outcomes = dict(Delivery.objects.filter(pk__in=delivery_ids).values_list("id", "outcome"))
    return [outcomes[i].get("actions") for i in delivery_ids]
