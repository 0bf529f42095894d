"""The plain CSV tables offered beside the RDF dumps, for portal users who do not read RDF.

Each table is the SPARQL CSV result (RFC 4180, UTF-8, CRLF) of a query file in ``portal/sparql/``; the query
orders its rows, so the bytes are the same on every run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..results import write_result

if TYPE_CHECKING:
    from ..graph import KnowledgeGraph

SPARQL_DIR = Path(__file__).resolve().parent / "sparql"


def csv_table(kg: KnowledgeGraph, query_file: str) -> bytes:
    text = (SPARQL_DIR / query_file).read_text(encoding="utf-8")
    return write_result(kg.sparql(text), "csv").encode("utf-8")
