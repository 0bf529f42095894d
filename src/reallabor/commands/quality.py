"""Data-quality commands: validate (SHACL), template (spreadsheet out), import (spreadsheet in)."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from ..errors import ValidationFailed
from ..output import emit
from .options import graph_options, load_graph

LANGS = click.Choice(["de", "en"])


def _quiet_rdflib() -> None:
    """rdflib logs a traceback for every ill-typed literal; the report already names them, once."""
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)


@click.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "turtle", "json"]), default="text", show_default=True)
@click.option("--lang", type=LANGS, default="de", show_default=True, help="Language of the messages.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to FILE (atomically).")
def validate(files: tuple[str, ...], fmt: str, lang: str, output: str | None) -> None:
    """Validate the bundled data, or FILES with the ontology and reference data, against the SHACL shapes.

    Exit 0 when the data conforms (warnings allowed), 1 on violations, 2 when a file cannot be read.
    """
    from ..validate import render_report, validate_files

    _quiet_rdflib()
    report = validate_files(files, lang)
    emit(render_report(report, fmt, lang), output)
    if not report.conforms:
        raise ValidationFailed(f"{report.violations} violation(s), {report.warnings} warning(s)")


@click.command()
@click.argument("out_dir", type=click.Path(file_okay=False))
@click.option("--municipality", default=None, help="Which municipality to write when the data holds several (slug).")
@graph_options
def template(out_dir: str, municipality: str | None, **graph) -> None:
    """Write the spreadsheet layout to OUT_DIR (CSV files and one .xlsx workbook), filled with the data."""
    from ..spreadsheet import write_template

    graph["no_inference"] = True
    kg = load_graph(**graph)
    written = write_template(kg.graph(inferred=False), Path(out_dir), municipality)
    click.echo(f"wrote {len(written)} files to {out_dir}", err=True)


@click.command()
@click.argument("source", type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the Turtle to FILE (atomically).")
@click.option("--municipality", default=None, help="Mint IRIs under this municipality (name or slug).")
def import_(source: str, output: str | None, municipality: str | None) -> None:
    """Turn a spreadsheet (a folder of CSV files or an .xlsx workbook) into Turtle, validated first."""
    from ..export import serialize_graph
    from ..spreadsheet import import_spreadsheet

    _quiet_rdflib()
    graph = import_spreadsheet(Path(source), municipality)
    emit(serialize_graph(graph, "turtle"), output)
    if output:
        click.echo(f"wrote {len(graph)} triples to {output}", err=True)


import_.name = "import"
