"""Shared fixtures: one loaded graph per session, an isolated inference cache, the CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


def pytest_configure(config: pytest.Config) -> None:
    # Tests never touch the user's cache; each session starts cold.
    os.environ.setdefault("REALLABOR_CACHE_DIR", tempfile.mkdtemp(prefix="reallabor-test-cache-"))


@pytest.fixture(scope="session")
def kg():
    from reallabor import KnowledgeGraph

    return KnowledgeGraph.load()


@pytest.fixture(scope="session")
def kg_asserted():
    from reallabor import KnowledgeGraph

    return KnowledgeGraph.load(inference=False)


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, input: bytes | None = None):
    """Run ``python -m reallabor.cli ARGS`` and return the CompletedProcess (bytes)."""
    return subprocess.run(
        [sys.executable, "-m", "reallabor.cli", *args],
        capture_output=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        input=input,
        timeout=300,
    )


@pytest.fixture
def cli():
    return run_cli
