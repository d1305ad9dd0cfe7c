"""What the COE API views share: the documented error responses, the section path parameter, the
tags, and the responses that answer with a COE, a section or an action item."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.request import Request
from rest_framework.response import Response

from coe import api_selectors, api_serializers, selectors
from coe.sections import SectionKey
from core import errors
from core.api import ErrorOut, error_responses


def error_docs(*codes: int, conflict: str = "", forbidden: str = "") -> dict[int, OpenApiResponse]:
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


def not_found(coe_id: int) -> errors.NotFound:
    return errors.NotFound(f"COE {coe_id} does not exist.", extra={"coe_id": coe_id})


def coe_response(request: Request, coe_id: int, *, status_code: int = 200) -> Response:
    coe = selectors.coe_get(coe_id=coe_id)
    if coe is None:
        raise not_found(coe_id)
    return Response(api_serializers.coe_data(coe, request), status=status_code)


def section_key(key: str) -> SectionKey:
    """A path segment naming a section: an unknown one is a 404, like any unknown path."""
    if key not in SectionKey.values:
        raise errors.NotFound(f"No section {key!r}.", extra={"key": key, "keys": SectionKey.values})
    return SectionKey(key)


def section_response(coe_id: int, key: str) -> Response:
    return Response(
        api_serializers.SectionOut(
            api_serializers.section_data(api_selectors.section_get(coe_id=coe_id, key=key))
        ).data
    )


def item_response(request: Request, item_id: int, *, status_code: int = 200) -> Response:
    item = api_selectors.action_item_get(item_id=item_id)
    return Response(
        api_serializers.ActionItemOut(item, context={"request": request}).data, status=status_code
    )
