"""Rewriting instance IRIs from one base to another, for publishing under another host.

Only IRIs under the old base change; the ontology's and the UN's IRIs stay as they are.
"""

from __future__ import annotations

from rdflib import Dataset, URIRef
from rdflib.term import Node


def rebase_term(term: Node, old: str, new: str) -> Node:
    if isinstance(term, URIRef) and term.startswith(old):
        return URIRef(new + term[len(old) :])
    return term


def rebase_dataset(dataset: Dataset, old: str, new: str) -> Dataset:
    """A copy of ``dataset`` with every IRI under ``old`` moved under ``new`` (graph names included)."""
    rebased = Dataset(default_union=True)
    for graph in dataset.graphs():
        name = rebase_term(graph.identifier, old, new)
        target = rebased.graph(name)
        for s, p, o in graph:
            target.add((rebase_term(s, old, new), p, rebase_term(o, old, new)))
    return rebased
