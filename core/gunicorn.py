"""Gunicorn's own error answers as the JSON error body `{"message", "code", "extra"}`.

Gunicorn answers some requests before Django sees them: a request line over `limit_request_line` (414),
too many or too large headers (431), a malformed request (400). It writes those as a small HTML page
(`gunicorn.util.write_error`). `install()` (called from gunicorn.conf.py's `on_starting`, in the master,
before the workers fork) replaces that writer with one writing the same status as JSON. No Django here:
the master never loads the application.
"""

import json

from gunicorn import util

CODES = {400: "bad_request", 403: "forbidden", 414: "uri_too_long", 417: "expectation_failed",
         431: "headers_too_large", 500: "server_error", 501: "not_implemented"}  # fmt: skip


def write_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """Gunicorn's `util.write_error`, in JSON."""
    body = json.dumps(
        {"message": mesg or reason, "code": CODES.get(status_int, "bad_request"), "extra": {}}
    ).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


def install() -> None:
    util.write_error = write_error
