"""Named questions: the catalogue, expected rows, and parameters bound as RDF terms."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from reallabor import ParameterError, UnknownQueryError
from reallabor.binding import inject_values
from reallabor.queries import public_queries

from .helpers import BARE_MEASURE, DATA, column

REQUIRED = {
    "labs": {"lab", "labLabel", "phase"},
    "measures-by-lab": {"lab", "labLabel", "measure", "measureLabel"},
    "sdgs-by-lab": {"lab", "labLabel", "sdg", "sdgLabel"},
    "megatrends-by-lab": {"lab", "labLabel", "megatrend", "megatrendLabel"},
    "labs-by-sdg": {"lab", "labLabel"},
    "measures-by-megatrend": {"measure", "measureLabel", "lab", "labLabel"},
    "lab-profile": {"property", "value"},
    "sdg-coverage": {"sdg", "labs", "measures"},
    "programme-table": {"lab", "labLabel", "measure", "measureLabel", "item", "itemLabel"},
}


def test_catalogue_has_every_required_question_with_a_header():
    names = {q.name: q for q in public_queries()}
    assert set(REQUIRED) <= set(names)
    for query in names.values():
        assert query.title and query.title != query.name
        assert query.description
        for param in query.parameters:
            assert param.example is not None or param.default is not None


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_every_named_question_returns_its_variables_and_rows(kg, name):
    query = next(q for q in public_queries() if q.name == name)
    params = {p.name: p.example for p in query.parameters if p.default is None}
    result = kg.query(name, **params)
    assert REQUIRED[name] <= set(result.variables)
    assert result.rows, f"{name} returned no rows on the Bottrop data"


def test_labs_by_sdg_accepts_number_and_un_iri(kg):
    by_number = column(kg.query("labs-by-sdg", sdg="8"), "labLabel")
    by_iri = column(kg.query("labs-by-sdg", sdg="http://metadata.un.org/sdg/8"), "labLabel")
    assert sorted(by_number) == sorted(by_iri) == ["Digitale Koproduktion im Handwerk", "Fachkräftesicherung"]


def test_a_valid_goal_without_labs_is_an_empty_result(kg):
    assert kg.query("labs-by-sdg", sdg="3").rows == []


@pytest.mark.parametrize("value", ["99", "0", '8"}', "8 } UNION { ?s ?p ?o", "<http://x>", "", "8.5"])
def test_ill_typed_goal_is_a_parameter_error_listing_accepted_parameters(kg, value):
    with pytest.raises(ParameterError, match="accepted parameters: sdg"):
        kg.query("labs-by-sdg", sdg=value)


def test_unknown_and_missing_parameters_are_errors(kg):
    with pytest.raises(ParameterError, match="unknown parameter 'goal'"):
        kg.query("labs-by-sdg", goal="8")
    with pytest.raises(ParameterError, match="missing parameter 'sdg'"):
        kg.query("labs-by-sdg")


def test_unknown_query_lists_the_names(kg):
    with pytest.raises(UnknownQueryError, match="sdgs-by-lab"):
        kg.query("no-such-question")


def test_megatrend_by_label_slug_or_iri_gives_the_same_rows(kg):
    variants = ["Digitalisierung", "digitalisierung", "https://w3id.org/reallabor/id/megatrend/digitalisierung"]
    results = [sorted(column(kg.query("measures-by-megatrend", megatrend=v), "measure")) for v in variants]
    assert results[0] == results[1] == results[2]
    assert len(results[0]) == 2


def test_an_iri_then_a_slug_then_a_label_names_a_resource():
    from reallabor import KnowledgeGraph

    kg = KnowledgeGraph.load([DATA / "labs-named-like-each-other.ttl"], bundled=False, inference=False)
    lab = "https://w3id.org/reallabor/ontology#RealWorldLab"
    found = {value: kg.resolve(value, lab) for value in ("beta", "Alpha", "alpha", "https://example.org/lab/gamma")}
    assert {k: v and v.value for k, v in found.items()} == {
        "beta": "https://example.org/lab/beta",  # its slug, though it is the other lab's label
        "Alpha": "https://example.org/lab/beta",  # no slug ends in "/Alpha": the label decides
        "alpha": "https://example.org/lab/alpha",
        "https://example.org/lab/gamma": None,  # not a lab
    }


def test_unknown_megatrend_is_a_parameter_error(kg):
    with pytest.raises(ParameterError, match="megatrend"):
        kg.query("measures-by-megatrend", megatrend="Klimawandel")


def test_lab_profile_covers_measures_megatrends_and_goals(kg):
    result = kg.query("lab-profile", lab="Fachkräftesicherung")
    values = set(column(result, "value"))
    assert "http://metadata.un.org/sdg/10" in values
    assert "https://w3id.org/reallabor/id/megatrend/migration" in values
    assert "https://w3id.org/reallabor/id/bottrop/measure/integration-gefluechteter" in values


def test_sdg_coverage_lists_all_17_goals_with_zeros(kg):
    rows = kg.query("sdg-coverage").rows
    counts = {int(r["goalNumber"]): (int(r["labs"]), int(r["measures"])) for r in rows}
    assert sorted(counts) == list(range(1, 18))
    assert counts[8] == (2, 2) and counts[10] == (1, 1) and counts[11] == (1, 1) and counts[12] == (1, 1)
    assert counts[3] == (0, 0)


@pytest.mark.parametrize("lang, expected", [("de", "Fachkräftesicherung"), ("en", "Securing skilled labour")])
def test_labels_follow_the_language(kg, lang, expected):
    assert expected in column(kg.query("labs-by-sdg", sdg="10", lang=lang), "labLabel")


def test_unknown_language_falls_back_to_english(kg):
    assert column(kg.query("labs-by-sdg", sdg="10", lang="fr"), "labLabel") == ["Securing skilled labour"]


@pytest.mark.parametrize(
    "value",
    ['x" } ?s ?p ?o { "', 'a\\"b', "line\nbreak", "}} #", "' UNION { ?a ?b ?c }", "tab\tand\\", "\b\f"],
)
def test_hostile_literal_values_stay_inside_their_literal(kg, value):
    text = inject_values("SELECT ?v WHERE { BIND (?x AS ?v) }", {"x": Literal(value)})
    result = kg.sparql(text)
    assert [str(r["v"]) for r in result.rows] == [value]


@pytest.mark.parametrize("value", ["\\u0022", "x\\U00000041"])
def test_codepoint_escapes_in_values_are_refused(kg, value):
    with pytest.raises(ParameterError, match="escape"):
        inject_values("SELECT ?v WHERE { BIND (?x AS ?v) }", {"x": Literal(value)})


def test_values_block_opens_the_where_group_even_after_a_construct_template(kg):
    text = inject_values("CONSTRUCT { ?s <urn:p> ?x } WHERE { BIND(<urn:s> AS ?s) }", {"x": URIRef("urn:o")})
    graph = kg.sparql(text).graph
    assert (URIRef("urn:s"), URIRef("urn:p"), URIRef("urn:o")) in graph


@pytest.mark.parametrize("snapshot", [False, True], ids=["rdflib", "oxigraph"])
def test_programme_table_gives_a_measure_with_neither_megatrend_nor_goal_one_row(snapshot):
    from reallabor import KnowledgeGraph

    graph = KnowledgeGraph.load([BARE_MEASURE], cache=False, snapshot=snapshot)
    rows = [r for r in graph.query("programme-table", lang="de").rows if str(r["measure"]).endswith("/m/bare")]
    assert len(rows) == 1
    assert "item" not in rows[0] and "itemLabel" not in rows[0]
