from django.urls import path

from incidents import views

app_name = "incidents"

urlpatterns = [
    path("incidents/", views.incident_list, name="list"),
    path("incidents/declare/", views.incident_declare, name="declare"),
    path("incidents/<int:incident_id>/", views.incident_detail, name="detail"),
    path("incidents/<int:incident_id>/edit/", views.incident_edit, name="edit"),
    path("incidents/<int:incident_id>/advance/", views.incident_advance, name="advance"),
    path("incidents/<int:incident_id>/correct/", views.incident_correct, name="correct"),
    path("incidents/<int:incident_id>/reopen/", views.incident_reopen, name="reopen"),
    path("incidents/<int:incident_id>/false-alarm/", views.incident_false_alarm, name="false_alarm"),
    path("incidents/<int:incident_id>/notes/", views.incident_note, name="note"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/<slug:slug>/", views.team_detail, name="team_detail"),
    path("services/", views.service_list, name="service_list"),
    path("services/<slug:slug>/", views.service_detail, name="service_detail"),
]
