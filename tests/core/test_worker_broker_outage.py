"""The worker outlives its broker: a real prefork worker with beat inside (`make run-workers`), on a
real redis-server of the test's own, which the test kills and, later, starts again on the same port.

While Redis is down the worker process and its pool stay alive and keep trying to reconnect; a
delivery stored meanwhile (in PostgreSQL: the broker is only a doorbell) is processed after Redis
returns by the sweep that the worker's own beat sends, so both the consumer and beat came back.
The test process's doorbell rings the machine's Redis, not the worker's, so only that sweep, a
task published after the restart and consumed by the worker, can process the delivery.

The worker holds an unacknowledged message when Redis dies (a task with a long countdown, as beat's
jittered tasks are): that is the case where Celery 5.7 used to shut the worker down
(see config.celery.OutageTolerantConsumer).
"""

import json
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.db import connection

from alerts import services
from alerts.models import Delivery, DeliveryState
from tests import factories
from tests.worker import children, start_worker, stop_worker

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs the shared PostgreSQL"),
]

SWEEP_WAIT = 90  # seconds: reconnect (<= 10 s pauses) + a sweep every 15 s, up to 5 s late


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of this test only: no persistence, so a restart starts empty, as a lost
    Redis does."""

    def __init__(self, tmp_path: Path):
        self.port = _free_port()
        self.dir = tmp_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            cwd=self.dir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = self.client()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                assert self.process.poll() is None, "redis-server exited at start"
                time.sleep(0.05)
        pytest.fail("redis-server did not answer within 10 s")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, db=3, socket_connect_timeout=1, socket_timeout=2)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/3"


class Output:
    """What the worker prints, read as it comes, so the test can wait for a line."""

    def __init__(self, process: subprocess.Popen):
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen) -> None:
        for raw in iter(process.stdout.readline, b""):
            self.lines.append(raw.decode(errors="replace"))

    def count(self, text: str) -> int:
        return sum(text in line for line in list(self.lines))

    def __str__(self) -> str:
        return "".join(self.lines[-200:])


@pytest.fixture
def broker(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def worker(broker, tmp_path):
    # `make run-workers` runs beat inside the worker: the same here (start_worker takes no options).
    popen = subprocess.Popen
    beat = ["--beat", "--schedule", str(tmp_path / "beat-schedule")]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(subprocess, "Popen", lambda command, **kwargs: popen([*command, *beat], **kwargs))
        process = start_worker(queues="ingest,default", pool="prefork", concurrency=2, REDIS_URL=broker.url)
    output = Output(process)
    try:
        yield process, output
    finally:
        stop_worker(process)  # TERM, then KILL: the worker never outlives the test


def _wait(condition, *, timeout: float, process: subprocess.Popen, output: Output, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process.poll() is not None:
            pytest.fail(f"the worker exited ({process.returncode}) while waiting for {what}:\n{output}")
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout} s waiting for {what}:\n{output}")


def _store_delivery(client, key: str, dedup: str) -> Delivery:
    body = json.dumps({"title": f"Orders API down ({dedup})", "dedup_key": dedup}).encode()
    response = client.post(f"/hooks/{key}/", data=body, content_type="application/json")
    assert response.status_code == 202, response.content
    return Delivery.objects.latest("id")


def _processed(delivery: Delivery) -> bool:
    delivery.refresh_from_db()
    return delivery.state == DeliveryState.PROCESSED


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/status").read_text().find("State:\tZ") < 0
    except FileNotFoundError:
        return False


def test_worker_survives_a_broker_outage_and_processes_what_was_stored_meanwhile(
    broker, worker, not_eager, client
):
    process, output = worker
    team = factories.team("Orders")
    _integration, key = services.integration_create(name="gen", kind="generic", team=team)

    before = _store_delivery(client, key, "before-outage")
    _wait(
        lambda: _processed(before), timeout=SWEEP_WAIT, process=process, output=output, what="the first sweep"
    )
    pool = children(process.pid)
    assert len(pool) >= 3, f"expected 2 pool processes and beat, found {pool}"

    # A task the worker reserves and holds unacknowledged until its countdown ends.
    sender = Celery("outage-test-sender", broker=broker.url, set_as_current=False)
    sender.conf.task_serializer = "json"
    held = sender.send_task("alerts.tasks.deliveries_process", countdown=3600, queue="ingest")
    sender.close()
    redis_client = broker.client()
    _wait(
        lambda: any(held.id.encode() in value for value in redis_client.hvals("unacked")),
        timeout=30,
        process=process,
        output=output,
        what="the worker to reserve the held task",
    )
    redis_client.close()

    broker.kill()
    _wait(
        lambda: output.count("Connection to broker lost"),
        timeout=30,
        process=process,
        output=output,
        what="the worker to notice the outage",
    )
    _wait(
        lambda: output.count("consumer: Cannot connect to") >= 2,
        timeout=30,
        process=process,
        output=output,
        what="two reconnection attempts",
    )
    during = _store_delivery(client, key, "during-outage")
    assert process.poll() is None, f"the worker exited during the outage:\n{output}"
    assert all(_alive(pid) for pid in pool), f"pool or beat processes died: {pool}\n{output}"
    assert during.state == DeliveryState.PENDING

    broker.start()  # the same port, empty, as a Redis that lost its data
    _wait(
        lambda: _processed(during),
        timeout=SWEEP_WAIT,
        process=process,
        output=output,
        what="the delivery stored during the outage to be processed",
    )
    assert output.count("Unrecoverable error") == 0, str(output)
    assert all(_alive(pid) for pid in pool), f"pool or beat processes died: {pool}\n{output}"
