"""Where the bundled ontology, data and queries live, installed or in a source checkout.

The wheel ships them under ``reallabor/_bundled`` (hatchling force-include); a source checkout or an
editable install has them at the repository root. Looking them up through the package keeps the CLI
working from any current directory.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path


@cache
def bundled_root() -> Path:
    """The folder that holds ``ontology/``, ``data/`` and ``queries/``."""
    installed = Path(str(files("reallabor"))) / "_bundled"
    if (installed / "ontology").is_dir():
        return installed
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "ontology").is_dir():
        return checkout
    raise RuntimeError("reallabor's bundled ontology/data/queries are missing: reinstall the package")


def ontology_dir() -> Path:
    return bundled_root() / "ontology"


def data_dir() -> Path:
    return bundled_root() / "data"


def queries_dir() -> Path:
    return bundled_root() / "queries"
