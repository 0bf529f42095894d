"""`reallabor serve`: the SPARQL endpoint, the REST API and the HTML pages over HTTP (uvicorn)."""

from __future__ import annotations

import socket
from dataclasses import fields

import click

from ..errors import InputError
from ..web.settings import WebSettings, setting_help
from .options import graph_options, load_graph

HELP = setting_help()
DEFAULTS = WebSettings()
# base_iri comes from the shared --base-iri graph option; every other setting becomes an option of its own.
SETTING_NAMES = [f.name for f in fields(WebSettings) if f.name != "base_iri"]


def settings_options(command):
    """One option per WebSettings field: name, default and help are declared once, in web/settings.py."""
    for name in reversed(SETTING_NAMES):
        default = getattr(DEFAULTS, name)
        flag = "--" + name.replace("_", "-")
        if isinstance(default, bool):
            command = click.option(flag, is_flag=True, default=default, help=HELP[name])(command)
        elif isinstance(default, tuple):
            command = click.option(flag, multiple=True, default=default, show_default=True, help=HELP[name])(command)
        else:
            command = click.option(flag, type=type(default), default=default, show_default=True, help=HELP[name])(
                command
            )
    return command


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@settings_options
@graph_options
def serve(host: str, port: int, **options) -> None:
    """Serve the graph: /sparql (SPARQL 1.1 Protocol), /api (named questions, OpenAPI) and the pages."""
    chosen = {name: options.pop(name) for name in SETTING_NAMES}
    chosen = {name: tuple(v) if isinstance(v, list) else v for name, v in chosen.items()}
    settings = WebSettings(base_iri=options["base_iri"] or DEFAULTS.base_iri, **chosen)
    run_serve(load_graph(**options), settings, host, port)


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
