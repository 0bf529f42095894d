"""The rules specialised to one TBox: each rule's schema patterns replaced by a table of closed axioms.

The generic rules (ontology/rules/) join every data triple with the schema on every round, and need one
round per step of a derivation (a subproperty of an inverse of a subproperty takes three). The schema is
tiny and fixed while the data is large, so the schema is closed once (by the generic rules, on the schema
alone) and turned into tables: for each property, every property it implies in the same or the inverse
direction and every class its subjects and objects get; for each class, all its superclasses. The data then
needs one pass per table, and further rounds only for what property chains add. ``rules`` runs these
specialised rules with the same semi-naive engine, and a test checks that both give the same closure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Set
from dataclasses import dataclass, field
from math import prod
from typing import TYPE_CHECKING, NamedTuple

from .rules import Rule, join_order

if TYPE_CHECKING:
    import pyoxigraph

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = f"<{RDF}type>"
DATATYPES = {f"<{RDF}langString>", f"<{RDF}PlainLiteral>", f"<{RDF}HTML>", f"<{RDF}XMLLiteral>", f"<{RDFS}Literal>"}
SCHEMA_PREDICATES = tuple(
    f"<{iri}>"
    for iri in (
        f"{RDFS}subClassOf",
        f"{RDFS}subPropertyOf",
        f"{OWL}inverseOf",
        f"{RDFS}domain",
        f"{RDFS}range",
        f"{OWL}propertyChainAxiom",
        f"{RDF}first",
        f"{RDF}rest",
    )
)
_PREFIXES = f"PREFIX rdfs: <{RDFS}> PREFIX owl: <{OWL}> PREFIX rdf: <{RDF}>\n"
_CHAIN2 = "?p owl:propertyChainAxiom ?c . ?c rdf:first ?p1 ; rdf:rest ?r . ?r rdf:first ?p2 ; rdf:rest rdf:nil"
_CHAIN3 = (
    "?p owl:propertyChainAxiom ?c . ?c rdf:first ?p1 ; rdf:rest ?r . ?r rdf:first ?p2 ; rdf:rest ?r2 ."
    " ?r2 rdf:first ?p3 ; rdf:rest rdf:nil"
)

_GUARDS = (  # what a chain's consequences use when a literal ?y must not give them
    ("?yr", "BIND (IF(isLiteral(?y), ?none, ?y) AS ?yr)"),
    ("?xr", "BIND (IF(isLiteral(?y), ?none, ?x) AS ?xr)"),
)
Pair = tuple[str, str]  # terms in SPARQL syntax, e.g. ("<…#hasMeasure>", "<…#isMeasureOf>")


@dataclass
class Schema:
    """The closed axioms, as SPARQL terms."""

    superproperties: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    inverses: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    superclasses: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    domains: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    ranges: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    chains: list[tuple[str, ...]] = field(default_factory=list)  # (p, p1, p2) or (p, p1, p2, p3)

    @classmethod
    def read(cls, store: pyoxigraph.Store) -> Schema:
        """The axioms in every named graph of ``store`` (which holds the closed schema)."""
        schema = cls()
        for p, q in _select(store, "?p rdfs:subPropertyOf ?q FILTER (?p != ?q)", "?p ?q"):
            schema.superproperties[p].add(q)
        for p, q in _select(store, "?p owl:inverseOf ?q", "?p ?q"):
            schema.inverses[p].add(q)
            schema.inverses[q].add(p)
        for c, d in _select(store, "?c rdfs:subClassOf ?d FILTER (?c != ?d)", "?c ?d"):
            schema.superclasses[c].add(d)
        for p, c in _select(store, "?p rdfs:domain ?c", "?p ?c"):
            schema.domains[p].add(c)
        for p, c in _select(store, "?p rdfs:range ?c", "?p ?c"):
            schema.ranges[p].add(c)
        schema.chains = sorted(_select(store, _CHAIN2, "?p ?p1 ?p2")) + sorted(
            _select(store, _CHAIN3, "?p ?p1 ?p2 ?p3")
        )
        return schema

    def classes_above(self, classes: Iterable[str]) -> set[str]:
        """``classes`` and all their superclasses."""
        found = set(classes)
        todo = list(found)
        while todo:
            for parent in self.superclasses.get(todo.pop(), ()):
                if parent not in found:
                    found.add(parent)
                    todo.append(parent)
        return found

    def implied(self, prop: str) -> set[tuple[str, bool, bool]]:
        """Every (property, inverted, through_an_inverse) that a statement with ``prop`` entails, itself
        included. Going through an inverse needs a resource as object (a literal cannot become a subject),
        so it is tracked even when a second inverse turns the direction back."""
        found = {(prop, False, False)}
        todo = list(found)
        while todo:
            current, inverted, crossed = todo.pop()
            steps = [(parent, inverted, crossed) for parent in self.superproperties.get(current, ())]
            steps += [(other, not inverted, True) for other in self.inverses.get(current, ())]
            for step in steps:
                if step not in found:
                    found.add(step)
                    todo.append(step)
        return found


@dataclass
class Tables:
    """What one data triple ``?s ?p ?o`` or ``?x a ?class`` entails, per property or class."""

    same: set[Pair] = field(default_factory=set)  # ?s ?q ?o, for any ?o
    same_resource: set[Pair] = field(default_factory=set)  # ?s ?q ?o, only if ?o is not a literal
    inverse: set[Pair] = field(default_factory=set)  # ?o ?q ?s (never for a literal ?o)
    subject_class: set[Pair] = field(default_factory=set)  # ?s a ?c, for any ?o
    subject_class_resource: set[Pair] = field(default_factory=set)  # ?s a ?c, only if ?o is not a literal
    object_class: set[Pair] = field(default_factory=set)  # ?o a ?c (never for a literal ?o)
    superclass: set[Pair] = field(default_factory=set)  # ?x a ?class gives ?x a ?c
    chains: list[tuple[str, ...]] = field(default_factory=list)

    @classmethod
    def of(cls, schema: Schema) -> Tables:
        tables = cls(chains=schema.chains)
        properties = set(schema.superproperties) | set(schema.inverses) | set(schema.domains) | set(schema.ranges)
        for prop in properties:
            tables._add_property(schema, prop)
        tables.same_resource -= tables.same
        tables.subject_class_resource -= tables.subject_class
        for cls_ in list(schema.superclasses):
            tables.superclass |= {(cls_, parent) for parent in _named(schema.classes_above([cls_]) - {cls_})}
        return tables

    def _add_property(self, schema: Schema, prop: str) -> None:
        for other, inverted, crossed in schema.implied(prop):
            if inverted:
                self.inverse.add((prop, other))
            elif other != prop:
                (self.same_resource if crossed else self.same).add((prop, other))
            subject_classes = schema.ranges.get(other, set()) if inverted else schema.domains.get(other, set())
            object_classes = schema.domains.get(other, set()) if inverted else schema.ranges.get(other, set())
            subject_table = self.subject_class_resource if crossed else self.subject_class
            subject_table |= {(prop, c) for c in _named(subject_classes)}
            self.object_class |= {(prop, c) for c in _named(object_classes)}

    def usable(self) -> bool:
        """Whether every table row can be written in a VALUES block (blank nodes cannot). A blank node class
        is left out of the class tables (its type triples are dropped from the closure anyway) but, having
        superclasses, it is a key of the superclass table, which then makes the tables unusable."""
        rows = self.same | self.same_resource | self.inverse | self.subject_class | self.subject_class_resource
        rows |= self.object_class | self.superclass | set(self.chains)
        return not any(term.startswith("_:") for row in rows for term in row)

    def closed_without_chains(self) -> bool:
        """Whether applying the single-premise tables to their own output adds nothing. True unless rdf:type
        itself has superproperties, inverses, a domain or a range (then a derived type entails more)."""
        keyed = self.same | self.same_resource | self.inverse | self.subject_class | self.subject_class_resource
        keyed |= self.object_class
        return not any(RDF_TYPE in pair for pair in keyed)

    def outputs(self) -> set[tuple[str, str]]:
        """(predicate, object) of what the single-premise rules conclude: (q, "") for a property, (rdf:type,
        class) for a class."""
        found = {(q, "") for _, q in self.same | self.same_resource | self.inverse}
        classes = self.subject_class | self.subject_class_resource | self.object_class | self.superclass
        return found | {(RDF_TYPE, c) for _, c in classes}

    def single_premise_rules(self, asserted: Set[tuple[str, str]]) -> list[list[Rule]]:
        """One rule per key (property or class) of each table, in two groups to run one after the other
        (the superclass rule completes the classes the others add); each runs once over all data, its output
        needs no second look. Small rules spread evenly over the cores, where one rule per table left a core
        waiting for the largest. Rows whose conclusion is in ``asserted`` (an ``outputs()`` pair that the data
        uses) are checked against what is known, the others need not be: no input triple can equal them."""
        literal_ok = "?s ?p ?o .  # premise"
        resource = (literal_ok, "FILTER (!isLiteral(?o))")
        datatypes = {row for row in self.object_class if _is_datatype(row[1])}
        tables = [
            Table("same", ("p", "q"), self.same, "?s ?q ?o", (literal_ok,)),
            Table("same-resource", ("p", "q"), self.same_resource, "?s ?q ?o", resource),
            Table("inverse", ("p", "q"), self.inverse, "?o ?q ?s", resource),
            Table("subject-class", ("p", "c"), self.subject_class, "?s a ?c", (literal_ok,)),
            Table("subject-class-resource", ("p", "c"), self.subject_class_resource, "?s a ?c", resource),
            Table("object-class", ("p", "c"), self.object_class - datatypes, "?o a ?c", resource),
            # a datatype range (xsd:string) concludes something only for the rare resource where a literal
            # belongs: at 1e5 this rule read 23 ms of literals under the write lock to add nothing
            Table("object-datatype", ("p", "c"), datatypes, "?o a ?c", resource, rarely_new=True),
        ]
        superclass = Table("superclass", ("a", "c"), self.superclass, "?x a ?c", ("?x a ?a .  # premise",))
        return [_checked_and_unchecked(tables, asserted), _checked_and_unchecked([superclass], asserted)]

    def chain_rules(self, sizes: Mapping[str, int]) -> Iterator[Rule]:
        """One rule per property chain, concluding ``?x p ?y`` with everything the tables entail from it, so
        that later rounds need only the chains (which read only the triples of the chains' links). Each
        chain's links are written smallest first (by ``sizes``, triples per property), as Oxigraph joins
        them in the written order. The chains that may conclude the most (the largest product of their links'
        sizes) come first."""
        by_size = sorted(self.chains, key=lambda chain: -prod(sizes.get(prop, 0) for prop in chain[1:]))
        for chain in by_size:
            head, links = chain[0], chain[1:]
            nodes = ["?x", *(f"?n{i}" for i in range(1, len(links))), "?y"]
            patterns = [f"{nodes[i]} {links[i]} {nodes[i + 1]} ." for i in range(len(links))]
            link_sizes = [sizes.get(prop, 0) for prop in links]
            order = join_order(patterns, link_sizes)
            body = tuple(patterns[i] for i in order)
            conclusion = f"?x {head} ?y ."
            consequences = self._consequences(head)
            also = " ".join(t for _, t in consequences)
            binds = tuple(bind for name, bind in _GUARDS if name in also.split())  # a BIND costs on every row
            premises = tuple(range(len(body)))
            sized = tuple(link_sizes[i] for i in order)
            yield Rule(
                f"chain {head}",
                "",
                conclusion,
                body + binds,
                premises,
                also,
                distinct="?x ?y",  # a lab reaches the same goal through several of its measures
                sizes=sized,
            )

    def chain_outputs(self) -> set[tuple[str, str]]:
        """Like ``outputs()``, for what the chain rules add unchecked beside their conclusion."""
        found: set[tuple[str, str]] = set()
        for chain in self.chains:
            for prop, triple in self._consequences(chain[0]):
                found.add((prop, triple.split()[2] if prop == RDF_TYPE else ""))
        return found

    def chain_links(self) -> set[str]:
        return {prop for chain in self.chains for prop in chain[1:]}

    def _consequences(self, prop: str) -> list[tuple[str, str]]:
        """(predicate, triple pattern) for what ``?x prop ?y`` entails by the tables. A triple with a literal
        ``?y`` as subject is no triple and left out by SPARQL itself; where a literal ``?y`` would make a
        valid triple that is not entailed, ``?yr`` and ``?xr`` stand in (unbound when ``?y`` is a literal)."""
        out = [(q, f"?x {q} ?y .") for p, q in sorted(self.same) if p == prop]
        out += [(q, f"?x {q} ?yr .") for p, q in sorted(self.same_resource) if p == prop]
        out += [(q, f"?y {q} ?x .") for p, q in sorted(self.inverse) if p == prop]
        typed = [("?x", self.subject_class), ("?xr", self.subject_class_resource), ("?y", self.object_class)]
        for node, table in typed:
            classes = {c for p, c in table if p == prop}
            classes |= {parent for c, parent in self.superclass if c in classes}
            out += [(RDF_TYPE, f"{node} a {c} .") for c in sorted(classes)]
        return out


class Table(NamedTuple):
    """One table as rules: its name, the VALUES variables, its rows, the conclusion and the body."""

    name: str
    names: tuple[str, str]
    rows: set[Pair]
    template: str
    body: tuple[str, ...]
    rarely_new: bool = False  # its conclusions are rare: best asked by the helping cores (rules.py)


def _checked_and_unchecked(tables: list[Table], asserted: Set[tuple[str, str]]) -> list[Rule]:
    rules = []
    for table in tables:
        kind = table.names[1]
        output = (lambda row: (row[1], "")) if kind == "q" else (lambda row: (RDF_TYPE, row[1]))
        checked = {row for row in table.rows if output(row) in asserted}
        distinct = " ".join(v for v in table.template.split() if v.startswith("?")) if kind == "c" else ""
        rare = table.rarely_new or bool(distinct)  # class look-ups mostly confirm what the data states
        rules += _table_rule(table._replace(rows=checked, rarely_new=rare), distinct=distinct)
        rules += _table_rule(table._replace(name=f"{table.name} (new only)", rows=table.rows - checked), checked=False)
    return rules


def _table_rule(table: Table, checked: bool = True, distinct: str = "") -> Iterator[Rule]:
    by_key: dict[str, list[Pair]] = defaultdict(list)
    for row in sorted(table.rows):
        by_key[row[0]].append(row)
    variables = " ".join(f"?{n}" for n in table.names)
    premises = tuple(i + 1 for i, line in enumerate(table.body) if line.endswith("# premise"))
    for key, rows in by_key.items():
        values = "VALUES ({}) {{ {} }}".format(variables, " ".join(f"({' '.join(r)})" for r in rows))
        lines = (values, *(line.removesuffix("# premise").strip() for line in table.body))
        yield Rule(
            f"{table.name} {key}",
            "",
            table.template,
            lines,
            premises,
            checked=checked,
            distinct=distinct,
            rarely_new=table.rarely_new,
        )


def _is_datatype(term: str) -> bool:
    return term.startswith(f"<{XSD}") or term in DATATYPES


def _named(terms: Iterable[str]) -> set[str]:
    return {term for term in terms if not term.startswith("_:")}


def _select(store: pyoxigraph.Store, pattern: str, projection: str) -> list[tuple[str, ...]]:
    """Rows of SPARQL terms for ``pattern`` over the union of the named graphs, columns as projected."""
    query = f"{_PREFIXES}SELECT DISTINCT {projection} WHERE {{ {pattern} }}"
    result = store.query(query, use_default_graph_as_union=True)
    return [tuple(str(solution[v]) for v in result.variables) for solution in result]
