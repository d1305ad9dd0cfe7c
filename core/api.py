"""What every API view shares: the base view, the error shape, pagination, throttling.

Every error leaves the API as JSON `{"message", "code", "extra"}`: `message` for people, `code` stable
for programs, `extra` the details (which field, which phase). Services raise `core.errors`
ApplicationErrors, which carry their own status; DRF's and Django's exceptions are mapped here, once.
"""

import functools
import math
from collections.abc import Callable, Mapping
from datetime import UTC
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core import exceptions as django_exceptions
from django.http import Http404
from django.urls import Resolver404, resolve
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, pagination, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from core import errors


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


def _too_large() -> dict[str, Any]:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return {
        "message": f"The request body is larger than the limit of {limit} bytes.",
        "code": "too_large",
        "extra": {"max_bytes": limit},
    }


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested validation detail as {"field" or "field.0": ["message", ...]}."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, value in enumerate(detail):
            flat.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    items = detail if isinstance(detail, list) else [detail]
    return {prefix or api_settings.NON_FIELD_ERRORS_KEY: [str(item) for item in items]}


def _validation_error(exc: exceptions.ValidationError) -> dict[str, Any]:
    fields = _flatten(exc.detail)
    codes = {name: [str(code) for code in values] for name, values in _flatten(exc.get_codes()).items()}
    name, problems = next(iter(fields.items()), (api_settings.NON_FIELD_ERRORS_KEY, ["Invalid input."]))
    message = problems[0] if name == api_settings.NON_FIELD_ERRORS_KEY else f"{name}: {problems[0]}"
    return {"message": message, "code": "invalid", "extra": {"fields": fields, "codes": codes}}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: any known error as {"message", "code", "extra"}.

    Anything else returns None, so DRF re-raises it and Django logs it and answers 500.
    """
    headers: dict[str, str] = {}
    if isinstance(exc, errors.ApplicationError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, django_exceptions.RequestDataTooBig):
        return Response(_too_large(), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, django_exceptions.SuspiciousOperation):
        # Django's own refusals of a request (too many fields or files, a bad Host): its 400 page is
        # HTML, so they are answered here as every other error.
        return Response(suspicious_body(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, django_exceptions.PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = _validation_error(exc)
    elif isinstance(exc, PayloadTooLarge):
        body = _too_large()
    else:
        detail = exc.detail
        body = {
            "message": str(detail),
            "code": getattr(detail, "code", None) or exc.default_code,
            "extra": dict(getattr(exc, "extra", None) or {}),
        }
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        wait = math.ceil(exc.wait)
        headers["Retry-After"] = str(wait)
        body["extra"] = {"wait": wait}
    return Response(body, status=exc.status_code, headers=headers)


def suspicious_body(exc: django_exceptions.SuspiciousOperation) -> dict[str, Any]:
    """The JSON error of a request Django refuses as suspicious (a 400)."""
    if isinstance(exc, django_exceptions.TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return {
            "message": f"The request has more than {limit} parameters or fields.",
            "code": "too_many_fields",
            "extra": {"max_fields": limit},
        }
    if isinstance(exc, django_exceptions.TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return {
            "message": f"The request has more than {limit} files.",
            "code": "too_many_files",
            "extra": {"max_files": limit},
        }
    if isinstance(exc, django_exceptions.DisallowedHost):
        return {
            "message": "The Host header names no host this server answers for.",
            "code": "bad_host",
            "extra": {},
        }
    return {"message": "The request cannot be read.", "code": "bad_request", "extra": {}}


# --- Characters the database cannot store --------------------------------------------------------------

NUL_MESSAGE = "Null characters are not allowed."


def _nul_fields(value: Any, prefix: str) -> list[str]:
    """The names (dotted, like `extra.fields`) of every string in `value` holding a NUL character."""
    if isinstance(value, str):
        return [prefix or api_settings.NON_FIELD_ERRORS_KEY] if "\x00" in value else []
    if hasattr(value, "lists"):  # a QueryDict: each name with all its values
        value = dict(value.lists())
    if isinstance(value, Mapping):
        found = []
        for key, item in value.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            found += [name] if "\x00" in str(key) else _nul_fields(item, name)
        return found
    if isinstance(value, list | tuple):
        if prefix and all(isinstance(item, str) for item in value):  # repeated parameter or list of text
            return [prefix] if any("\x00" in item for item in value) else []
        return [name for index, item in enumerate(value) for name in _nul_fields(item, f"{prefix}.{index}")]
    return []


def refuse_nul(data: Any) -> None:
    """A 400 naming every field whose text holds a NUL character, before anything looks it up:
    PostgreSQL cannot compare or store one (a lookup by such a slug or username would fail with a 500)."""
    names = _nul_fields(data, "")
    if names:
        raise exceptions.ValidationError({name: [NUL_MESSAGE] for name in names}, code="null_characters")


class IsActiveAccount(permissions.BasePermission):
    """A disabled account's token still says who it is, but it may no longer act: 403."""

    message = "This account is disabled."
    code = "account_disabled"

    def has_permission(self, request, view) -> bool:
        return request.user.is_active


class ApiPagination(pagination.PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class PageIn(serializers.Serializer):
    """The pagination query parameters, validated so a bad value is a 400 naming it."""

    page = serializers.IntegerField(min_value=1, required=False, help_text="1-based page number.")
    page_size = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text=f"Items per page (default {ApiPagination.page_size}, "
        f"at most {ApiPagination.max_page_size}).",
    )


def _expected_type(field: serializers.Field) -> tuple[type, ...] | None:
    """The JSON types a field reads, where DRF would coerce others: CharField turns 0 into "0" and
    IntegerField "5" into 5. None where the field checks the type itself (dates, nested, ...)."""
    if isinstance(field, serializers.BooleanField):
        return (bool,)
    if isinstance(field, serializers.IntegerField):
        return (int,)
    if isinstance(field, serializers.CharField | serializers.RelatedField):
        return (str,)
    if isinstance(field, serializers.ChoiceField) and all(isinstance(key, str) for key in field.choices):
        return (str,)
    return None


def _type_errors(field: serializers.Field, value: Any) -> list[str] | dict[int, list[str]]:
    """What is wrong with the JSON type of `value` for `field`, shaped as DRF's own errors (a list's
    items by index, so the field is named like `blast_radius.0`); empty when nothing is."""
    if value is None:
        return []  # allow_null decides
    if isinstance(field, serializers.ListField | serializers.ManyRelatedField):
        child = field.child if isinstance(field, serializers.ListField) else field.child_relation
        if not isinstance(value, list):
            return []  # DRF answers "Expected a list of items"
        items = {index: _type_errors(child, item) for index, item in enumerate(value)}
        return {index: problem for index, problem in items.items() if problem}
    expected = _expected_type(field)
    # bool is an int in Python, never in JSON.
    if expected is None or (
        isinstance(value, expected) and (expected == (bool,) or not isinstance(value, bool))
    ):
        return []
    names = {bool: "a boolean", int: "an integer", str: "a string"}
    return [f"Must be {names[expected[0]]}, not {type(value).__name__}."]


class StrictIn(serializers.Serializer):
    """A request body that refuses fields it does not know, so a typo or a read-only field (status, a
    stamp) is a 400 naming it rather than silently ignored; and values of the wrong JSON type (a number
    where text is expected), which DRF would otherwise coerce. The schema says both
    (`core.schema.postprocess`: `additionalProperties: false`)."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping) and not hasattr(data, "lists"):  # JSON (a QueryDict holds only text)
            problems = {}
            for name, value in data.items():
                field = self.fields.get(name)
                if field is not None and not field.read_only:
                    problem = _type_errors(field, value)
                    if problem:
                        problems[name] = problem
            if problems:
                raise serializers.ValidationError(problems, code="wrong_type")
        return super().to_internal_value(data)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        data = self.initial_data
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                accepted = ", ".join(self.fields)
                raise serializers.ValidationError(
                    {name: [f"Unknown field; accepted: {accepted}."] for name in unknown},
                    code="unknown_field",
                )
        return attrs


@functools.cache
def paginated(serializer_class: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The schema of one page of `serializer_class` items, named Paginated<Name>List (one class per
    item class, so two views listing the same items share one schema component)."""
    name = serializer_class.__name__.removesuffix("Out")
    return type(
        f"Paginated{name}List",
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(help_text="Items on all pages."),
            "next": serializers.URLField(allow_null=True, help_text="The next page, or null."),
            "previous": serializers.URLField(allow_null=True, help_text="The previous page, or null."),
            "results": serializer_class(many=True),
            "__module__": serializer_class.__module__,
        },
    )


class ErrorOut(serializers.Serializer):
    message = serializers.CharField(help_text="What went wrong, for people.")
    code = serializers.CharField(
        help_text="Stable, for programs: e.g. invalid, not_authenticated, permission_denied, not_found, "
        "stale_phase, stale_version, illegal_transition, too_large, throttled."
    )
    extra = serializers.DictField(
        help_text="Details: `fields` (field name → messages) for invalid input, `wait` (seconds) when "
        "throttled, the current state for a conflict."
    )


ERROR_DESCRIPTIONS = {
    400: "Invalid input: `extra.fields` names each field at fault (or `extra.field` a stamp), "
    "`extra.codes` why (e.g. `wrong_type`, `unknown_field`, `null_characters`, `blank`). A request the "
    "schema allows can still be refused for what a schema cannot say: a reference to nothing (a slug, "
    "username or id: `extra.codes` `does_not_exist`) or a rule applied once the request is well formed "
    "(no `extra.codes`; often a `code` of its own, e.g. `invalid_stamp`, `unknown_filter`). A body that is "
    "not JSON, or nests deeper than 64 levels, is `parse_error`.",
    401: "No credentials, or an unknown or revoked token.",
    403: "The account is disabled, or a session request lacks its CSRF token.",
    404: "No such object (or a page past the last one).",
    409: "The current state forbids it: an illegal transition, or stale data (the incident changed).",
    413: "The request body is larger than the server accepts.",
    429: "Too many requests: retry after `Retry-After` seconds (also in `extra.wait`).",
}


def validated(serializer_class: type[serializers.Serializer], data) -> dict[str, Any]:
    """The input checked by `serializer_class`, or a 400 through the exception handler. Text holding a
    NUL character is refused first, whatever the field (see `refuse_nul`)."""
    refuse_nul(data)
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the errors an operation can answer; 401, 403 and 429 apply to every one."""
    return {
        code: OpenApiResponse(ErrorOut, description=ERROR_DESCRIPTIONS[code])
        for code in sorted({401, 403, 429, *codes})
    }


class ApiView(APIView):
    """The base of every API view: authenticated and active users, times in UTC, bodies bounded."""

    permission_classes = [permissions.IsAuthenticated, IsActiveAccount]

    @classmethod
    def as_view(cls, **initkwargs):
        # The API answers 401 itself; the site's LoginRequiredMiddleware would redirect to a login page.
        return login_not_required(super().as_view(**initkwargs))

    def initial(self, request, *args, **kwargs) -> None:
        # Times are read and written in UTC whatever zone the person picked for the pages.
        timezone.activate(UTC)
        super().initial(request, *args, **kwargs)
        # DRF's parsers read the stream directly, bypassing Django's DATA_UPLOAD_MAX_MEMORY_SIZE check.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            raise PayloadTooLarge()
        # A path segment with a NUL character (`<str:key>` matches one) names nothing that can exist.
        if any(isinstance(value, str) and "\x00" in value for value in kwargs.values()):
            raise exceptions.NotFound(f"No endpoint at {request.path!r}.")

    def paginate(self, queryset, represent: Callable[[list], list]) -> Response:
        """One page of `queryset` ({"count", "next", "previous", "results"}); `represent` turns the
        page's rows into JSON. A page past the end is a 404."""
        paginator = ApiPagination()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        return paginator.get_paginated_response(represent(page))


@extend_schema(exclude=True)
class NotFoundApi(ApiView):
    """Any other path under the API: a JSON 404 (with a hint when only the trailing slash is missing)."""

    permission_classes = [permissions.AllowAny]

    def _not_found(self, request, *args, **kwargs):
        path = request.path
        if not path.endswith("/"):
            try:
                match = resolve(path + "/")
            except Resolver404:
                match = None
            if match is not None and getattr(match.func, "view_class", None) is not NotFoundApi:
                raise exceptions.NotFound(f"No endpoint at {path}; did you mean {path}/?")
        raise exceptions.NotFound(f"No endpoint at {path}.")

    get = post = put = patch = delete = head = options = _not_found
