"""A query's final ORDER BY, done in Python for the on-disk Oxigraph store.

Oxigraph sorts on its term identifiers and looks up each term's text in RocksDB for every comparison, which
made ORDER BY about half of a listing question's time on an on-disk store at 1e6 triples (measures-by-lab:
8.0 s with, 3.9 s without). Sorting the finished rows in Python reads each text once. Only the simplest and
commonest form is taken over: ORDER BY on plain variables (optionally ASC()/DESC()) as the query's last
clause, without LIMIT or OFFSET; anything else stays with the engine. The order follows SPARQL's: unbound,
blank nodes, IRIs, then literals, numbers by value and other literals by their text (code point order).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_KEY = r"(?:\?\w+|(?:ASC|DESC)\s*\(\s*\?\w+\s*\))"
_FINAL_ORDER_BY = re.compile(rf"\bORDER\s+BY((?:\s+{_KEY})+)\s*$", re.IGNORECASE)
_PARTS = re.compile(r"(ASC|DESC)?\s*\(?\s*\?(\w+)", re.IGNORECASE)
_NUMERIC_TYPES = (
    "integer decimal double float long int short byte nonNegativeInteger positiveInteger negativeInteger"
    " nonPositiveInteger unsignedLong unsignedInt unsignedShort unsignedByte"
)
_NUMERIC = {f"http://www.w3.org/2001/XMLSchema#{name}" for name in _NUMERIC_TYPES.split()}


@dataclass(frozen=True)
class SortKey:
    variable: str
    descending: bool


def split_order_by(text: str) -> tuple[str, list[SortKey]] | None:
    """``text`` without its final ORDER BY clause and the keys of that clause; None if there is none or it
    is not one this module can take over (the query then runs as written)."""
    match = _FINAL_ORDER_BY.search(text)  # the keys reach the end of the text: the outer query's clause
    if match is None:
        return None
    keys = [SortKey(name, (kind or "").upper() == "DESC") for kind, name in _PARTS.findall(match.group(1))]
    return text[: match.start()], keys


_SELECT = re.compile(r"\bSELECT\b", re.IGNORECASE)
_OUTER_SELECT = re.compile(r"SELECT\s+((?:\?\w+\s+)+)(?=WHERE\b|\{)", re.IGNORECASE)


def with_sort_keys(unordered: str, keys: Sequence[SortKey]) -> tuple[str, list[str]]:
    """``unordered`` with the sort keys its outer SELECT does not return added to it, and their names (to
    drop after sorting), so that a question may order on what it does not show (programme-table orders on
    ?kind and ?goalNumber). Only a SELECT of plain variables without GROUP BY or HAVING is widened: with
    DISTINCT, REDUCED or aggregates another projection could change the rows, so such a query is returned
    as it is (and sorted by the engine if it does not return every key)."""
    first = next((m for m in _SELECT.finditer(unordered) if not _in_comment(unordered, m.start())), None)
    match = _OUTER_SELECT.match(unordered, first.start()) if first is not None else None
    if match is None or not unordered.rstrip().endswith("}"):
        return unordered, []
    shown = set(re.findall(r"\?(\w+)", match.group(1)))
    missing = list(dict.fromkeys(key.variable for key in keys if key.variable not in shown))
    widened = match.group(1) + "".join(f"?{name} " for name in missing)
    return unordered[: match.start(1)] + widened + unordered[match.end(1) :], missing


def _in_comment(text: str, position: int) -> bool:
    return "#" in text[text.rfind("\n", 0, position) + 1 : position]


def sort_rows(rows: Sequence[Mapping[str, Any]], keys: Sequence[SortKey]) -> list[Mapping[str, Any]]:
    """``rows`` (pyoxigraph terms by variable) in the order of ``keys``; ties keep their order."""
    import pyoxigraph

    kinds = {pyoxigraph.BlankNode: 1, pyoxigraph.NamedNode: 2, pyoxigraph.Literal: 3}
    ordered = list(rows)
    for key in reversed(keys):  # stable sorts, last key first
        ordered.sort(key=lambda row, name=key.variable: _term_key(row.get(name), kinds), reverse=key.descending)
    return ordered


def _term_key(term: Any, kinds: Mapping[type, int]) -> tuple:
    if term is None:
        return (0,)
    kind = kinds[type(term)]
    if kind < 3:
        return (kind, term.value)
    datatype = term.datatype.value
    if datatype in _NUMERIC:
        try:
            return (3, 0, float(term.value), term.value)
        except ValueError:
            pass
    return (3, 1, term.value, term.language or "", datatype)
