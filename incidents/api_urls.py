"""/api/v1/incidents/, /teams/, /services/: the incidents REST API (see docs/api.md).

Included from `config.api_urls`, so the names live in the "api" namespace next to the other apps' ones:
`api:incident_list`, `api:incident_detail`, ...
"""

from django.urls import path

from incidents import api

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
]
