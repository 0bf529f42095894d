"""Fast entailment by SPARQL rules on Oxigraph, evaluated semi-naively to a fixpoint.

owlrl computes the full OWL RL closure in Python and takes minutes beyond 1e5 triples. The named questions
need only a handful of entailments (subclass, subproperty, inverse, property chains, domain and range); the
rules in ontology/rules/ state exactly those against the TBox found in the graph, and Oxigraph evaluates them
in Rust. By default they are first specialised to that TBox (``reallabor.tbox``): the schema is closed on
its own, and the data then needs one pass per table plus rounds for the property chains. In the first round
each rule adds the triples not yet known, one thread writing (SPARQL updates, and loads of what the other
cores found by read-only queries: ``_derived_together``); in each later round every rule runs
once per premise, as a read-only query with that premise restricted to the previous round's new triples
(semi-naive evaluation; after the first round, to everything derived so far). owlrl stays the reference:
tests compare every named question's answers under both, and the specialised rules' closure with the
generic rules' closure.
"""

from __future__ import annotations

import os
import queue
import re
import threading
from collections import deque
from collections.abc import Sequence, Set
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache, partial
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
SCRATCH = "urn:x-reallabor:rules:blank-nodes"  # derived triples with a blank node: premises, not results
PREMISE = "# premise"
_RULE = re.compile(r"^(?P<prologue>.*?)CONSTRUCT\s*\{(?P<template>.*?)\}\s*WHERE\s*\{(?P<body>.*)\}\s*$", re.S)
_NOT_A_PATTERN = ("FILTER", "VALUES", "BIND")
_VARIABLE = re.compile(r"\?\w+")
_TRIPLE_END = re.compile(r"\s\.(?:\s|$)")
_PREDICATE = re.compile(r"^\S+\s+(<[^>]*>|a)\s")  # a pattern's predicate, if it is an IRI
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


@dataclass(frozen=True)
class Rule:
    name: str
    prologue: str
    template: str  # the conclusion, checked against what is known
    body: tuple[str, ...]  # one line per pattern, filter, VALUES or BIND
    premises: tuple[int, ...]  # indexes of the body lines that may match derived triples
    also: str = ""  # triples entailed with the conclusion, added beside it (unchecked)
    checked: bool = True  # False: the conclusions cannot be known yet, so the look-up is left out
    distinct: str = ""  # the conclusion's variables: look each distinct one up once (many premises per conclusion)
    sizes: tuple[int, ...] = ()  # triples each body pattern matches, if known: orders the joins of later rounds
    rarely_new: bool = False  # typically adds little or nothing: best asked by the helping cores

    def insert(self, target: str, scratch: str | None = None) -> str:
        """A SPARQL Update adding the rule's new conclusions to ``target``. Every pattern reads the union of
        the named graphs (``GRAPH ?g``), which Oxigraph answers from one index, where a ``USING`` list would
        be merged graph by graph. With ``scratch``, a conclusion with a blank node goes there instead of
        ``target``: later rounds still read it, and dropping that graph at the end costs less than scanning
        ``target`` for such triples (at 1e5: 0.61 against 0.65 s)."""
        insert, choices = self._routed(target, scratch)
        return f"{self.prologue}INSERT {{ {insert} }}\n{self._where(after=choices)}"

    def _routed(self, target: str, scratch: str | None) -> tuple[str, list[str]]:
        """The conclusions as an insert template, and the BINDs that pick each one's graph: ``scratch`` if
        its subject or object is a blank node, else ``target`` (all in ``target`` without ``scratch``)."""
        if scratch is None:
            return f"GRAPH <{target}> {{ {self.template} {self.also} }}", []
        by_nodes: dict[tuple[str, ...], list[str]] = {}
        for triple in _TRIPLE_END.split(f"{self.template} {self.also}"):
            if triple.strip():
                terms = triple.split()
                nodes = tuple(sorted({t for t in (terms[0], terms[2]) if t.startswith("?")}))
                by_nodes.setdefault(nodes, []).append(triple)
        parts, choices = [], []
        for nodes, triples in by_nodes.items():
            graph = f"<{target}>"
            if nodes:
                graph = "?in_" + "_".join(node[1:] for node in nodes)
                blank = " || ".join(f"isBlank({node})" for node in nodes)
                choices.append(f"BIND (IF({blank}, <{scratch}>, <{target}>) AS {graph})")
            parts.append(f"GRAPH {graph} {{ {' . '.join(triples)} }}")
        return " ".join(parts), choices

    def construct(self, delta: str | None = None, premise: int | None = None, delta_size: int | None = None) -> str:
        """A query for the new conclusions (with ``delta``, those whose ``premise`` line matches that graph):
        it reads a snapshot of the store without taking the write lock, so it runs beside other work."""
        return f"{self.prologue}CONSTRUCT {{ {self.template} {self.also} }}\n{self._where(delta, premise, delta_size)}"

    def _where(
        self,
        delta: str | None = None,
        premise: int | None = None,
        delta_size: int | None = None,
        after: Sequence[str] = (),
    ) -> str:
        lines = [_in_graph(i, line, delta if i == premise else None) for i, line in enumerate(self.body)]
        if premise is not None:
            lines = [lines[i] for i in self._delta_order(premise, delta_size)]
        where = "\n  ".join(lines)
        if self.distinct:  # BINDs compute from the distinct variables: after the sub-select, once per row
            inner = "\n  ".join(line for line in lines if not line.startswith("BIND"))
            binds = [line for line in lines if line.startswith("BIND")]
            where = "\n  ".join([f"{{ SELECT DISTINCT {self.distinct} WHERE {{\n  {inner}\n}} }}", *binds])
        where = "\n  ".join([where, *after])
        unknown = f"FILTER NOT EXISTS {{ GRAPH ?known {{ {self.template} }} }}" if self.checked else ""
        return f"WHERE {{\n  {where}\n  {unknown}\n}}"

    def _delta_order(self, premise: int, delta_size: int | None) -> list[int]:
        """The body's lines for a round that matches ``premise`` against new triples only. Oxigraph joins in
        the written order, so start from the fewest: the new triples, unless the sizes say another pattern
        matches fewer (a chain whose new links point at a small table: start from the table)."""
        if not self.sizes or delta_size is None:
            return [premise, *(i for i in range(len(self.body)) if i != premise)]
        patterns = [i for i in range(len(self.body)) if not self.body[i].startswith(_NOT_A_PATTERN)]
        sizes = [delta_size if i == premise else self.sizes[i] for i in patterns]
        ordered = [patterns[i] for i in join_order([self.body[i] for i in patterns], sizes)]
        return ordered + [i for i in range(len(self.body)) if i not in ordered]


def join_order(patterns: Sequence[str], sizes: Sequence[int]) -> list[int]:
    """Indexes of ``patterns``, smallest first, then always the smallest that shares a variable with those
    taken (a pattern joined to nothing would multiply the rows)."""
    variables = [set(_VARIABLE.findall(p)) for p in patterns]
    order = [min(range(len(patterns)), key=lambda i: sizes[i])]
    bound = set(variables[order[0]])
    while len(order) < len(patterns):
        left = [i for i in range(len(patterns)) if i not in order]
        step = min([i for i in left if variables[i] & bound] or left, key=lambda i: sizes[i])
        order.append(step)
        bound |= variables[step]
    return order


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


def _premise_predicates(rule_set: Sequence[Rule]) -> set[str] | None:
    """The IRIs the rules' premises have as predicate; None if some premise has a variable there."""
    found = [_premise_predicate(rule, premise) for rule in rule_set for premise in rule.premises]
    return {predicate for predicate in found if predicate is not None} if None not in found else None


def _premise_predicate(rule: Rule, premise: int) -> str | None:
    match = _PREDICATE.match(rule.body[premise])
    return None if match is None else (RDF_TYPE if match[1] == "a" else match[1])


def _predicate_counts(store: pyoxigraph.Store, graph: str | None, predicates: Set[str] | None) -> dict[str, int]:
    """Triples per predicate (as a SPARQL IRI) in ``graph`` (None: all named graphs), for ``predicates`` or all;
    a predicate without triples is left out."""
    values = "" if predicates is None else f"VALUES ?p {{ {' '.join(sorted(predicates))} }}"
    named = "?g" if graph is None else f"<{graph}>"
    query = f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {values} GRAPH {named} {{ ?s ?p ?o }} }} GROUP BY ?p"
    return {str(row["p"]): int(row["n"].value) for row in store.query(query)}


def saturate(
    store: pyoxigraph.Store,
    target: str,
    rule_set: Sequence[Rule],
    scratch: str | None = None,
    beside: Sequence[Rule] = (),
) -> None:
    """Add to ``target`` what the rules entail from all named graphs, semi-naively: the first round runs
    every rule on everything; each later round one variant of each rule per premise, restricted to the
    triples the previous round added. The first round's additions are not recorded apart: the second round
    reads all of ``target`` (and ``scratch``) instead, a superset (which only repeats derivations) that
    saves writing them twice. The later rounds typically find little or nothing, so they run as read-only
    queries on all cores (an update holds the store's write lock while it evaluates) and what they find is
    added afterwards. With ``scratch``, the conclusions with a blank node go to that graph (see
    ``Rule.insert``). ``beside`` are rules for the first round only (their conclusions feed no rule)."""
    _derived_together(store, rule_set, target, scratch, beside)
    predicates = _premise_predicates(rule_set)

    def restricted_to(delta: str) -> list[str]:
        """One query per rule and premise that can match the triples of ``delta``."""
        counts = _predicate_counts(store, delta, predicates)
        sized = [(r, p, _delta_size(r, p, counts)) for r in rule_set for p in r.premises]
        return [r.construct(delta, p, size) for r, p, size in sized if size]

    kept = {target, scratch}
    deltas = [graph for graph in (target, scratch) if graph]
    for number in range(1, MAX_ROUNDS + 1):
        queries = [query for delta in deltas for query in restricted_to(delta)]
        found = _constructed_together(store, queries) if queries else []
        new = [t for t in found if next(store.quads_for_pattern(t.subject, t.predicate, t.object), None) is None]
        if not new:
            break
        fresh = f"{FRESH}{number}"
        _add(store, new, target, scratch, record=(fresh, predicates))
        _drop(store, [delta for delta in deltas if delta not in kept])
        deltas = [fresh]
    else:
        raise RuntimeError(f"entailment rules did not reach a fixpoint in {MAX_ROUNDS} rounds")
    _drop(store, [delta for delta in deltas if delta not in kept])


def _drop(store: pyoxigraph.Store, graphs: Sequence[str]) -> None:
    for graph in graphs:
        store.update(f"DROP SILENT GRAPH <{graph}>")


def _delta_size(rule: Rule, premise: int, counts: dict[str, int]) -> int:
    """How many of the new triples the premise can match: those with its predicate, if it names one."""
    predicate = _premise_predicate(rule, premise)
    return sum(counts.values()) if predicate is None else counts.get(predicate, 0)


def _derived_together(
    store: pyoxigraph.Store, rule_set: Sequence[Rule], target: str, scratch: str | None, beside: Sequence[Rule] = ()
) -> None:
    """Run each rule once over everything (they may see each other's additions or not: rules only add).
    An update holds the store's write lock while it evaluates, so only one runs at a time; the other cores
    help by asking rules as read-only CONSTRUCT queries, serialised by Oxigraph, and this thread loads their
    answers between its own updates. A load holds the write lock for less time than the same rule as
    updates (at 1e5, the inverse table's 45,658 conclusions: 79 against 190 ms). This thread takes rules from
    the front of ``rule_set`` and the helpers from its back, ``beside`` first: put the rules with the most
    conclusions first. An answer with a blank node (or what looks like one in N-Triples) is recomputed by
    the rule's update instead (a load would give the blank node a new identity), which sends such triples
    to ``scratch``. The answers are Oxigraph's own serialisation, so their load skips IRI validation."""
    todo = deque([*rule_set, *beside])
    taking = threading.Lock()
    answers: queue.SimpleQueue = queue.SimpleQueue()
    helpers = max(1, (os.cpu_count() or 1) - 1)

    def take(front: bool) -> Rule | None:
        with taking:
            return None if not todo else todo.popleft() if front else todo.pop()

    def ask() -> None:
        try:
            while (rule := take(front=False)) is not None:
                answers.put((rule, _serialised(store, rule.construct())))
        finally:
            answers.put(None)  # this helper is done

    with ThreadPoolExecutor(helpers) as pool:
        asking = [pool.submit(ask) for _ in range(helpers)]
        finished = 0
        try:
            while finished < helpers:
                if answers.empty() and (rule := take(front=True)) is not None:
                    store.update(rule.insert(target, scratch=scratch))
                elif (answer := answers.get()) is None:
                    finished += 1
                else:
                    _load(store, answer, target, scratch)
        finally:
            with taking:
                todo.clear()  # after an error here, the helpers stop at their current rule
        for future in asking:
            future.result()  # a helper's error


def _load(store: pyoxigraph.Store, answer: tuple[Rule, bytes], target: str, scratch: str | None) -> None:
    import pyoxigraph as ox

    rule, data = answer
    if b"_:" in data:  # a load would give its blank nodes new identities
        store.update(rule.insert(target, scratch=scratch))
    elif data:
        store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(target), lenient=True)


def _serialised(store: pyoxigraph.Store, query: str) -> bytes:
    import pyoxigraph as ox

    return store.query(query).serialize(format=ox.RdfFormat.N_TRIPLES) or b""


def _constructed_together(store: pyoxigraph.Store, queries: Sequence[str]) -> list[pyoxigraph.Triple]:
    with ThreadPoolExecutor(max(1, min(len(queries), os.cpu_count() or 1))) as pool:
        return [triple for result in pool.map(partial(_constructed, store), queries) for triple in result]


def _add(
    store: pyoxigraph.Store,
    triples: Sequence[pyoxigraph.Triple],
    target: str,
    scratch: str | None,
    record: tuple[str, Set[str] | None] | None = None,
) -> None:
    """Add ``triples`` to ``target`` (to ``scratch`` if it has a blank node); with ``record`` (a graph and
    predicates, None for all), also those with one of the predicates to that graph, for the next round."""
    import pyoxigraph as ox

    quads = [ox.Quad(t.subject, t.predicate, t.object, _graph_for(t, target, scratch)) for t in triples]
    if record is not None:
        graph, predicates = ox.NamedNode(record[0]), record[1]
        quads += [
            ox.Quad(t.subject, t.predicate, t.object, graph)
            for t in triples
            if predicates is None or str(t.predicate) in predicates
        ]
    store.extend(quads)


def _graph_for(triple: pyoxigraph.Triple | pyoxigraph.Quad, target: str, scratch: str | None) -> pyoxigraph.NamedNode:
    import pyoxigraph as ox

    blank = isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)
    return ox.NamedNode(scratch if scratch is not None and blank else target)


def _constructed(store: pyoxigraph.Store, query: str) -> list[pyoxigraph.Triple]:
    return list(store.query(query))


def infer_in_store(store: pyoxigraph.Store, target: str, specialise: bool = True) -> None:
    """Add the rules' entailments of every named graph of ``store`` to the named graph ``target``.
    ``specialise`` runs the rules specialised to the store's schema (``reallabor.tbox``), else the generic
    rules of ontology/rules/; both give the same triples."""
    tables = _specialise(store, target) if specialise else None
    if tables is not None:
        schema_size = _schema_size(store)
        _saturate_specialised(store, target, tables)
        up_to_date = _schema_size(store) == schema_size  # else the data entailed axioms the tables lack
        store.update(f"DROP SILENT GRAPH <{SCRATCH}>")
        if up_to_date:
            return
    saturate(store, target, rules())
    store.update(
        f"DELETE {{ GRAPH <{target}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }}"
        " FILTER (isBlank(?s) || isBlank(?o)) }"
    )


def _saturate_specialised(store: pyoxigraph.Store, target: str, tables: Tables) -> None:
    used = _used(store, tables.outputs() | tables.chain_outputs())
    first, superclass = tables.single_premise_rules(used)  # their conclusions entail nothing further under them
    with ThreadPoolExecutor(1) as counting:  # beside the first group: only the chains need the links' sizes
        link_sizes = counting.submit(_predicate_counts, store, None, tables.chain_links())  # orders chain joins
        _derived_together(store, sorted(first, key=lambda rule: rule.rarely_new), target, SCRATCH)
        chains = list(tables.chain_rules(link_sizes.result()))
    if RDF_TYPE in tables.chain_links():  # a chain reads types: complete them first
        _derived_together(store, superclass, target, SCRATCH)
        superclass = []
    saturate(store, target, chains, SCRATCH, beside=superclass)  # the chains' types come with their superclasses
    for prop, obj in used & tables.chain_outputs():  # added unchecked beside a chain's conclusion
        pattern = f"?s {prop} {obj or '?o'}"
        store.update(
            f"DELETE {{ GRAPH <{target}> {{ {pattern} }} }} WHERE {{ GRAPH <{target}> {{ {pattern} }}"
            f" GRAPH ?g {{ {pattern} }} FILTER (?g != <{target}>) }}"
        )


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
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, _graph_for(q, target, SCRATCH)) for q in new)
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
