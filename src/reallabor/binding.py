"""Binding parameters into SPARQL text as a VALUES block at the start of the outermost WHERE group.

One mechanism for every backend (rdflib, Oxigraph, remote endpoints): the values are RDF terms written in
their N-Triples form (``terms.n3``), so quotes, braces and backslashes in a value stay inside its literal and
can never change the query's structure. A block at the start of the group behaves like a pre-binding: every
pattern and every FILTER in the group (OPTIONAL ones included) sees the value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from . import terms
from .errors import ParameterError, QuerySyntaxError

Node = Any  # an rdflib, pyoxigraph or reallabor.terms term

# Tokens that may contain braces but must not be counted: strings, IRIs, comments.
_SKIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*',
)
_CONSTRUCT = re.compile(r"\bCONSTRUCT\s*$", re.IGNORECASE)


# SPARQL 1.1 (section 19.2) expands \uXXXX and \UXXXXXXXX anywhere in the query text before parsing, even
# inside a literal after an escaped backslash; no escaping can protect such a value, so it is refused.
_CODEPOINT_ESCAPE = re.compile(r"\\[uU]")


def sparql_term(term: Node) -> str:
    """An RDF term in SPARQL syntax; literals escaped so their content can never leave the literal."""
    if terms.kind(term) == "literal" and _CODEPOINT_ESCAPE.search(terms.value(term)):
        raise ParameterError("a value containing a \\u or \\U escape sequence cannot be bound safely")
    return terms.n3(term)


def values_block(bindings: Mapping[str, Node]) -> str:
    names = " ".join(f"?{name}" for name in bindings)
    values = " ".join(sparql_term(term) for term in bindings.values())
    return f"VALUES ({names}) {{ ({values}) }}"


def inject_values(text: str, bindings: Mapping[str, Node]) -> str:
    """``text`` with a VALUES block for ``bindings`` opening its WHERE group."""
    if not bindings:
        return text
    position = _where_group_start(text)
    return f"{text[: position + 1]} {values_block(bindings)} {text[position + 1 :]}"


def _where_group_start(text: str) -> int:
    """Index of the ``{`` that opens the query's WHERE group (after a CONSTRUCT template, if any)."""
    depth = 0
    index = 0
    skip_template = None
    while index < len(text):
        skipped = _SKIP.match(text, index)
        if skipped and (text[index] != "<" or depth > 0 or _looks_like_iri(skipped.group())):
            index = skipped.end()
            continue
        char = text[index]
        if char == "{":
            if depth == 0:
                if skip_template is None:
                    skip_template = bool(_CONSTRUCT.search(text[:index]))
                    if not skip_template:
                        return index
                else:
                    return index
            depth += 1
        elif char == "}":
            depth -= 1
        index += 1
    raise QuerySyntaxError("the query has no WHERE group to bind parameters into")


def _looks_like_iri(token: str) -> bool:
    return ":" in token or token == "<>"
