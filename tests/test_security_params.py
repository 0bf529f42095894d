"""Named-question parameters under hostile input: property-based tests (hypothesis) of binding and of the API.

Two properties, for arbitrary strings, IRIs and numbers:
- a value is either refused with a ParameterError / InputError (HTTP 400) or answered (HTTP 200); never a
  crash, never a 500;
- a value never changes the structure of the query: the bound query's algebra, with the bound values
  blanked out, is the same as that of the template bound with its documented example values.
Hypothesis runs a bounded number of examples, derandomized, so CI is fast and reproducible.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Literal, URIRef, Variable

from reallabor.binding import inject_values
from reallabor.errors import InputError, ReallaborError
from reallabor.queries import Parameter, get_query, public_queries, to_term
from reallabor.results import QueryResult
from reallabor.web.evaluate import parse

from .helpers import bounded

BOUNDED = bounded(50)
INJECTIONS = [
    '" } ; DROP ALL ; SELECT * { "',
    "'} UNION { ?s ?p ?o } #",
    '"""} } INSERT DATA { <a:b> <a:c> <a:d> } #',
    "de> } ?s ?p ?o . FILTER(true) #",
    "<http://x/> } UNION { ?s ?p ?o",
    "\\u0022 } UNION { ?s ?p ?o } #",
    '\\\\" } #',
    "en\n} LIMIT 1 #",
    "x\u0000y",
    "${lab}",
    "?lab",
    "%22%7D",
    "https://w3id.org/reallabor/id/bottrop/lab/../../etc",
    "javascript:alert(1)",
    "1e9999",
    "-0",
    "NaN",
]
# No lone surrogates: they cannot be sent over HTTP nor stored in a Python str that is valid UTF-8.
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200)
IRIS = st.builds(
    lambda scheme, rest: scheme + rest,
    st.sampled_from(["https://w3id.org/reallabor/id/", "http://metadata.un.org/sdg/", "urn:", "http://", ""]),
    TEXT,
)
NUMBERS = st.one_of(
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-(10**40), max_value=10**40).map(lambda n: f"{n}"),
    st.sampled_from(["08", "+17", " 3 ", "1_000", "٣", "17.0", "0x11"]),
)
VALUES = st.one_of(TEXT, IRIS, NUMBERS, st.sampled_from(INJECTIONS))
WITH_PARAMETERS = [q.name for q in public_queries() if any(p.name != "lang" for p in q.parameters)]
ALL_NAMES = [q.name for q in public_queries()]


def example_values(name: str) -> dict[str, str]:
    """The documented example (or default) of every parameter: the template's intended shape."""
    query = get_query(name)
    return {p.name: str(p.example or p.default) for p in query.parameters if (p.example or p.default) is not None}


def shape(text: str):
    """The query's algebra with every bound VALUES term replaced by its kind: what a value may not change."""
    return _blank(parse(text).algebra)


def _blank(node, in_values: bool = False):
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        inner = in_values or node.name == "values"
        return (node.name, tuple(sorted((k, _blank(v, inner)) for k, v in node.items() if k != "_vars")))
    if isinstance(node, dict):
        return tuple(sorted((str(k), _blank(v, in_values)) for k, v in node.items()))
    if isinstance(node, list | tuple | set | frozenset):
        items = [_blank(v, in_values) for v in node]
        return tuple(sorted(items, key=repr)) if isinstance(node, set | frozenset) else tuple(items)
    if in_values and isinstance(node, URIRef | Literal):
        return type(node).__name__
    if isinstance(node, Variable | URIRef | Literal):
        return (type(node).__name__, str(node))
    return repr(node)


@pytest.fixture(scope="module")
def templates(kg) -> dict[str, object]:
    return {name: shape(kg.bound_text(name, example_values(name))) for name in ALL_NAMES}


def test_shape_sees_a_changed_structure(kg):
    # The property below means something only if ``shape`` tells structures apart and ignores values.
    text = kg.bound_text("labs", {"lang": "de"})
    assert shape(text) == shape(kg.bound_text("labs", {"lang": "en"}))
    assert shape(text) != shape(text.replace("WHERE {", "WHERE { ?x ?y ?z .", 1))
    assert shape(text) != shape(text.replace("WHERE {", 'WHERE { FILTER("a" = "b")', 1))


# -- the library ------------------------------------------------------------------------------------------


@BOUNDED
@given(name=st.sampled_from(ALL_NAMES), data=st.data())
def test_named_query_values_never_change_the_structure(kg, templates, name, data):
    query = get_query(name)
    given_values = {p.name: data.draw(VALUES, label=p.name) for p in query.parameters}
    try:
        text = kg.bound_text(name, dict(given_values))
    except InputError as exc:
        assert str(exc) and "\n" not in str(exc).strip()
        return
    assert shape(text) == templates[name]


@BOUNDED
@given(name=st.sampled_from(WITH_PARAMETERS), value=VALUES, lang=st.one_of(st.sampled_from(["de", "en"]), TEXT))
def test_library_answers_or_refuses(kg, name, value, lang):
    query = get_query(name)
    params = {p.name: value for p in query.parameters if p.name != "lang"} | {"lang": lang}
    try:
        result = kg.query(name, params)
    except ReallaborError as exc:  # a refusal is one line for a person
        assert str(exc).strip() and "Traceback" not in str(exc)
        if not any(ord(c) < 0x20 for c in value):  # see test_control_characters_are_a_parameter_error
            assert name in str(exc)
        return
    assert isinstance(result, QueryResult)


@pytest.mark.parametrize("value", ["A:\x1b", "urn:x\x00", "https://w3id.org/reallabor/id/x\x7fy\x01"])
def test_control_characters_are_a_parameter_error(kg, value):
    with pytest.raises(InputError, match="lab-profile"):
        kg.query("lab-profile", {"lab": value})


NO_CONTROLS = st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")), max_size=200)


@BOUNDED
@given(
    value=st.one_of(NO_CONTROLS, st.sampled_from(INJECTIONS)),
    kind=st.sampled_from(["string", "lang", "iri"]),
    name=st.sampled_from(ALL_NAMES),
)
def test_any_bound_term_stays_inside_its_values_block(kg, value, kind, name):
    """Bind the raw value as a term of each type straight into a template: structure unchanged."""
    try:
        term = to_term(Parameter(name="p", type=kind), value, kg.resolve)
    except InputError:
        return
    template = get_query(name).text
    try:
        bound = inject_values(template, {"injected": term})
    except InputError:
        return  # refused as unsafe (e.g. a \u escape) rather than bound
    reference = inject_values(template, {"injected": _same_kind(term)})
    assert shape(bound) == shape(reference)


def _same_kind(term):
    from reallabor import terms

    return URIRef("urn:x:reference") if terms.kind(term) == "uri" else Literal("reference")


# -- the HTTP API --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def api() -> Iterator[httpx.Client]:
    from .test_sparql_endpoint import running_server

    with running_server("--query-timeout", "20") as url, httpx.Client(base_url=url, timeout=60) as client:
        yield client


@pytest.mark.slow
@BOUNDED
@given(name=st.sampled_from(ALL_NAMES), data=st.data())
def test_api_answers_200_or_400_never_500(api, name, data):
    query = get_query(name)
    params = {p.name: data.draw(VALUES, label=p.name) for p in query.parameters}
    if data.draw(st.booleans(), label="extra parameter"):
        params[data.draw(TEXT.filter(bool), label="extra name")] = data.draw(VALUES, label="extra value")
    response = api.get(f"/api/queries/{name}", params=params)
    assert response.status_code in (200, 400), (params, response.status_code, response.text[:300])
    if response.status_code == 200:
        assert response.headers["content-type"].startswith("application/sparql-results+json")
        json.loads(response.content)
    else:
        assert response.text.strip() and "Traceback" not in response.text


@pytest.mark.slow
@BOUNDED
@given(raw_query=st.binary(max_size=300))
def test_api_raw_query_strings_never_500(api, raw_query):
    from urllib.parse import quote_from_bytes

    target = "/api/queries/labs-by-sdg?" + quote_from_bytes(raw_query, safe="=&")
    response = api.get(target)
    assert response.status_code in (200, 400), (raw_query, response.text[:300])


@pytest.mark.slow
def test_api_answers_a_valid_value_and_refuses_an_injection(api, kg):
    # Guards the properties above from passing vacuously: both outcomes really occur.
    sdg = example_values("labs-by-sdg")["sdg"]
    assert api.get("/api/queries/labs-by-sdg", params={"sdg": sdg}).status_code == 200
    refused = api.get("/api/queries/labs-by-sdg", params={"sdg": INJECTIONS[0]})
    assert refused.status_code == 400
    assert "sdg" in refused.text
