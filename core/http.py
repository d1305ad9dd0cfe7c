"""The project's one outbound HTTP helper, on the standard library (`http.client`, no dependency).

Every call has a connect timeout and a read timeout (each at most 5 s), a cap on the response size,
accepts only http/https, and never follows redirects (a redirect could lead a URL that was checked
as trusted somewhere else; a 3xx is a `BadStatus`). HTTPS verifies the server's certificate and host.

Every call goes through the outbound guard (`core.netguard`): the host is resolved once, every address
is checked (no private, loopback or link-local ones unless `OUTBOUND_ALLOW_PRIVATE_NETWORKS`), and the
connection goes to the checked address, with the name as Host header and TLS SNI (no second lookup a
DNS-rebinding answer could win). A refused address is a `RefusedAddress`, never transient.

There are NO retries here: retries live in one layer, the Celery task (see STYLE.md, "Celery tasks").
The caller decides. Every failure is an `HttpError`; `err.transient` says whether trying again later
can help (timeouts, refused or dropped connections, 5xx and 429), e.g.::

    try:
        http.get(url)
    except http.HttpError as exc:
        if exc.transient:
            raise TransientError(...) from exc  # the task's autoretry_for
        raise
"""

import http.client
import json
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from core import netguard

MAX_TIMEOUT = 5.0
DEFAULT_TIMEOUT = (3.0, 5.0)
DEFAULT_MAX_BYTES = 1024 * 1024
USER_AGENT = "Cornerstone/1 (+incident management)"
_CHUNK = 64 * 1024


class HttpError(Exception):
    """Any failure of an outbound call. `transient`: trying again later may succeed."""

    transient = False

    def __init__(self, message: str, *, url: str = "", transient: bool | None = None):
        super().__init__(message)
        self.url = url
        if transient is not None:
            self.transient = transient


class InvalidUrl(HttpError):
    """Not an absolute http(s) URL with a host; nothing was sent."""


class Timeout(HttpError):
    """The connection or the response did not arrive within its timeout."""

    transient = True


class ConnectionFailed(HttpError):
    """Name resolution, connect, TLS or the connection itself failed (refused, reset, closed early)."""

    transient = True


class BadStatus(HttpError):
    """The server answered with a status outside 2xx (redirects included: they are not followed)."""

    def __init__(self, message: str, *, url: str = "", status: int, body: bytes = b""):
        super().__init__(message, url=url, transient=status >= 500 or status == 429)
        self.status = status
        self.body = body  # at most the first KiB, for logs


class RefusedAddress(HttpError):
    """The host is, or resolves to, an address the server must not call; nothing was sent."""


class ResponseTooLarge(HttpError):
    """The response body is larger than `max_bytes`."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)  # names in lower case
    body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body)


def get(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Response:
    """GET `url` once. Raises an `HttpError` subclass on any failure or a non-2xx status."""
    return request("GET", url, headers=headers, timeout=timeout, max_bytes=max_bytes)


def post_json(
    url: str,
    body: Any,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Response:
    """POST `body` serialized as JSON to `url` once. Raises like `get`."""
    data = json.dumps(body, separators=(",", ":")).encode()
    merged = {"Content-Type": "application/json", **(headers or {})}
    return request("POST", url, headers=merged, body=data, timeout=timeout, max_bytes=max_bytes)


def request(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Response:
    """Send one request. `timeout` is (connect, read): `read` bounds each wait for data and the whole
    exchange after connecting, so a call takes at most connect + read seconds."""
    connect_timeout, read_timeout = _check_timeout(timeout)
    conn = _connection(url, connect_timeout)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    sent_headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **(headers or {})}
    response = None
    try:
        conn.connect()
        # Held here: http.client drops conn.sock once the response owns it ("Connection: close").
        sock = conn.sock
        deadline = time.monotonic() + read_timeout
        sock.settimeout(read_timeout)
        conn.request(method, target, body=body, headers=sent_headers)
        _set_remaining(sock, deadline, url)
        response = conn.getresponse()
        status = response.status
        response_headers = {name.lower(): value for name, value in response.getheaders()}
        if 200 <= status < 300:
            data = _read_body(sock, response, deadline=deadline, max_bytes=max_bytes, url=url)
        else:  # only the start of an error body, for logs; its size is no reason to hide the status
            _set_remaining(sock, deadline, url)
            data = response.read1(1024)
    except HttpError:
        raise
    except TimeoutError as exc:
        raise Timeout(f"{method} timed out ({exc.__class__.__name__})", url=url) from exc
    except ssl.SSLCertVerificationError as exc:
        raise ConnectionFailed("TLS certificate verification failed", url=url, transient=False) from exc
    except http.client.InvalidURL as exc:
        raise InvalidUrl(str(exc), url=url) from exc
    except (OSError, http.client.HTTPException) as exc:
        raise ConnectionFailed(f"{method} failed ({exc.__class__.__name__})", url=url) from exc
    finally:
        if response is not None:
            response.close()
        conn.close()
    if not 200 <= status < 300:
        raise BadStatus(f"{method} answered {status}", url=url, status=status, body=data)
    return Response(status=status, headers=response_headers, body=data)


def _check_timeout(timeout: tuple[float, float]) -> tuple[float, float]:
    connect_timeout, read_timeout = timeout
    for value in (connect_timeout, read_timeout):
        if not 0 < value <= MAX_TIMEOUT:
            raise ValueError(f"timeouts must be in (0, {MAX_TIMEOUT}] seconds, got {timeout!r}")
    return float(connect_timeout), float(read_timeout)


def _connection(url: str, connect_timeout: float) -> http.client.HTTPConnection:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidUrl(f"not a valid URL: {exc}", url=url) from exc
    if not url.isascii() or any(ord(char) <= 32 or ord(char) == 127 for char in url):
        raise InvalidUrl("URLs must be ASCII without spaces or control characters", url=url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidUrl("only absolute http and https URLs are allowed", url=url)
    # An explicit port: given none, http.client would read one out of an IPv6 literal ("::1").
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        address = netguard.resolve(parts.hostname, port)
    except netguard.RefusedAddress as exc:
        raise RefusedAddress(str(exc), url=url) from exc
    except netguard.Unresolvable as exc:
        raise ConnectionFailed(str(exc), url=url) from exc
    if parts.scheme == "https":
        context = ssl.create_default_context()
        conn = http.client.HTTPSConnection(parts.hostname, port, timeout=connect_timeout, context=context)
    else:
        conn = http.client.HTTPConnection(parts.hostname, port, timeout=connect_timeout)

    # http.client's own hook for opening the socket: to the checked address, not a new lookup of
    # the name (which it keeps for the Host header, SNI and certificate check).
    def create_connection(target, timeout, source_address=None):
        return socket.create_connection((address, target[1]), timeout, source_address)

    conn._create_connection = create_connection
    return conn


def _set_remaining(sock: socket.socket, deadline: float, url: str) -> None:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise Timeout("read timed out", url=url)
    sock.settimeout(remaining)


def _read_body(
    sock: socket.socket,
    response: http.client.HTTPResponse,
    *,
    deadline: float,
    max_bytes: int,
    url: str,
) -> bytes:
    length = response.getheader("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise ResponseTooLarge(f"response of {length} bytes exceeds {max_bytes}", url=url)
    chunks: list[bytes] = []
    size = 0
    while True:
        _set_remaining(sock, deadline, url)
        # read1: at most one wait on the socket, so the deadline is checked between waits.
        chunk = response.read1(min(_CHUNK, max_bytes + 1 - size))
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise ResponseTooLarge(f"response exceeds {max_bytes} bytes", url=url)
        chunks.append(chunk)
