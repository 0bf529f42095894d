"""`reallabor serve`: the SPARQL endpoint, the REST API and the HTML pages over HTTP (uvicorn)."""

from __future__ import annotations

import socket

import click

from ..errors import InputError
from ..web.settings import WebSettings, setting_help
from .options import graph_options, load_graph

HELP = setting_help()
DEFAULTS = WebSettings()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option(
    "--query-timeout", type=float, default=DEFAULTS.query_timeout, show_default=True, help=HELP["query_timeout"]
)
@click.option("--row-limit", type=int, default=DEFAULTS.row_limit, show_default=True, help=HELP["row_limit"])
@click.option(
    "--max-query-bytes", type=int, default=DEFAULTS.max_query_bytes, show_default=True, help=HELP["max_query_bytes"]
)
@click.option("--workers", type=int, default=DEFAULTS.workers, show_default=True, help=HELP["workers"])
@click.option("--allow-service", is_flag=True, help=HELP["allow_service"])
@graph_options
def serve(
    host: str,
    port: int,
    query_timeout: float,
    row_limit: int,
    max_query_bytes: int,
    workers: int,
    allow_service: bool,
    **graph,
) -> None:
    """Serve the graph: /sparql (SPARQL 1.1 Protocol), /api (named questions, OpenAPI) and the pages."""
    settings = WebSettings(
        base_iri=graph["base_iri"] or DEFAULTS.base_iri,
        query_timeout=query_timeout,
        row_limit=row_limit,
        max_query_bytes=max_query_bytes,
        allow_service=allow_service,
        workers=workers,
    )
    run_serve(load_graph(**graph), settings, host, port)


def run_serve(kg, settings: WebSettings, host: str, port: int) -> None:
    """Run uvicorn on the app until interrupted; a port in use is a one-line error, not a traceback."""
    import uvicorn

    from ..web.app import create_app

    _check_port(host, port)
    uvicorn.run(create_app(kg, settings), host=host, port=port, log_level="info", access_log=False)


def _check_port(host: str, port: int) -> None:
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise InputError(f"--host {host} --port {port}: cannot listen there: {exc.strerror or exc}") from None
