"""A real Celery worker process for the tests that are about tasks, on the test's PostgreSQL database
and Redis. Settings come from environment variables, as in production.

Use it from transactional tests (`django_db(transaction=True)`), so the worker sees committed rows, with
the `not_eager` fixture, so tasks go through the broker. `start_worker(queues=..., **env)`.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app


def start_worker(*, queues: str, pool: str = "solo", concurrency: int = 1, **env: str) -> subprocess.Popen:
    """Start `celery worker` consuming `queues`, with extra environment `env` (e.g. EMAIL_PORT="2525")."""
    db = connection.settings_dict
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "0",
        "SECRET_KEY": "worker-test-secret-key-0123456789abcdef-0123456789",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "LOG_LEVEL": "WARNING",
        **env,
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queues, "--pool", pool]
    command += [
        "--concurrency",
        str(concurrency),
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
    ]
    command += ["-l", "WARNING"]
    app.control.purge()
    return subprocess.Popen(
        command,
        cwd=Path(settings.BASE_DIR),
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def stop_worker(process: subprocess.Popen) -> str:
    """Stop it (TERM, then KILL after 15 s); returns what it printed, for failure messages."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    return process.stdout.read().decode(errors="replace") if process.stdout else ""


def children(pid: int) -> list[int]:
    """The worker's child processes (the prefork pool), from /proc."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(child) for child in text]
    return found


def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


def wait_for(condition, *, timeout: float, worker: subprocess.Popen, interval: float = 0.1):
    """Poll `condition()` until truthy; fail with the worker's output if it dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if worker.poll() is not None:
            pytest.fail(f"the worker exited:\n{stop_worker(worker)}")
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout} s")


@pytest.fixture
def not_eager(settings):
    """Tasks go through the broker for real during the test."""
    # Read first: the app loads its conf from the settings on first access, so reading it after the
    # change below would remember False and leave every later test without eager tasks.
    previous = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = previous
