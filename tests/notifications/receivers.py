"""Local endpoints for the sending tests: an HTTP receiver (http.server in a thread) that answers by a
script, and an SMTP server (aiosmtpd) that records what it accepts."""

import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class HttpReceiver:
    """Answers each POST with the next status of `script` (the last one repeats). A status of 0 hangs
    for `hang_seconds` before answering 200. Records every request it got."""

    script: list[int] = field(default_factory=lambda: [200])
    hang_seconds: float = 3.0
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def start(self) -> "HttpReceiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                index = len(receiver.received)
                receiver.received.append(
                    Received(
                        path=self.path, headers={k.lower(): v for k, v in self.headers.items()}, body=body
                    )
                )
                status = receiver.script[min(index, len(receiver.script) - 1)]
                if status == 0:
                    time.sleep(receiver.hang_seconds)
                    status = 200
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")
                except OSError:
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()


class RecordingHandler:
    """aiosmtpd handler: records each accepted message. With `stall_first`, the first DATA is held
    (not accepted) until `release` is set, and `stalled` tells the test it is there."""

    def __init__(self, *, stall_first: bool = False, stall_seconds: float = 30.0):
        self.accepted: list = []
        self.data_commands = 0
        self.stall_first = stall_first
        self.stall_seconds = stall_seconds
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        self.data_commands += 1
        if self.stall_first and self.data_commands == 1:
            self.stalled.set()
            deadline = time.monotonic() + self.stall_seconds
            while not self.release.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            return "451 Requested action aborted: try again later"
        self.accepted.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def smtp_server(handler: RecordingHandler):
    """A started aiosmtpd Controller on a free localhost port (`.port`); call `.stop()` after."""
    from aiosmtpd.controller import Controller

    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller
