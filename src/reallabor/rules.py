"""Fast entailment by SPARQL rules on Oxigraph, evaluated semi-naively to a fixpoint.

owlrl computes the full OWL RL closure in Python and takes minutes beyond 1e5 triples. The named questions
need only a handful of entailments (subclass, subproperty, inverse, property chains, domain and range); the
rules in ontology/rules/ state exactly those against the TBox found in the graph, and Oxigraph evaluates them
in Rust. By default they are first specialised to that TBox (``reallabor.tbox``): the schema is closed on
its own, and the data then needs one pass per table plus rounds for the property chains. Each rule becomes
SPARQL Updates that insert only triples not yet known; after the first round every rule runs once per
premise with that premise restricted to the previous round's new triples (semi-naive evaluation). owlrl
stays the reference: tests compare every named question's answers under both, and the specialised rules'
closure with the generic rules' closure.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence, Set
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from .resources import ontology_dir

if TYPE_CHECKING:
    import pyoxigraph
    from rdflib import Graph

    from .tbox import Tables

MAX_ROUNDS = 64
FRESH = "urn:x-reallabor:rules:fresh-"  # + round number: what that round added
SCHEMA_INPUT = "urn:x-reallabor:rules:schema"
SCHEMA_CLOSURE = "urn:x-reallabor:rules:schema-closure"
PREMISE = "# premise"
_RULE = re.compile(r"^(?P<prologue>.*?)CONSTRUCT\s*\{(?P<template>.*?)\}\s*WHERE\s*\{(?P<body>.*)\}\s*$", re.S)
_NOT_A_PATTERN = ("FILTER", "VALUES", "BIND")


@dataclass(frozen=True)
class Rule:
    name: str
    prologue: str
    template: str  # the conclusion, checked against what is known
    body: tuple[str, ...]  # one line per pattern, filter, VALUES or BIND
    premises: tuple[int, ...]  # indexes of the body lines that may match derived triples
    also: str = ""  # triples entailed with the conclusion, added beside it (unchecked)
    recorded: str | None = None  # what later rounds need of the new triples; default: the conclusion
    checked: bool = True  # False: the conclusions cannot be known yet, so the look-up is left out
    distinct: str = ""  # the conclusion's variables: look each distinct one up once (few conclusions, many premises)

    def insert(
        self, target: str, fresh: str | None = None, delta: str | None = None, premise: int | None = None
    ) -> str:
        """A SPARQL Update adding the rule's new conclusions to ``target``, and with ``fresh`` recording
        them there; with ``delta``, the ``premise`` line matches only that graph. Every pattern reads the
        union of the named graphs (``GRAPH ?g``), which Oxigraph answers from one index, where a ``USING``
        list would be merged graph by graph."""
        lines = [_in_graph(i, line, delta if i == premise else None) for i, line in enumerate(self.body)]
        if premise is not None:  # Oxigraph joins in the written order: start from the few new triples
            lines.insert(0, lines.pop(premise))
        where = "\n  ".join(lines)
        if self.distinct:
            where = f"{{ SELECT DISTINCT {self.distinct} WHERE {{\n  {where}\n}} }}"
        insert = f"GRAPH <{target}> {{ {self.template} {self.also} }}"
        recorded = self.template if self.recorded is None else self.recorded
        if fresh is not None and recorded:
            insert += f" GRAPH <{fresh}> {{ {recorded} }}"
        unknown = f"FILTER NOT EXISTS {{ GRAPH ?known {{ {self.template} }} }}" if self.checked else ""
        return f"{self.prologue}INSERT {{ {insert} }}\nWHERE {{\n  {where}\n  {unknown}\n}}"


def _in_graph(index: int, line: str, delta: str | None) -> str:
    if line.startswith(_NOT_A_PATTERN):
        return line
    return f"GRAPH {f'<{delta}>' if delta else f'?g{index}'} {{ {line} }}"


def parse_rule(name: str, text: str) -> Rule:
    match = _RULE.match(text)
    if match is None:
        raise ValueError(f"ontology/rules/{name}: expected 'CONSTRUCT {{ ... }} WHERE {{ ... }}'")
    lines = [line.strip() for line in match["body"].strip().splitlines() if line.strip()]
    premises = tuple(i for i, line in enumerate(lines) if line.endswith(PREMISE))
    body = tuple(line.removesuffix(PREMISE).strip() for line in lines)
    return Rule(name, match["prologue"], match["template"].strip(), body, premises)


@cache
def rules() -> tuple[Rule, ...]:
    """The rules of ontology/rules/, in file-name order."""
    folder = ontology_dir() / "rules"
    return tuple(parse_rule(p.name, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.rq")))


def _graph_size(store: pyoxigraph.Store, graph: str) -> int:
    result = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(next(iter(result))["n"].value)


def saturate(
    store: pyoxigraph.Store, target: str, rule_set: Sequence[Rule], once: Sequence[Sequence[Rule]] = ()
) -> None:
    """Add to ``target`` what the rules entail from all named graphs, semi-naively: the first round runs
    the groups of ``once``, one after the other, and then ``rule_set`` on everything; each later round one
    variant of each rule per premise, restricted to the triples the previous round recorded. ``once`` is for
    rules whose conclusions entail nothing further under them (the specialised single-premise rules)."""
    fresh = f"{FRESH}0"
    for group in once:
        _run_together(store, [rule.insert(target) for rule in group])
    _run_together(store, [rule.insert(target, fresh) for rule in rule_set])
    for number in range(1, MAX_ROUNDS + 1):
        delta, fresh = fresh, f"{FRESH}{number}"
        if _graph_size(store, delta) == 0:
            break
        _run_together(store, [r.insert(target, fresh, delta, p) for r in rule_set for p in r.premises])
        store.update(f"DROP SILENT GRAPH <{delta}>")
    else:
        raise RuntimeError(f"entailment rules did not reach a fixpoint in {MAX_ROUNDS} rounds")
    store.update(f"DROP SILENT GRAPH <{delta}> ; DROP SILENT GRAPH <{fresh}>")


def _run_together(store: pyoxigraph.Store, updates: list[str]) -> None:
    """Run updates that may see each other's additions or not (rules only add), on all cores: Oxigraph
    evaluates each outside Python's lock."""
    workers = min(len(updates), os.cpu_count() or 1)
    if workers <= 1:
        for update in updates:
            store.update(update)
        return
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(store.update, updates))


def infer_in_store(store: pyoxigraph.Store, target: str, specialise: bool = True) -> None:
    """Add the rules' entailments of every named graph of ``store`` to the named graph ``target``.
    ``specialise`` runs the rules specialised to the store's schema (``reallabor.tbox``), else the generic
    rules of ontology/rules/; both give the same triples."""
    tables = _specialise(store, target) if specialise else None
    if tables is None:
        saturate(store, target, rules())
    else:
        schema_size = _schema_size(store)
        _saturate_specialised(store, target, tables)
        if _schema_size(store) != schema_size:  # the data entailed new axioms: the tables are out of date
            saturate(store, target, rules())
    store.update(
        f"DELETE {{ GRAPH <{target}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }}"
        " FILTER (isBlank(?s) || isBlank(?o)) }"
    )


def _saturate_specialised(store: pyoxigraph.Store, target: str, tables: Tables) -> None:
    used = _used(store, tables.outputs() | tables.chain_outputs())
    once = list(tables.single_premise_rules(used))
    saturate(store, target, list(tables.chain_rules(_sizes(store, tables.chain_links()))), once)
    for prop, obj in used & tables.chain_outputs():  # added unchecked beside a chain's conclusion
        pattern = f"?s {prop} {obj or '?o'}"
        store.update(
            f"DELETE {{ GRAPH <{target}> {{ {pattern} }} }} WHERE {{ GRAPH <{target}> {{ {pattern} }}"
            f" GRAPH ?g {{ {pattern} }} FILTER (?g != <{target}>) }}"
        )


def _sizes(store: pyoxigraph.Store, properties: Set[str]) -> dict[str, int]:
    """Triples per property (the counts order each chain's joins)."""
    count = "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s {} ?o }} }}"
    return {p: int(next(iter(store.query(count.format(p))))["n"].value) for p in properties}


def _used(store: pyoxigraph.Store, outputs: Set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (predicate, object) pairs some triple in the store has (object "" for any)."""
    ask = "ASK {{ GRAPH ?g {{ ?s {} {} }} }}"
    return {(p, o) for p, o in outputs if bool(store.query(ask.format(p, o or "?o")))}


def _schema_triples() -> str:
    from .tbox import SCHEMA_PREDICATES

    return f"VALUES ?p {{ {' '.join(SCHEMA_PREDICATES)} }} GRAPH ?g {{ ?s ?p ?o }}"


def _schema_size(store: pyoxigraph.Store) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ {_schema_triples()} }} }}"
    return int(next(iter(store.query(query)))["n"].value)


def _specialise(store: pyoxigraph.Store, target: str) -> Tables | None:
    """Close the schema alone (generic rules on a small store), add what that entails to ``target`` and
    return the tables of the closed schema; None when the tables cannot express it."""
    import pyoxigraph as ox

    from .tbox import Schema, Tables

    schema_store = ox.Store()
    axioms = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {_schema_triples()} }}")
    schema_store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(SCHEMA_INPUT)) for t in axioms)
    saturate(schema_store, SCHEMA_CLOSURE, rules())
    tables = Tables.of(Schema.read(schema_store))
    if not (tables.usable() and tables.closed_without_chains()):
        return None
    closure = schema_store.quads_for_pattern(None, None, None, ox.NamedNode(SCHEMA_CLOSURE))
    new = [q for q in closure if next(store.quads_for_pattern(q.subject, q.predicate, q.object), None) is None]
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(target)) for q in new)
    return tables


def rules_closure(asserted: Graph) -> Graph:
    """The triples the rules add to an rdflib graph (the in-memory store's path to the fast reasoner)."""
    import pyoxigraph as ox
    from rdflib import Graph

    store = ox.Store()
    source = "urn:x-reallabor:rules:asserted"
    target = "urn:x-reallabor:rules:inferred"
    store.load(
        asserted.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(source)
    )
    infer_in_store(store, target)
    inferred = Graph()
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(target))
    if data:
        inferred.parse(data=data, format="nt")
    return inferred
