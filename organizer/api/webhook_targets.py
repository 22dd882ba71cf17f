"""Where a webhook may point: the rules on its URL, and on the address its host resolves to.

In production a webhook's host must resolve to public addresses only, or a group could make
Cahier's workers probe the network they run in (SSRF). The worker resolves the name once
per delivery, checks every address, and connects to the address it checked, so a DNS answer
that changes between the check and the connection (rebinding) cannot slip past.
Outside production, loopback and private targets are allowed, so that a developer (and the
test suite) can run a receiver on their own machine.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
MAX_URL_LENGTH = 2000


class TargetError(ValueError):
    """A URL or an address a webhook may not use; the message is for the organizer."""


class UnresolvableHost(TargetError):
    pass


class NonPublicAddress(TargetError):
    def __init__(self, address: IPAddress) -> None:
        self.address = address
        super().__init__(
            _("The webhook's host resolves to %(address)s, which is not a public address.",
              address=str(address))
        )  # fmt: skip


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    # The path and query string, as sent in the request line.
    path: str


def parse_url(url: str, production: bool) -> Target:
    """The parts of a webhook URL, or TargetError saying why it cannot be one."""
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise TargetError(_("The URL is too long."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetError(_("This is not a valid URL.")) from exc
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme not in ("https", "http") or not host:
        raise TargetError(_("Enter a full URL, starting with https://."))
    if parts.username is not None or parts.password is not None:
        raise TargetError(_("The URL must not carry a user name or password."))
    if parts.scheme == "http" and (production or not _is_loopback_name(host)):
        raise TargetError(
            _(
                "The URL must start with https:// (http is only for a receiver on this "
                "machine, outside production)."
            )
        )
    literal = _literal(host)
    if literal is not None:
        check_address(literal, production)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path)


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def _is_loopback_name(host: str) -> bool:
    address = _literal(host)
    return address.is_loopback if address is not None else host.lower() in LOOPBACK_NAMES


def is_public(address: IPAddress) -> bool:
    """A globally routable unicast address: not loopback, private, link-local, unique-local
    (all outside ``is_global``), multicast, or an IPv4 address hidden in an IPv6 one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or _nat64(address)
        if embedded is not None:
            return is_public(embedded)
    return address.is_global and not address.is_multicast


def _nat64(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    # 64:ff9b::/96 carries an IPv4 address that a NAT64 gateway would reach for us.
    if address in ipaddress.IPv6Network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def check_address(address: IPAddress, production: bool) -> None:
    if production and not is_public(address):
        raise NonPublicAddress(address)


def resolve(target: Target, production: bool) -> IPAddress:
    """The one address to connect to. Every address the name has must pass, not only the
    one picked: a name with a public and a private address is refused."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnresolvableHost(_("The webhook's host name does not resolve.")) from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not addresses:
        raise UnresolvableHost(_("The webhook's host name does not resolve."))
    for address in addresses:
        check_address(address, production)
    return addresses[0]
