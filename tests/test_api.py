"""The REST API of named questions and its OpenAPI description, against the real server.

Every answer is compared byte for byte with what the library's own writers give for the same question.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from reallabor.queries import public_queries
from reallabor.results import write_result

from .test_sparql_endpoint import running_server

RESULT_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "md": "text/markdown",
    "table": "text/plain",
}


@pytest.fixture(scope="session")
def api_url(tmp_path_factory) -> Iterator[str]:
    with running_server(cwd=tmp_path_factory.mktemp("api")) as url:
        yield url


def example_params(query) -> dict[str, str]:
    """The example value of each required parameter, as a user would fill in the form."""
    return {p.name: p.example for p in query.parameters if p.required}


QUERIES = public_queries()


def test_listing_names_every_question_with_its_parameters(api_url):
    listing = httpx.get(f"{api_url}/api/queries").json()
    assert [q["name"] for q in listing] == [q.name for q in QUERIES]
    for entry, query in zip(listing, QUERIES, strict=True):
        assert entry["title"] == query.title
        assert [p["name"] for p in entry["parameters"]] == [p.name for p in query.parameters]
        assert [p["required"] for p in entry["parameters"]] == [p.required for p in query.parameters]
        assert httpx.get(api_url + entry["href"], params=example_params(query)).status_code == 200


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
@pytest.mark.parametrize("fmt", sorted(RESULT_FORMATS))
def test_every_question_in_every_format_by_accept(api_url, kg, query, fmt):
    params = example_params(query)
    response = httpx.get(f"{api_url}/api/queries/{query.name}", params=params, headers={"Accept": RESULT_FORMATS[fmt]})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == RESULT_FORMATS[fmt]
    assert response.content == write_result(kg.query(query.name, params), fmt).encode("utf-8")


@pytest.mark.parametrize("fmt", sorted(RESULT_FORMATS))
def test_format_parameter_and_suffix(api_url, kg, fmt):
    expected = write_result(kg.query("labs-by-sdg", sdg="8"), fmt).encode("utf-8")
    assert expected.strip()
    by_param = httpx.get(f"{api_url}/api/queries/labs-by-sdg", params={"sdg": "8", "format": fmt})
    assert by_param.content == expected
    suffix = {"json": "srj", "xml": "srx", "md": "md", "table": "txt"}.get(fmt, fmt)
    by_suffix = httpx.get(f"{api_url}/api/queries/labs-by-sdg.{suffix}", params={"sdg": "8"})
    assert by_suffix.content == expected


def test_parameters_change_the_answer(api_url, kg):
    english = httpx.get(f"{api_url}/api/queries/labs", params={"lang": "en", "format": "csv"}).text
    german = httpx.get(f"{api_url}/api/queries/labs", params={"format": "csv"}).text
    assert english != german
    assert english.encode() == write_result(kg.query("labs", lang="en"), "csv").encode()


@pytest.mark.parametrize(
    ("path", "params", "status", "message"),
    [
        ("labs-by-sdg", {"sdg": "18"}, 400, "parameter sdg='18' is not a valid UN SDG goal"),
        ("labs-by-sdg", {}, 400, "missing parameter 'sdg'"),
        ("labs-by-sdg", {"sdg": "8", "colour": "red"}, 400, "unknown parameter 'colour'"),
        ("labs-by-sdg", [("sdg", "8"), ("sdg", "9")], 400, "parameter 'sdg' is given twice"),
        ("labs-by-sdg", {"sdg": "8", "format": "n3"}, 400, "format 'n3' is not offered"),
        ("no-such-question", {}, 404, "unknown query 'no-such-question'"),
        ("_resolve-label", {}, 404, "unknown query '_resolve-label'"),
    ],
)
def test_bad_requests_name_the_problem(api_url, path, params, status, message):
    response = httpx.get(f"{api_url}/api/queries/{path}", params=params)
    assert response.status_code == status
    assert message in response.text
    assert "Traceback" not in response.text


def test_unacceptable_accept_is_406(api_url):
    response = httpx.get(f"{api_url}/api/queries/labs", headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_answers_carry_an_etag_and_revalidate(api_url):
    first = httpx.get(f"{api_url}/api/queries/sdg-coverage")
    again = httpx.get(f"{api_url}/api/queries/sdg-coverage", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["etag"] == first.headers["etag"]


def test_cors_on_the_api(api_url):
    response = httpx.get(f"{api_url}/api/queries", headers={"Origin": "https://portal.example"})
    assert response.headers["access-control-allow-origin"] == "*"


def test_openapi_is_valid_and_covers_every_question(api_url):
    from openapi_spec_validator import validate

    document = httpx.get(f"{api_url}/api/openapi.json").json()
    validate(document)
    assert {"/sparql", "/api/queries"} <= set(document["paths"])
    for query in QUERIES:
        operation = document["paths"][f"/api/queries/{query.name}"]["get"]
        declared = {p["name"]: p["required"] for p in operation["parameters"]}
        assert declared == {**{p.name: p.required for p in query.parameters}, "format": False}
        assert set(RESULT_FORMATS.values()) <= set(operation["responses"]["200"]["content"])
