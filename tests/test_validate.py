"""`reallabor validate`: the bundled data conforms, each shape catches what it is for, exit codes, formats."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import RDF, SH, Graph

SHAPES = Path(__file__).resolve().parent / "data" / "shapes"
VALID = SHAPES / "valid.ttl"
BROKEN = sorted(p for p in SHAPES.glob("*.ttl") if p.name != "valid.ttl")
DANGLING = "https://w3id.org/reallabor/shapes#DescribedReferencesShape"


def expected_problems(fixture: Path) -> set[tuple[str, str, str, bool]]:
    """The fixture's "# expect: SEVERITY FOCUS PATH [dangling]" lines."""
    found = set()
    for line in fixture.read_text(encoding="utf-8").splitlines():
        match = re.match(r"# expect: (\w+) (\S+) (\S+)( dangling)?$", line)
        if match:
            found.add((match[1], match[2], match[3], bool(match[4])))
    return found


def problems_of(stdout: bytes) -> set[tuple[str, str, str, bool]]:
    return {(p["severity"], p["focus"], p["path"], p["shape"] == DANGLING) for p in json.loads(stdout)}


def test_bundled_data_conforms(cli):
    done = cli("validate", "--lang", "en")
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().strip().splitlines()[-1] == "conforms: 0 violations, 0 warnings"


def test_valid_fixture_conforms(cli):
    done = cli("validate", str(VALID), "--format", "json")
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    assert json.loads(done.stdout) == []


def test_every_shape_has_a_broken_fixture():
    """Each named shape of shapes.ttl is the target of at least one fixture's expectation."""
    shapes = Graph().parse(Path(__file__).resolve().parents[1] / "ontology" / "shapes.ttl")
    node_shapes = {str(s) for s in shapes.subjects(RDF.type, SH.NodeShape)}
    assert len(BROKEN) >= len(node_shapes) - 1  # LabelledShape has three fixtures, dangling one, etc.
    assert all(expected_problems(f) for f in BROKEN), "every fixture states what it must cause"


@pytest.mark.parametrize("fixture", BROKEN, ids=[p.stem for p in BROKEN])
def test_each_shape_catches_its_fixture(cli, fixture):
    expected = expected_problems(fixture)
    done = cli("validate", str(VALID), str(fixture), "--format", "json")
    assert problems_of(done.stdout) == expected
    only_warnings = all(severity == "Warning" for severity, *_ in expected)
    assert done.returncode == (0 if only_warnings else 1), done.stderr.decode()


def test_text_report_names_label_iri_path_and_message_in_both_languages(cli):
    broken = SHAPES / "lab-without-measure.ttl"
    english = cli("validate", str(VALID), str(broken), "--lang", "en")
    german = cli("validate", str(VALID), str(broken))  # German is the default, as for labels
    assert english.returncode == german.returncode == 1
    focus = "<https://w3id.org/reallabor/id/testdorf/lab/leer>"
    assert (
        f"Violation: Empty lab {focus} rl:hasMeasure: A real-world lab has at least one measure"
        in english.stdout.decode()
    )
    assert (
        f"Verstoß: Leeres Labor {focus} rl:hasMeasure: Ein Reallabor hat mindestens eine Maßnahme"
        in german.stdout.decode()
    )
    assert english.stderr.decode().startswith("reallabor: error: 1 violation")
    assert b"Traceback" not in english.stderr + german.stderr


def test_warnings_alone_do_not_fail(cli):
    done = cli("validate", str(VALID), str(SHAPES / "english-label-missing.ttl"), "--lang", "en")
    assert done.returncode == 0
    assert "Warning:" in done.stdout.decode()
    assert done.stdout.decode().strip().endswith("conforms: 0 violations, 1 warnings")


def test_turtle_format_is_the_shacl_report_graph_and_stable(cli):
    args = ("validate", str(VALID), str(SHAPES / "sdg-unknown.ttl"), "--format", "turtle")
    first, second = cli(*args), cli(*args)
    assert first.returncode == 1
    assert first.stdout == second.stdout
    report = Graph().parse(data=first.stdout.decode(), format="turtle")
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms).toPython() is False
    assert len(list(report.objects(node, SH.result))) == 2


def test_unparsable_file_exits_2_with_file_and_line(cli, tmp_path):
    bad = tmp_path / "broken.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e \n", encoding="utf-8")
    done = cli("validate", str(bad))
    assert done.returncode == 2
    message = done.stderr.decode()
    assert str(bad) in message and re.search(r"line \d+", message)
    assert "Traceback" not in message and done.stdout == b""


def test_unreadable_file_exits_2(cli, tmp_path):
    done = cli("validate", str(tmp_path / "missing.ttl"))
    assert done.returncode == 2
    assert "missing.ttl: cannot read" in done.stderr.decode()


def test_report_written_atomically_to_output(cli, tmp_path):
    out = tmp_path / "report.json"
    done = cli(
        "validate", str(VALID), str(SHAPES / "aim-without-phase.ttl"), "-f", "json", "--lang", "en", "-o", str(out)
    )
    assert done.returncode == 1
    (problem,) = json.loads(out.read_text(encoding="utf-8"))
    assert problem["label"] == "Loose aim" and problem["path"] == "^rl:hasAim"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
