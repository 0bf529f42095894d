"""The plain CSV tables offered beside the RDF dumps, for portal users who do not read RDF.

Each table is the SPARQL CSV result (RFC 4180, UTF-8, CRLF) of a query file in ``portal/sparql/``; the query
orders its rows, so the bytes are the same on every run. These tables are meant to be opened in a spreadsheet,
so a cell that starts with = + - @ (or a tab / carriage return) gets a leading apostrophe: a label such as
``=HYPERLINK(...)`` is shown as text instead of running as a formula (OWASP "CSV injection"). The SPARQL
endpoint's CSV results are left exact, as SPARQL 1.1 defines them for programs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..formulas import neutralise
from ..results import write_result

if TYPE_CHECKING:
    from ..graph import KnowledgeGraph

SPARQL_DIR = Path(__file__).resolve().parent / "sparql"


def csv_table(kg: KnowledgeGraph, query_file: str) -> bytes:
    text = (SPARQL_DIR / query_file).read_text(encoding="utf-8")
    return neutralise_formulas(write_result(kg.sparql(text), "csv")).encode("utf-8")


def neutralise_formulas(table: str) -> str:
    """The CSV ``table`` with every cell that a spreadsheet would run as a formula prefixed by an apostrophe."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(table, newline="")))
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([neutralise(c) for c in row] if number else row for number, row in enumerate(rows))
    return out.getvalue()
