"""The metrics REST API (/api/v1/metrics/): the stored weekly aggregates, as JSON for one week or as
CSV for a range of weeks. Read-only: the figures are computed by the workers (`metrics.services`).
Built like `incidents.api`: `core.api.ApiView` (session or Bearer token), module-level serializers
(`metrics.api_serializers`), errors as {"message", "code", "extra"}.
"""

import csv
import io
from datetime import date

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from core import errors
from core.api import ApiView, ErrorOut, error_responses, validated
from metrics import api_serializers, selectors, services, weeks

MAX_CSV_WEEKS = 520  # ten years
DEFAULT_CSV_WEEKS = 12


def _last_complete_week() -> date:
    return services.current_week() - weeks.WEEK


def _scope(params: dict) -> selectors.ScopeRef:
    return selectors.scope_resolve(
        team=params.get("team", ""), service=params.get("service", ""), severity=params.get("severity", "")
    )


class WeeklyMetricsApi(ApiView):
    @extend_schema(
        operation_id="metrics_weekly",
        tags=["metrics"],
        summary="One week's aggregates",
        description="The stored figures of an ISO week (weeks start Monday in the reporting time zone) for "
        "everything, or for one team, service or severity (at most one filter). Durations in seconds, "
        "each with the count it rests on and `small_sample` below 5. A team, service or severity without "
        "activity that week answers zeros; a week never computed answers 404 `not_computed`.",
        parameters=[api_serializers.WeeklyMetricsIn],
        responses={
            200: api_serializers.WeeklyMetricsOut,
            **error_responses(400),
            404: OpenApiResponse(ErrorOut, description="`not_computed`: the week has not been computed yet."),
        },
    )
    def get(self, request: Request) -> Response:
        params = validated(api_serializers.WeeklyMetricsIn, request.query_params)
        week = weeks.week_parse(params["week"]) if params.get("week") else _last_complete_week()
        ref = _scope(params)
        read = selectors.weekly_read(week=week, scope=ref.scope, key=ref.key)
        if read.computed_at is None:
            label = weeks.week_format(week)
            raise errors.NotFound(
                f"The metrics of {label} have not been computed yet.",
                code="not_computed",
                extra={"week": label},
            )
        return Response(
            api_serializers.weekly_data(week=week, ref=ref, row=read.row, computed_at=read.computed_at)
        )


class WeeklyMetricsCsvApi(ApiView):
    def perform_content_negotiation(self, request, force=False):
        # The answer is CSV whatever the client accepts (a client asking for text/csv only would
        # otherwise get 406 from DRF, whose renderers are JSON); errors are still JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="metrics_weekly_csv",
        tags=["metrics"],
        summary="Many weeks' aggregates as CSV",
        description=f"One row per ISO week from `from` to `to` (both included, at most {MAX_CSV_WEEKS}), "
        "for everything or one team, service or severity. Weeks without data have zeros and blank "
        "statistics; a week never computed has a blank `computed_at`. Columns: see docs/metrics.md.",
        parameters=[api_serializers.WeeklyCsvIn],
        responses={(200, "text/csv"): OpenApiTypes.STR, **error_responses(400)},
    )
    def get(self, request: Request) -> HttpResponse:
        params = validated(api_serializers.WeeklyCsvIn, request.query_params)
        last = weeks.week_parse(params["to"], field="to") if params.get("to") else _last_complete_week()
        if params.get("from"):
            first = weeks.week_parse(params["from"], field="from")
        else:
            first = last - (DEFAULT_CSV_WEEKS - 1) * weeks.WEEK
        if first > last:
            raise errors.ValidationFailed(
                f"from ({weeks.week_format(first)}) is after to ({weeks.week_format(last)}).",
                code="invalid_range",
                extra={"from": weeks.week_format(first), "to": weeks.week_format(last)},
            )
        count = weeks.weeks_count(first, last)
        if count > MAX_CSV_WEEKS:
            raise errors.ValidationFailed(
                f"At most {MAX_CSV_WEEKS} weeks at a time; from {weeks.week_format(first)} to "
                f"{weeks.week_format(last)} is {count}.",
                code="range_too_long",
                extra={"weeks": count, "max_weeks": MAX_CSV_WEEKS},
            )
        ref = _scope(params)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(api_serializers.csv_header())
        for read in selectors.weekly_table(scope=ref.scope, key=ref.key, first_week=first, last_week=last):
            writer.writerow(
                api_serializers.csv_row(week=read.week, ref=ref, row=read.row, computed_at=read.computed_at)
            )
        name = f"metrics-{weeks.week_format(first)}-{weeks.week_format(last)}"
        if ref.key:
            name += f"-{ref.scope}-{ref.filter.get(ref.scope, ref.key)}"
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
