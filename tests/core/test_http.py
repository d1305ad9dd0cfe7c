"""core.http against a real server on 127.0.0.1 (http.server in a thread); no outside address."""

import contextlib
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core import http

BIG = 4096


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # keep test output clean
        pass

    def _send(self, status: int, body: bytes, *, length: bool = True, headers=()) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
            self.wfile.write(body)

    def do_GET(self):
        if self.path == "/ok":
            self._send(200, b"hello", headers=[("X-Thing", "1")])
        elif self.path == "/slow":
            time.sleep(1.0)
            self._send(200, b"late")
        elif self.path == "/big":
            self._send(200, b"x" * BIG)
        elif self.path == "/big-unannounced":
            self.close_connection = True
            self._send(200, b"x" * BIG, length=False)
        elif self.path == "/unavailable":
            self._send(503, b"try later")
        elif self.path == "/redirect":
            self._send(302, b"", headers=[("Location", "http://169.254.169.254/")])
        else:
            self._send(404, b"no")

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        received = json.loads(self.rfile.read(length))
        body = json.dumps({"received": received, "content_type": self.headers["Content-Type"]}).encode()
        self._send(201, body, headers=[("Content-Type", "application/json")])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_get_success_returns_status_headers_and_body(server):
    response = http.get(f"{server}/ok")

    assert response.status == 200
    assert response.body == b"hello"
    assert response.headers["x-thing"] == "1"


def test_post_json_success_sends_json_and_returns_the_answer(server):
    response = http.post_json(f"{server}/echo", {"a": [1, "b"]}, headers={"X-Extra": "y"})

    assert response.status == 201
    assert response.json() == {"received": {"a": [1, "b"]}, "content_type": "application/json"}


def test_get_slow_server_raises_timeout(server):
    """/slow answers after 1 s; a 0.2 s read timeout must give up first (how fast: make bench)."""
    with pytest.raises(http.Timeout) as caught:
        http.get(f"{server}/slow", timeout=(0.2, 0.2))

    assert caught.value.transient is True


def test_get_closed_port_raises_connection_failed():
    with pytest.raises(http.ConnectionFailed) as caught:
        http.get(f"http://127.0.0.1:{free_port()}/", timeout=(0.5, 0.5))

    assert caught.value.transient is True


def test_get_body_over_announced_limit_raises_too_large(server):
    with pytest.raises(http.ResponseTooLarge):
        http.get(f"{server}/big", max_bytes=BIG - 1)


def test_get_body_over_limit_without_length_raises_too_large(server):
    with pytest.raises(http.ResponseTooLarge):
        http.get(f"{server}/big-unannounced", max_bytes=1000)


def test_get_body_at_limit_is_returned(server):
    assert len(http.get(f"{server}/big", max_bytes=BIG).body) == BIG


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://127.0.0.1/x",
        "gopher://127.0.0.1/",
        "127.0.0.1/ok",
        "http:///nohost",
        "http://127.0.0.1:99999/",
        "http://127.0.0.1/a b",
        "http://127.0.0.1/\r\nX-Injected: 1",
        "http://127.0.0.1/caf\u00e9",
    ],
)
def test_get_non_http_url_is_refused_before_connecting(url):
    with pytest.raises(http.InvalidUrl):
        http.get(url)


def test_get_server_error_raises_transient_bad_status(server):
    with pytest.raises(http.BadStatus) as caught:
        http.get(f"{server}/unavailable")

    assert caught.value.status == 503
    assert caught.value.transient is True
    assert caught.value.body == b"try later"


def test_get_not_found_raises_permanent_bad_status(server):
    with pytest.raises(http.BadStatus) as caught:
        http.get(f"{server}/missing")

    assert caught.value.status == 404
    assert caught.value.transient is False


def test_get_redirect_is_not_followed(server):
    with pytest.raises(http.BadStatus) as caught:
        http.get(f"{server}/redirect")

    assert caught.value.status == 302


@pytest.mark.parametrize("timeout", [(0, 1), (1, 6), (10, 1), (-1, 1)])
def test_get_timeout_out_of_bounds_raises_value_error(timeout):
    with pytest.raises(ValueError):
        http.get("http://127.0.0.1/", timeout=timeout)


def test_get_https_with_untrusted_certificate_raises_permanent_connection_failed(tmp_path):
    """The https path verifies certificates: a self-signed local server is refused, not retried."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(hours=1))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.handle_error = lambda request, address: None  # the refused handshake is expected
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        with pytest.raises(http.ConnectionFailed) as caught:
            http.get(f"https://127.0.0.1:{httpd.server_address[1]}/ok", timeout=(1, 1))
    finally:
        httpd.shutdown()
        httpd.server_close()

    assert caught.value.transient is False
