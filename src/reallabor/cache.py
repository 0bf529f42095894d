"""The on-disk cache: where it lives and the key that ties each entry to its exact inputs.

Nothing here imports rdflib, so a warm CLI call can find its snapshot before deciding what to import.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from .sources import Source

# Bump when the layout or meaning of a cache entry changes.
CACHE_FORMAT_VERSION = "3"


def cache_dir() -> Path:
    """``$REALLABOR_CACHE_DIR``, else the XDG cache folder."""
    explicit = os.environ.get("REALLABOR_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "reallabor"


def package_versions(packages: Iterable[str], missing: str = "-") -> str:
    """ "name version, ..." of installed distributions; cache keys and the benchmark's machine line use it."""
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in packages:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} {missing}")
    return ", ".join(found)


def cache_key(sources: Sequence[Source], *extra: str) -> str:
    """A hash of every input file, its graph, the reasoners' versions and any ``extra`` options."""
    digest = hashlib.sha256(f"format {CACHE_FORMAT_VERSION}; {package_versions(('owlrl', 'pyoxigraph'))}".encode())
    for source in sources:
        digest.update(f"\n{source.graph} {source.reference} {source.digest()}".encode())
    for option in extra:
        digest.update(f"\n{option}".encode())
    return digest.hexdigest()


# Every cache file ends with the SHA-256 of its body: a truncated, emptied, garbled or shortened file fails
# the check and counts as a miss, so a damaged cache is rebuilt instead of answering from part of a graph.
SEAL = b"# reallabor-cache sha256="


def seal(body: bytes) -> bytes:
    return body + SEAL + hashlib.sha256(body).hexdigest().encode() + b"\n"


def unseal(data: bytes) -> bytes | None:
    """The body of a sealed file, or None when the seal is missing or does not match."""
    head, found, tail = data.rpartition(SEAL)
    if not found or tail.strip() != hashlib.sha256(head).hexdigest().encode():
        return None
    return head


def read_sealed(path: Path) -> bytes | None:
    try:
        return unseal(path.read_bytes())
    except OSError:
        return None


def write_sealed(path: Path, body: bytes) -> None:
    """Write atomically; a read-only or missing cache folder only costs speed, never an error."""
    import contextlib

    from .atomic import atomic_write_bytes

    with contextlib.suppress(OSError):
        atomic_write_bytes(path, seal(body))
