"""A real gunicorn with the repository's gunicorn.conf.py: what it refuses before Django runs is the
JSON error body too, and a URL over MAX_URL_LENGTH reaches Django, which answers 414 in JSON."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _raw(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {
        name.lower(): value.strip() for name, _, value in (line.partition(":") for line in header_lines)
    }
    return int(status_line.split()[1]), headers, body


@pytest.fixture(scope="module")
def gunicorn():
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while True:  # until it answers (a positive signal), for at most 30 s
        try:
            status, _, _ = _raw(
                port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            )
            if status:
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"gunicorn did not start: {process.stderr.read().decode()[-2000:]}")
            time.sleep(0.1)
    yield port
    process.terminate()
    process.wait(timeout=10)


def test_a_request_line_over_gunicorns_limit_is_414_in_json(gunicorn):
    status, headers, body = _raw(
        gunicorn, b"GET /api/v1/incidents/?q=" + b"x" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    )

    assert status == 414
    assert headers["content-type"] == "application/json"
    error = json.loads(body)
    assert set(error) == {"message", "code", "extra"}
    assert error["code"] == "uri_too_long"


def test_a_url_over_max_url_length_reaches_django_and_is_414_in_json(gunicorn):
    query = "q=" + "x" * settings.MAX_URL_LENGTH
    status, headers, body = _raw(
        gunicorn,
        f"GET /api/v1/incidents/?{query} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode(),
    )

    assert status == 414
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["extra"] == {"max_length": settings.MAX_URL_LENGTH}


def test_a_header_over_the_limit_is_json_too(gunicorn):
    status, headers, body = _raw(
        gunicorn, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"y" * 9000 + b"\r\n\r\n"
    )

    assert 400 <= status < 500
    assert headers["content-type"] == "application/json"
    assert set(json.loads(body)) == {"message", "code", "extra"}
