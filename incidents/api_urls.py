"""/api/v1/: the incidents REST API, and the alerts one (`alerts.api_urls`; see docs/api.md). Anything else
under it is a JSON 404."""

from django.urls import include, path, re_path

from core.api import NotFoundApi
from incidents import api

app_name = "api"

urlpatterns = [
    path("incidents/", api.IncidentListApi.as_view(), name="incident_list"),
    path("incidents/<int:incident_id>/", api.IncidentDetailApi.as_view(), name="incident_detail"),
    path("incidents/<int:incident_id>/advance/", api.IncidentAdvanceApi.as_view(), name="incident_advance"),
    path("incidents/<int:incident_id>/correct/", api.IncidentCorrectApi.as_view(), name="incident_correct"),
    path("incidents/<int:incident_id>/reopen/", api.IncidentReopenApi.as_view(), name="incident_reopen"),
    path(
        "incidents/<int:incident_id>/false-alarm/",
        api.IncidentFalseAlarmApi.as_view(),
        name="incident_false_alarm",
    ),
    path(
        "incidents/<int:incident_id>/timeline/", api.IncidentTimelineApi.as_view(), name="incident_timeline"
    ),
    path("teams/", api.TeamListApi.as_view(), name="team_list"),
    path("teams/<slug:slug>/", api.TeamDetailApi.as_view(), name="team_detail"),
    path("services/", api.ServiceListApi.as_view(), name="service_list"),
    path("services/<slug:slug>/", api.ServiceDetailApi.as_view(), name="service_detail"),
    path("", include("alerts.api_urls")),
    path("", include("coe.api_urls")),
    path("", include("metrics.api_urls")),
    re_path(r"^.*$", NotFoundApi.as_view(), name="not_found"),
]
