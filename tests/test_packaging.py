"""A non-editable `pip install .` into a fresh venv gives a working CLI anywhere on disk."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT


@pytest.mark.slow
def test_wheel_install_in_fresh_venv_answers_from_another_directory(tmp_path: Path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = venv / "bin" / "pip"
    subprocess.run([str(pip), "install", "-q", str(ROOT)], check=True, capture_output=True, timeout=900)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run(
        [str(venv / "bin" / "reallabor"), "query", "labs-by-sdg", "-p", "sdg=10", "--format", "csv"],
        cwd=elsewhere,
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert "Fachkräftesicherung" in done.stdout.decode()
