"""Options shared by every command that loads the graph, declared once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from ..errors import InputError
from ..graph import KnowledgeGraph


def graph_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --data, --no-bundled, --no-inference, --no-cache, --base-iri and --store to a command."""
    options = [
        click.option(
            "--data",
            "data_files",
            multiple=True,
            type=click.Path(dir_okay=False),
            help="Extra RDF file to load beside the bundled graph (repeatable; any RDF syntax).",
        ),
        click.option("--no-bundled", is_flag=True, help="Do not load the bundled Bottrop data and ontology."),
        click.option("--no-inference", is_flag=True, help="Skip OWL RL inference (asserted triples only)."),
        click.option("--no-cache", is_flag=True, help="Recompute the inference closure instead of reusing it."),
        click.option("--base-iri", default=None, help="Rewrite instance IRIs to this base IRI."),
        click.option(
            "--store",
            default="memory",
            show_default=True,
            metavar="memory|oxigraph:PATH",
            help="Where the graph lives: rdflib in memory, or an on-disk Oxigraph store (built once, then reopened).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def load_graph(
    data_files: tuple[str, ...],
    no_bundled: bool,
    no_inference: bool,
    no_cache: bool,
    base_iri: str | None,
    store: str = "memory",
    snapshot: bool = False,
) -> KnowledgeGraph:
    return KnowledgeGraph.load(
        data_files,
        bundled=not no_bundled,
        inference=not no_inference,
        cache=not no_cache,
        base_iri=base_iri,
        store=store,
        snapshot=snapshot,
    )


def remote_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --endpoint, --graph and --timeout: ask a remote SPARQL endpoint instead of the local graph."""
    options = [
        click.option("--endpoint", default=None, metavar="URL", help="Run on this remote SPARQL query endpoint."),
        click.option(
            "--graph", "graph_iri", default=None, metavar="IRI", help="Remote default graph (default-graph-uri)."
        ),
        click.option(
            "--timeout",
            default=30.0,
            show_default=True,
            type=click.FloatRange(min=0.001),
            help="Seconds per remote request.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def open_graph(
    endpoint: str | None, graph_iri: str | None, timeout: float, default_endpoint: str | None = None, **graph: Any
) -> KnowledgeGraph:
    """The remote graph at ``endpoint`` if one is given, else the local graph the graph options describe.

    ``default_endpoint`` (a named question's ``#+ endpoint:``) applies when no local data or store is named.
    """
    if endpoint is None and default_endpoint and not graph.get("data_files") and graph.get("store") == "memory":
        endpoint = default_endpoint
    if endpoint is None:
        if graph_iri is not None:
            raise InputError("--graph names a remote graph; give --endpoint URL too")
        return load_graph(**graph, snapshot=True)  # answered from the warm Oxigraph snapshot when it exists
    if graph.get("data_files"):
        raise InputError("--data loads local files; it cannot be combined with --endpoint")
    if graph.get("store", "memory") != "memory":
        raise InputError("--store and --endpoint exclude each other")
    return KnowledgeGraph.remote(endpoint, graph=graph_iri, timeout=timeout)
