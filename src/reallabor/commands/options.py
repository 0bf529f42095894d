"""Options shared by every command that loads the graph, declared once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from ..graph import KnowledgeGraph


def graph_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --data, --no-bundled, --no-inference, --no-cache and --base-iri to a command."""
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
    ]
    for option in reversed(options):
        command = option(command)
    return command


def load_graph(
    data_files: tuple[str, ...], no_bundled: bool, no_inference: bool, no_cache: bool, base_iri: str | None
) -> KnowledgeGraph:
    return KnowledgeGraph.load(
        data_files, bundled=not no_bundled, inference=not no_inference, cache=not no_cache, base_iri=base_iri
    )
