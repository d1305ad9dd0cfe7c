"""Grafana Alerting webhook contact point (payload version "1").

Spec:
https://grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier/
The body is Alertmanager's webhook message (see alertmanager.py, whose parsing this reuses) plus
`orgId`, `title`, `state`, `message`, and per alert `dashboardURL`, `panelURL`, `silenceURL`,
`imageURL`, `values`. A missing `version` is accepted; any other major version than 1 is rejected.

- Dedup key: `<orgId>|<fingerprint>|<startsAt in UTC>`, e.g.
  `1|48f6d2d9eaa77dc9|2026-03-11T07:15:00.000000Z` (fingerprints are unique within an org only).
  Grafana always sends `fingerprint`; if it is missing, it is derived from the labels as in
  alertmanager.py (that value will not match Grafana's own, which also covers internal labels).
- Group key: `<orgId>|<groupKey>`.
- Resolved: the per-alert `status` ("firing" | "resolved"); the top-level `status`/`state`
  ("alerting" | "ok") only summarise the group. endsAt, event_at and truncatedAlerts as in
  alertmanager.py.

Signature: with an HMAC secret set on the contact point, Grafana (11.6+) sends the lowercase hex
HMAC-SHA256 of the raw body in `X-Grafana-Alerting-Signature` (the header name is configurable).
If a "Timestamp Header" is also configured (it has no default name; the docs use
`X-Grafana-Alerting-Signature-Timestamp`), Grafana puts the Unix time in seconds there and signs
`<timestamp>:<body>` instead. See `signature_valid`.
"""

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from alerts.adapters import alertmanager
from alerts.adapters.base import Parsed

VERSION = "1"
SIGNATURE_HEADER = "x-grafana-alerting-signature"
TIMESTAMP_HEADER = "x-grafana-alerting-signature-timestamp"
MAX_SKEW_SECONDS = 300
ALERT_LINKS = (
    ("generatorURL", "Source"),
    ("dashboardURL", "Dashboard"),
    ("panelURL", "Panel"),
    ("silenceURL", "Silence"),
    ("imageURL", "Image"),
)


def parse(
    payload: Any, *, headers: Mapping[str, str] | None = None, defaults: Mapping[str, str] | None = None
) -> Parsed:
    body = alertmanager.notification(payload, version=VERSION)
    org_id = body.get("orgId")
    if org_id is None:
        raise alertmanager.fail("orgId", "required (the Grafana organisation id, an integer)")
    if isinstance(org_id, bool) or not isinstance(org_id, int) or org_id < 0:
        raise alertmanager.fail("orgId", f"expected a non-negative integer, got {org_id!r}")
    group_key = alertmanager.optional_str(body, "groupKey", "groupKey")
    prefix = f"{org_id}|"
    signals = tuple(
        alertmanager.alert_signal(alert, path, key_prefix=prefix, group_key=group_key, links=ALERT_LINKS)
        for path, alert in alertmanager.alerts_of(body)
    )
    return Parsed(signals=signals, truncated_alerts=alertmanager.truncated_alerts(body))


def signature_valid(
    body: bytes,
    headers: Mapping[str, str],
    secret: str,
    *,
    signature_header: str = SIGNATURE_HEADER,
    timestamp_header: str = TIMESTAMP_HEADER,
    now: float | None = None,
    max_skew: int = MAX_SKEW_SECONDS,
) -> bool:
    """Whether the request carries Grafana's HMAC-SHA256 signature of `body` under `secret`.

    `headers` are lower-cased. When the timestamp header is present, the signed message is
    `<timestamp>:<body>`. Replay protection is the caller's choice: pass `now` (Unix seconds) and
    the timestamp becomes required and must be within `max_skew` seconds of it. This function
    never reads the clock. The comparison is constant-time.
    """
    signature = headers.get(signature_header.lower(), "").strip().lower()
    if not secret or not signature:
        return False
    stamp = headers.get(timestamp_header.lower(), "").strip()
    if stamp and not (stamp.isascii() and stamp.isdigit()):
        return False
    if now is not None and (not stamp or abs(now - int(stamp)) > max_skew):
        return False
    message = f"{stamp}:".encode() + body if stamp else body
    expected = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode())
