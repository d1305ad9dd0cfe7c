"""/api/v1/metrics/: included from `config.api_urls` (before its catch-all 404), so the names live in
the "api" namespace: `api:metrics_weekly`, `api:metrics_weekly_csv`."""

from django.urls import path

from metrics import api

urlpatterns = [
    path("metrics/weekly/", api.WeeklyMetricsApi.as_view(), name="metrics_weekly"),
    path("metrics/weekly.csv", api.WeeklyMetricsCsvApi.as_view(), name="metrics_weekly_csv"),
]
