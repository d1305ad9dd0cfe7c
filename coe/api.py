"""The COE REST API (/api/v1/coe/, /api/v1/action-items/): the same services and selectors as the COE
pages (`coe.views`), so a COE written by a script follows the same rules as one written in the browser.
Built like `incidents.api`: module-level serializers (`coe.api_serializers`), `core.api.ApiView`, and
errors as {"message", "code", "extra"} through `core.api.exception_handler`. A stale section save is a
409 `stale_section` carrying the current text, so the writer's text is never lost.
"""

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from coe import api_selectors, api_serializers, blameless, findings, selectors, services
from coe.sections import SectionKey
from core import errors
from core.api import ApiView, ErrorOut, PageIn, error_responses, paginated, validated


def _errors(*codes: int, conflict: str = "", forbidden: str = "") -> dict[int, OpenApiResponse]:
    """`core.api.error_responses`, with what a 409 (or 403) means for this operation."""
    responses = error_responses(*codes)
    if conflict:
        responses[409] = OpenApiResponse(ErrorOut, description=conflict)
    if forbidden:
        responses[403] = OpenApiResponse(ErrorOut, description=forbidden)
    return responses


READ_ONLY = "`coe_read_only`: the COE is approved and published; reopen it (with a reason) to change it."
KEY = OpenApiParameter(
    "key",
    str,
    OpenApiParameter.PATH,
    enum=SectionKey.values,
    description="One of the six sections: what_happened, data, impact, contributing_factors, "
    "lessons, prevention (in document order).",
)
COE_TAGS = ["coe"]
ITEM_TAGS = ["action items"]


def _not_found(coe_id: int) -> errors.NotFound:
    return errors.NotFound(f"COE {coe_id} does not exist.", extra={"coe_id": coe_id})


def _coe_response(request: Request, coe_id: int, *, status_code: int = 200) -> Response:
    coe = selectors.coe_get(coe_id=coe_id)
    if coe is None:
        raise _not_found(coe_id)
    return Response(api_serializers.coe_data(coe, request), status=status_code)


def _section_key(key: str) -> SectionKey:
    """A path segment naming a section: an unknown one is a 404, like any unknown path."""
    if key not in SectionKey.values:
        raise errors.NotFound(f"No section {key!r}.", extra={"key": key, "keys": SectionKey.values})
    return SectionKey(key)


def _section_response(coe_id: int, key: str) -> Response:
    return Response(
        api_serializers.SectionOut(
            api_serializers.section_data(api_selectors.section_get(coe_id=coe_id, key=key))
        ).data
    )


def _item_response(request: Request, item_id: int, *, status_code: int = 200) -> Response:
    item = api_selectors.action_item_get(item_id=item_id)
    return Response(
        api_serializers.ActionItemOut(item, context={"request": request}).data, status=status_code
    )


# --- COEs --------------------------------------------------------------------------------------------


class CoeStartApi(ApiView):
    @extend_schema(
        operation_id="coe_start",
        tags=COE_TAGS,
        summary="Start an incident's COE",
        description="Creates the COE with its six sections prefilled from the incident (timeline, phase "
        "durations, impact); the due date follows the severity policy. One COE per incident.",
        request=api_serializers.CoeStartIn,
        responses={
            201: api_serializers.CoeOut,
            **_errors(400, 404, 413, conflict="`coe_exists`: the incident has a COE; `extra.coe_id` is it."),
        },
    )
    def post(self, request: Request, incident_id: int) -> Response:
        data = validated(api_serializers.CoeStartIn, request.data)
        coe = services.coe_start(incident_id=incident_id, actor=request.user, owner=data.get("owner"))
        response = _coe_response(request, coe.pk, status_code=status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(reverse("api:coe_detail", args=[coe.pk]))
        return response


class CoeListApi(ApiView):
    @extend_schema(
        operation_id="coe_list",
        tags=COE_TAGS,
        summary="List COEs",
        description="Newest first. Sections, factors and action items are on each COE's own endpoint.",
        parameters=[api_serializers.CoeListIn],
        responses={200: paginated(api_serializers.CoeSummaryOut), **error_responses(400, 404)},
    )
    def get(self, request: Request) -> Response:
        params = validated(api_serializers.CoeListIn, request.query_params)
        return self.paginate(
            api_selectors.coe_list(state=params.get("state", "")),
            lambda rows: api_serializers.coe_summary_data(rows, request),
        )


class CoeDetailApi(ApiView):
    @extend_schema(
        operation_id="coe_retrieve",
        tags=COE_TAGS,
        summary="Get a COE",
        description="With its sections (Markdown and sanitized HTML), factors, action items, reviewers, "
        "and `problems`: what still keeps it from going to review.",
        responses={200: api_serializers.CoeOut, **error_responses(404)},
    )
    def get(self, request: Request, coe_id: int) -> Response:
        return _coe_response(request, coe_id)


# --- Sections ----------------------------------------------------------------------------------------


class SectionApi(ApiView):
    @extend_schema(
        operation_id="coe_section_save",
        tags=COE_TAGS,
        summary="Save a section",
        description="Send the `version` you started from. If someone saved since, nothing is written: "
        "409 `stale_section` with their text (`extra.current_body`, `extra.current_version`); merge and "
        "save again with `current_version`. Saving the same text is a no-op.",
        parameters=[KEY],
        request=api_serializers.SectionSaveIn,
        responses={
            200: api_serializers.SectionOut,
            **_errors(
                400,
                404,
                413,
                conflict="`stale_section`: someone saved first; `extra` has `current_body`, "
                f"`current_version`, `base_version` and `section`. Or {READ_ONLY}",
            ),
        },
        examples=[
            OpenApiExample(
                "Save",
                value={"body": "At 09:12 checkout errors rose to 40%.", "version": 3},
                request_only=True,
            )
        ],
    )
    def put(self, request: Request, coe_id: int, key: str) -> Response:
        key = _section_key(key)
        data = validated(api_serializers.SectionSaveIn, request.data)
        services.coe_section_save(
            coe_id=coe_id, key=key, body=data["body"], base_version=data["version"], actor=request.user
        )
        return _section_response(coe_id, key)


class SectionRevisionListApi(ApiView):
    @extend_schema(
        operation_id="coe_section_revisions_list",
        tags=COE_TAGS,
        summary="List a section's revisions",
        description="Every saved version, newest first. History is append-only.",
        parameters=[KEY, PageIn],
        responses={200: paginated(api_serializers.RevisionOut), **error_responses(400, 404)},
    )
    def get(self, request: Request, coe_id: int, key: str) -> Response:
        key = _section_key(key)
        validated(PageIn, request.query_params)
        section = api_selectors.section_get(coe_id=coe_id, key=key)
        if section is None:
            raise _not_found(coe_id)
        return self.paginate(
            api_selectors.revision_list(section=section),
            lambda rows: api_serializers.RevisionOut(rows, many=True).data,
        )


class SectionRestoreApi(ApiView):
    @extend_schema(
        operation_id="coe_section_restore",
        tags=COE_TAGS,
        summary="Restore a revision",
        description="Makes an old version's text current again, as a new version (nothing is rewritten).",
        parameters=[KEY],
        request=None,
        responses={200: api_serializers.SectionOut, **_errors(400, 404, 413, conflict=READ_ONLY)},
    )
    def post(self, request: Request, coe_id: int, key: str, version: int) -> Response:
        key = _section_key(key)
        validated(api_serializers.NoBodyIn, request.data)
        services.coe_section_restore(coe_id=coe_id, key=key, version=version, actor=request.user)
        return _section_response(coe_id, key)


# --- Contributing factors ----------------------------------------------------------------------------


class FactorListApi(ApiView):
    @extend_schema(
        operation_id="coe_factors_create",
        tags=COE_TAGS,
        summary="Add a contributing factor",
        request=api_serializers.FactorIn,
        responses={201: api_serializers.FactorOut, **_errors(400, 404, 413, conflict=READ_ONLY)},
        examples=[
            OpenApiExample(
                "Factor",
                value={
                    "statement": "A config change reached production without validation",
                    "category": "process",
                    "whys": ["The pipeline has no schema check", "The schema is not versioned"],
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, coe_id: int) -> Response:
        data = validated(api_serializers.FactorIn, request.data)
        factor = services.factor_save(
            coe_id=coe_id,
            actor=request.user,
            statement=data["statement"],
            category=data["category"],
            whys=data.get("whys", []),
        )
        return Response(api_serializers.FactorOut(factor).data, status=status.HTTP_201_CREATED)


class FactorDetailApi(ApiView):
    def _factor(self, coe_id: int, factor_id: int):
        factor = api_selectors.factor_get(coe_id=coe_id, factor_id=factor_id)
        if factor is None:
            if not api_selectors.coe_exists(coe_id=coe_id):
                raise _not_found(coe_id)
            raise errors.NotFound(f"Factor {factor_id} does not exist.", extra={"factor_id": factor_id})
        return factor

    @extend_schema(
        operation_id="coe_factors_update",
        tags=COE_TAGS,
        summary="Change a contributing factor",
        description="Only the fields sent change; `whys` replaces the whole chain.",
        request=api_serializers.FactorUpdateIn,
        responses={200: api_serializers.FactorOut, **_errors(400, 404, 413, conflict=READ_ONLY)},
    )
    def patch(self, request: Request, coe_id: int, factor_id: int) -> Response:
        data = validated(api_serializers.FactorUpdateIn, request.data)
        factor = self._factor(coe_id, factor_id)
        factor = services.factor_save(
            coe_id=coe_id,
            factor_id=factor_id,
            actor=request.user,
            statement=data.get("statement", factor.statement),
            category=data.get("category", factor.category),
            whys=data.get("whys", factor.whys),
        )
        return Response(api_serializers.FactorOut(factor).data)

    @extend_schema(
        operation_id="coe_factors_destroy",
        tags=COE_TAGS,
        summary="Delete a contributing factor",
        responses={204: OpenApiResponse(description="Deleted."), **_errors(404, conflict=READ_ONLY)},
    )
    def delete(self, request: Request, coe_id: int, factor_id: int) -> Response:
        self._factor(coe_id, factor_id)
        services.factor_delete(coe_id=coe_id, factor_id=factor_id, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Action items ------------------------------------------------------------------------------------


class ActionItemListApi(ApiView):
    @extend_schema(
        operation_id="action_items_list",
        tags=ITEM_TAGS,
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
        tags=ITEM_TAGS,
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
        return _item_response(request, item.pk, status_code=status.HTTP_201_CREATED)


class ActionItemDetailApi(ApiView):
    @extend_schema(
        operation_id="action_items_update",
        tags=ITEM_TAGS,
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
        return _item_response(request, item_id)


# --- Review workflow ---------------------------------------------------------------------------------


class CoeSubmitApi(ApiView):
    @extend_schema(
        operation_id="coe_submit",
        tags=COE_TAGS,
        summary="Send a COE to review",
        description="Every gate must pass, else 400 `not_ready` with everything still missing in "
        "`extra.missing`. A COE sent back for changes, or reopened, is submitted again the same way.",
        request=api_serializers.CoeSubmitIn,
        responses={
            200: api_serializers.CoeOut,
            **_errors(
                400, 404, 413, conflict="`illegal_transition`: the COE is already in review or approved."
            ),
        },
        examples=[OpenApiExample("Reviewers", value={"reviewers": ["bob", "carol"]}, request_only=True)],
    )
    def post(self, request: Request, coe_id: int) -> Response:
        data = validated(api_serializers.CoeSubmitIn, request.data)
        services.coe_submit(coe_id=coe_id, actor=request.user, reviewers=list(data.get("reviewers", [])))
        return _coe_response(request, coe_id)


class CoeReviewApi(ApiView):
    @extend_schema(
        operation_id="coe_review",
        tags=COE_TAGS,
        summary="Review a COE",
        description="By a named reviewer. `changes_requested` (with a comment) sends it back to draft; "
        "enough approvals for its severity (2 for SEV1, else 1) approve and publish it.",
        request=api_serializers.CoeReviewIn,
        responses={
            200: api_serializers.CoeOut,
            **_errors(
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
        return _coe_response(request, coe_id)


class CoeReopenApi(ApiView):
    @extend_schema(
        operation_id="coe_reopen",
        tags=COE_TAGS,
        summary="Reopen an approved COE",
        description="Makes it editable again; the reviewers' decisions are reset. The reason is recorded.",
        request=api_serializers.CoeReopenIn,
        responses={
            200: api_serializers.CoeOut,
            **_errors(400, 404, 413, conflict="`illegal_transition`: only an approved COE can be reopened."),
        },
    )
    def post(self, request: Request, coe_id: int) -> Response:
        data = validated(api_serializers.CoeReopenIn, request.data)
        services.coe_reopen(coe_id=coe_id, actor=request.user, reason=data["reason"])
        return _coe_response(request, coe_id)


# --- Language check ----------------------------------------------------------------------------------


class CoeLintApi(ApiView):
    @extend_schema(
        operation_id="coe_lint",
        tags=COE_TAGS,
        summary="Check text for blameful language",
        description='Finds phrasing that stops at a person ("human error", "Bob forgot") and suggests '
        "a reframing toward the system. `start`/`end` are offsets into the text as sent (end "
        "exclusive). Active users' usernames and first names count as people. Nothing is stored.",
        request=api_serializers.LintIn,
        responses={200: api_serializers.LintOut, **error_responses(400, 413)},
        examples=[
            OpenApiExample("Text", value={"text": "Bob forgot to renew the certificate."}, request_only=True)
        ],
    )
    def post(self, request: Request) -> Response:
        data = validated(api_serializers.LintIn, request.data)
        found = blameless.lint(data["text"], people=findings.people())
        return Response(api_serializers.LintOut({"findings": found}).data)
