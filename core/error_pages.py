"""Django's error views (config.urls handler400/403/404/500), answering JSON under /api/.

DRF answers the errors its views raise (`core.api.exception_handler`); these are the ones raised before
or outside a DRF view: a path no URL pattern matches (one with a newline escapes the API's catch-all),
Django's refusal of a request (too many fields, a bad Host: SuspiciousOperation), and a 500. Pages keep
Django's own templates.
"""

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from core import api

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def bad_request(request: HttpRequest, exception: Exception, **kwargs) -> HttpResponse:
    if _is_api(request):
        body = (
            api.suspicious_body(exception)
            if isinstance(exception, SuspiciousOperation)
            else {"message": "The request cannot be read.", "code": "bad_request", "extra": {}}
        )
        return JsonResponse(body, status=400)
    return defaults.bad_request(request, exception, **kwargs)


def permission_denied(request: HttpRequest, exception: Exception, **kwargs) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            {
                "message": "You do not have permission to perform this action.",
                "code": "permission_denied",
                "extra": {},
            },
            status=403,
        )
    return defaults.permission_denied(request, exception, **kwargs)


def page_not_found(request: HttpRequest, exception: Exception, **kwargs) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            {"message": f"No endpoint at {request.path!r}.", "code": "not_found", "extra": {}}, status=404
        )
    return defaults.page_not_found(request, exception, **kwargs)


def server_error(request: HttpRequest, **kwargs) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            {
                "message": "Something went wrong on our side; it has been logged.",
                "code": "server_error",
                "extra": {},
            },
            status=500,
        )
    return defaults.server_error(request, **kwargs)
