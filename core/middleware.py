import zoneinfo

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone

from core import error_pages
from core.models import Profile

SESSION_KEY = "time_zone"


class UserTimezoneMiddleware:
    """Shows times in the signed-in user's zone. The zone is cached in the session, so the
    profile is read once per session, not once per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = None
        if request.user.is_authenticated:
            name = request.session.get(SESSION_KEY)
            if name is None:
                try:
                    name = request.user.profile.time_zone
                except Profile.DoesNotExist:
                    name = ""
                request.session[SESSION_KEY] = name
        if name:
            try:
                timezone.activate(zoneinfo.ZoneInfo(name))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class UrlLengthMiddleware:
    """414 in JSON for a URL (path and query) longer than settings.MAX_URL_LENGTH characters, before
    anything parses it. Gunicorn's own limit sits above this one (gunicorn.conf.py), so a long URL gets
    the same JSON error body as every other error rather than gunicorn's HTML page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.MAX_URL_LENGTH
        query = request.META.get("QUERY_STRING", "")
        length = len(request.path_info) + (len(query) + 1 if query else 0)
        if length > limit:
            return JsonResponse(
                {
                    "message": f"The URL is {length} characters long; at most {limit} are accepted.",
                    "code": "uri_too_long",
                    "extra": {"max_length": limit},
                },
                status=414,
            )
        return self.get_response(request)


class NulInputMiddleware:
    """400 instead of a 500 when a view fails because the request's text holds a NUL character.

    PostgreSQL can neither store nor compare text with one, so a page filtering by such a value (a team,
    a service, an owner from the query string) fails in the database. Forms refuse NUL themselves
    (Django's CharField does, with an error beside the field) and the API names the field before any
    lookup (`core.api.refuse_nul`); pages that ignore a bad parameter keep doing so. This is the net for
    the rest: the database's own refusal of a NUL the request carried (Django names it per backend,
    `features.prohibits_null_characters_in_text_exception`) becomes a 400, JSON under /api/."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        prohibited = getattr(connection.features, "prohibits_null_characters_in_text_exception", None)
        if not prohibited or not isinstance(exception, prohibited[0]) or prohibited[1] not in str(exception):
            return None
        if not _carries_nul(request):
            return None  # a NUL the request did not send: a bug of ours, left a 500
        return error_pages.bad_request(request, SuspiciousOperation("The request holds a NUL character."))


def _carries_nul(request) -> bool:
    if "\x00" in request.path_info:
        return True
    for params in (request.GET, request.POST if request.method == "POST" else {}):
        for name, values in params.lists() if params else ():
            if "\x00" in name or any("\x00" in value for value in values):
                return True
    return False
