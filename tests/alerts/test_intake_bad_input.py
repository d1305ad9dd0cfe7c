"""The intake (/hooks/<key>/, /v2/enqueue) on input nobody tuned it for, through the real endpoints:
JSON nested a thousand levels deep (a 400, stored as rejected: a 503 would make the sender retry a body
that can never parse), a lone surrogate (stored as U+FFFD; the alert is processed, not lost), NUL
characters, and an SNS subscription whose URLs point away from SNS (403, nothing stored or requested)."""

import json

import pytest

from alerts.models import Alert, Delivery, DeliveryState
from alerts.services import processing
from core import json as core_json

pytestmark = pytest.mark.django_db

DEEP = ("[" * 1000 + "]" * 1000).encode()


@pytest.fixture
def receive(client, django_capture_on_commit_callbacks):
    """POST to a hook without processing on commit: the test processes the stored delivery itself,
    as the worker would."""

    def send(key: str, body: bytes, **extra):
        with django_capture_on_commit_callbacks(execute=False):
            return client.post(f"/hooks/{key}/", data=body, content_type="application/json", **extra)

    return send


@pytest.mark.parametrize(
    "body", [DEEP, b'{"title": ' * 500 + b'"x"' + b"}" * 500, ("[" * 65 + "]" * 65).encode()]
)
def test_deeply_nested_json_is_400_and_stored_as_rejected(receive, make_integration, body):
    integration, key = make_integration("generic")

    response = receive(key, body)

    assert response.status_code == 400
    error = response.json()
    assert set(error) == {"message", "code", "extra"}
    assert error["extra"]["reason"] == "too_deep"
    assert error["extra"]["max_depth"] == core_json.MAX_DEPTH
    (delivery,) = Delivery.objects.filter(integration=integration)
    assert delivery.state == DeliveryState.REJECTED
    assert "deeper than 64 levels" in delivery.error


def test_json_nested_to_the_limit_is_read(receive, make_integration):
    """64 levels is allowed: the limit refuses the 65th, not what real payloads do."""
    integration, key = make_integration("generic")
    labels = {"title": "Nested labels", "dedup_key": "nested", "status": "firing"}
    body = json.dumps({**labels, "extra": json.loads("[" * 63 + "]" * 63)}).encode()

    response = receive(key, body)

    assert response.status_code == 202, response.content
    assert Delivery.objects.get(integration=integration).state == DeliveryState.PENDING


def test_deeply_nested_json_at_v2_enqueue_is_400(client):
    response = client.post("/v2/enqueue", data=DEEP, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["status"] == "invalid event"
    assert "deeper than 64 levels" in response.json()["errors"][0]


def test_a_lone_surrogate_is_stored_as_u_fffd_and_the_alert_is_processed(receive, make_integration):
    integration, key = make_integration("generic")
    body = (
        b'{"title": "Disk \\ud800 full", "dedup_key": "disk-\\udfff", "status": "firing", '
        b'"labels": {"\\ud83d": "x"}}'
    )

    response = receive(key, body)

    assert response.status_code == 202, response.content
    delivery = Delivery.objects.get(integration=integration)
    assert "\\ud800" not in delivery.body and "\ufffd" in delivery.body
    assert processing.deliveries_process() == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PROCESSED, delivery.error
    alert = Alert.objects.get(integration=integration)
    assert alert.title == "Disk \ufffd full"
    assert alert.dedup_key == "disk-\ufffd"


def test_a_valid_surrogate_pair_is_kept_as_sent(receive, make_integration):
    integration, key = make_integration("generic")
    body = b'{"title": "On fire \\ud83d\\udd25", "dedup_key": "fire", "status": "firing"}'

    assert receive(key, body).status_code == 202
    assert Delivery.objects.get(integration=integration).body == body.decode()  # the raw body, untouched
    processing.deliveries_process()
    assert Alert.objects.get(integration=integration).title == "On fire \U0001f525"


def test_nul_characters_in_an_alert_are_dropped_and_the_alert_is_processed(receive, make_integration):
    integration, key = make_integration("generic")
    body = b'{"title": "Disk\\u0000 full", "dedup_key": "disk\\u0000", "status": "firing"}'

    response = receive(key, body)

    assert response.status_code == 202, response.content
    processing.deliveries_process()
    delivery = Delivery.objects.get(integration=integration)
    assert delivery.state == DeliveryState.PROCESSED, delivery.error
    assert Alert.objects.get(integration=integration).title == "Disk full"


# --- SNS subscriptions --------------------------------------------------------------------------------

TRUSTED_SUBSCRIBE = "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t"
TRUSTED_CERT = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem"


def _subscription(subscribe_url, cert_url) -> bytes:
    envelope = {
        "Type": "SubscriptionConfirmation",
        "MessageId": "m1",
        "Token": "t",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:alarms",
        "Message": "You have chosen to subscribe to the topic.",
        "SubscribeURL": subscribe_url,
        "Timestamp": "2026-03-12T21:07:45.000Z",
        "SignatureVersion": "1",
        "Signature": "ZmFrZQ==",
        "SigningCertURL": cert_url,
    }
    return json.dumps({name: value for name, value in envelope.items() if value is not None}).encode()


@pytest.fixture
def no_outbound(monkeypatch):
    """Every outbound request the server could make, recorded (and refused)."""
    from core import http

    attempted = []

    def refuse(url, **kwargs):
        attempted.append(url)
        raise AssertionError(f"an outbound request was attempted: {url}")

    monkeypatch.setattr(http, "get", refuse)
    monkeypatch.setattr(http, "post", refuse, raising=False)
    return attempted


@pytest.mark.parametrize("verify", [True, False])
@pytest.mark.parametrize(
    ("subscribe_url", "cert_url", "field"),
    [
        ("http://169.254.169.254/latest/meta-data/", TRUSTED_CERT, "SubscribeURL"),
        ("https://sns.us-east-1.amazonaws.com.evil.example/confirm", TRUSTED_CERT, "SubscribeURL"),
        (
            "https://user@sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription",
            TRUSTED_CERT,
            "SubscribeURL",
        ),
        (None, TRUSTED_CERT, "SubscribeURL"),
        (TRUSTED_SUBSCRIBE, "http://sns.us-east-1.amazonaws.com/cert.pem", "SigningCertURL"),
        (TRUSTED_SUBSCRIBE, "https://127.0.0.1/cert.pem", "SigningCertURL"),
        (TRUSTED_SUBSCRIBE, None, "SigningCertURL"),
    ],
)
def test_untrusted_sns_subscription_is_403_stores_nothing_requests_nothing(
    receive, make_integration, no_outbound, verify, subscribe_url, cert_url, field
):
    _integration, key = make_integration("cloudwatch", verify_sns_signatures=verify)

    response = receive(
        key, _subscription(subscribe_url, cert_url), HTTP_X_AMZ_SNS_MESSAGE_TYPE="SubscriptionConfirmation"
    )

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "untrusted_subscription"
    assert body["extra"] == {"field": field}
    assert not Delivery.objects.exists()
    assert no_outbound == []


def test_trusted_sns_subscription_is_still_accepted(receive, make_integration, no_outbound):
    _integration, key = make_integration("cloudwatch", verify_sns_signatures=False)

    response = receive(key, _subscription(TRUSTED_SUBSCRIBE, TRUSTED_CERT))

    assert response.status_code == 202, response.content
    assert Delivery.objects.count() == 1


def test_a_lone_surrogate_inside_an_sns_message_is_processed_as_u_fffd(receive, make_integration):
    """The alarm is JSON inside the SNS envelope's Message string: its escapes decode only in the adapter,
    whose `clean` replaces the surrogate, so the worker stores the alert."""
    integration, key = make_integration("cloudwatch", verify_sns_signatures=False)
    alarm = (
        '{"AlarmName": "CPU \\ud800 high", "AlarmArn": "arn:aws:cloudwatch:us-east-1:1:alarm:cpu", '
        '"NewStateValue": "ALARM", "StateChangeTime": "2026-03-12T21:07:45.000+0000"}'
    )
    envelope = {
        "Type": "Notification",
        "MessageId": "n1",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:alarms",
        "Message": alarm,
        "Timestamp": "2026-03-12T21:07:46.000Z",
    }

    response = receive(key, json.dumps(envelope).encode())

    assert response.status_code == 202, response.content
    processing.deliveries_process()
    delivery = Delivery.objects.get(integration=integration)
    assert delivery.state == DeliveryState.PROCESSED, delivery.error
    assert Alert.objects.get(integration=integration).title == "CPU \ufffd high"


def test_json_nested_deep_inside_an_sns_message_is_400_and_stored_as_rejected(receive, make_integration):
    integration, key = make_integration("cloudwatch", verify_sns_signatures=False)
    envelope = {
        "Type": "Notification",
        "MessageId": "n1",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:alarms",
        "Message": "[" * 100_000 + "]" * 100_000,
        "Timestamp": "2026-03-12T21:07:46.000Z",
    }

    response = receive(key, json.dumps(envelope).encode())

    assert response.status_code == 400
    assert response.json()["extra"]["reason"] == "too_deep"
    assert Delivery.objects.get(integration=integration).state == DeliveryState.REJECTED
