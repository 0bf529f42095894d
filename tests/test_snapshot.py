"""The CLI's warm start: a snapshot answers exactly as the cold load did, and is never trusted blindly."""

from __future__ import annotations

import pytest

from reallabor.queries import public_queries

FORMATS = ["json", "csv", "tsv", "xml", "md", "table"]


def named_question_args(name: str) -> list[str]:
    query = next(q for q in public_queries() if q.name == name)
    args = ["query", name]
    for param in query.parameters:
        if param.default is None:
            args += ["-p", f"{param.name}={param.example}"]
    return args


def snapshots(cache) -> list:
    return sorted(cache.glob("snapshot-*.nq"))


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(q.name for q in public_queries()))
def test_warm_answers_are_byte_identical_to_cold_ones(cli, tmp_path, name):
    env = {"REALLABOR_CACHE_DIR": str(tmp_path / "cache")}
    for fmt in FORMATS:
        args = [*named_question_args(name), "--format", fmt]
        cold = cli(*args, "--no-cache", env=env)  # never reads (or writes) any cache
        cli(*args, env=env)  # fills the cache
        warm = cli(*args, env=env)
        assert cold.returncode == warm.returncode == 0, warm.stderr
        assert warm.stdout == cold.stdout, f"{name} --format {fmt}"
    assert len(snapshots(tmp_path / "cache")) == 1


def test_warm_call_does_not_import_rdflib(cli, tmp_path):
    env = {"REALLABOR_CACHE_DIR": str(tmp_path / "cache")}
    cli("query", "sdgs-by-lab", env=env)
    probe = cli("query", "sdgs-by-lab", "--format", "json", env={**env, "PYTHONVERBOSE": "1"})
    assert probe.returncode == 0
    imported = probe.stderr.decode()
    assert "import 'pyoxigraph'" in imported
    assert "import 'rdflib'" not in imported


def test_damaged_snapshot_is_ignored_and_rewritten(cli, tmp_path):
    env = {"REALLABOR_CACHE_DIR": str(tmp_path / "cache")}
    expected = cli("query", "labs-by-sdg", "-p", "sdg=8", "--format", "csv", env=env).stdout
    (snapshot,) = snapshots(tmp_path / "cache")
    snapshot.write_bytes(b'<urn:broken> <urn:p> "unterminated .\n')
    again = cli("query", "labs-by-sdg", "-p", "sdg=8", "--format", "csv", env=env)
    assert again.returncode == 0 and again.stdout == expected
    assert b"broken" not in snapshot.read_bytes()


def test_changed_input_gets_its_own_snapshot(cli, tmp_path):
    env = {"REALLABOR_CACHE_DIR": str(tmp_path / "cache")}
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        "@prefix rl: <https://w3id.org/reallabor/ontology#> .\n"
        "<urn:x:lab> a rl:RealWorldLab ; rl:hasMeasure <urn:x:m> .\n"
        "<urn:x:m> a rl:Measure ; rl:contributesTo <http://metadata.un.org/sdg/3> .\n",
        encoding="utf-8",
    )
    before = cli("query", "labs-by-sdg", "-p", "sdg=3", "--format", "csv", "--data", str(extra), env=env)
    assert "urn:x:lab" in before.stdout.decode()
    extra.write_text(extra.read_text(encoding="utf-8").replace("sdg/3", "sdg/4"), encoding="utf-8")
    after = cli("query", "labs-by-sdg", "-p", "sdg=3", "--format", "csv", "--data", str(extra), env=env)
    assert "urn:x:lab" not in after.stdout.decode()
    assert len(snapshots(tmp_path / "cache")) == 2


def test_no_inference_snapshot_differs_from_the_inferred_one(cli, tmp_path):
    env = {"REALLABOR_CACHE_DIR": str(tmp_path / "cache")}
    for _ in range(2):
        assert cli("query", "sdgs-by-lab", "--format", "csv", "--no-inference", env=env).stdout.count(b"\n") == 1
        assert cli("query", "sdgs-by-lab", "--format", "csv", env=env).stdout.count(b"\n") == 6
