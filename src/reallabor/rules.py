"""Fast entailment by SPARQL rules on Oxigraph, evaluated semi-naively to a fixpoint.

owlrl computes the full OWL RL closure in Python and takes minutes beyond 1e5 triples. The named questions
need only a handful of entailments (subclass, subproperty, inverse, property chains, domain and range); the
rules in ontology/rules/ derive exactly those from the TBox found in the graph, and Oxigraph evaluates them in
Rust. Each rule becomes SPARQL Updates that insert only triples not yet known; after the first round every
rule runs once per premise with that premise restricted to the previous round's new triples (semi-naive
evaluation), so late rounds cost little. owlrl stays the reference: a test compares every named question's
answers under both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from .resources import ontology_dir

if TYPE_CHECKING:
    import pyoxigraph
    from rdflib import Graph

MAX_ROUNDS = 64
DELTA = "urn:x-reallabor:rules:delta"
FRESH = "urn:x-reallabor:rules:fresh"
PREMISE = "# premise"
_RULE = re.compile(r"^(?P<prologue>.*?)CONSTRUCT\s*\{(?P<template>.*?)\}\s*WHERE\s*\{(?P<body>.*)\}\s*$", re.S)


@dataclass(frozen=True)
class Rule:
    name: str
    prologue: str
    template: str
    body: tuple[str, ...]  # one line per pattern or filter
    premises: tuple[int, ...]  # indexes of the body lines that may match derived triples

    def update(self, target: str, using: str, delta_premise: int | None) -> str:
        """A SPARQL Update adding the rule's new conclusions to ``target`` and to the round's FRESH graph."""
        lines = list(self.body)
        if delta_premise is not None:
            lines[delta_premise] = f"GRAPH <{DELTA}> {{ {lines[delta_premise].rstrip(' .')} }}"
            using += f" USING NAMED <{DELTA}>"
        body = "\n  ".join(lines)
        insert = f"GRAPH <{target}> {{ {self.template} }} GRAPH <{FRESH}> {{ {self.template} }}"
        return (
            f"{self.prologue}INSERT {{ {insert} }}\n{using}\n"
            f"WHERE {{\n  {body}\n  FILTER NOT EXISTS {{ {self.template} }}\n}}"
        )


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


def rule_texts() -> tuple[str, ...]:
    """The rules as plain CONSTRUCT queries (e.g. to run them elsewhere)."""
    return tuple((ontology_dir() / "rules" / r.name).read_text(encoding="utf-8") for r in rules())


def _graph_size(store: pyoxigraph.Store, graph: str) -> int:
    result = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(next(iter(result))["n"].value)


def infer_in_store(store: pyoxigraph.Store, target: str, graphs: list[str] | None = None) -> int:
    """Add the rules' entailments of ``graphs`` (default: every named graph) to the named graph ``target``.

    The WHERE clauses read the merge of the input graphs and ``target`` (SPARQL ``USING``), so the store's own
    named graphs stay as they are. Returns the number of triples added to ``target``.
    """
    names = graphs if graphs is not None else [g.value for g in store.named_graphs()]
    names = sorted({n for n in names if n not in (target, DELTA, FRESH)} | {target})
    using = " ".join(f"USING <{n}>" for n in names)
    store.update(f"DROP SILENT GRAPH <{DELTA}> ; DROP SILENT GRAPH <{FRESH}>")
    before = _graph_size(store, target)
    for rule in rules():
        store.update(rule.update(target, using, None))
    for _ in range(MAX_ROUNDS):
        store.update(f"DROP SILENT GRAPH <{DELTA}> ; MOVE SILENT <{FRESH}> TO <{DELTA}>")
        if _graph_size(store, DELTA) == 0:
            break
        for rule in rules():
            for premise in rule.premises:
                store.update(rule.update(target, using, premise))
    else:
        raise RuntimeError(f"entailment rules did not reach a fixpoint in {MAX_ROUNDS} rounds")
    store.update(
        f"DROP SILENT GRAPH <{DELTA}> ; DROP SILENT GRAPH <{FRESH}> ;"
        f" DELETE {{ GRAPH <{target}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }}"
        " FILTER (isBlank(?s) || isBlank(?o)) }"
    )
    return _graph_size(store, target) - before


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
    infer_in_store(store, target, [source])
    inferred = Graph()
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(target))
    if data:
        inferred.parse(data=data, format="nt")
    return inferred
