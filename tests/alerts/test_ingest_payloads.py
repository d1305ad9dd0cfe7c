"""Every shared payload file through the real endpoint, replayed in order, with its expected outcome.

Tasks run eagerly in the test settings, so a delivery is processed when its request commits; the
database is then what a person would see.
"""

import pytest

from alerts import sns
from alerts.models import Alert, AlertStatus, Delivery, DeliveryState
from incidents.models import Incident, Source, Status
from incidents.phases import Phase, current_phase
from tests.alerts.conftest import payload, payload_headers

pytestmark = pytest.mark.django_db


def throwaway_certificate():
    """A self-signed certificate that did not sign the sample (whose signature is fake anyway)."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )


def only_incident() -> Incident:
    incidents = list(Incident.objects.all())
    assert len(incidents) == 1
    return incidents[0]


def test_alertmanager_firing_opens_one_incident_in_detect(make_integration, post):
    _integration, key = make_integration("alertmanager")

    response = post(key, payload("alertmanager/firing.json"))

    assert response.status_code == 202
    assert response.json()["status"] == "accepted"
    incident = only_incident()
    assert incident.source == Source.ALERT
    assert incident.status == Status.ACTIVE
    assert current_phase(incident.stamps) == Phase.DETECT
    assert incident.title == "payments-api 5xx ratio above 5% for 10 minutes"
    assert incident.severity == "SEV1"  # severity=critical
    assert incident.started_at.isoformat() == "2026-03-10T14:02:31.118000+00:00"
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.FIRING
    assert alert.incident == incident
    assert Delivery.objects.get().state == DeliveryState.PROCESSED


def test_alertmanager_repeat_updates_the_alert_without_a_new_incident(make_integration, post):
    _integration, key = make_integration("alertmanager")
    post(key, payload("alertmanager/firing.json"))

    response = post(key, payload("alertmanager/repeat.json"))

    assert response.status_code == 202
    only_incident()
    alert = Alert.objects.get()
    assert alert.delivery_count == 2
    assert alert.status == AlertStatus.FIRING


def test_alertmanager_resolved_before_anyone_engaged_auto_resolves(make_integration, post):
    _integration, key = make_integration("alertmanager")
    post(key, payload("alertmanager/firing.json"))
    post(key, payload("alertmanager/repeat.json"))

    post(key, payload("alertmanager/resolved.json"))

    incident = only_incident()
    assert incident.status == Status.AUTO_RESOLVED
    assert incident.closed_at is not None
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.RESOLVED
    assert alert.ends_at is not None
    assert incident.events.filter(kind="auto_resolved").count() == 1


def test_alertmanager_replaying_every_file_twice_changes_nothing(make_integration, post):
    _integration, key = make_integration("alertmanager")
    for name in ("firing", "repeat", "resolved"):
        post(key, payload(f"alertmanager/{name}.json"))
    before = (Incident.objects.get().status, Alert.objects.get().status, Alert.objects.count())

    for name in ("firing", "repeat", "resolved"):
        assert post(key, payload(f"alertmanager/{name}.json")).status_code == 202

    assert (Incident.objects.get().status, Alert.objects.get().status, Alert.objects.count()) == before
    assert Incident.objects.count() == 1


def test_alertmanager_grouped_makes_three_alerts_in_one_incident(make_integration, post):
    _integration, key = make_integration("alertmanager")

    post(key, payload("alertmanager/grouped.json"))

    incident = only_incident()
    assert incident.alerts.count() == 3
    assert set(incident.alerts.values_list("status", flat=True)) == {AlertStatus.FIRING}


def test_grafana_firing_then_resolved_auto_resolves(make_integration, post):
    _integration, key = make_integration("grafana")

    post(key, payload("grafana/firing.json"))
    incident = only_incident()
    assert incident.status == Status.ACTIVE
    assert incident.alerts.get().status == AlertStatus.FIRING

    post(key, payload("grafana/resolved.json"))
    incident.refresh_from_db()
    assert incident.status == Status.AUTO_RESOLVED
    assert incident.alerts.get().status == AlertStatus.RESOLVED


def test_grafana_grouped_makes_two_alerts_in_one_incident(make_integration, post):
    _integration, key = make_integration("grafana")

    post(key, payload("grafana/grouped.json"))

    assert only_incident().alerts.count() == 2


def test_pagerduty_trigger_update_resolve_through_enqueue(make_integration, enqueue):
    _integration, key = make_integration("pagerduty")

    def send_file(name: str):
        """The sample with its routing key replaced by this integration's key."""
        body = payload(f"pagerduty/{name}.json").replace(b"b6c1e0f4d3a2958e7f1c0a9b8d7e6f51", key.encode())
        return enqueue(body)

    response = send_file("trigger")
    assert response.status_code == 202
    assert response.json() == {
        "status": "success",
        "message": "Event processed",
        "dedup_key": "orders-db/replication-lag",
    }
    incident = only_incident()
    assert incident.title == "orders-db replica lag is 312s on orders-db-replica-2"

    assert send_file("trigger_update").status_code == 202
    incident = only_incident()
    assert Alert.objects.get().delivery_count == 2

    assert send_file("resolve").status_code == 202
    incident.refresh_from_db()
    assert incident.status == Status.AUTO_RESOLVED


def test_pagerduty_files_through_the_hook_url_too(make_integration, post):
    _integration, key = make_integration("pagerduty")

    response = post(key, payload("pagerduty/trigger.json"))

    assert response.status_code == 202
    assert response.json()["dedup_key"] == "orders-db/replication-lag"
    only_incident()


def test_cloudwatch_alarm_then_ok_resolves(make_integration, post):
    _integration, key = make_integration("cloudwatch", verify_sns_signatures=False)

    response = post(
        key,
        payload("cloudwatch-sns/alarm.json"),
        content_type="text/plain; charset=UTF-8",
        **payload_headers("cloudwatch-sns/alarm.headers.json"),
    )
    assert response.status_code == 202
    incident = only_incident()
    alert = incident.alerts.get()
    assert alert.dedup_key == "arn:aws:cloudwatch:us-east-1:902114437015:alarm:web-frontend-alb-5xx-high"

    post(
        key,
        payload("cloudwatch-sns/ok.json"),
        content_type="text/plain; charset=UTF-8",
        **payload_headers("cloudwatch-sns/ok.headers.json"),
    )
    incident.refresh_from_db()
    assert incident.status == Status.AUTO_RESOLVED


def test_cloudwatch_sns_retry_with_the_same_message_id_is_a_duplicate(make_integration, post):
    _integration, key = make_integration("cloudwatch", verify_sns_signatures=False)
    body = payload("cloudwatch-sns/alarm.json")

    first = post(key, body, content_type="text/plain; charset=UTF-8")
    second = post(key, body, content_type="text/plain; charset=UTF-8")

    assert first.json()["status"] == "accepted"
    assert second.status_code == 202
    assert second.json()["status"] == "duplicate"
    assert Delivery.objects.count() == 1
    assert Alert.objects.get().delivery_count == 1


def test_cloudwatch_with_verification_on_rejects_the_unsigned_sample(make_integration, post, monkeypatch):
    _integration, key = make_integration("cloudwatch")  # verification on: the sample's signature is fake
    monkeypatch.setattr(sns, "fetch_certificate", lambda url: throwaway_certificate())

    response = post(key, payload("cloudwatch-sns/alarm.json"), content_type="text/plain; charset=UTF-8")

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized.", "code": "unauthorized", "extra": {}}
    assert Incident.objects.count() == 0


def test_cloudwatch_certificate_unreachable_is_503_so_sns_retries(make_integration, post, monkeypatch):
    _integration, key = make_integration("cloudwatch")

    def unreachable(url):
        raise sns.CertificateUnavailable("Could not fetch the signing certificate.")

    monkeypatch.setattr(sns, "fetch_certificate", unreachable)

    response = post(key, payload("cloudwatch-sns/alarm.json"), content_type="text/plain; charset=UTF-8")

    assert response.status_code == 503
    assert Delivery.objects.count() == 0


def test_datadog_triggered_then_recovered_resolves(make_integration, post):
    _integration, key = make_integration("datadog")

    post(key, payload("datadog/triggered.json"))
    incident = only_incident()
    assert incident.alerts.get().dedup_key == "6210458810379926471"

    post(key, payload("datadog/recovered.json"))
    incident.refresh_from_db()
    assert incident.status == Status.AUTO_RESOLVED


def test_datadog_default_payload_opens_an_incident(make_integration, post):
    _integration, key = make_integration("datadog")

    response = post(key, payload("datadog/default_payload_triggered.json"))

    assert response.status_code == 202
    assert "checkout-api p99 latency above 2s" in only_incident().title
