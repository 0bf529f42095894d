"""The ``catalog`` command: the DCAT-AP.de catalog (or the VoID description) of the published dataset."""

from __future__ import annotations

import click

from ..output import emit
from .options import graph_options, load_graph


@click.command()
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["turtle", "jsonld", "xml"]),
    default="turtle",
    show_default=True,
    help="RDF syntax of the catalog (xml is RDF/XML).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE (atomically).")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Publication configuration (TOML); default: the bundled Bottrop one.",
)
@click.option("--base-url", help="URL where the site is published (default: site_url of the configuration).")
@click.option("--void", "void", is_flag=True, help="Write the VoID description instead of the catalog (Turtle).")
@graph_options
def catalog(fmt: str, output: str | None, config_path: str | None, base_url: str | None, void: bool, **graph) -> None:
    """Write the DCAT-AP.de 3.0 catalog of the dataset, its downloads and its SPARQL service.

    Without a published site, byte sizes and checksums are those of the dumps and CSV tables as
    `reallabor publish` writes them, serialised in memory.
    """
    from ..portal import catalog_bytes, load_config, void_bytes

    config = load_config(config_path)
    kg = load_graph(**graph)
    base_iri = graph.get("base_iri")
    if void:
        emit(void_bytes(kg, config=config, site_url=base_url, base_iri=base_iri), output)
    else:
        emit(catalog_bytes(kg, fmt, config=config, site_url=base_url, base_iri=base_iri), output)
