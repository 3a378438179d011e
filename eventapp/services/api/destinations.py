"""Where a webhook may be sent (no server-side request forgery): an http(s) address without
credentials whose host resolves only to public addresses. Private, loopback, link-local,
multicast, reserved, unspecified and shared (carrier-grade NAT) addresses are refused, also
when written as a number (`http://2130706433/`), in hexadecimal (`0x7f.1`), or as an IPv4
address inside IPv6 (`::ffff:127.0.0.1`): the check is made on what the name resolves to.

Checked when an endpoint is saved (a name that does not resolve yet is accepted: the delivery
checks again) and at every delivery, after resolution; the delivery then connects to the very
address it checked (`Target`: the TLS name and the Host header stay the URL's), so a name that
resolves elsewhere a moment later (DNS rebinding) changes nothing. Redirects are not followed.

`WEBHOOK_ALLOW_LOOPBACK` (development and tests: a receiver on 127.0.0.1) lets loopback
addresses through, and nothing else; `WEBHOOK_ALLOW_HTTP`, plain http. ProductionConfig
refuses to start with either (config.py). `WEBHOOK_CA_BUNDLE`: the certificate authorities
receivers' certificates are checked against (default: requests' bundle, certifi)."""

from __future__ import annotations

import enum
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests.certs
import urllib3
from flask import current_app

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Reason(enum.StrEnum):
    SCHEME = "scheme"
    CREDENTIALS = "credentials"
    HOST = "host"
    PRIVATE = "private_address"
    UNRESOLVED = "unresolved"


class Refused(Exception):
    def __init__(self, reason: Reason):
        super().__init__(reason)
        self.reason = reason


def _allowed(flag: str) -> bool:
    return bool(current_app.config.get(flag, False))


def forbidden(address: Address, *, allow_loopback: bool = False) -> bool:
    """Whether a webhook may not go to this address (an IPv4 address carried in IPv6, mapped
    or 6to4, is judged as itself)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            address = embedded
    if address.is_loopback:
        return not allow_loopback
    return (
        not address.is_global
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or getattr(address, "is_site_local", False)
    )


@dataclass(frozen=True)
class Parsed:
    scheme: str
    host: str
    port: int
    path: str
    host_header: str


def parse(url: str) -> Parsed:
    """The URL's parts, or Refused: http(s) only (http where allowed), no user or password."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused(Reason.HOST) from None
    schemes = ("https", "http") if _allowed("WEBHOOK_ALLOW_HTTP") else ("https",)
    if parts.scheme not in schemes:
        raise Refused(Reason.SCHEME)
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise Refused(Reason.CREDENTIALS)
    host = parts.hostname
    if not host or any(ch.isspace() for ch in url):
        raise Refused(Reason.HOST)
    port = port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Parsed(parts.scheme, host, port, path, parts.netloc)


def resolve(host: str, port: int) -> list[Address]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise Refused(Reason.UNRESOLVED) from None
    addresses = []
    for *_rest, sockaddr in found:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise Refused(Reason.UNRESOLVED)
    return addresses


def checked(url: str) -> tuple[Parsed, list[Address]]:
    """Parse and resolve: Refused if any address the host resolves to is forbidden."""
    parsed = parse(url)
    addresses = resolve(parsed.host, parsed.port)
    loopback = _allowed("WEBHOOK_ALLOW_LOOPBACK")
    if any(forbidden(a, allow_loopback=loopback) for a in addresses):
        raise Refused(Reason.PRIVATE)
    return parsed, addresses


def check_new(url: str) -> None:
    """An endpoint's address when it is saved: Refused unless it may be used; a name that does
    not resolve (yet) passes, every delivery checks it again."""
    try:
        checked(url)
    except Refused as error:
        if error.reason != Reason.UNRESOLVED:
            raise


@dataclass(frozen=True)
class Target:
    """A checked destination: the URL's parts and the address to connect to."""

    parsed: Parsed
    address: Address

    def post(self, body: bytes, headers: dict, timeout: float) -> int:
        """POST to the checked address (TLS verified against the URL's host name), no
        redirect followed, no retry: the status. Raises urllib3's errors."""
        options = {
            "timeout": urllib3.Timeout(connect=timeout, read=timeout),
            "retries": False,
            "maxsize": 1,
        }
        if self.parsed.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                str(self.address),
                self.parsed.port,
                cert_reqs="CERT_REQUIRED",
                ca_certs=current_app.config.get("WEBHOOK_CA_BUNDLE") or requests.certs.where(),
                server_hostname=self.parsed.host,
                assert_hostname=self.parsed.host,
                **options,
            )
        else:
            pool = urllib3.HTTPConnectionPool(str(self.address), self.parsed.port, **options)
        try:
            response = pool.urlopen(
                "POST",
                self.parsed.path,
                body=body,
                headers={**headers, "Host": self.parsed.host_header},
                redirect=False,
                retries=False,
                preload_content=False,  # the status is all we read, not a body of any size
            )
            response.close()
            return response.status
        finally:
            pool.close()


def target(url: str) -> Target:
    """Where a delivery goes, checked now (Refused otherwise)."""
    parsed, addresses = checked(url)
    return Target(parsed, addresses[0])
