"""The outbound guard: which addresses are refused, one lookup, and the connection to the checked address.

Runs with the guard ON (`OUTBOUND_ALLOW_PRIVATE_NETWORKS = False`), unlike the rest of the suite.
Name resolution is replaced where a test needs a name to resolve somewhere (there is no outside DNS).
"""

import contextlib
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core import http, netguard


@pytest.fixture(autouse=True)
def guard_on(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hosts: list[str] = []

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        Handler.hosts.append(self.headers["Host"])
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(b"ok")


@pytest.fixture
def server() -> Iterator[int]:
    Handler.hosts = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def fake_dns(monkeypatch, *answers: list[str]) -> list[str]:
    """Each getaddrinfo call returns the next answer (the last one repeats); returns the names asked."""
    asked: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        with contextlib.suppress(ValueError):  # an address (socket.create_connection's own call)
            ipaddress.ip_address(host)
            return real(host, port, family, type, proto, flags)
        asked.append(host)
        addresses = answers[min(len(asked), len(answers)) - 1]
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (address, port, 0, 0) if ":" in address else (address, port),
            )
            for address in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


REFUSED = [
    "127.0.0.1",
    "127.255.255.254",
    "0.0.0.0",
    "0.1.2.3",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",  # the cloud metadata service
    "100.64.0.1",  # shared address space (carrier-grade NAT)
    "192.0.0.8",
    "192.0.2.1",  # documentation
    "198.18.0.1",  # benchmarking
    "224.0.0.1",  # multicast
    "239.255.255.250",
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "::",
    "::1",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "fc00::1",  # unique local
    "fd12:3456::1",
    "fe80::1",  # link-local
    "ff02::1",  # multicast
    "2001:db8::1",  # documentation
    "2002:7f00:1::",  # 6to4 around 127.0.0.1
    "2002:a00:1::",  # 6to4 around 10.0.0.1
    "64:ff9b::a00:1",  # NAT64 around 10.0.0.1
    "64:ff9b:1::1",  # local-use NAT64
    "100::1",  # discard-only
]
PUBLIC = ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]


@pytest.mark.parametrize("address", REFUSED)
def test_is_public_refuses_inward_and_special_addresses(address):
    assert netguard.is_public(ipaddress.ip_address(address)) is False


@pytest.mark.parametrize("address", PUBLIC)
def test_is_public_accepts_public_unicast_addresses(address):
    assert netguard.is_public(ipaddress.ip_address(address)) is True


@pytest.mark.parametrize("address", REFUSED)
def test_check_refuses_unless_private_networks_are_allowed(address, settings):
    with pytest.raises(netguard.RefusedAddress):
        netguard.check(address)

    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True
    assert str(netguard.check(address)) == str(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://0.0.0.0/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.1.2.3:8080/",
        "http://[fe80::1]/",
        "https://[fd00::1]/",
    ],
)
def test_get_to_a_refused_literal_raises_refused_address_before_connecting(url, monkeypatch):
    connects = []
    monkeypatch.setattr(socket, "create_connection", lambda *args, **kwargs: connects.append(args))

    with pytest.raises(http.RefusedAddress) as caught:
        http.get(url)

    assert caught.value.transient is False
    assert connects == []


def test_get_to_localhost_by_name_is_refused_and_the_server_sees_nothing(server):
    with pytest.raises(http.RefusedAddress):
        http.get(f"http://localhost:{server}/ok")

    assert Handler.hosts == []


def test_get_with_private_networks_allowed_reaches_localhost(server, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True

    assert http.get(f"http://localhost:{server}/ok").body == b"ok"


def test_resolve_refuses_a_name_with_any_inward_address(monkeypatch):
    fake_dns(monkeypatch, ["93.184.216.34", "10.0.0.7"])

    with pytest.raises(netguard.RefusedAddress) as caught:
        netguard.resolve("mixed.example", 443)

    assert caught.value.address == "10.0.0.7"


def test_resolve_unknown_name_raises_unresolvable(monkeypatch):
    def getaddrinfo(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    with pytest.raises(netguard.Unresolvable):
        netguard.resolve("nowhere.invalid", 80)


def test_get_connects_to_the_checked_address_without_a_second_lookup(monkeypatch):
    """DNS rebinding: public at check time, 127.0.0.1 at any later lookup. The socket goes to the
    address that was checked, and the name is looked up once."""
    asked = fake_dns(monkeypatch, ["93.184.216.34"], ["127.0.0.1"])
    connected = []

    def create_connection(address, timeout=None, source_address=None):
        connected.append(address)
        raise ConnectionRefusedError("test: no outside network")

    monkeypatch.setattr(socket, "create_connection", create_connection)

    with pytest.raises(http.ConnectionFailed):
        http.get("http://rebind.example/hook")

    assert asked == ["rebind.example"]
    assert connected == [("93.184.216.34", 80)]


def test_get_sends_the_name_as_host_header_while_connecting_to_the_address(monkeypatch, server, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True  # the receiver is on 127.0.0.1
    asked = fake_dns(monkeypatch, ["127.0.0.1"], ["10.255.255.1"])

    response = http.get(f"http://receiver.example:{server}/ok")

    assert response.body == b"ok"
    assert asked == ["receiver.example"]
    assert Handler.hosts == [f"receiver.example:{server}"]


def test_get_https_sends_the_name_as_sni_while_connecting_to_the_address(monkeypatch, tmp_path, settings):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "receiver.example")])
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
    server_names: list[str] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    context.sni_callback = lambda sock, server_name, ctx: server_names.append(server_name)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.handle_error = lambda request, address: None  # the refused handshake is expected
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    fake_dns(monkeypatch, ["127.0.0.1"])
    try:
        with pytest.raises(http.ConnectionFailed) as caught:  # self-signed: verification refuses it
            http.get(f"https://receiver.example:{httpd.server_address[1]}/ok", timeout=(1, 1))
    finally:
        httpd.shutdown()
        httpd.server_close()

    assert server_names == ["receiver.example"]
    assert caught.value.transient is False


def test_check_url_refuses_a_private_literal_and_lets_an_unresolvable_name_through(monkeypatch):
    with pytest.raises(netguard.RefusedAddress):
        netguard.check_url("https://192.168.0.10/hook")

    def getaddrinfo(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    assert netguard.check_url("https://hooks.not-yet-there.example/x") is None


@pytest.mark.parametrize("fetch", ["certificate", "subscription"])
def test_sns_fetches_go_through_the_guard(fetch, monkeypatch):
    """A trusted SNS host name that resolves inward (a poisoned resolver) is never called."""
    from alerts import sns
    from alerts.adapters.base import SnsSubscription

    fake_dns(monkeypatch, ["169.254.169.254"])
    monkeypatch.setattr(socket, "create_connection", lambda *args, **kwargs: pytest.fail("connected"))
    sns._cache.clear()

    with pytest.raises(http.RefusedAddress):
        if fetch == "certificate":
            sns.fetch_certificate("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem")
        else:
            url = "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn&Token=t"
            sns.confirm_subscription(SnsSubscription(topic_arn="arn", subscribe_url=url))
