"""Query workers never outlive their server, however it ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from .test_sparql_endpoint import free_port

MOUNTED = """
import sys
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount
from reallabor import KnowledgeGraph
from reallabor.web import WebSettings, router
app = Starlette(routes=[Mount("/lod", app=router(KnowledgeGraph.load(), WebSettings()))])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the worker processes")
def test_workers_of_a_mounted_router_die_with_a_killed_server():
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", MOUNTED, str(port)], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                # The first query forks the workers of a mounted router.
                if httpx.get(f"http://127.0.0.1:{port}/lod/sparql", params={"query": "ASK {}"}, timeout=5).is_success:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        workers = children(server.pid)
        assert workers, "the query ran without worker processes"
    finally:
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not [pid for pid in workers if alive(pid)]
