import zoneinfo

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
