"""Run work on untrusted input in a separate process with hard limits, awaitable from the bot.

Parsing an uploaded file (and, later, other heavy pure work) must not be able to freeze the
event loop, exhaust the bot's memory or run for minutes: a regex that backtracks or a
structure that grows with the square of its input would otherwise take every server down.
A thread does not help, because pure-Python work holds the GIL. So each call runs in a
fresh child process with

- ``RLIMIT_CPU`` (the kernel stops it after ``cpu_s`` seconds of CPU),
- ``RLIMIT_AS`` (its allocations fail once it has taken ``memory_mb`` of address space
  beyond what it started with, i.e. beyond the modules the forkserver imported and shares
  with it: Python raises ``MemoryError`` there, reported as :class:`WorkerOutOfMemory`),
- a wall-clock timeout kept by the bot, which kills the child with ``SIGKILL``.

Children come from multiprocessing's *forkserver*: a small single-threaded server process,
started once, that has imported the parsing modules and forks a child per call (a few
milliseconds; forking the threaded bot process itself would be unsafe). The result
travels back pickled over a pipe that the event loop watches, so waiting never blocks it,
and cancelling the awaiting task kills the child.

Concurrency is bounded twice: at most ``max_workers`` children at once, and at most
``per_key`` of them for one key (a guild id), so one server sending bad files queues
behind itself, not in front of everyone else.

``run_in_worker`` uses one :class:`Workers` per event loop; ``shutdown_workers`` kills
what is still running (the bot calls it on close, so SIGTERM never waits for a parse).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import multiprocessing
import os
import pickle
import signal
import weakref
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar, cast

try:
    import resource
except ImportError:  # pragma: no cover - not on Windows; only the wall clock applies there
    resource = None  # type: ignore[assignment]

T = TypeVar("T")

PRELOAD = (
    "bot.sources.uploads",
    "bot.sources.web",
    "bot.summaries.offload",
    "bot.summaries.engine",
    "bot.ui.graph",
    "networkx",
    "yake",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
)
"""Modules the forkserver imports once, so a child starts without importing them again
(matplotlib alone takes over a second to import). The bot process itself imports none of
matplotlib, networkx, yake or numpy: the modules that use them import them where used."""

_CHUNK = 1 << 16
_EXIT_OOM = 3
"""Exit code of a child that ran out of memory so badly it could not even report it."""


@dataclass(frozen=True, slots=True)
class Limits:
    """What one call may use: CPU seconds, memory it allocates (address space on top of the
    worker's imports) and wall-clock seconds."""

    cpu_s: float = 10.0
    memory_mb: int = 300
    wall_s: float = 20.0

    def __post_init__(self) -> None:
        if self.cpu_s <= 0 or self.wall_s <= 0 or self.memory_mb <= 0:
            raise ValueError(f"limits must be positive: {self}")


class WorkerError(Exception):
    """A call that did not return: the child was stopped or died. Nothing it did survives."""


class WorkerTimeout(WorkerError):
    """The call used up its CPU time or its wall-clock time."""


class WorkerOutOfMemory(WorkerError):
    """The call needed more memory than its limit."""


class WorkerCrashed(WorkerError):
    """The child died without an answer (a signal, a native crash) or sent an unreadable one."""


class WorkersClosed(WorkerError):
    """The workers were shut down (the bot is stopping) before or while the call ran."""


@dataclass(frozen=True, slots=True)
class _Outcome:
    ok: bool
    value: Any = None
    crash: str = ""


def _child(
    writer: Connection,
    limits: Limits,
    func: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    """Body of the child process: set limits, run, send one pickled outcome, exit at once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the bot; it kills us
    oom = pickle.dumps(_Outcome(ok=False, value=MemoryError()))
    if resource is not None:
        cpu = math.ceil(limits.cpu_s)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        memory = _address_space() + limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    fd = writer.fileno()
    try:
        try:
            outcome = _Outcome(ok=True, value=func(*args, **kwargs))
        except MemoryError:
            outcome = _Outcome(ok=False, value=MemoryError())
        except Exception as exc:
            outcome = _Outcome(ok=False, value=exc)
        try:
            blob = pickle.dumps(outcome)
            if not outcome.ok:
                pickle.loads(blob)  # an exception that cannot come back is reported as text
        except MemoryError:
            blob = oom
        except Exception as exc:
            text = f"{type(outcome.value).__name__}: {outcome.value} ({exc})"
            blob = pickle.dumps(_Outcome(ok=False, crash=text))
        view = memoryview(blob)
        while view:
            view = view[os.write(fd, view[:_CHUNK]) :]
    except MemoryError:
        os._exit(_EXIT_OOM)
    os._exit(0)  # no interpreter teardown: nothing to flush, and it is quicker


def _address_space() -> int:
    """Bytes of address space this process holds now (0 where /proc is not available)."""
    try:
        with open("/proc/self/statm") as statm:  # noqa: PTH123 - no pathlib in the child
            return int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


class Workers:
    """Child processes for untrusted work, at most ``max_workers`` at once."""

    def __init__(
        self, *, max_workers: int = 2, per_key: int = 1, preload: Sequence[str] = PRELOAD
    ) -> None:
        if max_workers < 1 or per_key < 1:
            raise ValueError("max_workers and per_key must be at least 1")
        self._context = multiprocessing.get_context("forkserver")
        self._preload = list(preload)
        self._slots = asyncio.Semaphore(max_workers)
        self._per_key = per_key
        self._keys: dict[Hashable, tuple[asyncio.Semaphore, int]] = {}
        self._running: set[BaseProcess] = set()
        self._closed = False

    @property
    def running(self) -> int:
        """Children alive right now (for tests and status)."""
        return len(self._running)

    async def start(self) -> None:
        """Start the forkserver now (it imports the parsing modules: about a second),
        so the first call does not pay for it. Calls start it anyway when needed."""
        await asyncio.to_thread(self._ensure_forkserver)

    def _ensure_forkserver(self) -> None:
        from multiprocessing import forkserver

        self._context.set_forkserver_preload(self._preload)
        forkserver.ensure_running()

    async def run(
        self,
        func: Callable[..., T],
        *args: Any,
        limits: Limits,
        key: Hashable | None = None,
        **kwargs: Any,
    ) -> T:
        """``func(*args, **kwargs)`` in a child process within ``limits``; re-raises its error.

        ``func`` and ``args`` must be picklable (a module-level function, plain data).
        Raises :class:`WorkerTimeout`, :class:`WorkerOutOfMemory`, :class:`WorkerCrashed`
        or :class:`WorkersClosed` when the call did not finish.
        """
        if self._closed:
            raise WorkersClosed("the workers are shut down")
        async with self._key_slot(key), self._slots:
            if self._closed:
                raise WorkersClosed("the workers are shut down")
            outcome = await self._call(func, args, kwargs, limits)
        if outcome.crash:
            raise WorkerCrashed(outcome.crash)
        if outcome.ok:
            return cast(T, outcome.value)
        if isinstance(outcome.value, MemoryError):
            raise WorkerOutOfMemory(f"needed more than {limits.memory_mb} MB")
        raise outcome.value

    @contextlib.asynccontextmanager
    async def _key_slot(self, key: Hashable | None) -> Any:
        if key is None:
            yield
            return
        semaphore, users = self._keys.get(key, (asyncio.Semaphore(self._per_key), 0))
        self._keys[key] = (semaphore, users + 1)
        try:
            async with semaphore:
                yield
        finally:
            semaphore, users = self._keys[key]
            if users == 1:
                del self._keys[key]
            else:
                self._keys[key] = (semaphore, users - 1)

    async def _call(
        self,
        func: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        limits: Limits,
    ) -> _Outcome:
        reader, writer = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=_child,
            args=(writer, limits, func, args, kwargs),
            daemon=True,
            name="threadbot-worker",
        )
        # Starting talks to the forkserver (and starts it the first time): not on the loop.
        # If the caller is cancelled meanwhile, the child is killed as soon as it exists.
        starting = asyncio.ensure_future(asyncio.to_thread(self._start, process))
        try:
            await asyncio.shield(starting)
        except BaseException:
            reader.close()

            def abandon(_: object) -> None:
                writer.close()
                _kill(process)

            starting.add_done_callback(abandon)
            raise
        writer.close()
        self._running.add(process)
        try:
            async with asyncio.timeout(limits.wall_s):
                blob = await _read_all(reader.fileno())
                await _exited(process)
        except TimeoutError:
            raise WorkerTimeout(f"took longer than {limits.wall_s:g} s") from None
        finally:
            reader.close()
            _kill(process)
            self._running.discard(process)
        if self._closed and not blob:
            raise WorkersClosed("the workers were shut down while the call ran")
        return _interpret(blob, process.exitcode, limits)

    def _start(self, process: BaseProcess) -> None:
        self._ensure_forkserver()
        process.start()

    async def close(self) -> int:
        """Refuse new calls and kill running children; their callers get :class:`WorkersClosed`.
        Returns how many calls were stopped. Safe to call twice."""
        self._closed = True
        stopped = list(self._running)
        for process in stopped:
            _kill(process)
        await asyncio.sleep(0)
        return len(stopped)


def _kill(process: BaseProcess) -> None:
    with contextlib.suppress(ValueError, AttributeError, ProcessLookupError):
        if process.exitcode is None:
            process.kill()


def _interpret(blob: bytes, exitcode: int | None, limits: Limits) -> _Outcome:
    if blob:
        try:
            outcome = pickle.loads(blob)
        except Exception as exc:
            return _Outcome(ok=False, crash=f"unreadable answer ({type(exc).__name__})")
        if isinstance(outcome, _Outcome):
            return outcome
        return _Outcome(ok=False, crash="unexpected answer")
    if exitcode in (-signal.SIGXCPU, -signal.SIGKILL):
        # SIGXCPU at the soft CPU limit; SIGKILL at the hard one (or from us, after close).
        raise WorkerTimeout(f"used more than {limits.cpu_s:g} s of CPU")
    if exitcode == _EXIT_OOM:
        raise WorkerOutOfMemory(f"needed more than {limits.memory_mb} MB")
    raise WorkerCrashed(f"the worker exited with code {exitcode} and no answer")


async def _read_all(fd: int) -> bytes:
    """Everything written to ``fd`` until the child closes it (exits), without blocking."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()
    chunks: list[bytes] = []
    os.set_blocking(fd, False)

    def readable() -> None:
        try:
            while True:
                data = os.read(fd, _CHUNK)
                if not data:
                    break
                chunks.append(data)
        except BlockingIOError:
            return
        except OSError as exc:
            if not done.done():
                done.set_exception(exc)
            loop.remove_reader(fd)
            return
        loop.remove_reader(fd)
        if not done.done():
            done.set_result(None)

    loop.add_reader(fd, readable)
    try:
        await done
    finally:
        loop.remove_reader(fd)
    return b"".join(chunks)


async def _exited(process: BaseProcess) -> None:
    """Wait until the child has exited (its sentinel becomes readable)."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()
    sentinel = process.sentinel

    def ready() -> None:
        if not done.done():
            done.set_result(None)

    loop.add_reader(sentinel, ready)
    try:
        await done
    finally:
        loop.remove_reader(sentinel)


_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Workers] = weakref.WeakKeyDictionary()


def workers() -> Workers:
    """The running event loop's :class:`Workers` (created on first use)."""
    loop = asyncio.get_running_loop()
    pool = _pools.get(loop)
    if pool is None:
        pool = _pools[loop] = Workers()
    return pool


async def run_in_worker(
    func: Callable[..., T],
    *args: Any,
    limits: Limits = Limits(),
    key: Hashable | None = None,
    **kwargs: Any,
) -> T:
    """``await run_in_worker(func, *args, limits=Limits(...))``: see :meth:`Workers.run`."""
    return await workers().run(func, *args, limits=limits, key=key, **kwargs)


async def shutdown_workers() -> int:
    """Kill this loop's running children; calls waiting on them get :class:`WorkersClosed`.
    Returns how many calls were stopped.

    A later call on the same loop gets a fresh pool (a bot restarted in the same loop)."""
    pool = _pools.pop(asyncio.get_running_loop(), None)
    return await pool.close() if pool is not None else 0
