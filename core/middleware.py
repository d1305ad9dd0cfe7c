import zoneinfo

from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone

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


class NulQueryMiddleware:
    """400 for a page whose query string holds a NUL character (`%00`), in a name or a value.

    PostgreSQL can neither store nor compare text with one, so any page filtering by such a value (a
    team, a service, an owner) would fail with a 500. Forms refuse NUL themselves (Django's CharField
    does, with an error beside the field); the API names the field (`core.api.refuse_nul`); this is the
    guard for the query strings pages read without a form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/api/") and "\x00" in _query_text(request):
            from django.core.exceptions import SuspiciousOperation

            from core import error_pages

            return error_pages.bad_request(
                request, SuspiciousOperation("The query string holds a NUL character.")
            )
        return self.get_response(request)


def _query_text(request) -> str:
    return "".join(f"{name}{''.join(values)}" for name, values in request.GET.lists())
