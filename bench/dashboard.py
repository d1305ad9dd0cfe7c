"""`make bench-dashboard`: the weekly review and the list pages at 100,000 incidents, on PostgreSQL.

Seeds `cornerstone_scale` once with `manage.py seed_scale` (kept between runs; BENCH_INCIDENTS sets the
size), then, in this process through Django's test client (server time: middleware, views, queries and
templates; no network):
- p50/p95 of the dashboard page (no filter, and a team filter), the incident list page and API, and the
  action-item list;
- beside each, the time of raw SQL computing the same figures straight from the base tables (for the
  dashboard: 12-week p50/p90 with percentile_cont, counts, top services), and the ratio page / SQL;
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
    print(f"{'what':28} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'raw SQL ms':>11} {'p95/SQL':>8}")
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
        sql_p50, _ = timed(lambda queries=queries: run_sql(queries))
        count = len(plans[name])
        print(f"{name:28} {p50:8.1f} {p95:8.1f} {count:8d} {sql_p50:11.1f} {p95 / sql_p50:8.2f}")

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


def raw_sql(week, team) -> dict[str, list[str]]:
    """Hand-written SQL computing each page's figures from the base tables (not the stored aggregates)."""
    from django.conf import settings

    from metrics import weeks

    tz = settings.REPORTING_TIME_ZONE
    start, _ = weeks.week_bounds(week - weeks.WEEK * 11, tz)
    week_start, end = weeks.week_bounds(week, tz)
    dashboard = [
        # 12-week series: counts by severity and percentiles of time to detect and to recover.
        f"""SELECT date_trunc('week', started_at AT TIME ZONE '{tz}') AS wk, severity, count(*),
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM detected_at - started_at)),
            percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM detected_at - started_at)),
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM recovered_at - started_at)),
            percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM recovered_at - started_at)),
            sum(extract(epoch FROM coalesce(recovered_at, now()) - started_at))
            FROM incidents_incident
            WHERE started_at >= '{start.isoformat()}' AND started_at < '{end.isoformat()}'
            AND status NOT IN ('false_alarm', 'auto_resolved') GROUP BY 1, 2""",
        # Top services of the week.
        f"""SELECT s.service_id, count(*),
            sum(extract(epoch FROM coalesce(i.recovered_at, now()) - i.started_at))
            FROM incidents_incident_services s JOIN incidents_incident i ON i.id = s.incident_id
            WHERE i.started_at >= '{week_start.isoformat()}' AND i.started_at < '{end.isoformat()}'
            GROUP BY 1""",
        # Action items opened and closed per week.
        f"""SELECT date_trunc('week', created_at), count(*) FROM coe_actionitem
            WHERE created_at >= '{start.isoformat()}' AND created_at < '{end.isoformat()}' GROUP BY 1""",
    ]
    incident_list = [
        "SELECT count(*) FROM incidents_incident",
        "SELECT * FROM incidents_incident ORDER BY started_at DESC, id DESC LIMIT 25",
    ]
    return {
        "dashboard": dashboard,
        "dashboard, team filter": [
            q.replace("WHERE started_at", f"WHERE team_id = {team.pk} AND started_at").replace(
                "WHERE i.started_at", f"WHERE i.team_id = {team.pk} AND i.started_at"
            )
            for q in dashboard
        ],
        "incident list page": incident_list,
        "incident list API": incident_list,
        "action-item list": [
            "SELECT count(*) FROM coe_actionitem",
            "SELECT a.*, i.id, i.title FROM coe_actionitem a JOIN coe_coe c ON c.id = a.coe_id "
            "JOIN incidents_incident i ON i.id = c.incident_id "
            "ORDER BY a.due_on ASC NULLS LAST, a.id LIMIT 50",
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
