"""Fake web sites on 127.0.0.1 that behave like the sources a link import reads.

Each fake (:mod:`.wordpress`, :mod:`.reddit`, :mod:`.hackernews`) is an ``aiohttp.web``
application started by :class:`FakeSite` on a free port of 127.0.0.1; nothing ever
reaches the real sites. Besides the site's own routes every fake can be told to
misbehave on a path (``fail``: a status, ``slow``: a delay before answering,
``huge``: a body larger than any import limit, ``redirect``: a ``Location``), and it
records every request path it served (``requests``), so a test can check what the
importer asked for.

The fakes live on 127.0.0.1, a loopback address the importer refuses by default:
tests of the real import path run with ``allow_private=True`` (``ALLOW_PRIVATE_URLS=1``),
and the refusal itself is tested with it off.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web

HUGE_CHUNK = b"x" * 65536


@dataclass(slots=True)
class Fault:
    status: int | None = None
    delay: float = 0.0
    huge: int = 0
    location: str | None = None


@dataclass(slots=True)
class FakeSite:
    """Base of the fakes: subclasses add routes in :meth:`routes`."""

    requests: list[str] = field(default_factory=list)
    faults: dict[str, Fault] = field(default_factory=dict)
    url: str = ""
    _runner: web.AppRunner | None = None

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    def fail(self, path: str, status: int) -> None:
        self.faults[path] = Fault(status=status)

    def slow(self, path: str, seconds: float) -> None:
        self.faults[path] = Fault(delay=seconds)

    def huge(self, path: str, size: int, *, declare: bool = True) -> None:
        """Answer ``size`` bytes; with ``declare=False`` chunked, without Content-Length."""
        self.faults[path] = Fault(huge=size if declare else -size)

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.faults[path] = Fault(status=status, location=location)

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests.append(request.path_qs)
        fault = self.faults.get(request.path)
        if fault is None:
            response: web.StreamResponse = await handler(request)
            return response
        if fault.delay:
            await asyncio.sleep(fault.delay)
            response = await handler(request)
            return response
        if fault.location is not None:
            return web.Response(status=fault.status or 302, headers={"Location": fault.location})
        if fault.huge:
            stream = web.StreamResponse(headers={"Content-Type": "application/json"})
            if fault.huge > 0:
                stream.content_length = fault.huge
            await stream.prepare(request)
            sent = 0
            try:
                while sent < abs(fault.huge):
                    await stream.write(HUGE_CHUNK)
                    sent += len(HUGE_CHUNK)
            except ConnectionError:
                pass
            return stream
        return web.json_response({"code": "fake_fault"}, status=fault.status or 500)

    async def __aenter__(self) -> FakeSite:
        app = web.Application(middlewares=[self._middleware])
        self.routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
