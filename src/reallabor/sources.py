"""The input files of a graph and the named graph each one goes to; cheap to compute, no rdflib needed.

Both the loader and the caches start here: a cache key is a hash of exactly these files.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .namespaces import GRAPH_BASE
from .resources import data_dir, ontology_dir


@dataclass(frozen=True)
class Source:
    """One RDF file and the named graph it is loaded into.

    ``reference`` marks bulk reference data (the UN SDG goals and targets) whose literals add nothing to
    reasoning; only its IRI-valued triples are given to the reasoner.
    """

    path: Path
    graph: str
    reference: bool = False

    def digest(self) -> str:
        try:
            return hashlib.sha256(self.path.read_bytes()).hexdigest()
        except OSError as exc:
            raise InputError(f"{self.path}: cannot read: {exc.strerror or exc}") from None


def bundled_sources() -> list[Source]:
    """The ontology and the bundled data, each file in a named graph named after its path."""
    sources = [Source(ontology_dir() / "reallabor.ttl", GRAPH_BASE + "ontology")]
    root = data_dir()
    for path in sorted(root.rglob("*.ttl")):
        name = path.relative_to(root).with_suffix("").as_posix()
        sources.append(Source(path, GRAPH_BASE + name, reference=name.startswith("sdg/")))
    return sources


def user_source(path: str | Path) -> Source:
    """A file given by the user; quad formats keep their own graphs, triples go to a graph of their own."""
    file = Path(path)
    return Source(file, GRAPH_BASE + "local/" + _slug(file.stem))


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "data"
