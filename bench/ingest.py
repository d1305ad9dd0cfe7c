"""`make bench-ingest`: alert intake under load, on PostgreSQL, with a real Celery worker on Redis.

gunicorn (4 sync workers, BENCH_WEB_WORKERS) and one Celery worker (2 processes) share this machine's
2 cores with PostgreSQL, Redis and the load generator (wrk), as in a small production install. For 8 and 32
connections it prints accepted requests per second, p50/p99 latency, errors, deliveries processed
per second while under load, the time for the backlog to drain, POST-to-visible latency of probe
alerts, and each throughput as a ratio to a pgbench single-row upsert at the same concurrency,
measured in the same run. Then an alert storm: 10,000 distinct alerts of one Alertmanager group
within a minute, with the incident page timed meanwhile.

Figures depend on the machine and its other load: read the ratios. Nothing here asserts.
"""

import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "cornerstone_bench"
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14")
PORT = int(os.environ.get("BENCH_PORT", "8100"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
CONNECTIONS = [int(c) for c in os.environ.get("BENCH_CONNECTIONS", "8,32").split(",")]
STORM_ALERTS = int(os.environ.get("BENCH_STORM_ALERTS", "10000"))
PACED_RATE = int(os.environ.get("BENCH_PACED_RATE", "300"))
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "4"))  # gunicorn sync workers, as the Dockerfile
WORKER_PROCESSES = int(os.environ.get("BENCH_WORKER_PROCESSES", "2"))  # Celery processes on "ingest"


def service_env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-0123456789abcdef0123456789abcdef",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"{PG}/{DB}",
        "REDIS_URL": REDIS,
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "600",
        "STATIC_ROOT": str(Path(tempfile.gettempdir()) / "cornerstone-bench-static"),
    }


def sql(query: str, *params, db: str = DB) -> list[tuple]:
    with psycopg.connect(f"{PG}/{db}", autocommit=True) as conn:
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def count(query: str, *params) -> int:
    return sql(query, *params)[0][0]


def reset_database() -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=service_env(), check=True)
    subprocess.run(
        [PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=service_env(), check=True
    )
    subprocess.run(["redis-cli", "-u", REDIS, "FLUSHDB"], check=True, capture_output=True)


SETUP = """
import django; django.setup()
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from alerts import services
from incidents import services as incidents
team = incidents.team_create(name="Bench")
integration, key = services.integration_create(
    name="bench", kind="alertmanager", team=team, rate_limit_per_minute=10_000_000)
user = get_user_model().objects.create_user("bench", password="bench-password-123")
session = SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = user.get_session_auth_hash()
session.create()
print(key, session.session_key)
"""


def setup() -> tuple[str, str]:
    out = subprocess.run(
        [PY, "-c", SETUP], cwd=ROOT, env=service_env(), check=True, capture_output=True, text=True
    )
    key, session = out.stdout.split()[-2:]
    return key, session


LOGS = Path(tempfile.gettempdir()) / "cornerstone-bench"


def start(name: str, cmd: list[str]) -> subprocess.Popen:
    """Start a service with its output in a log file (a pipe nobody reads would block it when full)."""
    LOGS.mkdir(exist_ok=True)
    log = open(LOGS / f"{name}.log", "w")  # noqa: SIM115 - lives as long as the process
    return subprocess.Popen(cmd, cwd=ROOT, env=service_env(), stdout=log, stderr=subprocess.STDOUT)


def wait_healthy() -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not become healthy")


def pgbench_upsert(clients: int) -> float:
    sql("CREATE TABLE IF NOT EXISTS bench_upsert (id int PRIMARY KEY, payload jsonb NOT NULL)")
    payload = json.dumps({"x": "y" * 1000})
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(
            "\\set id random(1, 100000)\n"
            f"INSERT INTO bench_upsert (id, payload) VALUES (:id, '{payload}') "
            "ON CONFLICT (id) DO UPDATE SET payload = EXCLUDED.payload;\n"
        )
    out = subprocess.run(
        [
            "pgbench",
            "-n",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-c",
            str(clients),
            "-j",
            "2",
            "-T",
            "8",
            "-f",
            script.name,
            DB,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(re.search(r"tps = ([\d.]+)", out.stdout).group(1))


def parse_wrk(output: str) -> dict:
    def latency(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "errors": (int(non_2xx.group(1)) if non_2xx else 0)
        + (sum(map(int, socket.groups())) if socket else 0),
    }


class Probe(threading.Thread):
    """Posts one uniquely named alert every 250 ms; POST-to-visible is read back from the database."""

    def __init__(self, key: str):
        super().__init__(daemon=True)
        self.key, self.sent, self.stop = key, {}, threading.Event()

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
        while not self.stop.is_set():
            fp = "probe" + uuid.uuid4().hex[:11]
            body = json.dumps(
                {
                    "version": "4",
                    "groupKey": fp,
                    "status": "firing",
                    "alerts": [
                        {
                            "status": "firing",
                            "labels": {"alertname": "Probe", "probe": fp},
                            "annotations": {},
                            "startsAt": "2026-03-10T14:02:31Z",
                            "endsAt": "0001-01-01T00:00:00Z",
                            "fingerprint": fp,
                        }
                    ],
                }
            )
            sent_at = datetime.now(UTC)
            try:
                conn.request("POST", f"/hooks/{self.key}/", body, {"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                if response.status == 202:
                    self.sent[fp] = sent_at
            except OSError:
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
            self.stop.wait(0.25)

    def visible_latencies_ms(self) -> list[float]:
        rows = sql(
            "SELECT split_part(dedup_key, '|', 1), created_at FROM alerts_alert "
            "WHERE dedup_key LIKE 'probe%%'"
        )
        created = dict(rows)
        return sorted(
            (created[fp] - sent).total_seconds() * 1000 for fp, sent in self.sent.items() if fp in created
        )


def drain(timeout: float = 300) -> float:
    started = time.monotonic()
    while (
        count("SELECT count(*) FROM alerts_delivery WHERE state = 'pending'")
        and time.monotonic() - started < timeout
    ):
        time.sleep(0.1)
    return time.monotonic() - started


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]
    )


# PERFORMANCE.md's reference machine: a plain Django view (no database) served 5,500 req/s. The issue's
# absolute targets hold there; on a slower machine the same targets are these shares of its own plain
# view, measured in the same run.
REFERENCE_PLAIN_VIEW_RPS = 5500
TARGET_ACCEPTED_RPS, TARGET_PROCESSED_PER_S = 1000, 300


def plain_view_rps(connections: int) -> float:
    """Requests per second of /healthz (no database, no middleware work) on the same gunicorn."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", "-d8s", "--latency", f"http://127.0.0.1:{PORT}/healthz"],
        capture_output=True,
        text=True,
        check=True,
    )
    return parse_wrk(out.stdout)["rps"]


def load_run(key: str, connections: int) -> dict:
    processed_before = count("SELECT count(*) FROM alerts_delivery WHERE state = 'processed'")
    probe = Probe(key)
    probe.start()
    started = time.monotonic()
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{SECONDS}s",
            "--latency",
            "-s",
            str(ROOT / "bench/ingest.lua"),
            f"http://127.0.0.1:{PORT}/hooks/{key}/",
            "--",
            f"c{connections:02d}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    load_seconds = time.monotonic() - started
    processed_in_window = (
        count("SELECT count(*) FROM alerts_delivery WHERE state = 'processed'") - processed_before
    )
    probe.stop.set()
    probe.join()
    drain_seconds = drain()
    result = parse_wrk(out.stdout)
    visible = probe.visible_latencies_ms()
    result.update(
        processed_per_s=processed_in_window / load_seconds,
        drain_s=drain_seconds,
        visible_p50_ms=percentile(visible, 50),
        visible_p99_ms=percentile(visible, 99),
        probes=len(visible),
        failed=count("SELECT count(*) FROM alerts_delivery WHERE state = 'failed'"),
    )
    return result


def paced_run(key: str, rate: int, seconds: int) -> dict:
    """Sustained end to end: new alerts at a fixed rate (8 senders), probes measuring POST-to-visible."""
    senders = 8
    run = uuid.uuid4().hex[:6]
    sent = [0] * senders
    processed_before = count("SELECT count(*) FROM alerts_delivery WHERE state = 'processed'")
    started = time.monotonic()

    def sender(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
        interval = senders / rate
        next_at = started + index * interval / senders
        n = 0
        while time.monotonic() - started < seconds:
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            next_at += interval
            fp = f"{run}{index:02x}{n:08x}"
            n += 1
            body = json.dumps(
                {
                    "version": "4",
                    "groupKey": f"{run}-{index}-{n // 10}",
                    "status": "firing",
                    "alerts": [
                        {
                            "status": "firing",
                            "labels": {"alertname": "Paced", "i": fp},
                            "annotations": {},
                            "startsAt": "2026-03-10T14:02:31Z",
                            "endsAt": "0001-01-01T00:00:00Z",
                            "fingerprint": fp,
                        }
                    ],
                }
            )
            conn.request("POST", f"/hooks/{key}/", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            sent[index] += response.status == 202

    probe = Probe(key)
    probe.start()
    threads = [threading.Thread(target=sender, args=(i,)) for i in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    processed = count("SELECT count(*) FROM alerts_delivery WHERE state = 'processed'") - processed_before
    probe.stop.set()
    probe.join()
    backlog = count("SELECT count(*) FROM alerts_delivery WHERE state = 'pending'")
    drain_seconds = drain()
    visible = probe.visible_latencies_ms()
    return {
        "sent_per_s": sum(sent) / elapsed,
        "processed_per_s": processed / elapsed,
        "backlog_at_end": backlog,
        "drain_s": drain_seconds,
        "visible_p50_ms": percentile(visible, 50),
        "visible_p99_ms": percentile(visible, 99),
        "probes": len(visible),
    }


def storm(key: str, session: str) -> dict:
    """STORM_ALERTS distinct alerts of one group, sent as 100-alert notifications from 8 threads."""
    group = "storm-" + uuid.uuid4().hex[:6]
    batches = [list(range(i, min(i + 100, STORM_ALERTS))) for i in range(0, STORM_ALERTS, 100)]
    page_times: list[float] = []
    done = threading.Event()

    def sender(mine):
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        for batch in mine:
            alerts = [
                {
                    "status": "firing",
                    "labels": {"alertname": "Storm", "pod": f"pod-{i}"},
                    "annotations": {},
                    "startsAt": "2026-03-10T14:02:31Z",
                    "endsAt": "0001-01-01T00:00:00Z",
                    "fingerprint": f"{group}{i:08x}",
                }
                for i in batch
            ]
            body = json.dumps({"version": "4", "groupKey": group, "status": "firing", "alerts": alerts})
            conn.request("POST", f"/hooks/{key}/", body, {"Content-Type": "application/json"})
            conn.getresponse().read()

    def pager():
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        incident_id = None
        while not done.is_set():
            if incident_id is None:
                rows = sql(
                    "SELECT incident_id FROM alerts_alertgroup WHERE key = %s AND incident_id IS NOT NULL",
                    group,
                )
                incident_id = rows[0][0] if rows else None
                time.sleep(0.05)
                continue
            started = time.perf_counter()
            conn.request("GET", f"/incidents/{incident_id}/", headers={"Cookie": f"sessionid={session}"})
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                page_times.append((time.perf_counter() - started) * 1000)
            time.sleep(0.2)

    started = time.monotonic()
    threads = [threading.Thread(target=sender, args=(batches[i::8],)) for i in range(8)]
    page_thread = threading.Thread(target=pager)
    page_thread.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent_s = time.monotonic() - started
    while (
        count(
            "SELECT count(*) FROM alerts_alert a JOIN alerts_alertgroup g ON g.id = a.group_id "
            "WHERE g.key = %s",
            group,
        )
        < STORM_ALERTS
        and time.monotonic() - started < 600
    ):
        time.sleep(0.2)
    all_visible_s = time.monotonic() - started
    done.set()
    page_thread.join()
    incidents = count(
        "SELECT count(DISTINCT a.incident_id) FROM alerts_alert a JOIN alerts_alertgroup g "
        "ON g.id = a.group_id WHERE g.key = %s",
        group,
    )
    alerts = count(
        "SELECT count(*) FROM alerts_alert a JOIN alerts_alertgroup g ON g.id = a.group_id WHERE g.key = %s",
        group,
    )
    return {
        "sent_s": sent_s,
        "all_visible_s": all_visible_s,
        "incidents": incidents,
        "alerts": alerts,
        "page_p50_ms": percentile(page_times, 50),
        "page_p99_ms": percentile(page_times, 99),
        "page_samples": len(page_times),
    }


def rss_mib(pid: int) -> list[float]:
    out = subprocess.run(["ps", "--ppid", str(pid), "-o", "rss="], capture_output=True, text=True)
    return [int(line) / 1024 for line in out.stdout.split()]


def main() -> None:
    print(f"bench-ingest: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} before start")
    reset_database()
    key, session = setup()
    gunicorn = start(
        "gunicorn",
        [PY, "-m", "gunicorn", "config.wsgi:application", "-b", f"127.0.0.1:{PORT}", "-w", str(WEB_WORKERS)],
    )
    worker = start(
        "worker",
        [
            PY,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            "ingest,default",
            "-c",
            str(WORKER_PROCESSES),
            "-l",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
    )
    try:
        wait_healthy()
        rows = []
        plain = {}
        for connections in CONNECTIONS:
            plain[connections] = plain_view_rps(connections)
            baseline = pgbench_upsert(connections)
            result = load_run(key, connections)
            rows.append((connections, baseline, result))
        paced = paced_run(key, PACED_RATE, SECONDS) if PACED_RATE else None
        storm_result = storm(key, session) if STORM_ALERTS else None
        memory = rss_mib(gunicorn.pid)
    finally:
        for process in (gunicorn, worker):
            process.terminate()
        for process in (gunicorn, worker):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    print()
    print(
        f"{'conns':>5} {'accepted/s':>11} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} {'processed/s':>11} "
        f"{'drain s':>7} {'visible p50/p99 ms':>19} {'pgbench tps':>11} {'accept/pg':>9} {'proc/pg':>7}"
    )
    for connections, baseline, r in rows:
        print(
            f"{connections:>5} {r['rps']:>11.0f} {r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} {r['errors']:>6} "
            f"{r['processed_per_s']:>11.0f} {r['drain_s']:>7.1f} "
            f"{r['visible_p50_ms']:>9.0f}/{r['visible_p99_ms']:<9.0f} {baseline:>11.0f} "
            f"{r['rps'] / baseline:>9.2f} {r['processed_per_s'] / baseline:>7.2f}"
        )
    print(
        "targets: >= 1000 accepted/s at 32 connections with p99 < 100 ms and no errors; >= 300 processed/s; "
        "visible p50 < 1000 ms"
    )
    reference = REFERENCE_PLAIN_VIEW_RPS
    print(f"plain view (/healthz, no database), this gunicorn, this run (reference machine: {reference}/s):")
    for connections, _baseline, r in rows:
        view = plain[connections]
        share = view / reference
        accepted_share, processed_share = TARGET_ACCEPTED_RPS / reference, TARGET_PROCESSED_PER_S / reference
        print(
            f"  {connections:>2} conns: {view:.0f}/s ({share:.2f} of the reference); "
            f"accepted {r['rps'] / view:.2f} of it (target {accepted_share:.2f}: "
            f"{TARGET_ACCEPTED_RPS * share:.0f}/s here); processed {r['processed_per_s'] / view:.3f} "
            f"(target {processed_share:.3f}: {TARGET_PROCESSED_PER_S * share:.0f}/s here)"
        )
    failed = rows[-1][2]["failed"] if rows else 0
    print(f"failed deliveries: {failed}; gunicorn worker RSS (MiB): {', '.join(f'{m:.0f}' for m in memory)}")
    if paced:
        p = paced
        print(
            f"sustained at {PACED_RATE}/s: sent {p['sent_per_s']:.0f}/s, "
            f"processed {p['processed_per_s']:.0f}/s, "
            f"backlog at end {p['backlog_at_end']}, drained in {p['drain_s']:.1f} s; POST-to-visible p50 "
            f"{p['visible_p50_ms']:.0f} ms, p99 {p['visible_p99_ms']:.0f} ms ({p['probes']} probes)"
        )
    if storm_result:
        s = storm_result
        print(
            f"storm: {s['alerts']} alerts in {s['incidents']} incident(s); sent in {s['sent_s']:.1f} s, "
            "all visible "
            f"after {s['all_visible_s']:.1f} s; incident page p50 {s['page_p50_ms']:.0f} ms, p99 "
            f"{s['page_p99_ms']:.0f} ms over {s['page_samples']} loads during the storm"
        )


if __name__ == "__main__":
    main()
