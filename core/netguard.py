"""Which addresses the server may call: the outbound guard against server-side request forgery.

A URL the server calls on a user's behalf (a team webhook, an SNS certificate or SubscribeURL)
must not reach our own network: loopback, private (RFC 1918, fc00::/7), link-local (169.254/16 with
the cloud metadata service, fe80::/10), shared (100.64/10), unspecified (0.0.0.0, ::), multicast,
reserved or documentation ranges. IPv6 addresses that carry an IPv4 one (IPv4-mapped ::ffff:a.b.c.d,
6to4 2002::/16, Teredo, NAT64 64:ff9b::/96) are judged by the IPv4 address inside too.

`resolve()` looks the name up ONCE and checks every address it returns; `core.http` then connects
to the checked address itself, sending the name only as the Host header and TLS SNI, so a DNS
rebinding answer (public at check time, private at connect time) cannot win: there is no second
lookup. Refused unless `settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS` (env var of the same name,
default off) allows every address, e.g. for receivers on 127.0.0.1 in the tests or an intranet.

On the standard library (`ipaddress`, `socket`): the SSRF-guard packages on PyPI wrap `requests`
(advocate, unmaintained since 2020) or `httpx` (drawbridge, young), and our one HTTP client is
`http.client`; the rules fit on one screen.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Globally routable by `is_global`, yet no place a webhook should go (Python's tables vary by version).
_ALSO_REFUSED = [
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",
        "100.64.0.0/10",
        "192.0.0.0/24",
        "198.18.0.0/15",
        "240.0.0.0/4",
        "64:ff9b:1::/48",
    )
]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class RefusedAddress(Exception):
    """The host is, or resolves to, an address the server must not call. `address` is the culprit."""

    def __init__(self, message: str, *, host: str, address: str):
        super().__init__(message)
        self.host = host
        self.address = address


class Unresolvable(Exception):
    """The name does not resolve (now)."""


def allow_private() -> bool:
    return bool(getattr(settings, "OUTBOUND_ALLOW_PRIVATE_NETWORKS", False))


def is_public(address: Address) -> bool:
    """True if `address` is a public unicast address (and so do any IPv4 addresses inside it)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = [address.ipv4_mapped, address.sixtofour]
        if address.teredo:
            embedded += list(address.teredo)
        if address in _NAT64:
            embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if any(inner is not None and not is_public(inner) for inner in embedded):
            return False
        if address.ipv4_mapped is not None or address in _NAT64:
            return True  # judged by the IPv4 address inside, above
    if (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    ):
        return False
    return not any(address in network for network in _ALSO_REFUSED if network.version == address.version)


def check(address: str, *, host: str = "") -> Address:
    """The parsed `address`, or `RefusedAddress` if it is not public (unless private is allowed)."""
    parsed = ipaddress.ip_address(address.split("%", 1)[0])  # a zone id (fe80::1%eth0) is link-local
    if not is_public(parsed) and not allow_private():
        raise RefusedAddress(
            f"{host or address} is a private, loopback, link-local or reserved address ({parsed}); "
            "the server does not call those.",
            host=host or address,
            address=str(parsed),
        )
    return parsed


def resolve(host: str, port: int) -> str:
    """Look `host` up once and check every address; returns the first, to connect to.

    Raises `RefusedAddress` if any address is refused (a name that also points inward is refused
    as a whole), `Unresolvable` if the name has no address.
    """
    literal = _literal(host)
    if literal is not None:
        return str(check(literal, host=host))
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Unresolvable(f"{host} does not resolve ({exc})") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise Unresolvable(f"{host} does not resolve")
    for address in addresses:
        check(address, host=host)
    return addresses[0]


def check_url(url: str) -> None:
    """At save time: refuse a URL whose host is, or now resolves to, a refused address.

    A name that does not resolve now is let through (it may exist later); the call itself is
    checked again when it is made (`core.http`). Does a DNS lookup: call it outside transactions.
    """
    if allow_private():
        return  # every address is allowed: nothing to look up
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return  # not a URL: the caller's own validation says so
    if not host:
        return
    try:
        resolve(host, port or (443 if parts.scheme == "https" else 80))
    except Unresolvable:
        return


def _literal(host: str) -> str | None:
    candidate = host.strip("[]")
    try:
        ipaddress.ip_address(candidate.split("%", 1)[0])
    except ValueError:
        return None
    return candidate
