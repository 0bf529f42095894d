"""Load test of `reallabor serve`: a mix of named questions, ad-hoc SPARQL, resource pages and dumps.

Starts the real server on a free loopback port (never anything else), then for each concurrency level sends
a bounded number of requests from that many client threads and reports throughput, p50/p99 latency, the
error count (any status other than the expected one) and the server's resident memory before and after.
The whole run is bounded in requests and time. Prints a Markdown table; writes a file only with --output.

    /work/venv/bin/python bench/load_test.py                      # default: 1, 4, 16, 64 clients
    /work/venv/bin/python bench/load_test.py --levels 1,8,32 --requests 800 --rounds 3 --output load.md
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadgen import free_port, run_threads, serving, stop

LAB = "https://w3id.org/reallabor/ontology#RealWorldLab"
# (label, path, params, headers): what a municipal portal's visitors and harvesters ask for.
MIX: list[tuple[str, str, dict[str, str], dict[str, str]]] = [
    ("named", "/api/queries/labs", {}, {}),
    ("named", "/api/queries/sdg-coverage", {"lang": "en"}, {"Accept": "text/csv"}),
    ("named", "/api/queries/labs-by-sdg", {"sdg": "11"}, {}),
    ("sparql", "/sparql", {"query": f"SELECT ?lab WHERE {{ ?lab a <{LAB}> }} ORDER BY ?lab"}, {}),
    ("sparql", "/sparql", {"query": "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"}, {}),
    # {n} differs per request, so this one always reaches a query worker (no answer cache).
    (
        "sparql-uncached",
        "/sparql",
        {"query": "SELECT ?s ?o WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?o } LIMIT {n}"},
        {},
    ),
    ("page", "/reallabor/id/index.html", {}, {}),
    ("page", "/reallabor/id/sdg/11.html", {}, {}),
    ("data", "/reallabor/id/sdg/11.ttl", {}, {}),
    ("dump", "/reallabor/id/dumps/reallabor.nt.gz", {}, {}),
]


@dataclass
class Level:
    clients: int
    requests: int
    seconds: float
    latencies: list[float]
    errors: int
    rss_before: int
    rss_after: int

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else float("nan")


@contextlib.contextmanager
def server(args: list[str]) -> Iterator[tuple[str, int]]:
    """`reallabor serve` on loopback; yields its URL and pid, stops it afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "reallabor.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *args]
    process = serving(command, url + "/sparql?query=ASK%20%7B%7D", 300)
    if process is None:
        sys.exit("reallabor serve did not start within 300 s (run it by hand to see why)")
    try:
        yield url, process.pid
    finally:
        stop(process)


def rss(pid: int) -> int:
    """Resident memory of the server process and its query workers (children), in bytes."""
    total = 0
    for candidate in [pid, *_children(pid)]:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{candidate}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
    return total


def _children(pid: int) -> list[int]:
    found = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            found += [int(c) for c in text.split()]
    return found


def run_level(url: str, pid: int, clients: int, requests: int, deadline: float) -> Level:
    """``requests`` requests spread over ``clients`` threads, each with its own keep-alive connection."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker() -> None:
        nonlocal errors
        with httpx.Client(base_url=url, timeout=60) as client:
            while time.monotonic() < deadline:
                with lock:
                    index = next(counter, None)
                if index is None:
                    return
                _, path, params, headers = MIX[index % len(MIX)]
                params = {k: v.replace("{n}", str(index + 1)) for k, v in params.items()}
                started = time.perf_counter()
                try:
                    ok = client.get(path, params=params, headers=headers).status_code == 200
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    errors += not ok

    before = rss(pid)
    seconds = run_threads(worker, clients)
    return Level(clients, len(latencies), seconds, latencies, errors, before, rss(pid))


def table(levels: list[Level]) -> str:
    lines = [
        "| round | clients | requests | throughput (req/s) | p50 (ms) | p99 (ms) | errors | server RSS (MiB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for round_number, level in levels:
        lines.append(
            f"| {round_number} | {level.clients} | {level.requests} | {level.throughput:.0f} | "
            f"{level.percentile(0.5):.1f} | {level.percentile(0.99):.1f} | {level.errors} | "
            f"{level.rss_before / 2**20:.0f} → {level.rss_after / 2**20:.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,4,16,64", help="Concurrency levels (client threads), comma-separated.")
    parser.add_argument("--requests", type=int, default=600, help="Requests per level and round.")
    parser.add_argument("--rounds", type=int, default=2, help="Rounds over all levels (memory growth shows here).")
    parser.add_argument("--max-seconds", type=float, default=600, help="Stop the whole run after this many seconds.")
    parser.add_argument("--workers", type=int, default=2, help="Query workers of the server.")
    parser.add_argument("--output", type=Path, help="Also write the Markdown table to this file (atomically).")
    options = parser.parse_args(argv)
    levels = [int(n) for n in options.levels.split(",")]
    deadline = time.monotonic() + options.max_seconds
    results: list[tuple[int, Level]] = []
    with server(["--workers", str(options.workers)]) as (url, pid):
        for path, params, headers in ((m[1], m[2], m[3]) for m in MIX):  # warm the answer caches once
            httpx.get(url + path, params={k: v.replace("{n}", "1") for k, v in params.items()}, headers=headers)
        start_rss = rss(pid)
        for round_number in range(1, options.rounds + 1):
            for clients in levels:
                if time.monotonic() >= deadline:
                    break
                level = run_level(url, pid, clients, options.requests, deadline)
                results.append((round_number, level))
                print(f"round {round_number}, {clients} clients: {level.throughput:.0f} req/s", file=sys.stderr)
        end_rss = rss(pid)
    cpus = os.cpu_count()
    summary = (
        f"{table(results)}\n\nMix per request cycle: {', '.join(m[0] + ' ' + m[1] for m in MIX)}.\n"
        f"Server: `reallabor serve --workers {options.workers}`, bundled data; {cpus} CPUs; loopback. "
        f"Server RSS (main process + query workers) after warm-up {start_rss / 2**20:.0f} MiB, "
        f"at the end {end_rss / 2**20:.0f} MiB.\n"
    )
    print(summary)
    if options.output:
        from reallabor.atomic import atomic_write_bytes

        atomic_write_bytes(options.output, summary.encode("utf-8"))
    return 1 if any(level.errors for _, level in results) else 0


if __name__ == "__main__":
    sys.exit(main())
