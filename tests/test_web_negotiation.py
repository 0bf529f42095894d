"""Accept-header negotiation: a pure function over the one table of formats."""

from __future__ import annotations

import pytest

from reallabor.errors import InputError
from reallabor.formats import RDF_FORMATS, RESULT_FORMATS
from reallabor.web.negotiation import by_name, choose, negotiate, offered, parse_accept


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/sparql-results+json"),
        ("", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/markdown", "text/markdown"),
        ("text/plain", "text/plain"),
        # q values decide; at equal q the more specific range wins over a wildcard
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv, */*", "text/csv"),
        ("*/*;q=0.1, text/tab-separated-values;q=0.2", "text/tab-separated-values"),
        # a range that covers several formats picks the server's preference among them
        ("text/*", "text/csv"),
        # a browser gets XML results (application/xml at 0.9 beats */* at 0.8)
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/sparql-results+xml"),
        # an explicit q=0 excludes a type even when a wildcard would admit it
        ("application/sparql-results+json;q=0, */*", "application/sparql-results+xml"),
        ("APPLICATION/SPARQL-RESULTS+XML", "application/sparql-results+xml"),
        ("text/csv; charset=utf-8; q=0.9", "text/csv"),
    ],
)
def test_result_formats(accept, expected):
    assert choose(accept, "results").media_type == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/turtle"),
        ("*/*", "text/turtle"),
        ("text/turtle", "text/turtle"),
        ("application/x-turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("text/plain", "application/n-triples"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/n-quads", "application/n-quads"),
        ("application/trig", "application/trig"),
        ("application/rdf+xml;q=0.4, application/ld+json;q=0.6", "application/ld+json"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "text/turtle"),
    ],
)
def test_rdf_formats(accept, expected):
    assert choose(accept, "rdf").media_type == expected


@pytest.mark.parametrize(
    ("accept", "kind"),
    [
        ("text/html", "results"),
        ("image/png", "rdf"),
        ("text/turtle", "results"),
        ("application/sparql-results+json", "rdf"),
        ("*/*;q=0", "rdf"),
    ],
)
def test_nothing_acceptable_is_none(accept, kind):
    assert choose(accept, kind) is None


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("csv", "results", "text/csv"),
        (".tsv", "results", "text/tab-separated-values"),
        ("srj", "results", "application/sparql-results+json"),
        ("json", "results", "application/sparql-results+json"),
        ("xml", "results", "application/sparql-results+xml"),
        ("markdown", "results", "text/markdown"),
        ("ttl", "rdf", "text/turtle"),
        ("json-ld", "rdf", "application/ld+json"),
        ("nt", "rdf", "application/n-triples"),
        ("xml", "rdf", "application/rdf+xml"),
        ("text/csv", "results", "text/csv"),
    ],
)
def test_explicit_format_beats_accept(name, kind, expected):
    assert choose("application/unknown", kind, name).media_type == expected


def test_unknown_explicit_format_is_an_error_naming_the_choices():
    with pytest.raises(InputError, match="'n3' is not offered here; choose one of: json, xml, csv"):
        by_name("n3", offered("results"))


def test_lenient_explicit_format_falls_back_to_accept():
    assert choose("text/csv", "results", "n3", strict=False).media_type == "text/csv"
    with pytest.raises(InputError):
        choose("text/csv", "results", "n3")


def test_offered_covers_the_format_table_with_defaults_first():
    assert {f.media_type for f in offered("results")} == {f.media_type for f in RESULT_FORMATS}
    assert {f.media_type for f in offered("rdf")} == {f.media_type for f in RDF_FORMATS}
    assert offered("results")[0].name == "json"
    assert offered("rdf")[0].name == "turtle"


def test_parse_accept_skips_garbage_and_clamps_q():
    ranges = parse_accept("garbage, text/csv;q=7, text/tsv;q=abc")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [("text", "csv", 1.0), ("text", "tsv", 0.0)]


def test_negotiate_respects_candidate_order_on_ties():
    csv, tsv = by_name("csv", RESULT_FORMATS), by_name("tsv", RESULT_FORMATS)
    assert negotiate("text/*", [tsv, csv]) is tsv
    assert negotiate("text/*", [csv, tsv]) is csv
