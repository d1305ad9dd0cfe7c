"""The REST API of a COE's review workflow: submit it to review, a reviewer's decision, reopen it."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from coe import api_serializers, services
from coe.api import _common
from core.api import ApiView, validated

# --- Review workflow ------------------------------------------------------------------------------


class CoeSubmitApi(ApiView):
    @extend_schema(
        operation_id="coe_submit",
        tags=_common.COE_TAGS,
        summary="Send a COE to review",
        description="Every gate must pass, else 400 `not_ready` with everything still missing in "
        "`extra.missing`. A COE sent back for changes, or reopened, is submitted again the same way.",
        request=api_serializers.CoeSubmitIn,
        responses={
            200: api_serializers.CoeOut,
            **_common.error_docs(
                400, 404, 413, conflict="`illegal_transition`: the COE is already in review or approved."
            ),
        },
        examples=[OpenApiExample("Reviewers", value={"reviewers": ["bob", "carol"]}, request_only=True)],
    )
    def post(self, request: Request, coe_id: int) -> Response:
        data = validated(api_serializers.CoeSubmitIn, request.data)
        services.coe_submit(coe_id=coe_id, actor=request.user, reviewers=list(data.get("reviewers", [])))
        return _common.coe_response(request, coe_id)


class CoeReviewApi(ApiView):
    @extend_schema(
        operation_id="coe_review",
        tags=_common.COE_TAGS,
        summary="Review a COE",
        description="By a named reviewer. `changes_requested` (with a comment) sends it back to draft; "
        "enough approvals for its severity (2 for SEV1, else 1) approve and publish it.",
        request=api_serializers.CoeReviewIn,
        responses={
            200: api_serializers.CoeOut,
            **_common.error_docs(
                400,
                404,
                413,
                conflict="`illegal_transition`: the COE is not in review.",
                forbidden="You are not a named reviewer of this COE (or the account is disabled, or a "
                "session request lacks its CSRF token).",
            ),
        },
    )
    def post(self, request: Request, coe_id: int) -> Response:
        data = validated(api_serializers.CoeReviewIn, request.data)
        services.coe_review(
            coe_id=coe_id, reviewer=request.user, decision=data["decision"], comment=data.get("comment", "")
        )
        return _common.coe_response(request, coe_id)


class CoeReopenApi(ApiView):
    @extend_schema(
        operation_id="coe_reopen",
        tags=_common.COE_TAGS,
        summary="Reopen an approved COE",
        description="Makes it editable again; the reviewers' decisions are reset. The reason is recorded.",
        request=api_serializers.CoeReopenIn,
        responses={
            200: api_serializers.CoeOut,
            **_common.error_docs(
                400, 404, 413, conflict="`illegal_transition`: only an approved COE can be reopened."
            ),
        },
    )
    def post(self, request: Request, coe_id: int) -> Response:
        data = validated(api_serializers.CoeReopenIn, request.data)
        services.coe_reopen(coe_id=coe_id, actor=request.user, reason=data["reason"])
        return _common.coe_response(request, coe_id)
