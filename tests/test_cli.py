"""The CLI in a subprocess: exit codes, one-line errors without tracebacks, every output option."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph


def assert_one_line_error(done, *fragments: str) -> None:
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for fragment in fragments:
        assert fragment in lines[0]


def test_query_prints_a_table(cli):
    done = cli("query", "sdgs-by-lab")
    assert done.returncode == 0, done.stderr
    assert "Fachkräftesicherung" in done.stdout.decode()


def test_query_with_parameter_as_json(cli):
    done = cli("query", "labs-by-sdg", "-p", "sdg=8", "--format", "json")
    assert done.returncode == 0
    labels = {b["labLabel"]["value"] for b in json.loads(done.stdout)["results"]["bindings"]}
    assert labels == {"Digitale Koproduktion im Handwerk", "Fachkräftesicherung"}


def test_queries_lists_names_and_parameters(cli):
    out = cli("queries").stdout.decode()
    assert "labs-by-sdg" in out and "sdg=8" in out


def test_valid_goal_without_labs_exits_zero(cli):
    done = cli("query", "labs-by-sdg", "-p", "sdg=3", "--format", "csv")
    assert done.returncode == 0
    assert done.stdout.decode().strip() == "lab,labLabel"


@pytest.mark.parametrize(
    "args, fragments",
    [
        (("query", "no-such-query"), ("unknown query", "sdgs-by-lab")),
        (("query", "labs-by-sdg", "-p", "sdg=99"), ("sdg", "accepted parameters")),
        (("query", "labs-by-sdg", "-p", 'sdg=8"} UNION {?s ?p ?o'), ("sdg", "accepted parameters")),
        (("query", "labs-by-sdg", "-p", "goal=8"), ("unknown parameter 'goal'",)),
        (("query", "labs-by-sdg", "-p", "noequals"), ("NAME=VALUE",)),
        (("sparql", "SELECT * WHERE {"), ("SPARQL",)),
        (("sparql", "--file", "/nonexistent/q.rq"), ("/nonexistent/q.rq",)),
        (("export", "--format", "pdf"), ("unknown RDF format", "turtle")),
        (("query", "sdgs-by-lab", "--format", "pdf"), ("unknown result format",)),
        (("query", "sdgs-by-lab", "--data", "/nonexistent/x.ttl"), ("/nonexistent/x.ttl",)),
    ],
)
def test_bad_input_gives_one_clear_line_and_exit_2(cli, args, fragments):
    assert_one_line_error(cli(*args), *fragments)


def test_unparsable_data_file_names_file_and_line(cli, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e\n", encoding="utf-8")
    assert_one_line_error(cli("info", "--data", str(bad)), "bad.ttl", "line 3")


def test_sparql_from_file_and_construct_as_turtle(cli, tmp_path):
    query = tmp_path / "q.rq"
    query.write_text(
        "PREFIX rl: <https://w3id.org/reallabor/ontology#>\n"
        "CONSTRUCT { ?lab rl:hasMeasure ?m } WHERE { ?lab rl:hasMeasure ?m }\n",
        encoding="utf-8",
    )
    done = cli("sparql", "--file", str(query), "--format", "turtle")
    assert done.returncode == 0
    assert len(Graph().parse(data=done.stdout, format="turtle")) == 4


def test_export_to_file_is_written_whole(cli, tmp_path):
    out = tmp_path / "out" / "graph.jsonld"
    done = cli("export", "--format", "jsonld", "-o", str(out))
    assert done.returncode == 0
    assert len(Graph().parse(out, format="json-ld")) > 1000
    assert [p.name for p in out.parent.iterdir()] == ["graph.jsonld"]  # no temp file left behind


def test_failed_export_leaves_the_previous_file(cli, tmp_path):
    out = tmp_path / "graph.ttl"
    out.write_text("previous", encoding="utf-8")
    done = cli("export", "--format", "turtle", "-o", str(out), "--data", str(tmp_path / "missing.ttl"))
    assert done.returncode == 2
    assert out.read_text(encoding="utf-8") == "previous"


def test_info_reports_graphs_and_classes(cli):
    info = json.loads(cli("info", "--format", "json").stdout)
    assert info["graphs"]["https://w3id.org/reallabor/graph/bottrop/bottrop"] > 100
    assert info["classes"]["https://w3id.org/reallabor/ontology#RealWorldLab"] == 3


def test_no_inference_flag(cli):
    done = cli("query", "sdgs-by-lab", "--no-inference", "--format", "csv")
    assert done.returncode == 0
    assert done.stdout.decode().strip() == "lab,labLabel,sdg,sdgLabel"


def test_runs_from_any_directory(cli, tmp_path: Path):
    done = cli("query", "labs", "--format", "csv", cwd=tmp_path)
    assert done.returncode == 0
    assert "Fachkräftesicherung" in done.stdout.decode()


def test_lang_switches_labels(cli):
    assert "Securing skilled labour" in cli("query", "labs", "--lang", "en").stdout.decode()


def test_a_closed_pipe_ends_quietly():
    """`reallabor info | head -1`: the reader is gone before anything is written; no error message, no traceback."""
    import os
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "reallabor.cli", "info"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ
    )
    process.stdout.close()  # closed long before the graph is loaded and the first line written
    errors = process.stderr.read().decode()
    assert process.wait(timeout=300) == 141
    assert errors == ""
