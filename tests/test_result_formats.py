"""Every result format parses with a standard parser and carries the same rows."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from rdflib.plugins.sparql.results.tsvresults import TSVResultParser

from reallabor.results import write_result

SPARQL_NS = "{http://www.w3.org/2005/sparql-results#}"


@pytest.fixture(scope="module")
def result(kg):
    return kg.query("sdgs-by-lab")


def test_json_is_sparql_results_json(result):
    data = json.loads(write_result(result, "json"))
    assert data["head"]["vars"] == result.variables
    assert len(data["results"]["bindings"]) == len(result.rows)
    assert data["results"]["bindings"][0]["sdg"]["type"] == "uri"
    assert data["results"]["bindings"][0]["labLabel"]["xml:lang"] == "de"


def test_xml_is_sparql_results_xml(result):
    root = ET.fromstring(write_result(result, "xml"))
    names = [v.get("name") for v in root.iter(f"{SPARQL_NS}variable")]
    assert names == result.variables
    assert len(list(root.iter(f"{SPARQL_NS}result"))) == len(result.rows)


def test_csv_has_header_and_plain_values(result):
    rows = list(csv.reader(io.StringIO(write_result(result, "csv"))))
    assert rows[0] == result.variables
    assert len(rows) == len(result.rows) + 1
    assert rows[1][result.variables.index("sdg")].startswith("http://metadata.un.org/sdg/")


def test_tsv_parses_with_rdflibs_tsv_parser(result):
    parsed = TSVResultParser().parse(io.StringIO(write_result(result, "tsv")))
    assert [str(v) for v in parsed.vars] == result.variables
    parsed_rows = {tuple(b[v] for v in parsed.vars) for b in parsed.bindings}
    assert parsed_rows == {tuple(row[v] for v in result.variables) for row in result.rows}


@pytest.mark.parametrize("fmt", ["md", "table"])
def test_text_tables_have_one_line_per_row(result, fmt):
    lines = write_result(result, fmt).strip().splitlines()
    assert len([line for line in lines if "Fachkräftesicherung" in line]) == 2


def test_ask_in_every_format(kg):
    answer = kg.sparql("ASK { ?s a <https://w3id.org/reallabor/ontology#RealWorldLab> }")
    assert json.loads(write_result(answer, "json"))["boolean"] is True
    assert ET.fromstring(write_result(answer, "xml")).find(f"{SPARQL_NS}boolean").text == "true"
    for fmt in ("csv", "tsv", "md", "table"):
        assert "true" in write_result(answer, fmt)


def test_markdown_escapes_pipes(kg):
    answer = kg.sparql('SELECT ?x WHERE { BIND ("a|b" AS ?x) }')
    assert "a\\|b" in write_result(answer, "md")


def test_csv_quotes_commas_and_newlines(kg):
    answer = kg.sparql('SELECT ?x WHERE { BIND ("a,b\\nc" AS ?x) }')
    rows = list(csv.reader(io.StringIO(write_result(answer, "csv"))))
    assert rows[1] == ["a,b\nc"]
