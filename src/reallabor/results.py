"""Query results in one shape, whatever answered them, and their standard serialisations.

Local rdflib, Oxigraph and remote endpoints all produce a ``QueryResult``; the writers below turn it into
SPARQL 1.1 JSON/XML/CSV/TSV results, a Markdown table or a plain aligned table, byte for byte the same for
the same rows.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any
from typing import Literal as TypingLiteral

from . import terms
from .namespaces import PREFIXES

QueryKind = TypingLiteral["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]
# A row maps variable names to RDF terms: rdflib terms from the in-memory store, pyoxigraph terms from the
# snapshot store; reallabor.terms reads both, so every writer below works on either.
Node = Any
Row = dict[str, Node]


class QueryResult:
    """One answer: a boolean (ASK), a graph (CONSTRUCT/DESCRIBE) or variables and rows (SELECT).

    A store whose own terms are not rdflib's may hand over ``native_rows`` and a ``convert`` function: the
    writers read the native terms directly (reallabor.terms), and ``rows`` converts them only when read.
    """

    def __init__(
        self,
        kind: QueryKind,
        variables: list[str] | None = None,
        rows: list[Row] | None = None,
        boolean: bool | None = None,
        graph: Any = None,
        *,
        native_rows: list[Row] | None = None,
        convert: Callable[[Node], Node] | None = None,
    ) -> None:
        self.kind = kind
        self.variables = list(variables or [])
        self._rows = rows if rows is not None or native_rows is not None else []
        self._native = native_rows
        self._convert = convert
        self.boolean = boolean
        self.graph = graph  # an rdflib Graph for CONSTRUCT/DESCRIBE

    @property
    def rows(self) -> list[Row]:
        if self._rows is None:
            convert = self._convert or (lambda term: term)
            self._rows = [{name: convert(term) for name, term in row.items()} for row in self._native or []]
        return self._rows

    @rows.setter
    def rows(self, rows: list[Row]) -> None:
        self._rows, self._native = rows, None

    @property
    def native_rows(self) -> list[Row]:
        """The rows as the store made them (what the writers read: no conversion needed)."""
        return self._native if self._native is not None else self.rows

    @property
    def is_graph(self) -> bool:
        return self.kind in ("CONSTRUCT", "DESCRIBE")

    def values(self, variable: str) -> list[Node | None]:
        """The column ``variable``, one entry per row (None where unbound)."""
        return [row.get(variable) for row in self.rows]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QueryResult):
            return NotImplemented
        mine = (self.kind, self.variables, self.rows, self.boolean, self.graph)
        return mine == (other.kind, other.variables, other.rows, other.boolean, other.graph)

    def __repr__(self) -> str:
        return f"QueryResult({self.kind!r}, variables={self.variables!r}, rows={len(self.native_rows)} rows)"


def compact(term: Node | None) -> str:
    """A short human form: prefixed name for known namespaces, lexical form for literals."""
    if term is None:
        return ""
    form, text = terms.kind(term), terms.value(term)
    if form == "uri":
        for prefix, namespace in PREFIXES.items():
            if text.startswith(namespace) and len(text) > len(namespace):
                return f"{prefix}:{text[len(namespace) :]}"
        return text
    return f"_:{text}" if form == "bnode" else text


def _boolean_rows(result: QueryResult) -> tuple[list[str], list[list[str]]]:
    return ["boolean"], [["true" if result.boolean else "false"]]


def _cells(result: QueryResult, render) -> tuple[list[str], list[list[str]]]:
    if result.kind == "ASK":
        return _boolean_rows(result)
    return result.variables, [[render(row.get(v)) for v in result.variables] for row in result.native_rows]


def write_table(result: QueryResult) -> str:
    header, rows = _cells(result, compact)
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()  # noqa: E731
    out = [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]
    if result.kind == "SELECT":
        out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def write_markdown(result: QueryResult) -> str:
    header, rows = _cells(result, compact)
    cell = lambda text: text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")  # noqa: E731
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(out) + "\n"


def _csv_value(term: Node | None) -> str:
    if term is None:
        return ""
    return f"_:{terms.value(term)}" if terms.kind(term) == "bnode" else terms.value(term)


def write_csv(result: QueryResult) -> str:
    """SPARQL 1.1 CSV results: plain values, CRLF line ends, RFC 4180 quoting."""
    header, rows = _cells(result, _csv_value)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _tsv_value(term: Node | None) -> str:
    return "" if term is None else terms.n3(term)


def write_tsv(result: QueryResult) -> str:
    """SPARQL 1.1 TSV results: ?-prefixed header, terms in Turtle/N-Triples syntax."""
    if result.kind == "ASK":
        return "?boolean\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join(_tsv_value(row.get(v)) for v in result.variables) for row in result.native_rows]
    return "\n".join(lines) + "\n"


def term_to_json(term: Node) -> dict[str, str]:
    out = {"type": terms.kind(term), "value": terms.value(term)}
    if terms.language(term):
        out["xml:lang"] = terms.language(term)
    elif terms.datatype(term):
        out["datatype"] = terms.datatype(term)
    return out


def to_json_dict(result: QueryResult) -> dict:
    if result.kind == "ASK":
        return {"head": {}, "boolean": bool(result.boolean)}
    bindings = [
        {v: term_to_json(row[v]) for v in result.variables if row.get(v) is not None} for row in result.native_rows
    ]
    return {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}


def write_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON."""
    return json.dumps(to_json_dict(result), ensure_ascii=False, indent=2) + "\n"


def escape(text: str) -> str:
    """XML character data; xml.sax.saxutils would do the same but imports urllib.request on the way."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    return '"' + escape(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;") + '"'


def _xml_term(term: Node) -> str:
    form, text = terms.kind(term), escape(terms.value(term))
    if form != "literal":
        return f"<{form}>{text}</{form}>"
    attrs = ""
    if terms.language(term):
        attrs = f" xml:lang={quoteattr(terms.language(term))}"
    elif terms.datatype(term):
        attrs = f" datatype={quoteattr(terms.datatype(term))}"
    return f"<literal{attrs}>{text}</literal>"


def write_xml(result: QueryResult) -> str:
    """SPARQL Query Results XML Format."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
    ]
    if result.kind == "ASK":
        out += ["  <head/>", f"  <boolean>{'true' if result.boolean else 'false'}</boolean>", "</sparql>"]
        return "\n".join(out) + "\n"
    out.append("  <head>")
    out += [f"    <variable name={quoteattr(v)}/>" for v in result.variables]
    out += ["  </head>", "  <results>"]
    for row in result.native_rows:
        out.append("    <result>")
        out += [
            f"      <binding name={quoteattr(v)}>{_xml_term(row[v])}</binding>"
            for v in result.variables
            if row.get(v) is not None
        ]
        out.append("    </result>")
    out += ["  </results>", "</sparql>"]
    return "\n".join(out) + "\n"


WRITERS = {
    "table": write_table,
    "md": write_markdown,
    "csv": write_csv,
    "tsv": write_tsv,
    "json": write_json,
    "xml": write_xml,
}


def write_result(result: QueryResult, fmt: str) -> str:
    """Serialise a SELECT/ASK result in the result format named ``fmt`` (see ``formats``)."""
    from .formats import result_format

    return WRITERS[result_format(fmt).name](result)
