"""SIGKILL at a random moment never leaves a half-written output; a corrupt cache never gives wrong answers.

Each command runs for real in a subprocess and is killed (SIGKILL, no chance to clean up) at moments spread
over its measured run time, from a fixed seed. Afterwards the output is either the old one or the complete
new one (compared with an uninterrupted run), never a mix and never truncated.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import DATA

SEED = 20240508
KILLS = 4
MUSTERSTADT = DATA / "spreadsheet" / "musterstadt"
OLD = b"the previous output\n"


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "reallabor.cli", *args]


def run_whole(args: list[str], env: dict[str, str]) -> float:
    started = time.monotonic()
    done = subprocess.run(args, capture_output=True, env={**os.environ, **env}, timeout=600)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return time.monotonic() - started


def kill_at(args: list[str], delay: float, env: dict[str, str]) -> int | None:
    """Start ``args``, SIGKILL it after ``delay`` seconds (unless it ended); its exit code, None if killed."""
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **env})
    try:
        return process.wait(delay)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return None


def delays(duration: float, label: str) -> list[float]:
    """Kill moments over the run, most of them late, where the writing happens (fixed seed per command)."""
    rng = random.Random(f"{SEED}-{label}")
    return sorted(duration * rng.uniform(low, 1.0) for low in (0.2, 0.6, 0.85, 0.95)[:KILLS])


def tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def outputs_beside(path: Path) -> list[str]:
    """Names in the output's folder other than temp files (which may stay after SIGKILL, never as the output)."""
    return sorted(p.name for p in path.parent.iterdir() if not p.name.endswith(".tmp"))


@pytest.fixture
def cache_env(tmp_path) -> dict[str, str]:
    # A warm cache of its own, so the kill moments fall on the work of the command rather than on reasoning.
    return {"REALLABOR_CACHE_DIR": str(tmp_path / "cache")}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("export", ["export", "-f", "turtle", "--no-cache"]),
        ("export-nquads", ["export", "-f", "nquads"]),
        ("import", ["import", str(MUSTERSTADT)]),
    ],
    ids=["export-cold", "export-nquads", "import"],
)
def test_killed_file_writer_leaves_old_or_new(tmp_path, cache_env, name, args):
    reference = tmp_path / "reference.out"
    duration = run_whole(command(*args, "-o", str(reference)), cache_env)
    new = reference.read_bytes()
    assert new and new != OLD
    for number, delay in enumerate(delays(duration, name)):
        target = tmp_path / f"run{number}" / "out.dat"
        target.parent.mkdir()
        target.write_bytes(OLD)
        code = kill_at(command(*args, "-o", str(target)), delay, cache_env)
        assert code in (None, 0)
        assert target.read_bytes() in (OLD, new), f"killed after {delay:.2f} s: a partial output"
        assert outputs_beside(target) == ["out.dat"]


@pytest.mark.slow
def test_killed_publish_leaves_old_or_new_site(tmp_path, cache_env):
    reference = tmp_path / "reference-site"
    duration = run_whole(command("publish", str(reference)), cache_env)
    new = tree(reference)
    assert len(new) > 20
    outcomes = set()
    for number, delay in enumerate(delays(duration, "publish")):
        site = tmp_path / f"run{number}" / "site"
        site.mkdir(parents=True)
        (site / "old.txt").write_bytes(OLD)
        kill_at(command("publish", str(site)), delay, cache_env)
        assert site.is_dir(), f"killed after {delay:.2f} s: no site at all"
        found = tree(site)
        assert found in ({"old.txt": hashlib.sha256(OLD).hexdigest()}, new), f"killed after {delay:.2f} s"
        outcomes.add("new" if found == new else "old")
        assert outputs_beside(site) == ["site"]
    assert outcomes  # each kill was judged


@pytest.mark.slow
def test_killed_push_leaves_the_remote_graph_old_or_new(tmp_path, cache_env):
    from .test_remote import OxigraphServer

    server = OxigraphServer(tmp_path / "oxigraph")
    graph = "https://example.org/graph/crash"

    def count() -> int:
        import httpx

        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        response = httpx.post(
            server.query, data={"query": query}, headers={"Accept": "application/sparql-results+json"}
        )
        return int(response.json()["results"]["bindings"][0]["n"]["value"])

    try:
        for how, target, extra in (("gsp", server.store, []), ("update", server.update, ["--chunk-size", "100"])):
            args = command("push", f"--{how}", target, "--graph", graph, "--inferred", *extra)
            duration = run_whole(args, cache_env)
            full = count()
            assert full > 100
            old = run_whole(command("push", "--gsp", server.store, "--graph", graph, "--no-inference"), cache_env)
            assert old
            previous = count()
            assert previous != full
            for delay in delays(duration, f"push-{how}"):
                kill_at(args, delay, cache_env)
                assert count() in (previous, full), f"push --{how} killed after {delay:.2f} s: a partial graph"
                run_whole(command("push", "--gsp", server.store, "--graph", graph, "--no-inference"), cache_env)
    finally:
        server.stop()


# -- corrupt caches and unreadable stores ---------------------------------------------------------------------

QUERY = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def answer(cli, env: dict[str, str], *args: str) -> tuple[int, bytes, bytes]:
    done = cli("sparql", QUERY, "-f", "csv", *args, env=env)
    return done.returncode, done.stdout, done.stderr


def assert_clear_or_right(result: tuple[int, bytes, bytes], right: bytes) -> None:
    code, out, err = result
    assert b"Traceback" not in err
    if code == 0:
        assert out == right, "a corrupt cache gave a different answer"
    else:
        assert code in (1, 2) and len(err.decode().strip().splitlines()) == 1


def _caches(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file())


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        lambda data: b"",
        lambda data: b"\x00\xff garbage \xfe" * 100,
        lambda data: data.replace(b" .\n", b" ;\n", 1),
    ],
    ids=["truncated", "empty", "garbage", "syntax"],
)
def test_corrupt_cache_is_rebuilt(cli, tmp_path, damage):
    env = {"REALLABOR_CACHE_DIR": str(tmp_path / "cache")}
    fresh = answer(cli, env)
    assert fresh[0] == 0
    caches = _caches(tmp_path / "cache")
    assert caches
    for path in caches:
        path.write_bytes(damage(path.read_bytes()))
    assert_clear_or_right(answer(cli, env), fresh[1])
    assert answer(cli, env)[1] == fresh[1]  # and it stays right


def test_cache_with_lines_removed_is_noticed(cli, tmp_path):
    env = {"REALLABOR_CACHE_DIR": str(tmp_path / "cache")}
    fresh = answer(cli, env)
    for path in _caches(tmp_path / "cache"):
        lines = path.read_bytes().splitlines(keepends=True)
        path.write_bytes(b"".join(lines[::2]))
    assert_clear_or_right(answer(cli, env), fresh[1])


def test_unreadable_cache_folder_fails_clearly_or_answers_right(cli, tmp_path):
    env = {"REALLABOR_CACHE_DIR": str(tmp_path / "cache")}
    fresh = answer(cli, env)
    folder = tmp_path / "cache"
    folder.chmod(0)
    try:
        assert_clear_or_right(answer(cli, env), fresh[1])
    finally:
        folder.chmod(0o700)


def test_cache_path_that_is_a_file_fails_clearly_or_answers_right(cli, tmp_path):
    right = answer(cli, {"REALLABOR_CACHE_DIR": str(tmp_path / "good")})[1]
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"x")
    assert_clear_or_right(answer(cli, {"REALLABOR_CACHE_DIR": str(blocker)}), right)


@pytest.mark.parametrize("damage", ["unreadable", "garbage", "missing-files"])
def test_damaged_oxigraph_store_fails_clearly_or_answers_right(cli, tmp_path, damage):
    env = {"REALLABOR_CACHE_DIR": str(tmp_path / "cache")}
    store = tmp_path / "store"
    built = answer(cli, env, "--store", f"oxigraph:{store}")
    assert built[0] == 0, built[2].decode()
    right = answer(cli, env)[1]
    assert built[1] == right
    if damage == "unreadable":
        store.chmod(0)
    elif damage == "garbage":
        for path in (p for p in store.rglob("*") if p.is_file()):
            path.write_bytes(os.urandom(256))
    else:
        for path in sorted(p for p in store.rglob("*") if p.is_file())[::2]:
            path.unlink()
    try:
        assert_clear_or_right(answer(cli, env, "--store", f"oxigraph:{store}"), right)
    finally:
        store.chmod(0o700)


@pytest.fixture(autouse=True)
def _not_root_for_permissions(request):
    if "unreadable" in request.node.name and os.geteuid() == 0:
        pytest.skip("running as root: file permissions do not stop root from reading")
