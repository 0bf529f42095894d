"""The ``reallabor`` command: a thin click group whose commands load lazily.

Each command lives in ``reallabor.commands.*`` and is imported only when it runs, so ``reallabor query``
never pays for the web stack, the SHACL validator or the remote client. Errors of the package become one
line on stderr and the exit code the error carries (0 ok, 1 validation failed, 2 bad input).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys

import click

from .errors import ReallaborError

# name -> "module:function" under reallabor.commands; help text shown by `reallabor --help`.
COMMANDS: dict[str, tuple[str, str]] = {
    "queries": ("core:queries", "List the named questions with their parameters."),
    "query": ("core:query", "Answer a named question."),
    "sparql": ("core:sparql", "Run an ad-hoc SPARQL query."),
    "export": ("core:export", "Export the graph as Turtle, JSON-LD, N-Triples, N-Quads, RDF/XML or TriG."),
    "info": ("core:info", "Show triple counts per named graph, classes and version."),
    "validate": ("quality:validate", "Validate data against the SHACL shapes."),
    "template": ("quality:template", "Write the spreadsheet layout (CSV and .xlsx) filled with the current data."),
    "import": ("quality:import_", "Turn a spreadsheet (folder of CSVs or .xlsx) into Turtle."),
    "serve": ("serve:serve", "Serve the SPARQL endpoint, the REST API and the HTML pages."),
    "publish": ("publish:publish", "Write the linked-open-data site as static files."),
    "catalog": ("portal:catalog", "Write the DCAT-AP.de catalog of the published datasets."),
    "push": ("remote:push", "Upload the graph to a SPARQL store (Graph Store Protocol or Update)."),
    "pull": ("remote:pull", "Fetch a named graph from a SPARQL store."),
    "load": ("remote:load", "Bulk load RDF files into an on-disk Oxigraph store."),
    "synth": ("remote:synth", "Generate a synthetic multi-municipality dataset for benchmarks."),
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command is invoked or asked for help."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in sorted(COMMANDS) if _module_exists(name)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS or not _module_exists(cmd_name):
            return None
        module_name, attribute = COMMANDS[cmd_name][0].split(":")
        module = importlib.import_module(f"reallabor.commands.{module_name}")
        return getattr(module, attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ReallaborError as exc:
            click.echo(f"reallabor: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("reallabor: interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:  # the reader went away (`reallabor info | head`): stop quietly, like other tools
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(141)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # a bug: still one line for the user, the traceback on request
            if os.environ.get("REALLABOR_DEBUG"):
                raise
            message = " ".join(str(exc).split()) or type(exc).__name__
            click.echo(f"reallabor: internal error ({type(exc).__name__}): {message}", err=True)
            click.echo("  set REALLABOR_DEBUG=1 for the traceback, and please report it", err=True)
            ctx.exit(70)


def _module_exists(command: str) -> bool:
    module_name = COMMANDS[command][0].split(":")[0]
    return importlib.util.find_spec(f"reallabor.commands.{module_name}") is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="reallabor")
def main() -> None:
    """Knowledge graph of municipal real-world labs: SPARQL questions, exports, linked open data."""


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
