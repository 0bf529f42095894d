"""Fast entailment by SPARQL CONSTRUCT rules on Oxigraph, run to a fixpoint.

owlrl computes the full OWL RL closure in Python and takes minutes beyond 1e5 triples. The named questions
need only a handful of entailments (subclass, subproperty, inverse, property chains, domain and range); the
rules in ontology/rules/ derive exactly those from the TBox found in the graph, and Oxigraph evaluates them
fast. owlrl stays the reference: a test compares every named question's answers under both.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from .resources import ontology_dir

if TYPE_CHECKING:
    import pyoxigraph
    from rdflib import Graph

MAX_ROUNDS = 64


@cache
def rule_texts() -> tuple[str, ...]:
    """The CONSTRUCT rules, in a fixed order."""
    folder = ontology_dir() / "rules"
    return tuple(path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.rq")))


def _is_trivial(triple: pyoxigraph.Triple) -> bool:
    """The same filter as for owlrl: no literal or blank-node subjects, no blank-node objects, no reflexive axioms."""
    import pyoxigraph as ox

    s, p, o = triple.subject, triple.predicate, triple.object
    if not isinstance(s, ox.NamedNode) or isinstance(o, ox.BlankNode):
        return True
    return s == o and p.value.startswith(("http://www.w3.org/2000/01/rdf-schema#sub", "http://www.w3.org/2002/07/owl#"))


def infer_in_store(store: pyoxigraph.Store, target: pyoxigraph.NamedNode) -> int:
    """Add the rules' entailments of everything in ``store`` to the graph ``target``; returns how many were added.

    Each round evaluates every rule over the union of all graphs and keeps only triples that are new anywhere,
    so the loop ends when a round adds nothing (the fixpoint).
    """
    import pyoxigraph as ox

    added = 0
    for _ in range(MAX_ROUNDS):
        new: set[ox.Triple] = set()
        for rule in rule_texts():
            for triple in store.query(rule, use_default_graph_as_union=True):
                if triple in new or _is_trivial(triple):
                    continue
                if next(store.quads_for_pattern(triple.subject, triple.predicate, triple.object), None) is None:
                    new.add(triple)
        if not new:
            return added
        store.extend(ox.Quad(t.subject, t.predicate, t.object, target) for t in new)
        added += len(new)
    raise RuntimeError(f"entailment rules did not reach a fixpoint in {MAX_ROUNDS} rounds")


def rules_closure(asserted: Graph) -> Graph:
    """The triples the rules add to an rdflib graph (the in-memory store's path to the fast reasoner)."""
    import pyoxigraph as ox
    from rdflib import Graph

    store = ox.Store()
    store.load(asserted.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    target = ox.NamedNode("urn:x-reallabor:inferred")
    infer_in_store(store, target)
    inferred = Graph()
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=target)
    if data:
        inferred.parse(data=data, format="nt")
    return inferred
