"""The inbound endpoints. Plain Django views, not DRF: this is the hot path (see PERFORMANCE.md).

POST /hooks/<key>/   any integration kind; the key may also come as `Authorization: Bearer <key>`
POST /v2/enqueue     PagerDuty Events API v2 compatible; the integration key is the `routing_key`

Each authenticates, checks size and rate, validates, stores the delivery and answers 202. Never a
500: anything unexpected is logged and answered 503 so the sender retries (nothing was lost, since
a delivery is stored before it is answered or not at all). A body that can never be accepted (not
JSON, nested past `core.json.MAX_DEPTH`, an SNS subscription pointing away from SNS) gets its 4xx, so
the sender does not retry it.
"""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from alerts import ratelimit, services
from alerts.models import Integration, Kind
from core import errors
from core import json as core_json

logger = logging.getLogger(__name__)

UNAUTHORIZED = {"message": "Unauthorized.", "code": "unauthorized", "extra": {}}


def _error(status: int, message: str, code: str, extra: dict | None = None, **headers) -> JsonResponse:
    response = JsonResponse({"message": message, "code": code, "extra": extra or {}}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _read_body(request: HttpRequest) -> bytes | None:
    """The body, or None when it is over the size limit (checked before reading it all)."""
    limit = settings.INGEST_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


def _bearer(request: HttpRequest) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _guard(integration: Integration | None):
    """401 for an unknown or disabled key, 429 over the integration's budget; else None."""
    if integration is None:
        return _error(401, **UNAUTHORIZED)
    verdict = ratelimit.hit(integration.pk, integration.rate_limit_per_minute)
    if not verdict.allowed:
        return _error(
            429,
            "Too many requests for this integration; retry later.",
            "throttled",
            {"retry_after": verdict.retry_after},
            Retry_After=str(verdict.retry_after),
        )
    return None


def _too_large() -> JsonResponse:
    limit = settings.INGEST_MAX_BODY_BYTES
    return _error(413, f"The body is larger than {limit} bytes.", "too_large", {"limit": limit})


@csrf_exempt
@login_not_required
@require_POST
def hook(request: HttpRequest, key: str = "") -> JsonResponse:
    try:
        integration = services.integration_for_key(key or _bearer(request))
        refused = _guard(integration)
        if refused:
            return refused
        body = _read_body(request)
        if body is None:
            return _too_large()
        received = services.delivery_receive(integration=integration, body=body, headers=request.headers)
    except services.Unauthorized:
        return _error(401, **UNAUTHORIZED)
    except errors.ApplicationError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    except Exception:
        logger.exception("Unexpected error while receiving a delivery")
        return _error(503, "Temporarily unable to accept the delivery; retry.", "unavailable")
    return JsonResponse(
        {
            "status": "duplicate" if received.duplicate else "accepted",
            "delivery_id": received.delivery_id,
            **({"dedup_key": received.meta["dedup_key"]} if "dedup_key" in received.meta else {}),
        },
        status=202,
    )


def _pd_invalid(errors_: list[str], message: str = "Event object is invalid") -> JsonResponse:
    return JsonResponse({"status": "invalid event", "message": message, "errors": errors_}, status=400)


@csrf_exempt
@login_not_required
@require_POST
def pagerduty_enqueue(request: HttpRequest) -> JsonResponse:
    """PagerDuty Events API v2: https://developer.pagerduty.com/docs/events-api-v2/trigger-events/"""
    try:
        body = _read_body(request)
        if body is None:
            return JsonResponse(
                {"status": "invalid event", "message": "Request too large", "errors": ["Body too large."]},
                status=413,
            )
        try:
            payload = core_json.loads(body.decode("utf-8"))
        except UnicodeDecodeError:
            return _pd_invalid(["Body is not valid JSON."], "Invalid JSON")
        except core_json.JsonError as exc:  # nested too deep included: never worth a retry
            return _pd_invalid([f"Body is not valid JSON: {exc.message}"], "Invalid JSON")
        routing_key = payload.get("routing_key") if isinstance(payload, dict) else None
        if not isinstance(routing_key, str) or not routing_key:
            return _pd_invalid(["'routing_key' is missing or blank."])
        integration = services.integration_for_key(routing_key)
        if integration is not None and integration.kind != Kind.PAGERDUTY:
            integration = None
        refused = _guard(integration)
        if refused:
            return refused
        received = services.delivery_receive(integration=integration, body=body, headers=request.headers)
    except services.Rejected as exc:
        return _pd_invalid(exc.extra.get("errors") or [exc.message])
    except errors.ApplicationError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    except Exception:
        logger.exception("Unexpected error while receiving a PagerDuty event")
        return _error(503, "Temporarily unable to accept the event; retry.", "unavailable")
    return JsonResponse(
        {"status": "success", "message": "Event processed", "dedup_key": received.meta.get("dedup_key", "")},
        status=202,
    )
