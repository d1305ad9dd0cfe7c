"""/api/v1/: the REST API's URL tree (see docs/api.md). Each app serves its own `api_urls`; this module only
wires them together in one "api" namespace (`api:incident_list`, `api:alert_list`, `api:coe_list`,
`api:metrics_weekly`, ...). Anything else under /api/v1/ is a JSON 404, so the catch-all comes last."""

from django.urls import include, path, re_path

from core.api import NotFoundApi

app_name = "api"

urlpatterns = [
    path("", include("incidents.api_urls")),
    path("", include("alerts.api_urls")),
    path("", include("coe.api_urls")),
    path("", include("metrics.api_urls")),
    path("", include("notifications.api_urls")),
    re_path(r"^.*$", NotFoundApi.as_view(), name="not_found"),
]
