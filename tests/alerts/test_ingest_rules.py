"""The endpoint's rules: authentication, size, rate, bad input, idempotency and resilience."""

import json
from unittest import mock

import pytest
from django.core.cache import cache

from alerts import services, tasks
from alerts.models import Alert, AlertStatus, Delivery, DeliveryState
from incidents import services as incident_services
from incidents.models import Incident, Status
from incidents.phases import Phase, current_phase
from tests.alerts.conftest import payload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def generic(
    title="Checkout error rate above 5%", dedup_key="checkout-5xx", status="firing", **fields
) -> bytes:
    return json.dumps({"title": title, "dedup_key": dedup_key, "status": status, **fields}).encode()


def test_unknown_key_is_401_without_saying_why(post, make_integration):
    make_integration("generic")

    response = post("not-a-key", generic())

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized.", "code": "unauthorized", "extra": {}}
    assert Delivery.objects.count() == 0


def test_disabled_integration_is_401_like_an_unknown_key(post, make_integration):
    integration, key = make_integration("generic")
    services.integration_set_enabled(integration_id=integration.pk, enabled=False)

    response = post(key, generic())

    assert response.status_code == 401
    assert response.json()["message"] == "Unauthorized."


def test_bearer_header_works_like_the_key_in_the_path(post, make_integration):
    _integration, key = make_integration("generic")

    response = post(key, generic(), bearer=True)

    assert response.status_code == 202
    assert Incident.objects.count() == 1


def test_rotated_key_stops_the_old_one(post, make_integration):
    integration, old_key = make_integration("generic")
    new_key = services.integration_rotate_key(integration_id=integration.pk)

    assert post(old_key, generic()).status_code == 401
    assert post(new_key, generic()).status_code == 202


def test_invalid_json_is_400_stored_as_rejected_and_makes_no_alert(post, make_integration):
    _integration, key = make_integration("alertmanager")

    response = post(key, b'{"alerts": [')

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_payload"
    assert "not valid JSON" in body["message"]
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.REJECTED
    assert "not valid JSON" in delivery.error
    assert Alert.objects.count() == 0


def test_wrong_types_are_400_naming_the_problem(post, make_integration):
    _integration, key = make_integration("alertmanager")

    response = post(key, json.dumps({"version": "4", "alerts": "nope"}).encode())

    assert response.status_code == 400
    assert "alerts" in response.json()["message"]
    assert Alert.objects.count() == 0


def test_missing_required_field_is_400(post, make_integration):
    _integration, key = make_integration("generic")

    response = post(key, json.dumps({"dedup_key": "x"}).encode())

    assert response.status_code == 400
    assert "title" in response.json()["message"]


def test_body_over_the_limit_is_413_and_nothing_is_stored(post, make_integration, settings):
    settings.INGEST_MAX_BODY_BYTES = 1000
    _integration, key = make_integration("generic")

    response = post(key, generic(description="x" * 2000))

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert Delivery.objects.count() == 0


def test_over_the_rate_limit_is_429_with_retry_after(post, make_integration):
    _integration, key = make_integration("generic", rate_limit_per_minute=2)

    statuses = [post(key, generic(dedup_key=f"k{i}")).status_code for i in range(3)]

    assert statuses[:2] == [202, 202]
    assert statuses[2] == 429
    response = post(key, generic(dedup_key="k9"))
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["code"] == "throttled"


def test_rate_limiter_down_lets_deliveries_through(post, make_integration):
    _integration, key = make_integration("generic", rate_limit_per_minute=1)

    with mock.patch("alerts.ratelimit._count", side_effect=ConnectionError("redis down")):
        statuses = [post(key, generic(dedup_key=f"k{i}")).status_code for i in range(3)]

    assert statuses == [202, 202, 202]


def test_nul_characters_are_removed_and_unicode_kept_exactly(post, make_integration):
    _integration, key = make_integration("generic")

    response = post(
        key, generic(title="Zahlungen fehlgeschlagen \u0000 — 支付失败 🔥", labels={"zone": "eu\u0000-1"})
    )

    assert response.status_code == 202
    alert = Alert.objects.get()
    assert alert.title == "Zahlungen fehlgeschlagen  — 支付失败 🔥"
    assert alert.labels == {"zone": "eu-1"}
    assert "\x00" not in Delivery.objects.get().body


def test_get_is_405(client, make_integration):
    _integration, key = make_integration("generic")

    assert client.get(f"/hooks/{key}/").status_code == 405


def test_processing_the_same_delivery_twice_changes_nothing(post, make_integration):
    _integration, key = make_integration("generic")
    post(key, generic())
    delivery = Delivery.objects.get()
    alert = Alert.objects.get()

    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.PENDING)  # as if a worker died after
    services.delivery_process(delivery_id=delivery.pk)
    services.delivery_process(delivery_id=delivery.pk)

    assert Incident.objects.count() == 1
    assert Alert.objects.count() == 1
    assert Alert.objects.get().status == alert.status
    assert Delivery.objects.get().state == DeliveryState.PROCESSED


def test_broker_down_the_delivery_is_stored_answered_and_swept_later(post, make_integration):
    _integration, key = make_integration("generic")

    with mock.patch.object(
        tasks.deliveries_process, "apply_async", side_effect=OSError("broker unreachable")
    ):
        response = post(key, generic())

    assert response.status_code == 202
    assert Delivery.objects.get().state == DeliveryState.PENDING
    assert Incident.objects.count() == 0

    assert tasks.deliveries_sweep() == 1

    assert Delivery.objects.get().state == DeliveryState.PROCESSED
    assert Incident.objects.count() == 1


def test_a_delivery_that_keeps_failing_is_marked_failed_and_does_not_block_others(
    post, make_integration, settings
):
    _integration, key = make_integration("generic")
    with mock.patch.object(tasks.deliveries_process, "apply_async"):
        post(key, generic(dedup_key="poison"))
        post(key, generic(dedup_key="fine"))
    real_apply = services.processing.signal_apply

    def flaky(*, signal, **kwargs):
        if signal.dedup_key == "poison":
            raise RuntimeError("boom")
        return real_apply(signal=signal, **kwargs)

    with mock.patch("alerts.services.processing.signal_apply", side_effect=flaky):
        for _ in range(settings.INGEST_MAX_ATTEMPTS):
            services.deliveries_process()

    states = dict(Delivery.objects.order_by("id").values_list("id", "state"))
    poison, fine = sorted(states)
    assert states[poison] == DeliveryState.FAILED
    assert "RuntimeError: boom" in Delivery.objects.get(pk=poison).error
    assert states[fine] == DeliveryState.PROCESSED
    assert Alert.objects.get().dedup_key == "fine"


def test_resolve_for_an_alert_never_seen_opens_nothing(post, make_integration):
    _integration, key = make_integration("generic")

    response = post(key, generic(status="resolved"))

    assert response.status_code == 202
    assert Incident.objects.count() == 0
    assert Delivery.objects.get().outcome["actions"] == {"remembered": 1}


def test_pagerduty_trigger_without_dedup_key_gets_one_generated_and_returned(enqueue, make_integration):
    _integration, key = make_integration("pagerduty")
    event = {
        "routing_key": key,
        "event_action": "trigger",
        "payload": {"summary": "Disk full", "source": "db-1", "severity": "critical"},
    }

    response = enqueue(event)

    assert response.status_code == 202
    dedup_key = response.json()["dedup_key"]
    assert len(dedup_key) == 32
    assert Alert.objects.get().dedup_key == dedup_key


def test_pagerduty_invalid_event_is_400_like_pagerduty(enqueue, make_integration):
    _integration, key = make_integration("pagerduty")

    response = enqueue({"routing_key": key, "event_action": "explode"})

    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "invalid event"
    assert body["message"]
    assert isinstance(body["errors"], list) and body["errors"]


def test_pagerduty_unknown_routing_key_is_401(enqueue, make_integration):
    make_integration("pagerduty")
    event = {"routing_key": "nope", "event_action": "resolve", "dedup_key": "x"}

    response = enqueue(event)

    assert response.status_code == 401


def test_pagerduty_trigger_after_resolve_starts_a_new_alert_and_incident(enqueue, make_integration):
    _integration, key = make_integration("pagerduty")

    def send(action: str, summary: str = "Disk full"):
        event = {"routing_key": key, "event_action": action, "dedup_key": "disk"}
        if action == "trigger":
            event["payload"] = {"summary": summary, "source": "db-1", "severity": "error"}
        assert enqueue(event).status_code == 202

    send("trigger")
    send("resolve")
    send("trigger", "Disk full again")

    assert Alert.objects.count() == 2
    assert Alert.objects.filter(status=AlertStatus.FIRING).get().title == "Disk full again"
    assert Incident.objects.count() == 2
    assert Incident.objects.filter(status=Status.ACTIVE).count() == 1


def test_pagerduty_acknowledge_ends_the_detect_phase(enqueue, make_integration):
    _integration, key = make_integration("pagerduty")
    base = {"routing_key": key, "dedup_key": "disk"}
    enqueue(
        {
            **base,
            "event_action": "trigger",
            "payload": {"summary": "Disk", "source": "db", "severity": "info"},
        }
    )

    enqueue({**base, "event_action": "acknowledge"})

    incident = Incident.objects.get()
    assert incident.detected_at is not None
    assert current_phase(incident.stamps) == Phase.EVALUATE
    assert Alert.objects.get().status == AlertStatus.ACKNOWLEDGED


def test_alerts_ending_after_someone_engaged_offer_mark_recovered(post, make_integration, client, user):
    _integration, key = make_integration("generic")
    post(key, generic())
    incident = Incident.objects.get()
    incident_services.incident_advance(incident_id=incident.pk, actor=user, expected_phase=Phase.DETECT)

    post(key, generic(status="resolved"))

    incident.refresh_from_db()
    assert incident.status == Status.ACTIVE  # a person is on it: not auto-resolved
    assert incident.events.filter(kind="alerts_resolved").count() == 1
    client.force_login(user)
    page = client.get(f"/incidents/{incident.pk}/")
    assert b'data-testid="mark-recovered"' in page.content
    ended_at = Alert.objects.get().ends_at

    response = client.post(
        f"/incidents/{incident.pk}/advance/",
        {
            "expected_phase": "evaluate",
            "through": "recover",
            "at": page.context["alerts_ended_at"].strftime("%Y-%m-%dT%H:%M:%S.%f"),
        },
    )

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.recovered_at is not None
    assert abs((incident.recovered_at - ended_at).total_seconds()) < 1
    assert current_phase(incident.stamps) == Phase.CONFIRM


def test_a_new_alert_of_a_group_whose_incident_was_closed_opens_a_new_incident(post, make_integration, user):
    _integration, key = make_integration("generic")
    post(key, generic(dedup_key="a", group_key="g"))
    first = Incident.objects.get()
    incident_services.incident_mark_false_alarm(incident_id=first.pk, actor=user, reason="test")

    post(key, generic(dedup_key="b", group_key="g"))

    assert Incident.objects.count() == 2
    assert Alert.objects.get(dedup_key="b").incident != first


def test_service_and_severity_come_from_labels(post, make_integration, team):
    from tests import factories

    factories.service("Checkout API", team=team)
    _integration, key = make_integration(
        "generic", severity_map={"urgent": "SEV1"}, service_map={"checkout": "checkout-api"}
    )

    post(key, generic(labels={"severity": "urgent", "service": "checkout"}))

    incident = Incident.objects.get()
    assert incident.severity == "SEV1"
    assert list(incident.services.values_list("slug", flat=True)) == ["checkout-api"]


def test_alert_storm_of_one_group_makes_one_incident(post, make_integration):
    _integration, key = make_integration("alertmanager")
    alerts = [
        {
            "status": "firing",
            "labels": {"alertname": "PodCrashLooping", "pod": f"orders-{i}"},
            "annotations": {"summary": f"orders-{i} is crash looping"},
            "startsAt": "2026-03-10T14:02:31Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "fingerprint": f"{i:016x}",
        }
        for i in range(300)
    ]
    for start in range(0, 300, 100):
        body = {
            "version": "4",
            "status": "firing",
            "groupKey": '{}:{alertname="PodCrashLooping"}',
            "alerts": alerts[start : start + 100],
            "truncatedAlerts": 0,
        }
        assert post(key, json.dumps(body).encode()).status_code == 202

    assert Incident.objects.count() == 1
    assert Incident.objects.get().alerts.count() == 300


def test_truncated_alerts_are_recorded_on_the_delivery(post, make_integration):
    _integration, key = make_integration("alertmanager")
    body = json.loads(payload("alertmanager/firing.json"))
    body["truncatedAlerts"] = 7

    post(key, json.dumps(body).encode())

    assert Delivery.objects.get().outcome["truncated_alerts"] == 7


def test_grafana_with_a_secret_requires_a_valid_signature(post, make_integration):
    import hashlib
    import hmac

    _integration, key = make_integration("grafana", hmac_secret="s3cret")
    body = payload("grafana/firing.json")
    good = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()

    unsigned = post(key, body)
    forged = post(key, body, HTTP_X_GRAFANA_ALERTING_SIGNATURE="0" * 64)
    signed = post(key, body, HTTP_X_GRAFANA_ALERTING_SIGNATURE=good)

    assert unsigned.status_code == 401
    assert forged.status_code == 401
    assert signed.status_code == 202
    assert Incident.objects.count() == 1


def test_sns_subscription_is_confirmed_only_at_a_trusted_sns_url(post, make_integration, monkeypatch):
    from core import http

    calls = []
    monkeypatch.setattr(http, "get", lambda url, **kwargs: calls.append(url))
    _integration, key = make_integration("cloudwatch", verify_sns_signatures=False)

    def subscription(url: str, message_id: str) -> bytes:
        return json.dumps(
            {
                "Type": "SubscriptionConfirmation",
                "MessageId": message_id,
                "Token": "token",
                "TopicArn": "arn:aws:sns:us-east-1:123456789012:alarms",
                "Message": "You have chosen to subscribe to the topic.",
                "SubscribeURL": url,
                "Timestamp": "2026-03-12T21:07:45.000Z",
                "SignatureVersion": "1",
                "Signature": "fake",
                "SigningCertURL": "https://sns.us-east-1.amazonaws.com/cert.pem",
            }
        ).encode()

    trusted = "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=token"
    assert post(key, subscription(trusted, "m1"), content_type="text/plain").status_code == 202
    refused = post(
        key, subscription("http://169.254.169.254/latest/meta-data/", "m2"), content_type="text/plain"
    )
    assert refused.status_code == 403  # refused at intake: nothing stored, nothing fetched
    assert refused.json()["code"] == "untrusted_subscription"

    assert calls == [trusted]
    assert Incident.objects.count() == 0
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.PROCESSED}


def test_an_unexpected_error_answers_503_never_500(post, make_integration):
    _integration, key = make_integration("generic")

    with mock.patch("alerts.services.delivery_receive", side_effect=RuntimeError("disk on fire")):
        response = post(key, generic())

    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
    assert "disk on fire" not in response.content.decode()
