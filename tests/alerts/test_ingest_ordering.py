"""Deliveries out of order, after a resolve and from HA peers, through the real endpoint.

Every case is a list of events in ARRIVAL order (as the tool delivered them) and the end state that
the tool's own ordering says: for Alertmanager, Grafana and Datadog alert cycles a resolve ends the
episode for good; for CloudWatch the alarm's StateChangeTime orders; for PagerDuty, the arrival.
Each case runs twice: processed in arrival order (one worker) and in reverse (two workers whose
batches committed the other way round). "no alert" means the late firing opened nothing; processed
in reverse, the firing may come first and open an alert that its resolve then closes: either way
nothing is left open.
"""

import pytest
from django.core.cache import cache

from alerts import services
from alerts.models import Alert, AlertStatus, Delivery, ResolvedIdentity
from alerts.services import processing
from incidents.models import Incident, Status
from tests.alerts import senders
from tests.alerts.senders import alertmanager, cloudwatch, datadog, generic, grafana, pagerduty

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


CASES = {
    # Alertmanager/Grafana: fingerprint + startsAt is one episode.
    "am: resolve arrives before its firing, the late firing opens nothing": (
        [alertmanager("a1", starts=0, resolved_at=5, peer="1"), alertmanager("a1", starts=0, peer="0")],
        "no alert",
    ),
    "am: firing, resolve, then the other peer's late firing copy": (
        [
            alertmanager("a2", starts=0, peer="0"),
            alertmanager("a2", starts=0, resolved_at=5, peer="0"),
            alertmanager("a2", starts=0, peer="1"),
        ],
        "resolved",
    ),
    "am: firing again after a resolve is a new startsAt, so a new alert": (
        [
            alertmanager("a3", starts=0),
            alertmanager("a3", starts=0, resolved_at=5),
            alertmanager("a3", starts=30),
        ],
        "open",
    ),
    "grafana: resolve before firing": (
        [grafana("g1", starts=0, resolved_at=3, peer="1"), grafana("g1", starts=0, peer="0")],
        "no alert",
    ),
    "grafana: late firing copy after the resolve": (
        [grafana("g2", starts=0), grafana("g2", starts=0, resolved_at=3), grafana("g2", starts=0, peer="1")],
        "resolved",
    ),
    # CloudWatch: the alarm's StateChangeTime orders its states.
    "cloudwatch: OK for an unknown alarm, then an older ALARM arrives": (
        [
            cloudwatch("cw1", state="OK", changed=10, message_id="m-cw1-ok"),
            cloudwatch("cw1", state="ALARM", changed=2, message_id="m-cw1-alarm"),
        ],
        "no alert",
    ),
    "cloudwatch: OK, then a newer ALARM is a new episode": (
        [
            cloudwatch("cw2", state="OK", changed=10, message_id="m-cw2-ok"),
            cloudwatch("cw2", state="ALARM", changed=20, message_id="m-cw2-alarm"),
        ],
        "open",
    ),
    "cloudwatch: ALARM, OK, then a retry of an older ALARM": (
        [
            cloudwatch("cw3", state="ALARM", changed=5, message_id="m-cw3-a"),
            cloudwatch("cw3", state="OK", changed=10, message_id="m-cw3-ok"),
            cloudwatch("cw3", state="ALARM", changed=1, message_id="m-cw3-old"),
        ],
        "resolved",
    ),
    # PagerDuty: arrival orders the events of one dedup key.
    "pagerduty: a trigger after a resolve opens a new alert, whatever its timestamp": (
        [
            pagerduty("pd1", timestamp=0, n=1),
            pagerduty("pd1", action="resolve", n=2),
            pagerduty("pd1", timestamp=0, n=3),
        ],
        "open",
    ),
    "pagerduty: a resolve for a key never seen, then a trigger: the trigger opens": (
        [pagerduty("pd2", action="resolve", n=1), pagerduty("pd2", timestamp=-60, n=2)],
        "open",
    ),
    "pagerduty: trigger, then resolve: resolved in any processing order": (
        [pagerduty("pd3", timestamp=30, n=1), pagerduty("pd3", action="resolve", n=2)],
        "resolved",
    ),
    # Datadog alert cycles are episodes.
    "datadog: Recovered before Triggered of the same cycle": (
        [
            datadog("c1", transition="Recovered", when=5, delivery_id="d-1r"),
            datadog("c1", transition="Triggered", when=0, delivery_id="d-1t"),
        ],
        "no alert",
    ),
    "datadog: a late Triggered copy after the Recovered": (
        [
            datadog("c2", transition="Triggered", when=0, delivery_id="d-2t"),
            datadog("c2", transition="Recovered", when=5, delivery_id="d-2r"),
            datadog("c2", transition="Re-Triggered", when=1, delivery_id="d-2x"),
        ],
        "resolved",
    ),
    # Generic: the sender's times where both events have one.
    "generic: resolved, then a firing that started before it ended": (
        [generic("gen1", started=0, ended=10, n=1), generic("gen1", started=0, n=2)],
        "no alert",
    ),
    "generic: resolved, then a firing that started after it ended": (
        [generic("gen2", started=0, ended=10, n=1), generic("gen2", started=20, n=2)],
        "open",
    ),
    "generic: without times, arrival decides": (
        [generic("gen3", n=1), generic("gen3", ended=10, n=2), generic("gen3", n=3)],
        "open",
    ),
}


def _integration(kind: str, team):
    return services.integration_create(
        name=f"{kind} ordering", kind=kind, team=team, verify_sns_signatures=False
    )


def _end_state(integration) -> str:
    alerts = list(Alert.objects.filter(integration=integration))
    if not alerts:
        return "no alert"
    if any(alert.status != AlertStatus.RESOLVED for alert in alerts):
        return "open"
    return "resolved"


@pytest.mark.parametrize("processing_order", ["arrival", "reversed"])
@pytest.mark.parametrize("name", list(CASES))
def test_ordering_case_ends_in_the_state_the_tool_means(name, processing_order, client, team):
    events, expected = CASES[name]
    integration, key = _integration(events[0].kind, team)

    ids = []
    for event in events:
        response = senders.send(client, key, event)
        assert response.status_code == 202, (event, response.content)
        ids.append(Delivery.objects.filter(integration=integration).latest("id").pk)
    for delivery_id in ids if processing_order == "arrival" else reversed(ids):
        services.delivery_process(delivery_id=delivery_id)

    state = _end_state(integration)
    outcomes = [d.outcome for d in Delivery.objects.order_by("id")]
    if processing_order == "arrival":
        assert state == expected, outcomes
    else:  # whichever came first, the end state is the same: open, or nothing open
        assert (state == "open") == (expected == "open"), outcomes
    assert all(d.state == "processed" for d in Delivery.objects.filter(integration=integration))
    if expected != "open":  # nothing is left active for a problem that is over
        assert not Incident.objects.filter(status=Status.ACTIVE).exists()


def test_late_firing_after_a_remembered_resolve_is_shown_stale_on_the_deliveries(client, user, team):
    integration, key = _integration("alertmanager", team)
    client.force_login(user)
    for event in (alertmanager("s1", starts=0, resolved_at=4), alertmanager("s1", starts=0, peer="1")):
        senders.send(client, key, event)
    services.deliveries_process()

    first, second = Delivery.objects.filter(integration=integration).order_by("id")
    assert first.outcome["actions"] == {"remembered": 1}
    assert second.outcome["actions"] == {"stale": 1}
    assert Incident.objects.count() == 0
    page = client.get(f"/integrations/{integration.pk}/")
    assert "stale, ignored" in page.content.decode()
    assert "resolve remembered" in page.content.decode()


def test_pagerduty_trigger_timestamp_older_than_the_resolve_arrival_still_opens(client, team):
    """The sender's clock (when the problem began) is never compared with our receive time."""
    integration, key = _integration("pagerduty", team)
    for event in (
        pagerduty("old-clock", timestamp=0, n=1),
        pagerduty("old-clock", action="resolve", n=2),
        pagerduty("old-clock", timestamp=-600, n=3),
    ):
        senders.send(client, key, event)
    services.deliveries_process()

    first, second = Alert.objects.filter(integration=integration).order_by("id")
    assert first.status == AlertStatus.RESOLVED
    assert second.status == AlertStatus.FIRING
    assert second.starts_at == senders.at(-600)  # the payload time keeps its meaning: when it began
    assert Incident.objects.filter(status=Status.ACTIVE).count() == 1


def test_remembered_resolves_are_swept_after_their_age_limit(client, team, settings, time_machine):
    settings.ALERT_RESOLVE_MEMORY_DAYS = 7
    integration, key = _integration("alertmanager", team)
    time_machine.move_to(senders.at(0), tick=False)
    senders.send(client, key, alertmanager("old", starts=-10, resolved_at=-5))
    services.deliveries_process()
    time_machine.move_to(senders.at(60 * 24 * 6), tick=False)
    senders.send(client, key, alertmanager("recent", starts=-10, resolved_at=-5))
    services.deliveries_process()
    assert ResolvedIdentity.objects.filter(integration=integration).count() == 2

    time_machine.move_to(senders.at(60 * 24 * 8), tick=False)
    assert processing.resolved_identities_sweep() == 1

    (left,) = ResolvedIdentity.objects.filter(integration=integration)
    assert left.dedup_key.startswith("recent|")


def test_sweep_takes_a_bounded_batch_per_run(team, settings, time_machine):
    settings.ALERT_RESOLVE_MEMORY_DAYS = 1
    integration, _key = _integration("generic", team)
    time_machine.move_to(senders.at(0), tick=False)
    ResolvedIdentity.objects.bulk_create(
        ResolvedIdentity(integration=integration, dedup_key=f"k{i}", sequence=i, recorded_at=senders.at(0))
        for i in range(5)
    )
    time_machine.move_to(senders.at(60 * 48), tick=False)

    assert processing.resolved_identities_sweep(batch_size=3) == 3
    assert processing.resolved_identities_sweep(batch_size=3) == 2
    assert processing.resolved_identities_sweep(batch_size=3) == 0
