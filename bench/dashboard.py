"""`make bench-dashboard`: the weekly review and the list pages at 100,000 incidents, on PostgreSQL.

Seeds `cornerstone_scale` once with `manage.py seed_scale` (kept between runs; BENCH_INCIDENTS sets the
size), then, in this process through Django's test client (server time: middleware, views, queries and
templates; no network):
- p50/p95 of the dashboard page (no filter, and a team filter), the incident list page and API, and the
  action-item list;
- beside each, the time of its own queries replayed on a raw cursor ("its SQL": what Django, the view
  and the template add on top), and of raw SQL computing the same figures straight from the base
  tables ("raw SQL": for the dashboard, every figure it shows over 12 weeks with percentile_cont and
  grouped counts, the work the stored aggregates save; for the lists, their page of rows), with the
  ratio of the page's p95 to each;
- the weekly recompute for one week (p50 of several runs) and for the whole history (once);
- EXPLAIN of the queries each page issues, naming the indexes they use.

Figures depend on the machine and its other load: read the ratios. Nothing here asserts.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("BENCH_SCALE_DB", "cornerstone_scale")
INCIDENTS = int(os.environ.get("BENCH_INCIDENTS", "100000"))
RUNS = int(os.environ.get("BENCH_RUNS", "40"))

os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-0123456789abcdef0123456789abcdef",
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"{PG}/{DB}",
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "ERROR",
        "STATIC_ROOT": str(Path(tempfile.gettempdir()) / "cornerstone-bench-static"),
    }
)
os.environ.pop("REDIS_URL", None)
sys.path.insert(0, str(ROOT))


def ensure_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB,)).fetchone():
            conn.execute(f'CREATE DATABASE "{DB}"')


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True, env=os.environ)


def timed(fn, runs: int = RUNS, warmup: int = 3) -> tuple[float, float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


def main() -> None:
    ensure_database()
    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")  # DEBUG off serves hashed names from the manifest
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from incidents.models import Incident, Team
    from metrics import dashboard, weeks
    from metrics import services as metrics_services

    have = Incident.objects.count()
    if have < INCIDENTS:
        print(f"Seeding {INCIDENTS - have:,} incidents into {DB} (once; kept for later runs)…", flush=True)
        manage("seed_scale", "--incidents", str(INCIDENTS - have))
    have = Incident.objects.count()
    user, _ = get_user_model().objects.get_or_create(username="bench-reader")
    client = Client()
    client.force_login(user)
    week = dashboard.last_complete_week()
    team = Team.objects.filter(slug__startswith="scale-").order_by("slug").first()
    print(f"\n{have:,} incidents; week {weeks.week_format(week)}; team filter {team.slug if team else '-'}\n")

    pages = {
        "dashboard, no filter": f"/dashboard/weekly/?week={weeks.week_format(week)}",
        "dashboard, team filter": f"/dashboard/weekly/?week={weeks.week_format(week)}&team={team.slug}",
        "incident list page": "/incidents/",
        "incident list API": "/api/v1/incidents/",
        "action-item list": "/action-items/",
    }
    raw = raw_sql(week, team)
    print(
        f"{'what':28} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'its SQL ms':>11} {'p95/its':>8} "
        f"{'raw SQL ms':>11} {'p95/raw':>8}"
    )
    plans = {}
    for name, url in pages.items():
        reset_queries()  # each request starts a fresh query log; capture from an empty one
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        plans[name] = [q["sql"] for q in ctx.captured_queries]
        p50, p95 = timed(lambda url=url: client.get(url))
        sql_key = name.split(",")[0] if name.startswith("dashboard") else name
        queries = raw[name if name in raw else sql_key]
        sql_p50, _ = timed(lambda queries=queries: run_sql(queries), runs=10, warmup=1)
        own = [query for query in plans[name] if query.lstrip().upper().startswith("SELECT")]
        own_p50, _ = timed(lambda own=own: run_sql(own))
        count = len(plans[name])
        print(
            f"{name:28} {p50:8.1f} {p95:8.1f} {count:8d} {own_p50:11.1f} {p95 / own_p50:8.2f} "
            f"{sql_p50:11.1f} {p95 / sql_p50:8.2f}"
        )

    p50, p95 = timed(lambda: metrics_services.week_recompute(week=week), runs=5, warmup=1)
    print(f"{'recompute one week':28} {p50:8.1f} {p95:8.1f}")
    started = time.perf_counter()
    result = metrics_services.history_recompute(since=weeks.week_monday(week) - weeks.WEEK * 110)
    seconds = time.perf_counter() - started
    label = "recompute all history"
    print(f"{label:28} {seconds * 1000:8.0f} ms for {result.weeks} weeks, {result.incidents:,} incidents")

    print("\nIndexes used (EXPLAIN of each page's queries):")
    with connection.cursor() as cursor:
        for name, queries in plans.items():
            used = set()
            for query in queries:
                if not query.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute("EXPLAIN " + query)
                for (line,) in cursor.fetchall():
                    if " using " in line:
                        used.add(line.split(" using ")[1].split()[0])
            print(f"  {name}: {', '.join(sorted(used)) or 'no index scans'}")


def dashboard_sql(week, tz: str, team_id: int | None = None) -> list[str]:
    """Every figure the weekly review shows, straight from the base tables for the 12 weeks ending with
    `week` (what the page would cost without the stored aggregates), optionally for one team."""
    from metrics import weeks

    start, _ = weeks.week_bounds(week - weeks.WEEK * 11, tz)
    week_start, end = weeks.week_bounds(week, tz)
    first, last, this = start.isoformat(), end.isoformat(), week_start.isoformat()
    team = f"AND i.team_id = {team_id}" if team_id else ""
    counted = "i.status NOT IN ('false_alarm', 'auto_resolved')"
    wk = f"date_trunc('week', i.started_at AT TIME ZONE '{tz}')"
    down = "extract(epoch FROM coalesce(i.recovered_at, now()) - i.started_at)"

    def pct(end_field: str, start_field: str = "started_at") -> str:
        return (
            f"percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP "
            f"(ORDER BY extract(epoch FROM i.{end_field} - i.{start_field})) FILTER (WHERE {counted})"
        )

    items = (
        "coe_actionitem a JOIN coe_coe c ON c.id = a.coe_id JOIN incidents_incident i ON i.id = c.incident_id"
    )
    return [
        # Per week: time to detect, recover and resolve, each phase, downtime, counted and noise.
        f"""SELECT {wk}, count(*) FILTER (WHERE {counted}), count(*) FILTER (WHERE NOT {counted}),
            {pct("detected_at")}, {pct("recovered_at")}, {pct("confirmed_at")},
            {pct("evaluated_at", "detected_at")}, {pct("responded_at", "evaluated_at")},
            {pct("recovered_at", "responded_at")}, {pct("confirmed_at", "recovered_at")},
            sum({down}) FILTER (WHERE {counted})
            FROM incidents_incident i WHERE i.started_at >= '{first}' AND i.started_at < '{last}' {team}
            GROUP BY 1""",
        # Per week and severity: counted incidents.
        f"""SELECT {wk}, i.severity, count(*) FROM incidents_incident i
            WHERE i.started_at >= '{first}' AND i.started_at < '{last}' AND {counted} {team} GROUP BY 1, 2""",
        # Per week: estimated cost (cost per hour of each affected service x hours down).
        f"""SELECT {wk}, sum(s.cost_per_hour * {down} / 3600)
            FROM incidents_incident i JOIN incidents_incident_services l ON l.incident_id = i.id
            JOIN incidents_service s ON s.id = l.service_id
            WHERE i.started_at >= '{first}' AND i.started_at < '{last}' AND {counted} {team} GROUP BY 1""",
        # Top services of the week, by incidents and downtime.
        f"""SELECT l.service_id, count(*), sum({down})
            FROM incidents_incident_services l JOIN incidents_incident i ON i.id = l.incident_id
            WHERE i.started_at >= '{this}' AND i.started_at < '{last}' AND {counted} {team} GROUP BY 1""",
        # Action items opened, and completed (on time or not), per week.
        f"""SELECT date_trunc('week', a.created_at AT TIME ZONE '{tz}'), count(*) FROM {items}
            WHERE a.created_at >= '{first}' AND a.created_at < '{last}' {team} GROUP BY 1""",
        f"""SELECT date_trunc('week', a.completed_at AT TIME ZONE '{tz}'), count(*),
            count(*) FILTER (WHERE a.due_on IS NULL OR (a.completed_at AT TIME ZONE '{tz}')::date <= a.due_on)
            FROM {items} WHERE a.status = 'done' AND a.completed_at >= '{first}' AND a.completed_at < '{last}'
            {team} GROUP BY 1""",
        # Action items overdue at each of the 12 week ends.
        f"""SELECT w.cutoff, count(a.id) FROM generate_series(timestamptz '{first}' + interval '1 week',
            timestamptz '{last}', interval '1 week') AS w(cutoff) JOIN {items}
            ON a.created_at < w.cutoff AND a.due_on < (w.cutoff AT TIME ZONE '{tz}')::date
            AND a.status <> 'wont_do' AND (a.completed_at IS NULL OR a.completed_at >= w.cutoff) {team}
            GROUP BY 1""",
        # COEs due per week: on time and late.
        f"""SELECT date_trunc('week', c.due_on), count(*),
            count(*) FILTER (WHERE (c.approved_at AT TIME ZONE '{tz}')::date <= c.due_on)
            FROM coe_coe c JOIN incidents_incident i ON i.id = c.incident_id
            WHERE c.due_on >= '{start.date()}' AND c.due_on < '{end.date()}' {team} GROUP BY 1""",
        # Contributing factors of the COEs approved in the 12 weeks, by category.
        f"""SELECT f.category, count(*) FROM coe_contributingfactor f JOIN coe_coe c ON c.id = f.coe_id
            JOIN incidents_incident i ON i.id = c.incident_id WHERE c.state = 'approved'
            AND c.approved_at >= '{first}' AND c.approved_at < '{last}' {team} GROUP BY 1""",
        # The week's incidents, most severe first, and their services.
        f"""SELECT i.*, c.state, c.due_on
            FROM incidents_incident i LEFT JOIN coe_coe c ON c.incident_id = i.id
            WHERE i.started_at >= '{this}' AND i.started_at < '{last}' {team}
            ORDER BY i.severity, i.started_at LIMIT 25""",
    ]


def raw_sql(week, team) -> dict[str, list[str]]:
    """Hand-written SQL computing each page's figures from the base tables (not the stored aggregates)."""
    from django.conf import settings

    tz = settings.REPORTING_TIME_ZONE
    incident_list = [
        "SELECT count(*) FROM incidents_incident",
        "SELECT * FROM incidents_incident ORDER BY started_at DESC, id DESC LIMIT 25",
    ]
    return {
        "dashboard": dashboard_sql(week, tz),
        "dashboard, team filter": dashboard_sql(week, tz, team.pk),
        "incident list page": incident_list,
        "incident list API": incident_list,
        "action-item list": [
            "SELECT a.*, i.id, i.title FROM coe_actionitem a JOIN coe_coe c ON c.id = a.coe_id "
            "JOIN incidents_incident i ON i.id = c.incident_id "
            "ORDER BY a.due_on ASC NULLS LAST, a.id LIMIT 51",
        ],
    }


def run_sql(queries: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for query in queries:
            cursor.execute(query)
            cursor.fetchall()


if __name__ == "__main__":
    main()
