"""Download what an import link points at, without letting the link reach our own network.

A link is untrusted input that makes the bot open connections, so every request:

* is ``http``/``https`` only, without credentials in the URL;
* has its host resolved *before* connecting, and is refused when any address is not a
  public one (loopback, private, link-local, multicast, reserved, unspecified, or an
  IPv4 address mapped into IPv6); ``allow_private`` lifts this for tests and for a
  blog on one's own network;
* connects to exactly the addresses that were checked: the session's resolver
  (:class:`PinnedResolver`) answers only from what the check resolved, so a name that
  resolves differently a moment later (DNS rebinding) cannot redirect the connection;
* follows redirects itself, at most :data:`MAX_REDIRECTS`, checking each new location
  the same way;
* streams the body and stops at ``max_bytes`` (counted after decompression, so a
  small gzip bomb is stopped too);
* shares one deadline with every other request of the same import.

Every failure is a :class:`LinkRefused` with one sentence for the person who asked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.sources.uploads import ImportRefused, human_size

MAX_REDIRECTS = 5
MAX_REQUESTS = 400
"""Requests one import may make: 20,000 comments at 100 a page, twice over."""
TOTAL_FACTOR = 16
"""One import may download this many times ``max_bytes`` in all (32 MB by default):
enough for the 20,000-comment limit as WordPress or Reddit JSON, and a bound on what a
hostile site can make the bot hold in memory by answering page after page."""
USER_AGENT = "threadbot/0.1 (Discord bot importing a blog comment thread on request)"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class LinkRefused(ImportRefused):
    """A link that was not imported; the message says why in one sentence."""


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """What one import may cost: bytes per response and in all, seconds and requests in
    all, and whether private addresses may be reached."""

    max_bytes: int
    timeout: float
    allow_private: bool = False
    max_requests: int = MAX_REQUESTS

    @property
    def max_total_bytes(self) -> int:
        return self.max_bytes * TOTAL_FACTOR


@dataclass(frozen=True, slots=True)
class Response:
    """A downloaded response: the final URL after redirects, status, headers, body."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


def public_address(ip: IPAddress) -> bool:
    """True for an address anyone on the internet could reach (and we may connect to)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return public_address(ip.ipv4_mapped)
    return ip.is_global and not (
        ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_loopback
    )


def check_url(url: str) -> tuple[str, int]:
    """``(host, port)`` of an acceptable link, or :class:`LinkRefused` saying what is wrong."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise LinkRefused(f"“{url}” is not a link I can read.") from None
    if parts.scheme not in ("http", "https"):
        raise LinkRefused("Only http:// and https:// links can be imported.")
    if not parts.hostname:
        raise LinkRefused(f"“{url}” has no host name.")
    if parts.username is not None or parts.password is not None:
        raise LinkRefused("Links with a user name or password in them are not accepted.")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


async def resolve_checked(host: str, port: int, *, allow_private: bool) -> list[IPAddress]:
    """Every address ``host`` resolves to, refused when any of them is not public."""
    try:
        literal: IPAddress | None = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise LinkRefused(f"I could not find the site {host} (no such host).") from None
        addresses = list(
            dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos)
        )
        if not addresses:
            raise LinkRefused(f"I could not find the site {host} (no such host).")
    if not allow_private:
        for address in addresses:
            if not public_address(address):
                raise LinkRefused(
                    f"{host} is a private or local address ({address}); links must point "
                    "at a public site."
                )
    return addresses


class PinnedResolver(AbstractResolver):
    """Answers only with addresses that :func:`resolve_checked` approved for that host."""

    def __init__(self) -> None:
        self._pinned: dict[str, list[IPAddress]] = {}

    def pin(self, host: str, addresses: list[IPAddress]) -> None:
        self._pinned[host.lower()] = addresses

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = self._pinned.get(host.lower())
        if not addresses:
            raise OSError(f"{host} was not checked before connecting")
        return [
            ResolveResult(
                hostname=host,
                host=str(address),
                port=port,
                family=socket.AF_INET6 if address.version == 6 else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in addresses
        ]

    async def close(self) -> None:
        self._pinned.clear()


@dataclass(slots=True)
class Fetcher:
    """One import's HTTP client: a session, a shared deadline, a request count."""

    limits: FetchLimits
    requests: int = 0
    downloaded: int = 0
    _session: aiohttp.ClientSession | None = field(default=None, repr=False)
    _resolver: PinnedResolver = field(default_factory=PinnedResolver, repr=False)
    _deadline: float = 0.0

    async def __aenter__(self) -> Fetcher:
        self._deadline = time.monotonic() + self.limits.timeout
        connector = aiohttp.TCPConnector(resolver=self._resolver, use_dns_cache=False)
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers={"User-Agent": USER_AGENT},
            trust_env=False,  # no proxy from the environment: the checked address is the peer
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()

    def remaining(self) -> float:
        return self._deadline - time.monotonic()

    def room_for_another(self) -> bool:
        """Whether one more full-size response still fits this import's request and byte
        budgets: a reader that follows pages stops there (with a warning) instead of
        being refused halfway."""
        return (
            self.requests < self.limits.max_requests
            and self.downloaded + self.limits.max_bytes <= self.limits.max_total_bytes
        )

    async def get(
        self, url: str, *, accept: str = "application/json", first: int | None = None
    ) -> Response:
        """GET ``url`` (following up to five checked redirects); any status is returned.

        ``first``: keep only the first bytes of the body and stop reading (a page whose
        head is all that is needed); otherwise a body over ``max_bytes`` is refused."""
        if self._session is None:
            raise RuntimeError("use Fetcher in an async with block")
        try:
            async with asyncio.timeout(max(self.remaining(), 0.0)):
                return await self._follow(url, accept, first)
        except TimeoutError:
            raise LinkRefused(
                f"The site was too slow: reading it took more than {self.limits.timeout:g} s."
            ) from None

    async def _follow(self, url: str, accept: str, first: int | None) -> Response:
        assert self._session is not None
        for _ in range(MAX_REDIRECTS + 1):
            host, port = check_url(url)
            addresses = await resolve_checked(host, port, allow_private=self.limits.allow_private)
            self._resolver.pin(host, addresses)
            if self.requests >= self.limits.max_requests:
                raise LinkRefused(
                    f"The site needed more than {self.limits.max_requests} requests for one "
                    "thread; nothing was stored."
                )
            self.requests += 1
            try:
                async with self._session.get(
                    url, allow_redirects=False, headers={"Accept": accept}
                ) as resp:
                    location = resp.headers.get("Location")
                    if resp.status in _REDIRECTS and location:
                        url = urljoin(str(resp.url), location)
                        continue
                    body = await self._read(resp, first)
                    headers = {k.lower(): v for k, v in resp.headers.items()}
                    return Response(str(resp.url), resp.status, headers, body)
            except aiohttp.ClientError as exc:
                raise LinkRefused(f"I could not connect to {host} ({_reason(exc)}).") from None
        raise LinkRefused(f"The link redirected more than {MAX_REDIRECTS} times.")

    async def _read(self, resp: aiohttp.ClientResponse, first: int | None) -> bytes:
        cap = self.limits.max_bytes if first is None else min(first, self.limits.max_bytes)
        if first is None and resp.content_length is not None and resp.content_length > cap:
            raise _too_big(cap)
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_chunked(64 * 1024):
            size += len(chunk)
            self.downloaded += len(chunk)
            if size > cap:
                if first is None:
                    raise _too_big(cap)
                chunks.append(chunk)
                return b"".join(chunks)[:cap]
            if self.downloaded > self.limits.max_total_bytes:
                raise LinkRefused(
                    f"The site sent more than {human_size(self.limits.max_total_bytes)} for "
                    f"one thread ({TOTAL_FACTOR} × IMPORT_MAX_BYTES); nothing was stored."
                )
            chunks.append(chunk)
        return b"".join(chunks)


def _too_big(cap: int) -> LinkRefused:
    return LinkRefused(
        f"The page is larger than {human_size(cap)}, the import limit (IMPORT_MAX_BYTES)."
    )


def _reason(exc: aiohttp.ClientError) -> str:
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return "its certificate is not valid"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return "connection refused or unreachable"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "the download was cut off"
    return type(exc).__name__


def refuse_status(response: Response, what: str) -> LinkRefused:
    """The sentence for a response that is not a success, naming ``what`` was asked for."""
    status = response.status
    if status in (404, 410):
        return LinkRefused(f"Not found: the site answered HTTP {status} for {what}.")
    if status in (401, 403):
        return LinkRefused(f"The site refused to give me {what} (HTTP {status}).")
    if status == 429:
        return LinkRefused(
            f"The site is limiting requests (HTTP 429) while I read {what}; try again later."
        )
    return LinkRefused(f"The site answered HTTP {status} when I asked for {what}.")


def decode_json(response: Response, what: str) -> Any:
    """The JSON body of a successful response, or a refusal naming what was expected."""
    if not 200 <= response.status < 300:
        raise refuse_status(response, what)
    try:
        return json.loads(response.body)
    except (ValueError, RecursionError):
        raise LinkRefused(
            f"The site did not answer with {what} (expected JSON from {response.url})."
        ) from None
