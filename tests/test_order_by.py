"""ORDER BY done in Python for the on-disk Oxigraph store: which clauses it takes over, and the same order."""

from __future__ import annotations

from pathlib import Path

import pytest

from reallabor import KnowledgeGraph
from reallabor.order_by import SortKey, split_order_by, with_sort_keys
from reallabor.oxigraph_store import OxigraphStore
from reallabor.queries import public_queries


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("SELECT ?a WHERE { ?a ?b ?c } ORDER BY ?a", [SortKey("a", False)]),
        (
            "SELECT * WHERE { ?a ?b ?c }\nORDER BY DESC(?b) ?a ASC( ?c )\n",
            [SortKey("b", True), SortKey("a", False), SortKey("c", False)],
        ),
        ("SELECT ?a WHERE { ?a ?b ?c } order by ?a", [SortKey("a", False)]),
    ],
)
def test_takes_over_a_final_order_by_on_variables(text, keys):
    unordered, found = split_order_by(text)
    assert found == keys
    assert "ORDER" not in unordered.upper() and unordered.rstrip().endswith("}")


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?a WHERE { ?a ?b ?c } ORDER BY ?a LIMIT 5",
        "SELECT ?a WHERE { ?a ?b ?c } ORDER BY ?a OFFSET 2",
        "SELECT ?a WHERE { ?a ?b ?c } ORDER BY STR(?a)",
        "SELECT ?a WHERE { { SELECT ?a WHERE { ?a ?b ?c } ORDER BY ?a } }",
        "SELECT ?a WHERE { ?a ?b ?c } ORDER BY ?a VALUES ?a { <x:y> }",
        "SELECT ?a WHERE { ?a ?b ?c }",
    ],
)
def test_leaves_every_other_clause_to_the_engine(text):
    assert split_order_by(text) is None


@pytest.mark.parametrize(
    ("text", "widened", "hidden"),
    [
        ("SELECT ?a ?b WHERE { ?a ?b ?c }", "SELECT ?a ?b ?c WHERE { ?a ?b ?c }", ["c"]),
        ("# SELECT ?x WHERE\nSELECT ?a {?a ?b ?c}", "# SELECT ?x WHERE\nSELECT ?a ?c {?a ?b ?c}", ["c"]),
        ("SELECT ?a ?c WHERE { ?a ?b ?c }", "SELECT ?a ?c WHERE { ?a ?b ?c }", []),
        ("SELECT DISTINCT ?a WHERE { ?a ?b ?c }", "SELECT DISTINCT ?a WHERE { ?a ?b ?c }", []),
        ("SELECT ?a (COUNT(*) AS ?n) WHERE { ?a ?b ?c }", "SELECT ?a (COUNT(*) AS ?n) WHERE { ?a ?b ?c }", []),
        ("SELECT ?a WHERE { ?a ?b ?c } GROUP BY ?a", "SELECT ?a WHERE { ?a ?b ?c } GROUP BY ?a", []),
        (
            "SELECT DISTINCT ?a WHERE { { SELECT ?a ?c WHERE { ?a ?b ?c } } }",
            "SELECT DISTINCT ?a WHERE { { SELECT ?a ?c WHERE { ?a ?b ?c } } }",
            [],
        ),
    ],
)
def test_widens_only_a_plain_outer_select_by_the_keys_it_does_not_return(text, widened, hidden):
    assert with_sort_keys(text, [SortKey("c", False)]) == (widened, hidden)


@pytest.fixture(scope="module")
def on_disk(tmp_path_factory) -> KnowledgeGraph:
    from reallabor.synth import generate

    data = tmp_path_factory.mktemp("order") / "synthetic.ttl"
    data.write_bytes(generate(4, seed=3))
    return KnowledgeGraph.load([data], store=f"oxigraph:{Path(data.parent) / 'store'}")


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("name", sorted(q.name for q in public_queries()))
def test_python_order_is_the_engines_order(on_disk, name, lang):
    named = next(q for q in public_queries() if q.name == name)
    params = {p.name: p.example for p in named.parameters if p.example is not None and p.name != "lang"}
    text = on_disk.bound_text(name, {**params, "lang": lang})
    ordering = split_order_by(text)
    assert on_disk.store.path is not None
    here = on_disk.store.query(text)
    by_engine = OxigraphStore(on_disk.store.store).query(text)  # no path: the engine sorts
    assert here.variables == by_engine.variables  # keys the question does not return stay hidden
    assert len(here.native_rows) == len(by_engine.native_rows) > 0
    if ordering is None:
        return
    shown = [key.variable for key in ordering[1] if key.variable in here.variables]
    assert shown, "no returned sort key: the comparison would prove nothing"
    assert [[row.get(k) for k in shown] for row in here.native_rows] == [
        [row.get(k) for k in shown] for row in by_engine.native_rows
    ]
