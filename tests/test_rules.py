"""The fast rule reasoner gives the same answer to every named question as owlrl, the reference."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from rdflib import URIRef

from reallabor import KnowledgeGraph
from reallabor.inference import closure, reasoning_input
from reallabor.load import bundled_sources, load_dataset, user_source
from reallabor.namespaces import INFERRED_GRAPH
from reallabor.queries import public_queries
from reallabor.store import MemoryStore

from .helpers import DATA


def graph_with(reasoner: str, extra: list[Path]) -> KnowledgeGraph:
    sources = bundled_sources() + [user_source(p) for p in extra]
    dataset = load_dataset(sources)
    target = dataset.graph(URIRef(INFERRED_GRAPH))
    for triple in closure(reasoning_input(dataset, sources), reasoner):
        target.add(triple)
    return KnowledgeGraph(MemoryStore(dataset), sources, inference=True)


def answers(kg: KnowledgeGraph, lang: str) -> dict[str, list]:
    out = {}
    for query in public_queries():
        params = {p.name: p.example for p in query.parameters if p.default is None}
        rows = kg.query(query.name, lang=lang, **params).rows
        out[query.name] = sorted(tuple(sorted((k, v.n3()) for k, v in row.items())) for row in rows)
    return out


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    from reallabor.synth import generate

    path = tmp_path_factory.mktemp("synth") / "synthetic.ttl"
    path.write_bytes(generate(3, seed=7))
    return path


@pytest.mark.parametrize("case", ["bottrop", "with-targets-and-chains", "synthetic"])
@pytest.mark.parametrize("lang", ["de", "en"])
def test_rules_answer_every_named_question_like_owlrl(case, lang, synthetic):
    extra = {"bottrop": [], "with-targets-and-chains": [DATA / "rules-fixture.ttl"], "synthetic": [synthetic]}[case]
    assert answers(graph_with("rules", extra), lang) == answers(graph_with("owlrl", extra), lang)


def test_rules_infer_lab_level_links():
    kg = graph_with("rules", [])
    assert len(kg.query("sdgs-by-lab").rows) == 5
    assert len(kg.query("megatrends-by-lab").rows) == 5


def test_unknown_reasoner_is_an_input_error():
    from reallabor import InputError

    with pytest.raises(InputError, match="reasoner"):
        closure(reasoning_input(load_dataset(bundled_sources()), bundled_sources()), "hermit")


# -- the rules specialised to the schema give exactly the generic rules' closure ------------------------------

EDGE = DATA / "rules-edge"
EX = "https://example.org/edge/"
INFERRED = "urn:x-test:inferred"


def rules_closure_of(paths: list[Path], bundled: bool, specialise: bool) -> set[tuple[str, str, str]]:
    from reallabor.oxigraph_store import OxigraphStore
    from reallabor.rules import infer_in_store

    store = OxigraphStore.memory()
    for source in (bundled_sources() if bundled else []) + [user_source(p) for p in paths]:
        store.load_source(source)
    infer_in_store(store.store, INFERRED, specialise=specialise)
    quads = store.store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(INFERRED))
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in quads}


@pytest.mark.parametrize("edge", sorted(p.name for p in EDGE.glob("*.ttl")))
def test_specialised_rules_equal_the_generic_rules_on_edge_cases(edge):
    specialised = rules_closure_of([EDGE / edge], bundled=False, specialise=True)
    assert specialised == rules_closure_of([EDGE / edge], bundled=False, specialise=False)
    assert specialised


@pytest.mark.parametrize("case", ["bottrop", "with-targets-and-chains", "synthetic"])
def test_specialised_rules_equal_the_generic_rules_on_project_data(case, synthetic):
    extra = {"bottrop": [], "with-targets-and-chains": [DATA / "rules-fixture.ttl"], "synthetic": [synthetic]}[case]
    specialised = rules_closure_of(extra, bundled=True, specialise=True)
    assert specialised == rules_closure_of(extra, bundled=True, specialise=False)
    assert len(specialised) > 100


def iri(name: str) -> str:
    return f"<{EX}{name}>"


TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


@pytest.mark.parametrize(
    ("edge", "expected", "absent"),
    [
        (
            "literals-and-inverses.ttl",
            [
                (iri("b"), iri("pInverse"), iri("a")),
                (iri("a"), iri("back"), iri("b")),
                (iri("a"), TYPE, iri("Top")),
                (iri("a"), iri("three"), iri("d")),
                (iri("d"), iri("threeInverse"), iri("a")),
                (iri("a"), TYPE, iri("Back")),
                (iri("a"), TYPE, iri("Ranged")),
                (iri("e"), TYPE, iri("Back")),
                (iri("g"), TYPE, "<http://www.w3.org/2001/XMLSchema#string>"),
                (iri("i"), TYPE, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#langString>"),
            ],
            ['"a literal" ', '"literal again" ', '"F-1"', '"a note"'],
        ),
        ("blank-class.ttl", [(iri("x"), TYPE, iri("Named")), (iri("y"), iri("qInverse"), iri("x"))], ["_:"]),
        ("type-as-superproperty.ttl", [(iri("thing"), TYPE, iri("Small")), (iri("thing"), TYPE, iri("Large"))], []),
        ("axioms-from-data.ttl", [(iri("tom"), TYPE, iri("Cat")), (iri("tom"), TYPE, iri("Animal"))], []),
        (
            "blank-chain.ttl",
            [
                (iri("lab"), iri("reaches"), iri("g")),
                (iri("lab2"), iri("reaches"), iri("g2")),
                (iri("g2"), iri("reachedBy"), iri("lab2")),
                (iri("lab2"), TYPE, iri("Reacher")),
                (iri("g3"), TYPE, iri("Goal")),
                (iri("top"), iri("far"), iri("g4")),
            ],
            ["_:"],
        ),
    ],
)
def test_specialised_rules_entail_what_each_edge_case_needs(edge, expected, absent):
    closure_ = rules_closure_of([EDGE / edge], bundled=False, specialise=True)
    assert set(expected) <= closure_
    text = "\n".join(" ".join(t) for t in closure_)
    assert not [a for a in absent if a in text]


# -- join order: Oxigraph joins in the written order, so the rules write the fewest matches first -----------------


def test_join_order_starts_small_and_never_joins_a_pattern_to_nothing():
    from reallabor.rules import join_order

    chain = ["?x :p1 ?n1 .", "?n1 :p2 ?n2 .", "?n2 :p3 ?y ."]
    assert join_order(chain, [50, 900, 1]) == [2, 1, 0]  # :p1 is small too, but shares nothing with :p3 yet
    assert join_order(chain, [5, 900, 800]) == [0, 1, 2]


def test_a_later_round_starts_from_the_smaller_side_of_a_chain():
    from reallabor.rules import Rule

    body = ("?n1 :isTargetOf ?y .", "?x :contributesTo ?n1 .", "BIND (?y AS ?yr)")
    rule = Rule("chain", "", "?x :contributesTo ?y .", body, (0, 1), sizes=(169, 40_000))

    def first_pattern(delta_size: int) -> str:
        query = rule.construct("urn:delta", 1, delta_size)
        return query.split("WHERE {")[1].strip().splitlines()[0]

    assert first_pattern(20_000) == "GRAPH ?g0 { ?n1 :isTargetOf ?y . }"
    assert first_pattern(10) == "GRAPH <urn:delta> { ?x :contributesTo ?n1 . }"


# -- the first round runs on all cores: an error in any of them ends it --------------------------------------------


@pytest.mark.parametrize("broken_rules", [1, 6])
def test_a_rule_that_fails_raises_and_never_hangs(broken_rules):
    import threading

    from reallabor.rules import Rule, saturate

    store = pyoxigraph.Store()
    node = pyoxigraph.NamedNode(f"{EX}a")
    store.add(pyoxigraph.Quad(node, node, node, pyoxigraph.NamedNode(f"{EX}g")))
    fine = Rule("fine", "", "?o ?p ?s .", ("?s ?p ?o .",), (0,))
    broken = Rule("broken", "", "?s ?p ?o .", ("?s ?p .",), (0,))  # no object: not SPARQL
    raised: list[BaseException] = []

    def run() -> None:
        try:
            saturate(store, INFERRED, [fine, *[broken] * broken_rules, fine])
        except SyntaxError as error:
            raised.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert len(raised) == 1
