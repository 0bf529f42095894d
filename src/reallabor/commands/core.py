"""The core commands: queries, query, sparql, export, info."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import InputError
from ..formats import RDF_FORMATS, rdf_format, rdf_format_names, result_format_names
from ..output import emit
from ..queries import get_query, public_queries
from ..results import QueryResult, write_result
from .options import graph_options, load_graph, open_graph, remote_options

FORMAT_HELP = f"SELECT/ASK: {', '.join(result_format_names())}; CONSTRUCT/DESCRIBE: {', '.join(rdf_format_names())}."


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise InputError(f"-p {pair!r}: write parameters as NAME=VALUE")
        params[name.strip()] = value
    return params


def render(result: QueryResult, fmt: str) -> bytes:
    """SELECT/ASK in a result format, CONSTRUCT/DESCRIBE in an RDF format (Turtle unless one is named)."""
    if result.is_graph:
        from ..export import serialize_graph

        rdf_names = {name for f in RDF_FORMATS for name in (f.name, *f.aliases)}
        return serialize_graph(result.graph, rdf_format(fmt) if fmt in rdf_names else rdf_format("turtle"))
    return write_result(result, fmt).encode("utf-8")


def _output_options(command):
    command = click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE (atomically).")(
        command
    )
    command = click.option("--lang", default="de", show_default=True, help="Label language (falls back to en).")(
        command
    )
    return click.option("-f", "--format", "fmt", default="table", show_default=True, help=FORMAT_HELP)(command)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def queries(fmt: str) -> None:
    """List the named questions with title and parameters."""
    items = public_queries()
    if fmt == "json":
        listing = [
            {
                "name": q.name,
                "title": q.title,
                "description": q.description,
                "parameters": [p.__dict__ for p in q.parameters],
            }
            for q in items
        ]
        emit(json.dumps(listing, ensure_ascii=False, indent=2) + "\n")
        return
    for q in items:
        params = " ".join(f"{p.name}={p.example or p.default or '…'}" for p in q.parameters if p.name != "lang")
        click.echo(f"{q.name:<24} {q.title}" + (f"  [{params}]" if params else ""))


@click.command()
@click.argument("name")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="Parameter (repeatable).")
@_output_options
@remote_options
@graph_options
def query(name: str, params: tuple[str, ...], fmt: str, lang: str, output: str | None, **graph) -> None:
    """Answer the named question NAME (see `reallabor queries`), locally or with --endpoint on a remote store."""
    given = {"lang": lang, **_parse_params(params)}
    result = open_graph(default_endpoint=get_query(name).endpoint, **graph).query(name, given)
    emit(render(result, fmt), output)


@click.command()
@click.argument("text", required=False)
@click.option("--file", "file_", type=click.Path(dir_okay=False), help="Read the query from FILE.")
@_output_options
@remote_options
@graph_options
def sparql(text: str | None, file_: str | None, fmt: str, lang: str, output: str | None, **graph) -> None:
    """Run the SPARQL query TEXT (or --file FILE) over all graphs."""
    if (text is None) == (file_ is None):
        raise InputError("give either a query TEXT or --file FILE")
    if file_ is not None:
        try:
            text = Path(file_).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"--file {file_}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    result = open_graph(**graph).sparql(text)
    emit(render(result, fmt), output)


@click.command()
@click.option("-f", "--format", "fmt", default="turtle", show_default=True, help=", ".join(rdf_format_names()))
@click.option("--inferred", is_flag=True, help="Include the inferred triples.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE (atomically).")
@graph_options
def export(fmt: str, inferred: bool, output: str | None, **graph) -> None:
    """Export the asserted graph (and with --inferred the inferences) in an RDF syntax."""
    form = rdf_format(fmt)
    emit(load_graph(**graph).export(form.name, inferred=inferred), output)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@graph_options
def info(fmt: str, **graph) -> None:
    """Triple counts per named graph, instances per class, version."""
    summary = load_graph(**graph).info()
    if fmt == "json":
        payload = {
            "version": summary.version,
            "inference": summary.inference,
            "triples": summary.total,
            "graphs": summary.graphs,
            "classes": summary.classes,
        }
        emit(json.dumps(payload, indent=2) + "\n")
        return
    click.echo(
        f"reallabor {summary.version}  ({summary.total} triples, inference {'on' if summary.inference else 'off'})"
    )
    click.echo("\nNamed graphs:")
    for name, count in summary.graphs.items():
        click.echo(f"  {count:>7}  {name}")
    click.echo("\nClasses (instances):")
    for name, count in summary.classes.items():
        click.echo(f"  {count:>7}  {name}")
