"""The catalogue of named questions: ``queries/*.rq`` files with a ``#+`` YAML header.

A header names the title, description and parameters (name, type, default, example). Parameter values
arrive as strings (CLI, URL) and are turned into RDF terms here; the terms reach the query only through a
VALUES block (see ``binding``), never as pasted text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .errors import InputError, ParameterError, UnknownQueryError
from .namespaces import SDG_IRI, expand_curie
from .resources import queries_dir
from .terms import Iri, Lit

XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
Node = Iri | Lit

HEADER_PREFIX = "#+"
LANGUAGE_PARAMETER = "lang"
_GOAL = re.compile(r"^(?:sdg|goal|ziel)?\s*0*(\d{1,2})$", re.IGNORECASE)
_TARGET = re.compile(r"^(?:sdg|target)?\s*0*(\d{1,2})\.([0-9]{1,2}|[a-z])$", re.IGNORECASE)
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
# An absolute IRI without the characters SPARQL forbids inside <...>.
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20\x7f<>\"{}|\\^`]+$")
# C0 controls and DEL have no place in any parameter: refused before they reach a query or an error message.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Finds the resource of a class (second argument) that a parameter value names; None when there is none.
Resolver = Callable[[str, str], Iri | None]


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str = "string"
    description: str = ""
    default: str | None = None
    example: str | None = None
    cls: str | None = None

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    text: str
    parameters: tuple[Parameter, ...] = ()
    endpoint: str | None = None
    path: Path | None = field(default=None, compare=False)

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


def parse_query_file(path: Path) -> NamedQuery:
    """Read one ``.rq`` file; a broken header is an InputError naming the file."""
    text = path.read_text(encoding="utf-8")
    header = "\n".join(
        line[len(HEADER_PREFIX) :].removeprefix(" ") for line in text.splitlines() if line.startswith(HEADER_PREFIX)
    )
    import yaml  # only when the catalogue is first read

    try:
        meta = yaml.safe_load(header) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: bad #+ header: {exc}") from None
    if not isinstance(meta, dict):
        raise InputError(f"{path}: the #+ header must be a YAML mapping")
    params = tuple(_parameter(path, spec) for spec in meta.get("parameters") or ())
    if f"?{LANGUAGE_PARAMETER}" in text and not any(p.name == LANGUAGE_PARAMETER for p in params):
        params += (Parameter(LANGUAGE_PARAMETER, "lang", "label language (falls back to en)", "de", "en"),)
    return NamedQuery(
        name=path.stem,
        title=str(meta.get("title", path.stem)),
        description=str(meta.get("description", "")).strip(),
        text=text,
        parameters=params,
        endpoint=meta.get("endpoint"),
        path=path,
    )


def _parameter(path: Path, spec: object) -> Parameter:
    if not isinstance(spec, dict) or "name" not in spec:
        raise InputError(f"{path}: each parameter needs at least a name")
    as_text = {k: (None if spec.get(k) is None else str(spec[k])) for k in ("default", "example", "class")}
    return Parameter(
        name=str(spec["name"]),
        type=str(spec.get("type", "string")),
        description=str(spec.get("description", "")),
        default=as_text["default"],
        example=as_text["example"],
        cls=expand_curie(as_text["class"]) if as_text["class"] else None,
    )


@cache
def _catalogue(folder: Path) -> dict[str, NamedQuery]:
    return {p.stem: parse_query_file(p) for p in sorted(folder.glob("*.rq"))}


def catalogue(folder: Path | None = None) -> dict[str, NamedQuery]:
    """Every named question in ``folder`` (the bundled ones by default); names starting with _ are internal."""
    return _catalogue((folder or queries_dir()).resolve())


def public_queries(folder: Path | None = None) -> list[NamedQuery]:
    return [q for name, q in catalogue(folder).items() if not name.startswith("_")]


def get_query(name: str, folder: Path | None = None) -> NamedQuery:
    found = catalogue(folder).get(name)
    if found is None or name.startswith("_"):
        names = ", ".join(q.name for q in public_queries(folder))
        raise UnknownQueryError(f"unknown query {name!r}; the named queries are: {names}")
    return found


def bind_parameters(query: NamedQuery, given: Mapping[str, str], resolve: Resolver) -> dict[str, Node]:
    """Check the given values against the query's parameters and turn each into an RDF term."""
    accepted = ", ".join(_describe(p) for p in query.parameters) or "none"
    unknown = sorted(set(given) - {p.name for p in query.parameters})
    if unknown:
        raise ParameterError(f"{query.name}: unknown parameter {unknown[0]!r}; accepted parameters: {accepted}")
    bound: dict[str, Node] = {}
    for param in query.parameters:
        value = given.get(param.name, param.default)
        if value is None:
            raise ParameterError(f"{query.name}: missing parameter {param.name!r}; accepted parameters: {accepted}")
        try:
            bound[param.name] = to_term(param, str(value), resolve)
        except ParameterError as exc:
            raise ParameterError(f"{query.name}: {exc}; accepted parameters: {accepted}") from None
    return bound


def _describe(param: Parameter) -> str:
    example = f", e.g. {param.example}" if param.example else ""
    default = f", default {param.default}" if param.default is not None else ""
    return f"{param.name} ({param.type}{default}{example})"


def to_term(param: Parameter, value: str, resolve: Resolver) -> Node:
    """One parameter value as an RDF term; ill-typed values are a ParameterError naming the parameter."""
    converter = _CONVERTERS.get(param.type)
    if converter is None:
        raise InputError(f"parameter {param.name!r} has unknown type {param.type!r} in its query header")
    if _CONTROL.search(value):
        raise ParameterError(f"parameter {param.name} contains control characters")
    term = converter(param, value.strip(), resolve)
    if term is None:
        raise ParameterError(f"parameter {param.name}={value!r} is not a valid {_EXPECTED[param.type]}")
    return term


def _goal(param: Parameter, value: str, resolve: Resolver) -> Node | None:
    value = value.removeprefix(SDG_IRI)
    match = _GOAL.match(value)
    if match and 1 <= int(match.group(1)) <= 17:
        return Iri(SDG_IRI + str(int(match.group(1))))
    return None


def _goal_or_target(param: Parameter, value: str, resolve: Resolver) -> Node | None:
    goal = _goal(param, value, resolve)
    if goal is not None:
        return goal
    match = _TARGET.match(value.removeprefix(SDG_IRI))
    if not match or not 1 <= int(match.group(1)) <= 17:
        return None
    target = f"{SDG_IRI}{int(match.group(1))}.{match.group(2).lower()}"
    return resolve(target, "http://metadata.un.org/sdg/ontology#Target")


def _resource(param: Parameter, value: str, resolve: Resolver) -> Node | None:
    return resolve(value, param.cls or "http://www.w3.org/2000/01/rdf-schema#Resource") if value else None


def _iri(param: Parameter, value: str, resolve: Resolver) -> Node | None:
    return Iri(value) if _IRI.match(value) else None


def _integer(param: Parameter, value: str, resolve: Resolver) -> Node | None:
    return Lit(str(int(value)), datatype=XSD_INTEGER) if re.fullmatch(r"[+-]?\d{1,18}", value) else None


def _lang(param: Parameter, value: str, resolve: Resolver) -> Node | None:
    return Lit(value.lower()) if _LANG.match(value) else None


def _string(param: Parameter, value: str, resolve: Resolver) -> Node | None:
    return Lit(value)


_CONVERTERS: dict[str, Callable[[Parameter, str, Resolver], Node | None]] = {
    "sdg-goal": _goal,
    "sdg": _goal_or_target,
    "resource": _resource,
    "iri": _iri,
    "integer": _integer,
    "lang": _lang,
    "string": _string,
}
_EXPECTED = {
    "sdg-goal": "UN SDG goal (a number 1-17 or http://metadata.un.org/sdg/N)",
    "sdg": "UN SDG goal or target (8, 8.5, 11.a or its UN IRI)",
    "resource": "known resource (its IRI, slug or label)",
    "iri": "absolute IRI",
    "integer": "integer",
    "lang": "language tag (de, en)",
    "string": "string",
}


def is_iri(value: str) -> bool:
    return bool(_IRI.match(value))
