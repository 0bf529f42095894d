"""The publish command: the linked-open-data site as static files."""

from __future__ import annotations

import click

from ..namespaces import DEFAULT_BASE_IRI
from .options import graph_options, load_graph


@click.command()
@click.argument("out_dir", type=click.Path(file_okay=False))
@click.option("--endpoint", default=None, help="URL of a SPARQL endpoint with the same data, for the query page.")
@graph_options
def publish(out_dir: str, endpoint: str | None, **graph) -> None:
    """Write the site (HTML, per-resource RDF, dumps, ontology docs, server rules) to OUT_DIR, replacing it whole.

    IRIs are rewritten to --base-iri (default https://w3id.org/reallabor/id/), which is where OUT_DIR is served.
    """
    from ..publish import publish as run_publish

    base_iri = graph.get("base_iri") or DEFAULT_BASE_IRI
    # The site's questions (pages, CSV tables, VoID counts) are answered by Oxigraph, which keeps them linear
    # in the data; the files themselves are written from the rdflib graph, as by `export`.
    report = run_publish(load_graph(**graph, snapshot=True), out_dir, base_iri, endpoint=endpoint)
    click.echo(
        f"wrote {report.files} files ({report.bytes / 1e6:.1f} MB, {report.pages} HTML pages) to {report.out_dir}",
        err=True,
    )
