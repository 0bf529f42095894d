"""Query evaluation with a hard deadline: a small pool of forked worker processes that can be killed.

rdflib evaluates SPARQL in pure Python and cannot be interrupted from another thread, so a query that
runs past the deadline would keep a thread (and the GIL) busy for as long as it likes. Each worker is a
``fork`` of the server process, so it shares the loaded graph copy-on-write and starts in milliseconds;
the server sends it a ``Job``, waits on the pipe without blocking the event loop, and on timeout kills the
worker with SIGKILL and forks a fresh one. The server process itself never runs a query, so it stays
responsive whatever is asked. Workers are forked while the server is single-threaded (async routes only),
and a worker never touches the event loop it inherits.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import multiprocessing
import os
import signal
from collections import OrderedDict
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from ..graph import KnowledgeGraph
from .evaluate import Answer, Job, evaluate
from .settings import WebSettings

_CACHE_ENTRIES = 256
_CACHE_MAX_BODY = 1 << 20


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    connection: Connection

    async def ask(self, job: Job) -> Answer | None:
        """Send one job and wait for its answer without blocking the event loop; None if the worker died."""
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        fd = self.connection.fileno()
        loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
        try:
            self.connection.send(job)
            await ready
        finally:
            loop.remove_reader(fd)
        try:
            return self.connection.recv()
        except (EOFError, OSError):
            return None

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.join(5)
        self.connection.close()


def _die_with_parent(parent: int) -> None:
    """Make sure a worker never outlives its server, however the server ends (SIGKILL, a host app that never
    runs our shutdown hook). The forked worker also holds copies of the server's pipe ends, so it cannot rely
    on seeing the pipe close; on Linux the kernel sends it SIGKILL when the parent goes."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the server was already gone before the request took effect
        os._exit(0)


def _serve_jobs(connection: Connection, kg: KnowledgeGraph, settings: WebSettings, parent: int) -> None:
    """The worker's loop: answer jobs until the server closes the pipe or ends."""
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which then stops its workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not uvicorn's inherited graceful-shutdown handler
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return
        connection.send(evaluate(kg, job, settings))


@dataclass
class QueryExecutor:
    """Runs jobs on the worker pool with the settings' deadline; caches answers (the graph never changes)."""

    kg: KnowledgeGraph
    settings: WebSettings
    _idle: asyncio.Queue[_Worker] | None = None
    _workers: list[_Worker] = field(default_factory=list)
    _cache: OrderedDict[Job, Answer] = field(default_factory=OrderedDict)

    def start(self) -> None:
        """Fork the workers (idempotent; also done lazily by the first query, for mounted routers)."""
        if self._idle is not None:
            return
        self._idle = asyncio.Queue()
        for _ in range(self.settings.workers):
            self._idle.put_nowait(self._fork())

    def close(self) -> None:
        for worker in self._workers:
            worker.kill()
        self._workers.clear()
        self._idle = None

    def _fork(self) -> _Worker:
        context = multiprocessing.get_context("fork")
        ours, theirs = context.Pipe()
        process = context.Process(target=_serve_jobs, args=(theirs, self.kg, self.settings, os.getpid()), daemon=True)
        process.start()
        theirs.close()
        worker = _Worker(process, ours)
        self._workers.append(worker)
        return worker

    def _replace(self, worker: _Worker) -> _Worker | None:
        """Kill ``worker`` and fork its successor (none once the executor is closed)."""
        worker.kill()
        if worker not in self._workers:
            return None
        self._workers.remove(worker)
        return self._fork()

    async def run(self, job: Job) -> Answer:
        """The answer to ``job``: from the cache, or from a worker within ``query_timeout`` seconds."""
        cached = self._cache.get(job)
        if cached is not None:
            self._cache.move_to_end(job)
            return cached
        answer = await self._run_on_worker(job)
        if answer.status == 200 and len(answer.body) <= _CACHE_MAX_BODY:
            self._cache[job] = answer
            while len(self._cache) > _CACHE_ENTRIES:
                self._cache.popitem(last=False)
        return answer

    async def _run_on_worker(self, job: Job) -> Answer:
        self.start()
        assert self._idle is not None
        timeout = self.settings.query_timeout
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout)
        except TimeoutError:
            return Answer.error(503, f"the server is busy; every query worker stayed busy for {timeout:g} s")
        answer: Answer | None = None
        try:
            answer = await asyncio.wait_for(worker.ask(job), timeout)
        except TimeoutError:
            return Answer.error(503, f"the query was stopped after the time limit of {timeout:g} s")
        finally:
            # A worker that timed out, crashed or lost its client mid-query is killed and replaced.
            self._release(worker if answer is not None else self._replace(worker))
        return answer or Answer.error(500, "the query worker stopped unexpectedly")

    def _release(self, worker: _Worker | None) -> None:
        if self._idle is not None and worker is not None:
            self._idle.put_nowait(worker)


def etag(answer: Answer) -> str:
    """A strong validator from the bytes and media type of an answer."""
    digest = hashlib.sha256(answer.media_type.encode() + b"\0" + answer.body).hexdigest()[:32]
    return f'"{digest}"'
