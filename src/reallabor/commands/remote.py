"""The store commands: push, pull, load (Oxigraph) and synth (synthetic data for benchmarks)."""

from __future__ import annotations

import click

from ..errors import InputError
from ..output import emit
from .options import graph_options, load_graph

_TIMEOUT = click.option(
    "--timeout", default=30.0, show_default=True, type=click.FloatRange(min=0.001), help="Seconds per request."
)


@click.command()
@click.option("--gsp", "gsp_url", metavar="URL", help="Graph Store Protocol URL (e.g. Oxigraph's /store).")
@click.option("--update", "update_url", metavar="URL", help="SPARQL Update URL, for stores without the GSP.")
@click.option("--graph", "graph_iri", metavar="IRI", help="Target named graph (default: the default graph).")
@click.option("--inferred", is_flag=True, help="Include the inferred triples (for stores without a reasoner).")
@click.option("--chunk-size", default=10_000, show_default=True, type=click.IntRange(min=1), help="Triples per Update.")
@_TIMEOUT
@graph_options
def push(
    gsp_url: str | None,
    update_url: str | None,
    graph_iri: str | None,
    inferred: bool,
    chunk_size: int,
    timeout: float,
    **graph,
) -> None:
    """Replace a graph of a SPARQL store with this graph (GSP PUT, or chunked SPARQL Update)."""
    from ..gsp import put_graph, update_graph
    from ..remote import Settings, display_url

    if (gsp_url is None) == (update_url is None):
        raise InputError("give exactly one of --gsp URL or --update URL")
    if inferred and graph.get("no_inference"):
        raise InputError("--inferred needs inference; drop --no-inference")
    triples = load_graph(**graph).graph(inferred=inferred)
    settings = Settings(timeout=timeout)
    if gsp_url is not None:
        count = put_graph(gsp_url, graph_iri, triples, settings)
    else:
        count = update_graph(update_url, graph_iri, triples, settings, chunk_size)
    where = display_url(gsp_url or update_url or "")
    click.echo(f"pushed {count} triples to {graph_iri or 'the default graph'} at {where}", err=True)


@click.command()
@click.option("--gsp", "gsp_url", required=True, metavar="URL", help="Graph Store Protocol URL.")
@click.option("--graph", "graph_iri", metavar="IRI", help="The named graph to fetch (default: the default graph).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE (atomically); format from suffix.")
@click.option("-f", "--format", "fmt", default=None, help="RDF format (default: from the -o suffix, else turtle).")
@_TIMEOUT
def pull(gsp_url: str, graph_iri: str | None, output: str | None, fmt: str | None, timeout: float) -> None:
    """Fetch a graph from a SPARQL store and write it deterministically."""
    from ..export import serialize_graph
    from ..formats import rdf_format, rdf_format_for_path
    from ..gsp import get_graph
    from ..remote import Settings

    form = rdf_format(fmt) if fmt else (rdf_format_for_path(output) if output else None) or rdf_format("turtle")
    fetched = get_graph(gsp_url, graph_iri, Settings(timeout=timeout))
    emit(serialize_graph(fetched, form), output)


@click.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--store", "store", required=True, metavar="oxigraph:PATH", help="The on-disk store to (re)build.")
@click.option("--no-bundled", is_flag=True, help="Do not load the bundled Bottrop data and ontology.")
@click.option("--no-inference", is_flag=True, help="Skip OWL RL inference (asserted triples only).")
@click.option("--no-cache", is_flag=True, help="Recompute the inference closure instead of reusing it.")
@click.option("--base-iri", default=None, help="Rewrite instance IRIs to this base IRI.")
def load(
    files: tuple[str, ...], store: str, no_bundled: bool, no_inference: bool, no_cache: bool, base_iri: str | None
) -> None:
    """Bulk load the bundled graph and FILES into an Oxigraph store, replacing it whole."""
    from ..load import bundled_sources, user_source
    from ..oxigraph_store import build_store, parse_store_spec

    path = parse_store_spec(store)
    if path is None:
        raise InputError("--store: `load` builds an on-disk store; give oxigraph:PATH")
    sources = (bundled_sources() if not no_bundled else []) + [user_source(f) for f in files]
    if not sources:
        raise InputError("nothing to load: give FILE arguments or drop --no-bundled")
    manifest = build_store(path, sources, inference=not no_inference, cache=not no_cache, base_iri=base_iri)
    total = sum(manifest["graphs"].values())
    click.echo(f"loaded {total} triples in {len(manifest['graphs'])} graphs into {path} ({manifest['seconds']} s)")


@click.command()
@click.option("--municipalities", "-n", required=True, type=click.IntRange(min=1), help="How many municipalities.")
@click.option("--seed", default=1, show_default=True, type=int, help="Random seed (same seed, same bytes).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE (atomically).")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["turtle", "ntriples"]), default=None, help="Default: from suffix."
)
def synth(municipalities: int, seed: int, output: str | None, fmt: str | None) -> None:
    """Generate clearly synthetic labs, measures and links for N municipalities (for benchmarks and tests)."""
    from ..synth import generate

    chosen = fmt or ("ntriples" if output and output.endswith(".nt") else "turtle")
    emit(generate(municipalities, seed=seed, fmt=chosen), output)
