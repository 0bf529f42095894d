"""The store engine's own floor beside reallabor's time, for the two aims of the scale issue that are not met.

    python bench/floors.py [--size 1e6] [--data FILE]

Loading: rdflib's parser, pyoxigraph's bulk loader alone into a named graph of a fresh on-disk store (one
call, then the file cut in parts on all cores as ``chunks`` does), and ``reallabor load --no-inference``.
Questions: bench/floors/NAME.rq is the skeleton of the named question NAME (the same rows, IRIs only: no
labels, no order), NAME+label.rq the skeleton with one label per row (one language, no fallback), and
NAME+labels.rq every value the question shows, in one language, written for this store; each runs raw in
pyoxigraph on the on-disk store with inference, beside the named question itself. If a variant that still
labels its rows takes longer than an aim, no rewrite of the question can meet it on this store and machine.
Prints a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import run  # bench/run.py: synthetic data and the named questions' timing
from perf import fmt_s as fmt  # the same way of writing a time

SKELETONS = Path(__file__).parent / "floors"
GRAPH = "https://w3id.org/reallabor/graph/local/floor"
VARIANTS = {"": "skeleton (IRIs only)", "+label": "skeleton and one label", "+labels": "every value, one language"}


def seconds(work: Callable[[], object], runs: int = 1) -> tuple[float, object]:
    """The median time of ``runs`` calls, and what the last one returned."""
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def load_rows(data: Path, work: Path) -> list[tuple[str, str, str]]:
    import pyoxigraph as ox

    from reallabor.chunks import split_statements
    from reallabor.load import bundled_sources, load_dataset, user_source
    from reallabor.oxigraph_store import build_store

    sources = [*bundled_sources(), user_source(data)]
    rdflib_time, dataset = seconds(lambda: load_dataset(sources))
    del dataset
    gc.collect()
    graph = ox.NamedNode(GRAPH)

    def one_call() -> None:
        ox.Store(str(fresh(work / "raw"))).bulk_load(path=str(data), format=ox.RdfFormat.TURTLE, to_graph=graph)

    def in_parts() -> None:
        store = ox.Store(str(fresh(work / "raw")))
        whole = data.read_bytes()
        parts = split_statements(whole, "turtle", os.cpu_count() or 1) or [whole]
        with ThreadPoolExecutor(len(parts)) as pool:
            list(pool.map(lambda part: store.bulk_load(part, format=ox.RdfFormat.TURTLE, to_graph=graph), parts))

    def ours() -> None:
        build_store(fresh(work / "ours"), sources, inference=False)

    rows = [("rdflib `load_dataset` (bundled + data)", "", fmt(rdflib_time))]
    for label, work_done in (
        ("pyoxigraph bulk load, one call (data file only)", one_call),
        ("pyoxigraph bulk load, parts (data file only)", in_parts),
        ("`reallabor load --no-inference` (its build_store)", ours),
    ):
        took, _ = seconds(work_done)
        rows.append((label, "", f"{fmt(took)} ({rdflib_time / took:.1f}× rdflib)"))
    return rows


def question_rows(data: Path, work: Path) -> list[tuple[str, str, str]]:
    from reallabor.graph import KnowledgeGraph
    from reallabor.load import bundled_sources, user_source
    from reallabor.oxigraph_store import OxigraphStore, build_store

    sources = [*bundled_sources(), user_source(data)]
    build_store(fresh(work / "inferred"), sources, inference=True)
    store = OxigraphStore.open(work / "inferred")
    graph = KnowledgeGraph(store, sources, inference=True)
    rows = []
    for name in sorted({path.stem.split("+")[0] for path in SKELETONS.glob("*.rq")}):
        for suffix, what in VARIANTS.items():
            if (SKELETONS / f"{name}{suffix}.rq").exists():
                text = (SKELETONS / f"{name}{suffix}.rq").read_text(encoding="utf-8")
                took, count = seconds(partial(count_rows, store.store, text), 3)
                rows.append((f"{name}: {what}, raw pyoxigraph", f"{count:,}", fmt(took)))
        whole, whole_rows = run._query_median(graph, name)
        rows.append((f"{name}: the named question", f"{whole_rows:,}", fmt(whole)))
    return rows


def count_rows(store, text: str) -> int:
    return sum(1 for _ in store.query(text, use_default_graph_as_union=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=1e6, help="Approximate triples (with the bundled graph).")
    parser.add_argument("--data", type=Path, help="A synthetic Turtle file to use instead of generating one.")
    args = parser.parse_args()
    os.environ.setdefault("REALLABOR_CACHE_DIR", tempfile.mkdtemp(prefix="reallabor-bench-cache-"))
    with tempfile.TemporaryDirectory(prefix="reallabor-floors-") as folder:
        work = Path(folder)
        data = args.data or run.make_data(args.size, work)[0]
        print(f"… {data}: loading", file=sys.stderr, flush=True)
        rows = load_rows(data, work)
        print("… questions on the on-disk store", file=sys.stderr, flush=True)
        rows += question_rows(data, work)
    print(f"{os.cpu_count()} cores; {data.name}\n")
    print("| measurement | rows | time |\n|---|---|---|")
    print("\n".join(f"| {name} | {count} | {took} |" for name, count, took in rows))


if __name__ == "__main__":
    main()
