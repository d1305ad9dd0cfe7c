"""The REST API of action items: across COEs (/api/v1/action-items/) and those of one COE
(/api/v1/coe/{coe_id}/action-items/).
"""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from coe import api_selectors, api_serializers, selectors, services
from coe.api import _common
from core import errors
from core.api import ApiView, error_responses, paginated, validated

# --- Action items ---------------------------------------------------------------------------------


class ActionItemListApi(ApiView):
    @extend_schema(
        operation_id="action_items_list",
        tags=_common.ITEM_TAGS,
        summary="List action items across COEs",
        description="Soonest due first (those without a due date last). Filters combine; `mine=true` is "
        "`owner=<you>`.",
        parameters=[api_serializers.ActionItemListIn],
        responses={200: paginated(api_serializers.ActionItemOut), **error_responses(400, 404)},
    )
    def get(self, request: Request) -> Response:
        params = validated(api_serializers.ActionItemListIn, request.query_params)
        owner = params.get("owner")
        if params.get("mine"):
            if owner is not None and owner.pk != request.user.pk:
                raise errors.ValidationFailed(
                    "owner: Give mine=true or another owner, not both.",
                    code="invalid",
                    extra={"fields": {"owner": ["Give mine=true or another owner, not both."]}},
                )
            owner = request.user
        items = selectors.action_item_list(
            user=owner,
            team=params["team"].slug if params.get("team") else "",
            status=params.get("status", ""),
            overdue=params.get("overdue", False),
        )
        return self.paginate(
            items,
            lambda rows: api_serializers.ActionItemOut(rows, many=True, context={"request": request}).data,
        )


class CoeActionItemListApi(ApiView):
    @extend_schema(
        operation_id="coe_action_items_create",
        tags=_common.ITEM_TAGS,
        summary="Add an action item to a COE",
        description="Review needs at least one `prevent` item with an owner and a due date.",
        request=api_serializers.ActionItemIn,
        responses={201: api_serializers.ActionItemOut, **error_responses(400, 404, 413)},
        examples=[
            OpenApiExample(
                "Prevent",
                value={"title": "Validate configs in CI", "owner": "alice", "due_on": "2025-03-01"},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, coe_id: int) -> Response:
        data = validated(api_serializers.ActionItemIn, request.data)
        item = services.action_item_save(coe_id=coe_id, actor=request.user, **data)
        return _common.item_response(request, item.pk, status_code=status.HTTP_201_CREATED)


class ActionItemDetailApi(ApiView):
    @extend_schema(
        operation_id="action_items_update",
        tags=_common.ITEM_TAGS,
        summary="Change an action item",
        description="Only the fields sent change. Done stamps `completed_at`; `wont_do` needs "
        "`wont_do_reason`. Items stay editable after the COE is approved, to track them to done.",
        request=api_serializers.ActionItemUpdateIn,
        responses={200: api_serializers.ActionItemOut, **error_responses(400, 404, 413)},
    )
    def patch(self, request: Request, item_id: int) -> Response:
        data = validated(api_serializers.ActionItemUpdateIn, request.data)
        coe_id = api_selectors.action_item_coe_id(item_id=item_id)
        if coe_id is None:
            raise errors.NotFound(f"Action item {item_id} does not exist.", extra={"item_id": item_id})
        services.action_item_save(coe_id=coe_id, item_id=item_id, actor=request.user, **data)
        return _common.item_response(request, item_id)
