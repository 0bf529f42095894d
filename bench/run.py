"""Benchmark: load, inference, every named question, Turtle and JSON-LD export, memory vs Oxigraph store.

    python bench/run.py [--sizes 1e4,1e5,1e6] [--budget 120] [--stores memory,oxigraph]

For each size a synthetic dataset (``reallabor synth``) plus the bundled graph is measured; each store runs in
its own subprocess, so the peak RSS of a column is that store's alone. A step that exceeds the per-step time
budget is killed and reported as "skipped (>N s)"; the steps after it run in a fresh process. Prints a
Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import select
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

QUERY_STEPS_PREFIX = "query "
CONTROL_STEPS_PREFIX = "control "  # + the name of a query in bench/control/, run as it is
CONTROLS = Path(__file__).parent / "control"
REPEAT_BELOW = 5.0  # seconds


# -- the child: one store, a list of steps ----------------------------------------------------------------


def child(store_kind: str, data: Path, steps: list[str], workdir: Path) -> None:
    """Run ``steps`` on one store, printing one JSON line per step (seconds and peak RSS so far)."""
    from reallabor.graph import KnowledgeGraph
    from reallabor.load import bundled_sources, user_source

    sources = [*bundled_sources(), user_source(data)]
    started = time.perf_counter()
    store = _load(store_kind, sources, workdir)
    report("load", started)
    graph = KnowledgeGraph(store, sources, inference=False)
    for step in steps:
        started = time.perf_counter()
        if step == "reopen":
            if store_kind != "oxigraph":
                report(step, None)
                continue
            from reallabor.oxigraph_store import OxigraphStore

            graph.store.close()
            started = time.perf_counter()
            graph.store = OxigraphStore.open(workdir / "store", read_only=True)
            graph.store.query("ASK { ?s ?p ?o }")
        elif step == "inference":
            if store_kind == "oxigraph":
                from reallabor.oxigraph_store import OxigraphStore

                graph.store.close()
                graph.store = OxigraphStore.open(workdir / "store", read_only=False)
                started = time.perf_counter()
            _infer(store_kind, graph.store, sources)
            graph.inference = True
        elif step.startswith(QUERY_STEPS_PREFIX):
            seconds, rows = _query_median(graph, step[len(QUERY_STEPS_PREFIX) :])
            report(step, None, seconds=seconds, rows=rows)
            continue
        elif step.startswith(CONTROL_STEPS_PREFIX):
            text = (CONTROLS / f"{step[len(CONTROL_STEPS_PREFIX) :]}.rq").read_text(encoding="utf-8")
            seconds, rows = _median(partial(graph.sparql, text))
            report(step, None, seconds=seconds, rows=rows)
            continue
        elif step.startswith("export "):
            graph.export(step.split()[1], inferred=graph.inference)
        report(step, started)


def _load(store_kind: str, sources, workdir: Path):
    if store_kind == "memory":
        from reallabor.load import load_dataset
        from reallabor.store import MemoryStore

        return MemoryStore(load_dataset(sources))
    from reallabor.oxigraph_store import OxigraphStore, build_store

    build_store(workdir / "store", sources, inference=False)
    return OxigraphStore.open(workdir / "store", read_only=True)


def _infer(store_kind: str, store, sources) -> None:
    if store_kind == "memory":
        from reallabor.inference import add_inferences

        add_inferences(store.dataset, sources, use_cache=False)
    else:
        from reallabor.oxigraph_store import add_inferences

        add_inferences(store, sources, cache=False)


def _query_median(graph, name: str) -> tuple[float, int]:
    """Seconds for one named question with its example parameters, and the rows it returned (the growth of
    a question is judged against the growth of its answer, too)."""
    named = next(q for q in graph.named_queries() if q.name == name)
    params = {p.name: p.example for p in named.parameters if p.example is not None and p.name != "lang"}
    return _median(lambda: graph.query(name, params))


def _median(ask) -> tuple[float, int]:
    """The median of three runs when one takes under REPEAT_BELOW seconds (single cold runs of fast questions
    varied 2-3x between benchmark runs), else the one run; and the rows of the answer."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        result = ask()
        times.append(time.perf_counter() - started)
        if times[0] >= REPEAT_BELOW:
            break
    return statistics.median(times), len(result.native_rows)


def report(step: str, started: float | None, seconds: float | None = None, rows: int | None = None) -> None:
    if started is not None:
        seconds = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"step": step, "seconds": seconds, "rss_mb": rss_mb, "rows": rows}), flush=True)


# -- the parent: sizes, subprocesses, budget, table -------------------------------------------------------


def run_store(
    store_kind: str, data: Path, steps: list[str], budget: float, rows: dict[str, int] | None = None
) -> tuple[dict[str, str], float]:
    """Run every step for one store within the budget; returns cell texts by step and the peak RSS in MB, and
    fills ``rows`` with the rows each named question returned."""
    cells: dict[str, str] = {}
    peak = 0.0
    remaining = list(steps)
    while remaining:
        with tempfile.TemporaryDirectory(prefix="reallabor-bench-") as workdir:
            command = [sys.executable, __file__, "--child", store_kind, "--data", str(data), "--workdir", workdir]
            command += ["--steps", json.dumps(remaining[1:] if remaining[0] == "load" else remaining)]
            process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
            expected = ["load", *[s for s in remaining if s != "load"]]
            done, peak = _collect(process, expected, budget, cells, peak, remaining[0] == "load", rows)
        remaining = [s for s in remaining if s not in cells]
        if done is not True and remaining:
            stuck = remaining.pop(0)
            cells[stuck] = f"skipped (>{budget:g} s)" if done is False else "failed"
            if stuck == "load":
                cells.update({s: "skipped (load)" for s in remaining})
                remaining = []
    return cells, peak


def _collect(process, expected, budget, cells, peak, report_load, rows) -> tuple[bool | None, float]:
    """Read the child's lines; kill it when one step runs past the budget (False), None if it died."""
    deadline = time.monotonic() + budget
    for _ in expected:
        while True:
            ready, _, _ = select.select([process.stdout], [], [], max(0.0, deadline - time.monotonic()))
            if ready:
                break
            if time.monotonic() >= deadline:
                process.kill()
                process.wait()
                return False, peak
        line = process.stdout.readline()
        if not line:
            process.wait()
            return None, peak
        record = json.loads(line)
        peak = max(peak, record["rss_mb"])
        if rows is not None and record.get("rows") is not None:
            rows[record["step"]] = record["rows"]
        if record["step"] != "load" or report_load:
            cells[record["step"]] = "n/a" if record["seconds"] is None else f"{record['seconds']:.3g} s"
            print(f"  {record['step']}: {cells[record['step']]}", file=sys.stderr, flush=True)
        deadline = time.monotonic() + budget
    process.wait()
    return True, peak


def seconds(cell: str) -> float | None:
    """The seconds in a cell of the table ("0.5 s"), None for a skipped or failed step."""
    number, _, unit = cell.partition(" ")
    try:
        return float(number) if unit == "s" else None
    except ValueError:
        return None


def make_data(size: float, folder: Path) -> tuple[Path, int]:
    """A synthetic Turtle file whose triples plus the bundled graph come to about ``size``."""
    from reallabor.synth import generate, triples

    bundled = 2_750
    per_municipality = sum(1 for _ in triples(20, seed=1)) / 20
    count = max(1, round((size - bundled) / per_municipality))
    path = folder / f"synth-{count}.ttl"
    path.write_bytes(generate(count, seed=1))
    return path, count


def count_triples(path: Path) -> int:
    import pyoxigraph

    return sum(1 for _ in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)) + 2_750


def all_steps() -> list[str]:
    from reallabor.queries import public_queries

    queries = [QUERY_STEPS_PREFIX + q.name for q in public_queries()]
    return ["load", "reopen", *queries, "export turtle", "export jsonld", "inference"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e4,1e5,1e6", help="Approximate triple counts, comma-separated.")
    parser.add_argument("--stores", default="memory,oxigraph")
    parser.add_argument("--budget", type=float, default=120.0, help="Seconds allowed per step.")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--steps", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, Path(args.data), json.loads(args.steps), Path(args.workdir))
        return
    os.environ.setdefault("REALLABOR_CACHE_DIR", tempfile.mkdtemp(prefix="reallabor-bench-cache-"))
    steps = all_steps()
    stores = args.stores.split(",")
    columns: list[tuple[str, dict[str, str], float]] = []
    with tempfile.TemporaryDirectory(prefix="reallabor-bench-data-") as folder:
        for size in (float(s) for s in args.sizes.split(",")):
            data, municipalities = make_data(size, Path(folder))
            total = count_triples(data)
            for store in stores:
                print(f"… {total} triples ({municipalities} municipalities), {store}", file=sys.stderr, flush=True)
                cells, peak = run_store(store, data, steps, args.budget)
                columns.append((f"{store} {total:,} t", cells, peak))
    print(table(steps, columns))


def table(steps: list[str], columns: list[tuple[str, dict[str, str], float]]) -> str:
    header = "| step | " + " | ".join(name for name, _, _ in columns) + " |"
    lines = [header, "|---" * (len(columns) + 1) + "|"]
    for step in steps:
        lines.append(f"| {step} | " + " | ".join(cells.get(step, "") for _, cells, _ in columns) + " |")
    lines.append("| peak RSS | " + " | ".join(f"{peak:.0f} MB" for _, _, peak in columns) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
