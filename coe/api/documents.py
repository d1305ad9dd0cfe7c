"""The COE REST API of the document (/api/v1/coe/): starting a COE, listing and reading COEs, its
sections and their revisions, its contributing factors, and the language check. A stale section save is
a 409 `stale_section` carrying the current text, so the writer's text is never lost.
"""

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from coe import api_selectors, api_serializers, blameless, findings, services
from coe.api import _common
from core import errors
from core.api import ApiView, PageIn, error_responses, paginated, validated

# --- COEs -----------------------------------------------------------------------------------------


class CoeStartApi(ApiView):
    @extend_schema(
        operation_id="coe_start",
        tags=_common.COE_TAGS,
        summary="Start an incident's COE",
        description="Creates the COE with its six sections prefilled from the incident (timeline, phase "
        "durations, impact); the due date follows the severity policy. One COE per incident.",
        request=api_serializers.CoeStartIn,
        responses={
            201: api_serializers.CoeOut,
            **_common.error_docs(
                400, 404, 413, conflict="`coe_exists`: the incident has a COE; `extra.coe_id` is it."
            ),
        },
    )
    def post(self, request: Request, incident_id: int) -> Response:
        data = validated(api_serializers.CoeStartIn, request.data)
        coe = services.coe_start(incident_id=incident_id, actor=request.user, owner=data.get("owner"))
        response = _common.coe_response(request, coe.pk, status_code=status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(reverse("api:coe_detail", args=[coe.pk]))
        return response


class CoeListApi(ApiView):
    @extend_schema(
        operation_id="coe_list",
        tags=_common.COE_TAGS,
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
        tags=_common.COE_TAGS,
        summary="Get a COE",
        description="With its sections (Markdown and sanitized HTML), factors, action items, reviewers, "
        "and `problems`: what still keeps it from going to review.",
        responses={200: api_serializers.CoeOut, **error_responses(404)},
    )
    def get(self, request: Request, coe_id: int) -> Response:
        return _common.coe_response(request, coe_id)


# --- Sections -------------------------------------------------------------------------------------


class SectionApi(ApiView):
    @extend_schema(
        operation_id="coe_section_save",
        tags=_common.COE_TAGS,
        summary="Save a section",
        description="Send the `version` you started from. If someone saved since, nothing is written: "
        "409 `stale_section` with their text (`extra.current_body`, `extra.current_version`); merge and "
        "save again with `current_version`. Saving the same text is a no-op.",
        parameters=[_common.KEY],
        request=api_serializers.SectionSaveIn,
        responses={
            200: api_serializers.SectionOut,
            **_common.error_docs(
                400,
                404,
                413,
                conflict="`stale_section`: someone saved first; `extra` has `current_body`, "
                f"`current_version`, `base_version` and `section`. Or {_common.READ_ONLY}",
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
        key = _common.section_key(key)
        data = validated(api_serializers.SectionSaveIn, request.data)
        services.coe_section_save(
            coe_id=coe_id, key=key, body=data["body"], base_version=data["version"], actor=request.user
        )
        return _common.section_response(coe_id, key)


class SectionRevisionListApi(ApiView):
    @extend_schema(
        operation_id="coe_section_revisions_list",
        tags=_common.COE_TAGS,
        summary="List a section's revisions",
        description="Every saved version, newest first. History is append-only.",
        parameters=[_common.KEY, PageIn],
        responses={200: paginated(api_serializers.RevisionOut), **error_responses(400, 404)},
    )
    def get(self, request: Request, coe_id: int, key: str) -> Response:
        key = _common.section_key(key)
        validated(PageIn, request.query_params)
        section = api_selectors.section_get(coe_id=coe_id, key=key)
        if section is None:
            raise _common.not_found(coe_id)
        return self.paginate(
            api_selectors.revision_list(section=section),
            lambda rows: api_serializers.RevisionOut(rows, many=True).data,
        )


class SectionRestoreApi(ApiView):
    @extend_schema(
        operation_id="coe_section_restore",
        tags=_common.COE_TAGS,
        summary="Restore a revision",
        description="Makes an old version's text current again, as a new version (nothing is rewritten).",
        parameters=[_common.KEY],
        request=None,
        responses={
            200: api_serializers.SectionOut,
            **_common.error_docs(400, 404, 413, conflict=_common.READ_ONLY),
        },
    )
    def post(self, request: Request, coe_id: int, key: str, version: int) -> Response:
        key = _common.section_key(key)
        validated(api_serializers.NoBodyIn, request.data)
        services.coe_section_restore(coe_id=coe_id, key=key, version=version, actor=request.user)
        return _common.section_response(coe_id, key)


# --- Contributing factors -------------------------------------------------------------------------


class FactorListApi(ApiView):
    @extend_schema(
        operation_id="coe_factors_create",
        tags=_common.COE_TAGS,
        summary="Add a contributing factor",
        request=api_serializers.FactorIn,
        responses={
            201: api_serializers.FactorOut,
            **_common.error_docs(400, 404, 413, conflict=_common.READ_ONLY),
        },
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
                raise _common.not_found(coe_id)
            raise errors.NotFound(f"Factor {factor_id} does not exist.", extra={"factor_id": factor_id})
        return factor

    @extend_schema(
        operation_id="coe_factors_update",
        tags=_common.COE_TAGS,
        summary="Change a contributing factor",
        description="Only the fields sent change; `whys` replaces the whole chain.",
        request=api_serializers.FactorUpdateIn,
        responses={
            200: api_serializers.FactorOut,
            **_common.error_docs(400, 404, 413, conflict=_common.READ_ONLY),
        },
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
        tags=_common.COE_TAGS,
        summary="Delete a contributing factor",
        responses={
            204: OpenApiResponse(description="Deleted."),
            **_common.error_docs(404, conflict=_common.READ_ONLY),
        },
    )
    def delete(self, request: Request, coe_id: int, factor_id: int) -> Response:
        self._factor(coe_id, factor_id)
        services.factor_delete(coe_id=coe_id, factor_id=factor_id, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Language check -------------------------------------------------------------------------------


class CoeLintApi(ApiView):
    @extend_schema(
        operation_id="coe_lint",
        tags=_common.COE_TAGS,
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
