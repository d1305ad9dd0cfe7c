"""WSGI entry point for gunicorn.

Alert intake (/hooks/ and /v2/enqueue) is the hot path and authenticates by integration key, so it is
served by a second Django handler without the middleware stack (sessions, authentication, CSRF,
messages, login redirects), which those endpoints never use, nor the per-request database health check.
Same settings, URLconf and views; the endpoints catch their own errors. Measured by `make bench-ingest`.
Its answers still carry the site's security headers (core.security.secure).
"""

import os

import django
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django.setup(set_prefix=False)

from core import security  # noqa: E402 (needs the settings above)

INGEST_PREFIXES = ("/hooks/", "/v2/enqueue")


class IngestHandler(WSGIHandler):
    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=is_async)
        # The view alone, with Django's conversion of exceptions into responses (404, 405, 500).
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        self._middleware_chain = convert_exception_to_response(self._get_response)

    def get_response(self, request):
        # No per-request health check (a "SELECT 1" round trip before the INSERT, a quarter of the
        # database time of a delivery). A connection that died since the last request fails the
        # INSERT instead: the endpoint answers 503, the sender retries, and Django drops the broken
        # connection at the end of the request. Nothing is lost either way.
        for connection in connections.all(initialized_only=True):
            connection.health_check_done = True
        # The same security headers as every other response (nosniff, CSP, Permissions-Policy, ...).
        return security.secure(request, super().get_response(request))


site = WSGIHandler()
ingest = IngestHandler()


def application(environ, start_response):
    if environ.get("PATH_INFO", "").startswith(INGEST_PREFIXES):
        return ingest(environ, start_response)
    return site(environ, start_response)
