"""Writing command output: to stdout, or atomically to a file."""

from __future__ import annotations

import sys
from pathlib import Path

from .atomic import atomic_write_bytes


def emit(data: bytes | str, path: str | Path | None = None) -> None:
    """Write ``data`` to ``path`` whole (temp file + rename), or to stdout when no path is given."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if path is None or str(path) == "-":
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
    else:
        atomic_write_bytes(path, payload)
