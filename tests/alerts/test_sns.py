"""alerts.sns: SNS signatures checked against a throwaway key and self-signed certificate made here, and
the trust rules for every URL this module could request. No test reaches an outside address."""

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from alerts import sns
from alerts.adapters.base import SnsSubscription
from core import http

CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem"
SUBSCRIBE_URL = (
    "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription"
    "&TopicArn=arn:aws:sns:us-east-1:111122223333:alarms&Token=2336412f37fb6"
)


def make_certificate(key, *, days: int = 1, not_before: datetime | None = None) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    start = not_before or datetime.now(UTC) - timedelta(hours=1)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .sign(key, hashes.SHA256())
    )


@pytest.fixture(scope="module")
def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def certificate(key):
    return make_certificate(key)


class Fetcher:
    """An injected fetch_certificate that records the URLs it was asked for."""

    def __init__(self, certificate):
        self.certificate = certificate
        self.urls: list[str] = []

    def __call__(self, url: str) -> x509.Certificate:
        self.urls.append(url)
        return self.certificate


@pytest.fixture
def fetcher(certificate):
    return Fetcher(certificate)


def notification(**changes) -> dict:
    envelope = {
        "Type": "Notification",
        "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "TopicArn": "arn:aws:sns:us-east-1:111122223333:alarms",
        "Subject": 'ALARM: "db-cpu-high" in US East (N. Virginia)',
        "Message": json.dumps({"AlarmName": "db-cpu-high", "NewStateValue": "ALARM"}),
        "Timestamp": "2026-03-12T21:07:44.913Z",
        "SignatureVersion": "1",
        "SigningCertURL": CERT_URL,
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x",
    }
    envelope.update(changes)
    return {k: v for k, v in envelope.items() if v is not None}


def subscription_confirmation(**changes) -> dict:
    envelope = {
        "Type": "SubscriptionConfirmation",
        "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
        "Token": "2336412f37fb6",
        "TopicArn": "arn:aws:sns:us-east-1:111122223333:alarms",
        "Message": "You have chosen to subscribe to the topic arn:aws:sns:us-east-1:111122223333:alarms.\n"
        "To confirm the subscription, visit the SubscribeURL included in this message.",
        "SubscribeURL": SUBSCRIBE_URL,
        "Timestamp": "2026-03-12T21:00:00.000Z",
        "SignatureVersion": "1",
        "SigningCertURL": CERT_URL,
    }
    envelope.update(changes)
    return envelope


def signed(envelope: dict, key) -> dict:
    algorithm = {"1": hashes.SHA1(), "2": hashes.SHA256()}[envelope["SignatureVersion"]]
    signature = key.sign(sns.string_to_sign(envelope), padding.PKCS1v15(), algorithm)
    return {**envelope, "Signature": base64.b64encode(signature).decode()}


# string_to_sign


def test_string_to_sign_notification_lists_signed_keys_in_byte_order():
    envelope = notification(Message="My Test Message", Subject="My subject")

    assert sns.string_to_sign(envelope) == (
        b"Message\nMy Test Message\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\nSubject\nMy subject\n"
        b"Timestamp\n2026-03-12T21:07:44.913Z\nTopicArn\narn:aws:sns:us-east-1:111122223333:alarms\n"
        b"Type\nNotification\n"
    )


def test_string_to_sign_notification_without_subject_leaves_it_out():
    assert b"Subject" not in sns.string_to_sign(notification(Subject=None))


def test_string_to_sign_subscription_confirmation_includes_token_and_subscribe_url():
    envelope = subscription_confirmation(Message="Confirm\nplease", SubscribeURL="https://s/?T=1", Token="t1")

    assert sns.string_to_sign(envelope) == (
        b"Message\nConfirm\nplease\nMessageId\n165545c9-2a5c-472c-8df2-7ff2be2b3b1b\n"
        b"SubscribeURL\nhttps://s/?T=1\nTimestamp\n2026-03-12T21:00:00.000Z\nToken\nt1\n"
        b"TopicArn\narn:aws:sns:us-east-1:111122223333:alarms\nType\nSubscriptionConfirmation\n"
    )


def test_string_to_sign_unicode_message_is_utf8():
    assert "Alarm — ü".encode() in sns.string_to_sign(notification(Message="Alarm — ü"))


def test_string_to_sign_unknown_type_raises_signature_invalid():
    with pytest.raises(sns.SignatureInvalid):
        sns.string_to_sign(notification(Type="Announcement"))


# verify


@pytest.mark.parametrize("version", ["1", "2"])
@pytest.mark.parametrize("make", [notification, subscription_confirmation])
def test_verify_correctly_signed_message_is_accepted(key, fetcher, make, version):
    sns.verify(signed(make(SignatureVersion=version), key), fetch_certificate=fetcher)

    assert fetcher.urls == [CERT_URL]


def test_verify_unsubscribe_confirmation_is_accepted(key, fetcher):
    envelope = subscription_confirmation(Type="UnsubscribeConfirmation")

    sns.verify(signed(envelope, key), fetch_certificate=fetcher)


@pytest.mark.parametrize(
    "changes",
    [
        {"Message": '{"AlarmName": "db-cpu-high", "NewStateValue": "OK"}'},
        {"Subject": "OK"},
        {"Subject": None},
        {"MessageId": "another"},
        {"Timestamp": "2026-03-12T21:07:45.000Z"},
        {"TopicArn": "arn:aws:sns:us-east-1:444455556666:alarms"},
    ],
)
def test_verify_tampered_notification_is_rejected(key, fetcher, changes):
    envelope = {**signed(notification(), key), **changes}
    envelope = {k: v for k, v in envelope.items() if v is not None}

    with pytest.raises(sns.SignatureInvalid) as caught:
        sns.verify(envelope, fetch_certificate=fetcher)

    assert caught.value.status == 401


def test_verify_tampered_subscribe_url_is_rejected(key, fetcher):
    envelope = signed(subscription_confirmation(), key)
    envelope["SubscribeURL"] = "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=other"

    with pytest.raises(sns.SignatureInvalid):
        sns.verify(envelope, fetch_certificate=fetcher)


def test_verify_signature_of_version_1_claimed_as_version_2_is_rejected(key, fetcher):
    envelope = {**signed(notification(SignatureVersion="1"), key), "SignatureVersion": "2"}

    with pytest.raises(sns.SignatureInvalid):
        sns.verify(envelope, fetch_certificate=fetcher)


def test_verify_signature_by_another_key_is_rejected(fetcher):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    with pytest.raises(sns.SignatureInvalid):
        sns.verify(signed(notification(), other), fetch_certificate=fetcher)


@pytest.mark.parametrize("version", [None, "", "3", "0", 1, "1 "])
def test_verify_unsupported_signature_version_is_rejected_without_fetching(key, fetcher, version):
    envelope = {**signed(notification(), key), "SignatureVersion": version}

    with pytest.raises(sns.SignatureInvalid) as caught:
        sns.verify(envelope, fetch_certificate=fetcher)

    assert caught.value.extra == {"field": "SignatureVersion"}
    assert fetcher.urls == []


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example.com/x.pem",
        "http://sns.us-east-1.amazonaws.com/x.pem",
        "https://sns.us-east-1.amazonaws.com.evil.com/x.pem",
        "https://169.254.169.254/x.pem",
        "https://sns.us-east-1.amazonaws.com/x.txt",
        "https://sns.us-east-1.amazonaws.com@evil.example.com/x.pem",
        None,
    ],
)
def test_verify_untrusted_certificate_url_is_rejected_without_fetching(key, fetcher, url):
    envelope = {**signed(notification(), key), "SigningCertURL": url}

    with pytest.raises(sns.SignatureInvalid) as caught:
        sns.verify(envelope, fetch_certificate=fetcher)

    assert caught.value.extra == {"field": "SigningCertURL"}
    assert fetcher.urls == []


@pytest.mark.parametrize("signature", [None, "", "not base64!", "aGVsbG8"])
def test_verify_missing_or_malformed_signature_is_rejected(fetcher, signature):
    envelope = {**notification(), "Signature": signature}

    with pytest.raises(sns.SignatureInvalid) as caught:
        sns.verify(envelope, fetch_certificate=fetcher)

    assert caught.value.extra == {"field": "Signature"}


def test_verify_missing_signed_field_is_rejected(key, fetcher):
    envelope = signed(notification(), key)
    del envelope["Timestamp"]

    with pytest.raises(sns.SignatureInvalid) as caught:
        sns.verify(envelope, fetch_certificate=fetcher)

    assert caught.value.extra == {"field": "Timestamp"}


def test_verify_expired_certificate_is_rejected(key):
    expired = make_certificate(key, not_before=datetime.now(UTC) - timedelta(days=10))

    with pytest.raises(sns.SignatureInvalid, match="validity"):
        sns.verify(signed(notification(), key), fetch_certificate=Fetcher(expired))


def test_verify_certificate_download_failure_raises_certificate_unavailable(key):
    def failing(url):
        raise http.Timeout("timed out", url=url)

    with pytest.raises(sns.CertificateUnavailable) as caught:
        sns.verify(signed(notification(), key), fetch_certificate=failing)

    assert isinstance(caught.value, sns.SignatureInvalid)
    assert caught.value.status == 401
    assert isinstance(caught.value.__cause__, http.Timeout)


# is_trusted_sns_url


@pytest.mark.parametrize(
    ("url", "certificate", "trusted"),
    [
        (CERT_URL, True, True),
        ("https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-abc.pem", True, True),
        ("https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-abc.pem", True, True),
        ("https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem", True, True),
        ("https://SNS.US-EAST-1.AMAZONAWS.COM/SimpleNotificationService-abc.pem", True, True),
        (SUBSCRIBE_URL, False, True),
        (SUBSCRIBE_URL, True, False),  # not a certificate
        ("https://sns.us-east-1.amazonaws.com/x.pem?download=1", True, False),
        ("https://sns.us-east-1.amazonaws.com/x.pem#frag", True, False),
        ("https://sns.us-east-1.amazonaws.com/x.crt", True, False),
        ("http://sns.us-east-1.amazonaws.com/x.pem", True, False),
        ("http://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription", False, False),
        ("https://evil.example.com/x.pem", True, False),
        ("https://sns.us-east-1.amazonaws.com.evil.com/x.pem", True, False),
        ("https://sns.us-east-1.amazonaws.com./x.pem", True, False),
        ("https://evilsns.us-east-1.amazonaws.com/x.pem", True, False),
        ("https://sns.amazonaws.com/x.pem", True, False),
        ("https://s3.us-east-1.amazonaws.com/x.pem", True, False),
        ("https://sns.us-east-1.evil.amazonaws.com/x.pem", True, False),
        ("https://sns-fips.us-east-1.amazonaws.com/x.pem", True, False),
        ("https://169.254.169.254/latest/meta-data/", False, False),
        ("https://169.254.169.254/x.pem", True, False),
        ("https://[::1]/x.pem", True, False),
        ("https://127.0.0.1/", False, False),
        ("https://sns.us-east-1.amazonaws.com:443/x.pem", True, False),
        ("https://sns.us-east-1.amazonaws.com:8443/", False, False),
        ("https://user:pw@sns.us-east-1.amazonaws.com/x.pem", True, False),
        ("https://sns.us-east-1.amazonaws.com@169.254.169.254/x.pem", True, False),
        ("https://sns.us-east-1.amazonaws.com\\@evil.example.com/x.pem", True, False),
        ("https://sns.us-east-1.amazonaws.com/x.pem\r\nHost: evil", True, False),
        ("https://sns.us-east-1.amazonaws.com:99999/x.pem", True, False),
        ("file:///etc/sns.us-east-1.amazonaws.com.pem", True, False),
        ("//sns.us-east-1.amazonaws.com/x.pem", True, False),
        ("", False, False),
    ],
)
def test_is_trusted_sns_url_table(url, certificate, trusted):
    assert sns.is_trusted_sns_url(url, certificate=certificate) is trusted


# fetch_certificate


@pytest.fixture
def empty_cache():
    sns._cache.clear()
    yield
    sns._cache.clear()


def test_fetch_certificate_trusted_url_downloads_once_and_caches(monkeypatch, certificate, empty_cache):
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    calls = []

    def fake_get(url, **kwargs):
        calls.append((url, kwargs))
        return http.Response(status=200, headers={}, body=pem)

    monkeypatch.setattr(http, "get", fake_get)

    first = sns.fetch_certificate(CERT_URL)
    second = sns.fetch_certificate(CERT_URL)

    assert first == second == certificate
    assert [url for url, _ in calls] == [CERT_URL]
    assert calls[0][1]["timeout"] == sns.CERTIFICATE_TIMEOUT


def test_fetch_certificate_untrusted_url_never_downloads(monkeypatch, empty_cache):
    monkeypatch.setattr(http, "get", pytest.fail)

    with pytest.raises(sns.SignatureInvalid):
        sns.fetch_certificate("https://169.254.169.254/x.pem")


def test_fetch_certificate_unreadable_body_raises_signature_invalid(monkeypatch, empty_cache):
    monkeypatch.setattr(http, "get", lambda url, **kw: http.Response(status=200, body=b"<html>"))

    with pytest.raises(sns.SignatureInvalid, match="cannot be read"):
        sns.fetch_certificate(CERT_URL)


def test_fetch_certificate_http_error_propagates(monkeypatch, empty_cache):
    def failing(url, **kwargs):
        raise http.ConnectionFailed("refused", url=url)

    monkeypatch.setattr(http, "get", failing)

    with pytest.raises(http.ConnectionFailed):
        sns.fetch_certificate(CERT_URL)


def test_fetch_certificate_cache_entry_expires_after_ttl(monkeypatch, certificate, empty_cache):
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    calls = []
    monkeypatch.setattr(http, "get", lambda url, **kw: calls.append(url) or http.Response(200, {}, pem))
    clock = [1000.0]
    monkeypatch.setattr(sns.time, "monotonic", lambda: clock[0])

    sns.fetch_certificate(CERT_URL)
    clock[0] += sns.CERTIFICATE_TTL + 1
    sns.fetch_certificate(CERT_URL)

    assert calls == [CERT_URL, CERT_URL]


def test_verify_default_fetcher_goes_through_core_http(monkeypatch, key, certificate, empty_cache):
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    calls = []
    monkeypatch.setattr(http, "get", lambda url, **kw: calls.append(url) or http.Response(200, {}, pem))

    sns.verify(signed(notification(SignatureVersion="2"), key))

    assert calls == [CERT_URL]


# confirm_subscription


def test_confirm_subscription_trusted_url_gets_it_once(monkeypatch):
    calls = []

    def fake_get(url, **kwargs):
        calls.append(url)
        return http.Response(status=200, headers={}, body=b"<ConfirmSubscriptionResponse/>")

    monkeypatch.setattr(http, "get", fake_get)

    confirmed = sns.confirm_subscription(SnsSubscription(topic_arn="arn:t", subscribe_url=SUBSCRIBE_URL))

    assert confirmed is True
    assert calls == [SUBSCRIBE_URL]


@pytest.mark.parametrize(
    "url",
    [
        "http://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=x",
        "https://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://169.254.169.254/latest/meta-data/",
        "https://evil.example.com/?Action=ConfirmSubscription",
        "https://sns.us-east-1.amazonaws.com.evil.com/?Action=ConfirmSubscription",
        "https://sns.us-east-1.amazonaws.com:8080/?Action=ConfirmSubscription",
        "https://x@sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription",
        "http://127.0.0.1:8000/admin/",
        "",
    ],
)
def test_confirm_subscription_untrusted_url_sends_nothing(monkeypatch, url):
    monkeypatch.setattr(http, "get", pytest.fail)

    assert sns.confirm_subscription(SnsSubscription(topic_arn="arn:t", subscribe_url=url)) is False


def test_confirm_subscription_http_error_propagates(monkeypatch):
    def failing(url, **kwargs):
        raise http.BadStatus("answered 503", url=url, status=503)

    monkeypatch.setattr(http, "get", failing)

    with pytest.raises(http.BadStatus) as caught:
        sns.confirm_subscription(SnsSubscription(topic_arn="arn:t", subscribe_url=SUBSCRIBE_URL))

    assert caught.value.transient is True
