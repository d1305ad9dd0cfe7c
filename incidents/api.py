"""The incidents REST API (/api/v1/). Each view parses input with a module-level serializer
(`incidents.api_serializers`), calls the same service or selector as the web pages (`incidents.views`),
and shapes the answer with an `...Out` serializer. Guards live in the services, so the API and the pages
can never disagree; errors leave through `core.api.exception_handler` as {"message", "code", "extra"}.
"""

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from core import errors
from core.api import ApiView, PageIn, error_responses, paginated, validated
from incidents import api_selectors, api_serializers, selectors, services
from incidents.models import IncidentEvent, Source
from incidents.phases import Phase

# --- Views -------------------------------------------------------------------------------------------

INCIDENT_ERRORS = error_responses(400, 404, 409, 413)


def _incident_response(request: Request, incident_id: int, *, status_code: int = 200) -> Response:
    incident = api_selectors.incident_get(incident_id=incident_id)
    if incident is None:
        raise errors.NotFound(f"Incident {incident_id} does not exist.", extra={"incident_id": incident_id})
    return Response(api_serializers.incident_data(incident, request), status=status_code)


class IncidentListApi(ApiView):
    @extend_schema(
        operation_id="incidents_list",
        tags=["incidents"],
        summary="List incidents",
        description="Newest first (by when impact began), with the filters of the incident list page.",
        parameters=[api_serializers.IncidentListIn],
        responses={200: paginated(api_serializers.IncidentOut), **error_responses(400, 404)},
    )
    def get(self, request: Request) -> Response:
        params = validated(api_serializers.IncidentListIn, request.query_params)
        filters = selectors.IncidentFilters(
            status=params.get("status", ""),
            phase=params.get("phase", ""),
            severity=params.get("severity", ""),
            team=params["team"].slug if params.get("team") else "",
            service=params["service"].slug if params.get("service") else "",
            q=params.get("q", ""),
        )
        return self.paginate(
            api_selectors.incident_list(filters=filters),
            lambda rows: api_serializers.incidents_data(rows, request),
        )

    @extend_schema(
        operation_id="incidents_declare",
        tags=["incidents"],
        summary="Declare an incident",
        description="Declared by a person it starts in evaluate: declaring stamps detected_at. "
        "The source is recorded as `api`.",
        request=api_serializers.IncidentDeclareIn,
        responses={201: api_serializers.IncidentOut, **error_responses(400, 413)},
        examples=[
            OpenApiExample(
                "Checkout errors",
                value={"title": "Checkout errors", "team": "payments", "severity": "SEV2"},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        data = validated(api_serializers.IncidentDeclareIn, request.data)
        incident = services.incident_declare(actor=request.user, source=Source.API, **data)
        response = _incident_response(request, incident.pk, status_code=status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(reverse("api:incident_detail", args=[incident.pk]))
        return response


class IncidentDetailApi(ApiView):
    @extend_schema(
        operation_id="incidents_retrieve",
        tags=["incidents"],
        summary="Get an incident",
        responses={200: api_serializers.IncidentOut, **error_responses(404)},
    )
    def get(self, request: Request, incident_id: int) -> Response:
        return _incident_response(request, incident_id)

    @extend_schema(
        operation_id="incidents_update",
        tags=["incidents"],
        summary="Edit an incident's fields",
        description="Only the fields sent change; each change is recorded on the timeline. Stamps and "
        "status change only through advance, correct, reopen and false-alarm.",
        request=api_serializers.IncidentUpdateIn,
        responses={200: api_serializers.IncidentOut, **INCIDENT_ERRORS},
    )
    def patch(self, request: Request, incident_id: int) -> Response:
        data = validated(api_serializers.IncidentUpdateIn, request.data)
        version = data.pop("version", None)
        services.incident_update(
            incident_id=incident_id, actor=request.user, expected_version=version, **data
        )
        return _incident_response(request, incident_id)


class IncidentAdvanceApi(ApiView):
    @extend_schema(
        operation_id="incidents_advance",
        tags=["incidents"],
        summary="End the current phase",
        description="Stamps the end of the current phase (now, or `at`); with `through`, jumps ahead. "
        "Confirming resolves the incident. Two concurrent advances make one transition: the second "
        "gets 409 stale_phase.",
        request=api_serializers.AdvanceIn,
        responses={200: api_serializers.IncidentOut, **INCIDENT_ERRORS},
        examples=[
            OpenApiExample("Now", value={}, request_only=True),
            OpenApiExample(
                "Backfilled, guarded",
                value={"expected_phase": "evaluate", "at": "2025-01-31T09:30:00Z"},
                request_only=True,
            ),
        ],
    )
    def post(self, request: Request, incident_id: int) -> Response:
        data = validated(api_serializers.AdvanceIn, request.data)
        expected = data.get("expected_phase")
        if not expected:
            # No phase given: the one it is in now. A resolved incident has none; the service then
            # refuses the closed incident whatever phase is named.
            expected = api_selectors.incident_current_phase(incident_id=incident_id) or Phase.CONFIRM
        services.incident_advance(
            incident_id=incident_id,
            actor=request.user,
            expected_phase=expected,
            through=data.get("through"),
            at=data.get("at"),
        )
        return _incident_response(request, incident_id)


class IncidentCorrectApi(ApiView):
    @extend_schema(
        operation_id="incidents_correct",
        tags=["incidents"],
        summary="Correct a phase stamp",
        description="Moves one stamp that is already set; it must stay between its neighbours and not be "
        "in the future. The reason is kept on the timeline.",
        request=api_serializers.CorrectIn,
        responses={200: api_serializers.IncidentOut, **INCIDENT_ERRORS},
    )
    def post(self, request: Request, incident_id: int) -> Response:
        data = validated(api_serializers.CorrectIn, request.data)
        services.incident_correct_stamp(incident_id=incident_id, actor=request.user, **data)
        return _incident_response(request, incident_id)


class IncidentReopenApi(ApiView):
    @extend_schema(
        operation_id="incidents_reopen",
        tags=["incidents"],
        summary="Reopen a closed incident",
        request=api_serializers.ReopenIn,
        responses={200: api_serializers.IncidentOut, **INCIDENT_ERRORS},
    )
    def post(self, request: Request, incident_id: int) -> Response:
        data = validated(api_serializers.ReopenIn, request.data)
        services.incident_reopen(
            incident_id=incident_id, actor=request.user, reason=data["reason"], to_phase=data.get("to_phase")
        )
        return _incident_response(request, incident_id)


class IncidentFalseAlarmApi(ApiView):
    @extend_schema(
        operation_id="incidents_false_alarm",
        tags=["incidents"],
        summary="Mark an active incident a false alarm",
        description="Closes it; its stamps stay, and it is left out of time metrics and cost.",
        request=api_serializers.FalseAlarmIn,
        responses={200: api_serializers.IncidentOut, **INCIDENT_ERRORS},
    )
    def post(self, request: Request, incident_id: int) -> Response:
        data = validated(api_serializers.FalseAlarmIn, request.data)
        services.incident_mark_false_alarm(incident_id=incident_id, actor=request.user, reason=data["reason"])
        return _incident_response(request, incident_id)


class IncidentTimelineApi(ApiView):
    @extend_schema(
        operation_id="incidents_timeline_list",
        tags=["incidents"],
        summary="List an incident's timeline",
        description="Every event, oldest first: it is also the audit trail.",
        parameters=[PageIn],
        responses={200: paginated(api_serializers.EventOut), **error_responses(400, 404)},
    )
    def get(self, request: Request, incident_id: int) -> Response:
        validated(PageIn, request.query_params)
        if not api_selectors.incident_exists(incident_id=incident_id):
            raise errors.NotFound(
                f"Incident {incident_id} does not exist.", extra={"incident_id": incident_id}
            )
        return self.paginate(
            selectors.incident_timeline(incident_id=incident_id),
            lambda rows: api_serializers.EventOut(rows, many=True).data,
        )

    @extend_schema(
        operation_id="incidents_note_add",
        tags=["incidents"],
        summary="Add a note to the timeline",
        request=api_serializers.NoteIn,
        responses={
            201: OpenApiResponse(api_serializers.EventOut, description="The note, as a timeline event."),
            **error_responses(400, 404, 413),
        },
        examples=[OpenApiExample("Note", value={"body": "Rolled back to v1.42."}, request_only=True)],
    )
    def post(self, request: Request, incident_id: int) -> Response:
        data = validated(api_serializers.NoteIn, request.data)
        event = services.incident_note_add(incident_id=incident_id, actor=request.user, **data)
        event = IncidentEvent.objects.select_related("actor").get(pk=event.pk)
        return Response(api_serializers.EventOut(event).data, status=status.HTTP_201_CREATED)


class TeamListApi(ApiView):
    @extend_schema(
        operation_id="teams_list",
        tags=["teams"],
        summary="List teams",
        parameters=[PageIn],
        responses={200: paginated(api_serializers.TeamOut), **error_responses(400, 404)},
    )
    def get(self, request: Request) -> Response:
        validated(PageIn, request.query_params)
        return self.paginate(
            selectors.team_list(),
            lambda rows: api_serializers.TeamOut(rows, many=True, context={"request": request}).data,
        )


class TeamDetailApi(ApiView):
    @extend_schema(
        operation_id="teams_retrieve",
        tags=["teams"],
        summary="Get a team",
        responses={200: api_serializers.TeamOut, **error_responses(404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        team = api_selectors.team_get(slug=slug)
        if team is None:
            raise errors.NotFound(f"No team {slug!r}.", extra={"slug": slug})
        return Response(api_serializers.TeamOut(team, context={"request": request}).data)


class ServiceListApi(ApiView):
    @extend_schema(
        operation_id="services_list",
        tags=["services"],
        summary="List services",
        parameters=[PageIn],
        responses={200: paginated(api_serializers.ServiceOut), **error_responses(400, 404)},
    )
    def get(self, request: Request) -> Response:
        validated(PageIn, request.query_params)
        return self.paginate(
            selectors.service_list(),
            lambda rows: api_serializers.ServiceOut(rows, many=True, context={"request": request}).data,
        )


class ServiceDetailApi(ApiView):
    @extend_schema(
        operation_id="services_retrieve",
        tags=["services"],
        summary="Get a service",
        responses={200: api_serializers.ServiceOut, **error_responses(404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        service = api_selectors.service_get(slug=slug)
        if service is None:
            raise errors.NotFound(f"No service {slug!r}.", extra={"slug": slug})
        return Response(api_serializers.ServiceOut(service, context={"request": request}).data)
