"""Completion webhooks: a JSON POST signed with HMAC-SHA256, sent only to public addresses unless allowed.

Every address the host resolves to is checked, at upload and again at delivery, and the call connects to the
address that was checked (so a second DNS answer cannot point it inside the network).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import ssl
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx

SIGNATURE_HEADER = "X-Docai-Signature"
TIMESTAMP_HEADER = "X-Docai-Timestamp"
EVENT_HEADER = "X-Docai-Event-Id"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class WebhookFailed(Exception):
    """The receiver did not accept the call; the task retries it."""


class WebhookRefused(ValueError):
    """The URL is not one docai calls: not http(s), unresolvable, or an address inside the network."""


@dataclass(frozen=True)
class AddressPolicy:
    """Which webhook targets are allowed besides public addresses: DOCAI_WEBHOOK_ALLOW networks and host names."""

    networks: tuple[IPNetwork, ...] = ()
    hosts: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AddressPolicy:
        """'10.0.0.0/8', '192.168.1.20', 'hooks.intranet' (a host name is allowed whatever it resolves to)."""
        networks: list[IPNetwork] = []
        hosts: set[str] = set()
        for entry in (e.strip() for e in entries):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                hosts.add(entry.lower().rstrip("."))
        return cls(tuple(networks), frozenset(hosts))

    @classmethod
    def from_settings(cls, settings: Any) -> AddressPolicy:
        return cls.parse(settings.webhook_allow)

    def allows(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks if network.version == address.version)


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo, NAT64), which is what is reached."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def why_internal(address: IPAddress) -> str | None:
    """What kind of non-public address this is ('a loopback address'), or None for a public one."""
    inner = _embedded_ipv4(address)
    if inner is not None:
        return why_internal(inner)
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address (cloud metadata lives there)"
    if address.is_multicast:
        return "a multicast address"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "a reserved address"
    return None


@dataclass(frozen=True)
class Target:
    """A checked webhook URL and the addresses it may be connected to."""

    url: httpx.URL
    addresses: tuple[IPAddress, ...]


def resolve(url: str, policy: AddressPolicy = AddressPolicy()) -> Target:
    """Parse, resolve and check a webhook URL; WebhookRefused says why a URL is not called."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as err:
        raise WebhookRefused(f"The webhook URL {url!r} is not a valid URL ({err}).") from err
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise WebhookRefused(f"The webhook URL {url!r} is not an absolute http(s) URL.")
    host = parsed.host.lower().rstrip(".")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as err:
        raise WebhookRefused(f"The webhook host {host!r} cannot be resolved ({err}); check the URL.") from err
    addresses = tuple(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos))
    if not addresses:
        raise WebhookRefused(f"The webhook host {host!r} has no address; check the URL.")
    if host not in policy.hosts:
        for address in addresses:
            reason = why_internal(address)
            if reason and not policy.allows(address):
                raise WebhookRefused(
                    f"The webhook URL {url!r} points at {address}, {reason}; docai calls only public addresses "
                    "unless DOCAI_WEBHOOK_ALLOW lists the host or its network."
                )
    return Target(parsed, addresses)


def check_url(url: str, policy: AddressPolicy = AddressPolicy()) -> str:
    """The URL when docai may call it; WebhookRefused (a ValueError) otherwise."""
    resolve(url, policy)
    return url


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """'sha256=' + HMAC-SHA256(secret, timestamp + '.' + body), as the receiver recomputes it."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str, max_age: float = 300) -> bool:
    """What a receiver runs: the signature matches and the call is fresh."""
    try:
        fresh = abs(time.time() - int(timestamp)) <= max_age
    except ValueError:
        return False
    return fresh and hmac.compare_digest(sign(secret, timestamp, body), signature)


def retry_delay(
    retries: int, first_attempt: float, max_attempts: int, window: float, now: float | None = None
) -> int | None:
    """Seconds before the next attempt (exponential, at most 10 min), or None: the attempts or the window are spent."""
    if retries + 1 >= max_attempts:
        return None
    delay = min(600, 2 ** (retries + 1))
    if (time.time() if now is None else now) + delay - first_attempt > window:
        return None
    return delay


def payload(summary: dict[str, Any]) -> dict[str, Any]:
    return {"event": "document.completed", "id": uuid.uuid4().hex, "document": summary}


def deliver(
    url: str,
    body: dict[str, Any],
    secret: str | None,
    *,
    policy: AddressPolicy = AddressPolicy(),
    timeout: float = 5.0,
    tls: ssl.SSLContext | bool = True,  # certificates: the system CAs, or a context that trusts a private CA
) -> int:
    """Check the URL again, POST the body to the checked address; WebhookFailed unless the receiver answers 2xx.

    WebhookRefused (no retry helps) when the URL now resolves inside the network.
    """
    target = resolve(url, policy)
    raw = json.dumps(body, default=str, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "Host": target.url.netloc.decode("ascii"),
        TIMESTAMP_HEADER: timestamp,
        EVENT_HEADER: body["id"],
    }
    if secret:
        headers[SIGNATURE_HEADER] = sign(secret, timestamp, raw)
    # TLS still checks the certificate against the host name (sent as SNI), not the address connected to.
    extensions = {"sni_hostname": target.url.host} if target.url.scheme == "https" else {}
    limits = httpx.Timeout(timeout)
    try:
        with httpx.Client(timeout=limits, follow_redirects=False, trust_env=False, verify=tls) as client:
            for n, address in enumerate(target.addresses):
                pinned = target.url.copy_with(host=str(address))
                request = client.build_request("POST", pinned, content=raw, headers=headers, extensions=extensions)
                try:
                    response = client.send(request, stream=True)  # the status is all we need: never read a body
                    response.close()
                    break
                except httpx.ConnectError:
                    if n == len(target.addresses) - 1:
                        raise
    except httpx.HTTPError as err:
        raise WebhookFailed(f"{url}: {str(err) or type(err).__name__}") from err
    if not 200 <= response.status_code < 300:
        raise WebhookFailed(f"{url} answered {response.status_code}")
    return response.status_code
