"""The spreadsheet layout (tables, columns, the RDF property of each column), read from layout.yaml.

The layout is data so that a maintainer can add a column without touching the reader, the graph builder
or the template writer: all three walk the same description.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rdflib import URIRef

from ..namespaces import expand_curie

LAYOUT_FILE = Path(__file__).with_name("layout.yaml")
KINDS = {"id", "text", "literal", "date", "ref", "iri", "sdg", "megatrend", "choice", "setting"}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    property: URIRef | None = None
    lang: str | None = None
    datatype: URIRef | None = None
    table: str | None = None
    many: bool = False
    inverse: bool = False
    required: bool = False
    values: dict[str, tuple[URIRef, ...]] = field(default_factory=dict)
    minimum: int | None = None
    help: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    iri: str | None = None
    subject: str | None = None
    types: tuple[URIRef, ...] = ()
    single: bool = False

    @property
    def headers(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def id_column(self) -> Column | None:
        return next((c for c in self.columns if c.kind == "id"), None)

    @property
    def choice_column(self) -> Column | None:
        return next((c for c in self.columns if c.kind == "choice"), None)

    @property
    def key(self) -> tuple[str, ...]:
        """The columns whose values must be unique per row: the id, else every reference-like column."""
        if self.id_column is not None:
            return (self.id_column.name,)
        return tuple(c.name for c in self.columns if c.kind in {"ref", "sdg", "megatrend"})


@dataclass(frozen=True)
class Layout:
    tables: tuple[Table, ...]

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.tables]


def _iri(value: str | None) -> URIRef | None:
    return URIRef(expand_curie(value)) if value else None


def _column(raw: dict) -> Column:
    if raw["kind"] not in KINDS:
        raise ValueError(f"layout.yaml: column {raw['name']}: unknown kind {raw['kind']!r}")
    values = {key: tuple(URIRef(expand_curie(c)) for c in classes) for key, classes in raw.get("values", {}).items()}
    return Column(
        name=raw["name"],
        kind=raw["kind"],
        property=_iri(raw.get("property")),
        lang=raw.get("lang"),
        datatype=_iri(raw.get("datatype")),
        table=raw.get("table"),
        many=bool(raw.get("many", False)),
        inverse=bool(raw.get("inverse", False)),
        required=bool(raw.get("required", False)),
        values=values,
        minimum=raw.get("minimum"),
        help=raw.get("help", ""),
    )


@cache
def load_layout(path: Path = LAYOUT_FILE) -> Layout:
    """Parse layout.yaml once per process."""
    import yaml

    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    tables = tuple(
        Table(
            name=t["name"],
            columns=tuple(_column(c) for c in t["columns"]),
            iri=t.get("iri"),
            subject=t.get("subject"),
            types=tuple(URIRef(expand_curie(c)) for c in t.get("types", [])),
            single=bool(t.get("single", False)),
        )
        for t in raw["tables"]
    )
    return Layout(tables)
