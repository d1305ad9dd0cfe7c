"""The alerts REST API (/api/v1/alerts/): read-only. Alerts are written only by the intake (`/hooks/`)
and its workers (`alerts.services`); here they are listed and read, through `alerts.api_selectors`.
Built like `incidents.api`: module-level serializers with unique names, `core.api.ApiView`, and errors
as {"message", "code", "extra"} through `core.api.exception_handler`.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from alerts import api_selectors
from alerts.models import AlertStatus, Integration, Kind
from core import errors
from core.api import ApiView, PageIn, error_responses, paginated, validated
from incidents.models import Incident

# --- Output ------------------------------------------------------------------------------------------


class IntegrationRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Kind.choices)


class IncidentRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="INC-<id>")
    url = serializers.HyperlinkedIdentityField(
        view_name="incidents:detail", lookup_url_kwarg="incident_id", help_text="The incident's web page."
    )


class AlertOut(serializers.Serializer):
    """One alert identity from one integration, as its tool last reported it."""

    id = serializers.IntegerField()
    integration = IntegrationRefOut(help_text="The integration it arrived through.")
    incident = IncidentRefOut(help_text="The incident it is grouped into.")
    dedup_key = serializers.CharField(help_text="Its identity within the integration, as the tool sent it.")
    status = serializers.ChoiceField(choices=AlertStatus.choices)
    title = serializers.CharField()
    description = serializers.CharField()
    severity = serializers.CharField(help_text="As the tool said it (e.g. critical, P2); may be empty.")
    labels = serializers.DictField(child=serializers.CharField())
    annotations = serializers.DictField(child=serializers.CharField())
    links = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()), help_text='[{"href", "text"}, ...]'
    )
    starts_at = serializers.DateTimeField(help_text="When it began firing.")
    ends_at = serializers.DateTimeField(allow_null=True, help_text="When it resolved; null while open.")
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    last_event_at = serializers.DateTimeField(help_text="Time of the newest state the tool reported.")
    delivery_count = serializers.IntegerField(help_text="Deliveries that reported this alert.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


# --- Input -------------------------------------------------------------------------------------------


class AlertListIn(PageIn):
    integration = serializers.PrimaryKeyRelatedField(
        queryset=Integration.objects.all(), required=False, allow_null=True, help_text="An integration's id."
    )
    status = serializers.ChoiceField(choices=AlertStatus.choices, required=False, allow_blank=True)
    incident = serializers.PrimaryKeyRelatedField(
        queryset=Incident.objects.all(), required=False, allow_null=True, help_text="An incident's id."
    )


# --- Views -------------------------------------------------------------------------------------------


class AlertListApi(ApiView):
    @extend_schema(
        operation_id="alerts_list",
        tags=["alerts"],
        summary="List alerts",
        description="Newest first (by when the alert began). Filters combine; a blank one matches any.",
        parameters=[AlertListIn],
        responses={200: paginated(AlertOut), **error_responses(400, 404)},
    )
    def get(self, request: Request) -> Response:
        params = validated(AlertListIn, request.query_params)
        integration, incident = params.get("integration"), params.get("incident")
        return self.paginate(
            api_selectors.alert_list(
                integration_id=integration.pk if integration else None,
                status=params.get("status", ""),
                incident_id=incident.pk if incident else None,
            ),
            lambda rows: AlertOut(rows, many=True, context={"request": request}).data,
        )


class AlertDetailApi(ApiView):
    @extend_schema(
        operation_id="alerts_retrieve",
        tags=["alerts"],
        summary="Get an alert",
        description="One alert, with the integration it arrived through and the incident it is grouped into.",
        responses={200: AlertOut, **error_responses(404)},
    )
    def get(self, request: Request, alert_id: int) -> Response:
        alert = api_selectors.alert_get(alert_id=alert_id)
        if alert is None:
            raise errors.NotFound(f"Alert {alert_id} does not exist.", extra={"alert_id": alert_id})
        return Response(AlertOut(alert, context={"request": request}).data)
