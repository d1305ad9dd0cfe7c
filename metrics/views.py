"""The weekly resilience review page: /dashboard/weekly/?week=2026-W47[&team=|&service=|&severity=].

The same URL returns the whole page, or only the dashboard when htmx asks (week and filter changes).
Charts are server-side SVG (`metrics.charts`), each with its numbers in a table.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe

from core import enqueue, errors
from incidents.models import Severity
from incidents.phases import ORDER
from metrics import charts, dashboard, weeks
from metrics.dashboard import Dashboard

SEVERITY_CSS = {name: f"chart-{name.lower()}" for name in Severity.values}


def _charts(board: Dashboard) -> dict[str, dict]:
    labels = [week.short for week in board.series]

    def pack(svg_and_legend) -> dict:
        svg, legend = svg_and_legend
        return {"svg": mark_safe(svg), "legend": mark_safe(legend)}

    def band(metric: str, title: str, test_id: str) -> dict:
        return pack(
            charts.band(
                title=title,
                labels=labels,
                p50=charts.Series("p50", [w.stat(metric, "p50") for w in board.series], "chart-p50"),
                p90=charts.Series("p50 to p90", [w.stat(metric, "p90") for w in board.series], "chart-p90"),
                test_id=test_id,
            )
        )

    def per_week(name: str) -> list:
        return [w.get(name) for w in board.series]

    by_incidents = sorted(board.services, key=lambda s: (-s["incidents"], s["name"]))[:8]
    by_downtime = sorted(board.services, key=lambda s: (-s["downtime"], s["name"]))[:8]
    return {
        "detect": band("time_to_detect", "Time to detect, 12 weeks", "chart-detect"),
        "recover": band("time_to_recover", "Time to recover, 12 weeks", "chart-recover"),
        "severity": pack(
            charts.stacked_bars(
                title="Incidents per week by severity",
                labels=labels,
                stacks=[
                    charts.Series(name, [w.severity(name) for w in board.series], SEVERITY_CSS[name])
                    for name in Severity.values
                ],
                beside=charts.Series(
                    "Noise (false alarms, auto-resolved)", [w.noise for w in board.series], "chart-noise"
                ),
                test_id="chart-severity",
            )
        ),
        "anatomy": pack(
            charts.stacked_row_bars(
                title="Median time in each phase",
                rows=[
                    (board.week_label, [board.anatomy[p.value]["week"] for p in ORDER]),
                    ("12-week median", [board.anatomy[p.value]["median12"] for p in ORDER]),
                ],
                segments=[charts.Series(p.label, [], f"chart-{p.value}") for p in ORDER],
                test_id="chart-anatomy",
            )
        ),
        "services_incidents": mark_safe(
            charts.horizontal_bars(
                title="Top services by incidents",
                bars=[charts.Bar(s["name"], s["incidents"], s["critical"]) for s in by_incidents],
                mark_name="Critical services",
                test_id="chart-services-incidents",
            )
        ),
        "services_downtime": mark_safe(
            charts.horizontal_bars(
                title="Top services by downtime",
                bars=[charts.Bar(s["name"], s["downtime"], s["critical"]) for s in by_downtime],
                durations=True,
                mark_name="Critical services",
                test_id="chart-services-downtime",
            )
        ),
        "services_by_incidents": by_incidents,
        "services_by_downtime": by_downtime,
        "actions": pack(
            charts.grouped_bars(
                title="Action items per week",
                labels=labels,
                groups=[
                    charts.Series("Opened", per_week("action_items_created"), "chart-opened"),
                    charts.Series("Closed", per_week("action_items_completed"), "chart-closed"),
                ],
                line=charts.Series(
                    "Overdue at week end",
                    per_week("action_items_overdue"),
                    "chart-overdue",
                ),
                test_id="chart-actions",
            )
        ),
        "factors": mark_safe(
            charts.horizontal_bars(
                title="Contributing factors by category, approved COEs of the last 12 weeks",
                bars=[charts.Bar(f["category"], f["count"]) for f in board.factors],
                test_id="chart-factors",
            )
        ),
    }


def _url(week, filters: dashboard.Filters) -> str:
    query = {"week": weeks.week_format(week), **filters.query()}
    return f"{reverse('metrics:weekly')}?{urlencode(query)}"


def weekly(request):
    teams, services = dashboard.filter_choices()
    context = {
        "teams": teams,
        "services": services,
        "severities": Severity.values,
        "week_value": request.GET.get("week", ""),
        "reporting_zone": settings.REPORTING_TIME_ZONE,
        # Without a broker (the embedded default) no worker computes the figures: the empty state says
        # how to compute them by hand instead.
        "background_workers": not enqueue.inline(),
    }
    template = "metrics/_weekly.html" if request.htmx else "metrics/weekly.html"
    try:
        week = dashboard.week_from(request.GET.get("week", ""))
        filters = dashboard.filters_from(request.GET)
    except errors.ValidationFailed as exc:
        context["error"] = exc.message
        return render(request, template, context, status=400)
    board = dashboard.dashboard_get(week=week, filters=filters, services=services)
    previous, following = dashboard.week_neighbours(week)
    first = week - weeks.WEEK * (dashboard.TREND_WEEKS - 1)
    csv_query = urlencode({"from": weeks.week_format(first), "to": board.week_label, **filters.query()})
    context.update(
        board=board,
        week_value=board.week_label,
        charts=_charts(board),
        phases=ORDER,
        previous_url=_url(previous, filters),
        next_url=_url(following, filters) if following else "",
        csv_url=f"{reverse('api:metrics_weekly_csv')}?{csv_query}",
        small_sample=dashboard.small_sample_limit(),
    )
    return render(request, template, context)
