"""The API's throttle. Its own module: DRF imports the classes named in REST_FRAMEWORK while it
defines APIView, so this must not import rest_framework.views (core.api does)."""

from rest_framework import throttling
from rest_framework.settings import api_settings


class UserRateThrottle(throttling.UserRateThrottle):
    """DRF's per-user throttle (per address for anonymous requests), reading its rate at request time:
    DRF's own reads it once, at import, so neither a deployment's nor a test's setting would apply."""

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
