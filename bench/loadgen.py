"""A small loopback load generator: N threads, keep-alive HTTP/1.1, bounded in requests and seconds.

Threads with the standard library's http.client need nothing installed and reuse one connection each, so
the numbers measure the server rather than connection set-up. The client shares the machine with the server
(2 cores here), so its own cost caps the rate it can show; every server is measured with the same client.
"""

from __future__ import annotations

import http.client
import socket
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class Stats:
    count: int
    errors: int
    seconds: float
    p50: float
    p99: float

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


def ok(url: str) -> bool:
    """Whether ``url`` answers 200 now (used to wait for a server to come up)."""
    parts = urlsplit(url)
    try:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
        connection.request("GET", parts.path + ("?" + parts.query if parts.query else ""))
        return connection.getresponse().status == 200
    except OSError:
        return False


def run(url: str, accept: str, concurrency: int, requests: int, seconds: float, warmup: int = 20) -> Stats:
    """GET ``url`` ``requests`` times (or until ``seconds`` pass) from ``concurrency`` threads."""
    parts = urlsplit(url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    for _ in range(warmup):
        ok(url)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    remaining = [requests]
    deadline = time.monotonic() + seconds

    def worker() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                if remaining[0] <= 0:
                    break
                remaining[0] -= 1
            started = time.perf_counter()
            try:
                connection.request("GET", target, headers={"Accept": accept})
                response = connection.getresponse()
                response.read()
                good = response.status == 200
            except OSError:
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                good = False
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors[0] += not good
        connection.close()

    total = run_threads(worker, concurrency)
    ordered = sorted(latencies) or [0.0]
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return Stats(len(latencies), errors[0], total, statistics.median(ordered), p99)


# -- starting and stopping the servers under test (loopback only) ----------------------------------------


def run_threads(worker, count: int) -> float:
    """Seconds for ``count`` threads running ``worker`` side by side, all started before any is awaited."""
    threads = [threading.Thread(target=worker) for _ in range(count)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        if ok(url):
            return True
        time.sleep(0.2)
    return False


def serving(command: list[str], url: str, seconds: float, env: dict | None = None):
    """Start a server, wait until ``url`` answers; returns the process or None (stopped again)."""
    try:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    except OSError:
        return None
    if wait_for(url, process, seconds):
        return process
    stop(process)
    return None


def stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
