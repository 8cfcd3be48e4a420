"""Safe fetching: which addresses are refused, redirects re-checked, size and time limits.

The fake sites listen on 127.0.0.1, so the refusals are shown with ``allow_private``
off and the ordinary behaviour (redirects followed, bodies capped) with it on.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any

import pytest
from aiohttp import web

from bot.sources.web import fetch
from bot.sources.web.fetch import (
    Fetcher,
    FetchLimits,
    LinkRefused,
    PinnedResolver,
    check_url,
    public_address,
    resolve_checked,
)
from tests.fakesites import FakeSite


class Echo(FakeSite):
    """Answers ``/ok`` with a small JSON body."""

    def routes(self, app: web.Application) -> None:
        async def ok(request: web.Request) -> web.Response:
            return web.json_response({"ok": True})

        app.router.add_get("/ok", ok)


OPEN = FetchLimits(max_bytes=100_000, timeout=5.0, allow_private=True)
CLOSED = FetchLimits(max_bytes=100_000, timeout=5.0, allow_private=False)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",
        "100.64.0.1", "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1",
        "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "2001:db8::1",
    ],
)  # fmt: skip
def test_non_public_addresses_are_not_public(address: str) -> None:
    assert not public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_are_public(address: str) -> None:
    assert public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://example.com/x", "Only http:// and https://"),
        ("file:///etc/passwd", "Only http:// and https://"),
        ("javascript:alert(1)", "Only http:// and https://"),
        ("https://", "has no host name"),
        ("https://user:pw@example.com/", "user name or password"),
        ("http://example.com:99999/", "not a link I can read"),
    ],
)
def test_bad_links_are_refused_before_any_request(url: str, says: str) -> None:
    with pytest.raises(LinkRefused, match=says):
        check_url(url)


async def test_loopback_private_and_mapped_hosts_are_refused() -> None:
    for host in ("127.0.0.1", "localhost", "[::1]", "10.0.0.8", "[::ffff:127.0.0.1]", "0.0.0.0"):
        with pytest.raises(LinkRefused, match="private or local address"):
            await resolve_checked(host.strip("[]"), 80, allow_private=False)
    assert await resolve_checked("127.0.0.1", 80, allow_private=True) == [
        ipaddress.ip_address("127.0.0.1")
    ]


async def test_a_name_that_resolves_to_loopback_is_refused(monkeypatch: Any) -> None:
    async def fake_getaddrinfo(host: str, port: int, **kwargs: Any) -> list[Any]:
        # A public-looking name whose DNS answer mixes a public and a private address.
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        ]

    loop = asyncio.get_running_loop()
    monkeypatch.setattr(loop, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(LinkRefused, match=r"rebind\.example is a private or local address"):
        await resolve_checked("rebind.example", 80, allow_private=False)


async def test_an_unknown_host_is_a_clear_refusal() -> None:
    with pytest.raises(LinkRefused, match="could not find the site"):
        await resolve_checked("no-such-host.invalid", 80, allow_private=False)


async def test_the_resolver_only_answers_with_checked_addresses() -> None:
    resolver = PinnedResolver()
    resolver.pin("blog.example", [ipaddress.ip_address("93.184.215.14")])
    [answer] = await resolver.resolve("BLOG.example", 443)
    assert answer["host"] == "93.184.215.14" and answer["hostname"] == "BLOG.example"
    with pytest.raises(OSError, match="not checked"):
        await resolver.resolve("other.example", 443)


async def test_the_fake_site_itself_is_refused_without_allow_private() -> None:
    async with Echo() as site, Fetcher(CLOSED) as fetcher:
        with pytest.raises(LinkRefused, match=r"127\.0\.0\.1 is a private or local address"):
            await fetcher.get(f"{site.url}/ok")
    assert site.requests == []


async def test_a_redirect_to_loopback_is_refused_after_the_redirect(monkeypatch: Any) -> None:
    """The first hop stands for a public site (its check is let through); the check runs
    again on the redirect's target, 127.0.0.1, which is refused before it is requested."""
    calls: list[str] = []

    async def first_hop_public(host: str, port: int, *, allow_private: bool) -> Any:
        calls.append(host)
        return await resolve_checked(host, port, allow_private=len(calls) == 1)

    monkeypatch.setattr(fetch, "resolve_checked", first_hop_public)
    async with Echo() as site:
        site.redirect("/start", f"http://127.0.0.1:{site.url.rsplit(':', 1)[1]}/ok")
        async with Fetcher(CLOSED) as fetcher:
            with pytest.raises(LinkRefused, match=r"127\.0\.0\.1 is a private or local"):
                await fetcher.get(f"{site.url}/start")
        assert calls == ["127.0.0.1", "127.0.0.1"]
        assert site.requests == ["/start"]  # the redirect's target was never requested


async def test_redirects_are_followed_and_at_most_five() -> None:
    async with Echo() as site:
        site.redirect("/a", "/ok", status=301)
        for n in range(6):
            site.redirect(f"/r{n}", f"/r{n + 1}", status=307)
        site.redirect("/r6", "/ok")
        async with Fetcher(OPEN) as fetcher:
            resp = await fetcher.get(f"{site.url}/a")
            assert resp.status == 200 and resp.url.endswith("/ok") and b"ok" in resp.body
            resp = await fetcher.get(f"{site.url}/r2")  # r2 … r6, /ok: 5 redirects
            assert resp.status == 200
            with pytest.raises(LinkRefused, match="redirected more than 5 times"):
                await fetcher.get(f"{site.url}/r0")


@pytest.mark.parametrize("declare", [True, False])
async def test_a_body_over_the_limit_is_refused(declare: bool) -> None:
    async with Echo() as site:
        site.huge("/big", 1_000_000, declare=declare)
        async with Fetcher(FetchLimits(200_000, 5.0, allow_private=True)) as fetcher:
            with pytest.raises(LinkRefused, match=r"larger than 200 kB.*IMPORT_MAX_BYTES"):
                await fetcher.get(f"{site.url}/big")


async def test_first_bytes_of_a_page_over_the_limit() -> None:
    async with Echo() as site:
        site.huge("/big", 1_000_000)
        async with Fetcher(FetchLimits(200_000, 5.0, allow_private=True)) as fetcher:
            resp = await fetcher.get(f"{site.url}/big", first=1000)
    assert resp.status == 200 and len(resp.body) == 1000


async def test_one_budget_of_bytes_and_requests_for_the_whole_import() -> None:
    async with Echo() as site:
        site.huge("/page", 150_000, declare=False)  # three 64 KiB chunks: 196,608 bytes
        limits = FetchLimits(200_000, 10.0, allow_private=True)
        async with Fetcher(limits) as fetcher:
            with pytest.raises(LinkRefused, match=r"sent more than 3\.2 MB for one thread"):
                for _ in range(20):
                    await fetcher.get(f"{site.url}/page")
            assert fetcher.requests == 17  # 16 × 196,608 bytes fit in 16 × 200,000
            assert not fetcher.room_for_another()
        few = FetchLimits(200_000, 10.0, allow_private=True, max_requests=3)
        async with Fetcher(few) as fetcher:
            for _ in range(3):
                assert fetcher.room_for_another()
                await fetcher.get(f"{site.url}/ok")
            assert not fetcher.room_for_another()
            with pytest.raises(LinkRefused, match="more than 3 requests"):
                await fetcher.get(f"{site.url}/ok")


async def test_one_deadline_for_the_whole_import() -> None:
    async with Echo() as site:
        site.slow("/slow", 5.0)
        async with Fetcher(FetchLimits(100_000, 0.3, allow_private=True)) as fetcher:
            await fetcher.get(f"{site.url}/ok")
            with pytest.raises(LinkRefused, match=r"too slow.*more than 0\.3 s"):
                await fetcher.get(f"{site.url}/slow")


async def test_a_closed_port_is_a_clear_refusal() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with Fetcher(OPEN) as fetcher:
        with pytest.raises(LinkRefused, match=r"could not connect to 127\.0\.0\.1"):
            await fetcher.get(f"http://127.0.0.1:{port}/")
