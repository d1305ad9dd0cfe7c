"""/api/v1/alerts/: the alerts REST API (read-only; see docs/api.md).

Included from `config.api_urls` (before its catch-all 404), so the names live in the "api"
namespace next to the incident ones: `api:alert_list`, `api:alert_detail`.
"""

from django.urls import path

from alerts import api

urlpatterns = [
    path("alerts/", api.AlertListApi.as_view(), name="alert_list"),
    path("alerts/<int:alert_id>/", api.AlertDetailApi.as_view(), name="alert_detail"),
]
