"""Amazon SNS over HTTP/S: message signatures and subscription confirmation.

Kept apart from the pure adapter (`alerts/adapters/cloudwatch.py`) because it reaches the network:
it downloads SNS signing certificates and confirms subscriptions, both through `core.http`, and only
ever to an https URL on an SNS host (https://sns.<region>.amazonaws.com[.cn]); anything else (another
host, http, an IP literal such as 169.254.169.254, userinfo, a port) is refused without a request.

Specs:
- https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
  (string to sign; SignatureVersion 1 = SHA1withRSA, 2 = SHA256withRSA)
- https://docs.aws.amazon.com/sns/latest/dg/http-subscription-confirmation-json.html

What this module does not decide: whether the TopicArn belongs to the integration (the caller
compares it), and retries (errors of `core.http` propagate; the Celery task retries transient ones).
"""

import base64
import binascii
import ipaddress
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from alerts.adapters.base import SnsSubscription
from core import errors, http


class SignatureInvalid(errors.ApplicationError):
    """The SNS message cannot be shown to come from SNS."""

    status = 401
    default_code = "sns_signature_invalid"


class CertificateUnavailable(SignatureInvalid):
    """The (trusted) signing certificate could not be downloaded; `__cause__` is the core.http error.

    Unlike a bad signature this may pass: a caller may answer 5xx so that SNS delivers again."""

    default_code = "sns_certificate_unavailable"


# sns.<region>.amazonaws.com and, in the China partition, sns.<region>.amazonaws.com.cn: the AWS SDKs'
# message validators accept sns.<anything>.amazonaws.com(.cn); here the middle must also look like a
# region. AWS documents no other signing-certificate host (none on sns-fips), so none other is trusted.
_SNS_HOST = re.compile(r"sns\.[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}\.amazonaws\.com(?:\.cn)?")

SIGNED_KEYS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": (
        "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type",
    ),
    "UnsubscribeConfirmation": (
        "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type",
    ),
}  # fmt: skip
OPTIONAL_KEYS = {"Subject"}
HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {"1": hashes.SHA1, "2": hashes.SHA256}

CERTIFICATE_TIMEOUT = (2.0, 3.0)
CERTIFICATE_MAX_BYTES = 64 * 1024
CERTIFICATE_TTL = 3600.0
CERTIFICATE_CACHE_SIZE = 32
CONFIRM_TIMEOUT = (3.0, 5.0)


def is_trusted_sns_url(url: str, *, certificate: bool = False) -> bool:
    """True for an https URL on an SNS host with nothing that could send the request elsewhere.

    With `certificate=True` the path must also end in ".pem", without query or fragment."""
    if not isinstance(url, str) or not url.isascii() or any(ord(c) <= 32 or ord(c) == 127 for c in url):
        return False
    if "\\" in url:
        return False
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    host = parts.hostname or ""
    # The network location must be the bare host: no userinfo ("@"), no port, no brackets.
    if parts.scheme != "https" or port is not None or parts.netloc.lower() != host:
        return False
    if _is_ip_literal(host) or not _SNS_HOST.fullmatch(host):
        return False
    if certificate:
        return parts.path.endswith(".pem") and not parts.query and not parts.fragment
    return True


def string_to_sign(envelope: Mapping[str, Any]) -> bytes:
    """The canonical bytes SNS signed: each signed key and its value on their own lines, keys in byte
    order, per the message's Type; Subject only when the notification has one."""
    kind = envelope.get("Type")
    keys = SIGNED_KEYS.get(kind) if isinstance(kind, str) else None
    if keys is None:
        raise SignatureInvalid("Unknown SNS message Type.", extra={"field": "Type"})
    lines: list[str] = []
    for key in keys:
        value = envelope.get(key)
        if value is None and key in OPTIONAL_KEYS:
            continue
        if not isinstance(value, str):
            raise SignatureInvalid(f"The signed field {key} is missing.", extra={"field": key})
        lines += [key, value]
    return ("\n".join(lines) + "\n").encode()


def fetch_certificate(url: str) -> x509.Certificate:
    """The signing certificate at `url`, downloaded (once an hour at most) only if `url` is trusted.

    Raises SignatureInvalid for an untrusted URL (nothing is fetched) or an unreadable certificate;
    core.http errors propagate."""
    if not is_trusted_sns_url(url, certificate=True):
        raise SignatureInvalid(
            "The signing certificate URL is not an SNS URL.", extra={"field": "SigningCertURL"}
        )
    cached = _cache.get(url)
    if cached is not None:
        return cached
    response = http.get(url, timeout=CERTIFICATE_TIMEOUT, max_bytes=CERTIFICATE_MAX_BYTES)
    try:
        certificate = x509.load_pem_x509_certificate(response.body)
    except ValueError as exc:
        raise SignatureInvalid(
            "The signing certificate cannot be read.", extra={"field": "SigningCertURL"}
        ) from exc
    _cache.put(url, certificate)
    return certificate


def verify(
    envelope: Mapping[str, Any],
    *,
    fetch_certificate: Callable[[str], x509.Certificate] | None = None,
    now: datetime | None = None,
) -> None:
    """Raise SignatureInvalid unless `envelope` carries a valid SNS signature.

    The certificate URL is checked before `fetch_certificate` (default: this module's, which trusts
    what TLS-verified https from an SNS host serves) is called; the certificate must be in its
    validity period and hold an RSA key that verifies `Signature` (PKCS#1 v1.5, SHA1 for
    SignatureVersion 1, SHA256 for 2) over `string_to_sign(envelope)`. A download failure raises
    CertificateUnavailable (a SignatureInvalid) with the core.http error as its cause."""
    if not isinstance(envelope, Mapping):
        raise SignatureInvalid("The SNS message must be a JSON object.", extra={"field": ""})
    fetch = fetch_certificate or _module_fetch_certificate
    version = envelope.get("SignatureVersion")
    if not isinstance(version, str) or version not in HASHES:
        raise SignatureInvalid("Unsupported SignatureVersion.", extra={"field": "SignatureVersion"})
    cert_url = envelope.get("SigningCertURL")
    if not isinstance(cert_url, str) or not is_trusted_sns_url(cert_url, certificate=True):
        raise SignatureInvalid(
            "The signing certificate URL is not an SNS URL.", extra={"field": "SigningCertURL"}
        )
    try:
        signature = base64.b64decode(str(envelope.get("Signature") or ""), validate=True)
    except (binascii.Error, ValueError):
        raise SignatureInvalid("The Signature is not base64.", extra={"field": "Signature"}) from None
    if not signature:
        raise SignatureInvalid("The Signature is missing.", extra={"field": "Signature"})
    signed = string_to_sign(envelope)
    try:
        certificate = fetch(cert_url)
    except http.HttpError as exc:
        raise CertificateUnavailable(
            "The signing certificate could not be downloaded.", extra={"field": "SigningCertURL"}
        ) from exc
    _check_certificate(certificate, now or datetime.now(UTC))
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SignatureInvalid("The signing certificate holds no RSA key.", extra={"field": "SigningCertURL"})
    try:
        public_key.verify(signature, signed, padding.PKCS1v15(), HASHES[version]())
    except InvalidSignature:
        raise SignatureInvalid("The SNS signature does not match.", extra={"field": "Signature"}) from None


def confirm_subscription(subscription: SnsSubscription) -> bool:
    """Confirm an SNS subscription by one GET to its SubscribeURL, only if that URL is trusted.

    Returns False, having sent nothing, for any other URL. core.http errors propagate so that the
    caller (a Celery task) can retry the transient ones."""
    if not is_trusted_sns_url(subscription.subscribe_url):
        return False
    http.get(subscription.subscribe_url, timeout=CONFIRM_TIMEOUT, max_bytes=CERTIFICATE_MAX_BYTES)
    return True


def _module_fetch_certificate(url: str) -> x509.Certificate:
    return fetch_certificate(url)  # looked up when called (the parameter of verify shadows the name)


def _check_certificate(certificate: x509.Certificate, now: datetime) -> None:
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise SignatureInvalid(
            "The signing certificate is outside its validity period.", extra={"field": "SigningCertURL"}
        )


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class _TtlCache:
    """A small thread-safe LRU of parsed certificates, each kept for `ttl` seconds."""

    def __init__(self, *, size: int, ttl: float):
        self.size = size
        self.ttl = ttl
        self._items: OrderedDict[str, tuple[float, x509.Certificate]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> x509.Certificate | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] <= time.monotonic():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: str, value: x509.Certificate) -> None:
        with self._lock:
            self._items[key] = (time.monotonic() + self.ttl, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_cache = _TtlCache(size=CERTIFICATE_CACHE_SIZE, ttl=CERTIFICATE_TTL)
