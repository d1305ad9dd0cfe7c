"""The security headers of every response, pages, API and alert intake alike.

Django's own middleware sends X-Content-Type-Options, Referrer-Policy, Cross-Origin-Opener-Policy,
X-Frame-Options (and HSTS over HTTPS in production); django-csp (Mozilla's, the maintained one, 4.x
settings) sends the Content-Security-Policy of `settings.CONTENT_SECURITY_POLICY`; this module adds
the Permissions-Policy, which neither has, from `settings.PERMISSIONS_POLICY`.

The intake endpoints skip the middleware stack (config/wsgi.py), so `secure()` runs those same
middlewares' response halves on their answers: one source for the headers, no copy that can drift.
"""

from collections.abc import Callable

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from django.utils.functional import cached_property


def permissions_policy() -> str:
    """`settings.PERMISSIONS_POLICY` ({feature: [allowlist]}) as the header value, e.g. camera=()."""
    return ", ".join(
        f"{feature}=({' '.join(allowed)})" for feature, allowed in settings.PERMISSIONS_POLICY.items()
    )


class PermissionsPolicyMiddleware:
    """Adds the Permissions-Policy header unless the view set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    @cached_property
    def value(self) -> str:
        return permissions_policy()

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.process_response(request, self.get_response(request))

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if "Permissions-Policy" not in response and settings.PERMISSIONS_POLICY:
            response["Permissions-Policy"] = self.value
        return response


def _unused(request: HttpRequest) -> HttpResponse:  # pragma: no cover (only process_response is used)
    raise AssertionError("the response middlewares of secure() never call the view")


_RESPONSE_MIDDLEWARES = None


def secure(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """Give `response` the headers the site's middleware gives every other response."""
    global _RESPONSE_MIDDLEWARES
    if _RESPONSE_MIDDLEWARES is None:
        _RESPONSE_MIDDLEWARES = [
            middleware(_unused)
            for middleware in (
                PermissionsPolicyMiddleware,
                CSPMiddleware,
                XFrameOptionsMiddleware,
                SecurityMiddleware,
            )
        ]
    for middleware in _RESPONSE_MIDDLEWARES:  # innermost first, as in settings.MIDDLEWARE
        response = middleware.process_response(request, response)
    return response
