"""Cutting files for parallel bulk loading: every part parses alone, the parts add up to the whole file, and
a file that cannot be cut (or is cut in the wrong place) still loads whole or fails with its own line."""

from __future__ import annotations

from contextlib import nullcontext

import pyoxigraph
import pytest

from reallabor import oxigraph_store
from reallabor.chunks import split_statements
from reallabor.errors import InputError
from reallabor.formats import rdf_format
from reallabor.oxigraph_store import OxigraphStore
from reallabor.sources import user_source
from reallabor.synth import generate

HEADER = b"@prefix ex: <https://example.org/> .\n# a comment\n\n"


def parsed(data: bytes, syntax: str) -> set:
    fmt = pyoxigraph.RdfFormat.TURTLE if syntax == "turtle" else pyoxigraph.RdfFormat.N_TRIPLES
    return {quad.triple for quad in pyoxigraph.parse(data, format=fmt)}


@pytest.mark.parametrize("syntax", ["turtle", "ntriples"])
@pytest.mark.parametrize("parts", [2, 3, 7])
def test_parts_parse_alone_and_add_up_to_the_file(syntax, parts):
    data = generate(2, seed=3, fmt=syntax)
    chunks = split_statements(data, syntax, parts)
    assert chunks is not None and len(chunks) == parts
    each = [parsed(chunk, syntax) for chunk in chunks]
    assert all(each)
    assert set().union(*each) == parsed(data, syntax)
    assert sum(map(len, each)) == len(parsed(data, syntax))  # no statement in two parts


@pytest.mark.parametrize(
    "data",
    [
        HEADER + b"ex:a ex:p _:b .\n\n_:b ex:q 1 .\n",  # a labelled blank node would split in two
        HEADER + b"ex:a ex:p 1 .\n\n@prefix ex: <https://example.com/> .\n\nex:a ex:p 2 .\n",  # prefix changes
        HEADER + b"ex:a ex:p 1 .\n\nBASE <https://example.com/>\n\nex:a ex:p 2 .\n",
        HEADER + b"ex:a ex:p 1 .\n",  # nowhere to cut
        # a statement on a directive's line would be copied into every part, its [ ] into new nodes
        b"@prefix ex: <https://example.org/> . ex:a ex:p [ ex:q 1 ] .\n\nex:b ex:p 2 .\n\nex:c ex:p 3 .\n",
    ],
)
def test_files_that_cannot_be_cut_safely(data):
    assert split_statements(data, "turtle", 2) is None


def test_only_turtle_and_ntriples_are_cut():
    assert split_statements(b"<a:a> <a:p> <a:o> <a:g> .\n<a:b> <a:p> <a:o> <a:g> .\n", "nquads", 2) is None
    assert split_statements(HEADER + b"ex:a ex:p 1 .\n\nex:b ex:p 2 .\n", "turtle", 1) is None


@pytest.fixture
def small_parts(monkeypatch):
    """Cut even tiny files, into four parts, as the loader does with large ones on a machine with 4 cores."""
    monkeypatch.setattr(oxigraph_store, "MIN_PART_BYTES", 1)
    monkeypatch.setattr(oxigraph_store.os, "cpu_count", lambda: 4)


def on_disk(tmp_path) -> OxigraphStore:
    return OxigraphStore(pyoxigraph.Store(str(tmp_path / "s")), tmp_path / "s")


def test_parallel_load_on_disk_gives_the_memory_store_quads(small_parts, tmp_path):
    data = tmp_path / "synth.ttl"
    data.write_bytes(generate(2, seed=5))
    source = user_source(data)
    memory, disk = OxigraphStore.memory(), on_disk(tmp_path)
    memory.load_source(source)
    graph = pyoxigraph.NamedNode(source.graph)
    mapped = lambda: oxigraph_store._mapped(data)  # noqa: E731
    assert disk._load_in_parallel(data.stat().st_size, mapped, rdf_format("turtle"), graph)
    assert set(disk.store) == set(memory.store)
    assert not disk._load_in_parallel(data.stat().st_size, mapped, rdf_format("turtle"), graph)  # not into a full graph


def test_inferred_ntriples_load_in_parts(small_parts, tmp_path):
    data = generate(2, seed=5, fmt="ntriples")
    memory, disk = OxigraphStore.memory(), on_disk(tmp_path)
    memory.load_ntriples("https://example.org/g", data)
    other = pyoxigraph.NamedNode("https://example.org/h")
    assert disk._load_in_parallel(len(data), lambda: nullcontext(data), rdf_format("ntriples"), other)
    disk.store.clear()
    disk.load_ntriples("https://example.org/g", data)
    assert set(disk.store) == set(memory.store)


def test_a_cut_inside_a_long_string_falls_back_to_one_load(small_parts, tmp_path):
    body = b"".join(b'ex:s%d ex:p """line\n\nex:fake ex:p 1 .\n\nend""" .\n\n' % i for i in range(8))
    data = tmp_path / "long.ttl"
    data.write_bytes(HEADER + body)
    with pytest.raises(SyntaxError):  # the cut does fall inside a string
        [parsed(part, "turtle") for part in split_statements(HEADER + body, "turtle", 4)]
    disk = on_disk(tmp_path)
    disk.load_source(user_source(data))
    assert {quad.triple for quad in disk.store} == parsed(HEADER + body, "turtle")
    assert not disk.query("ASK { ?s ?p ?o FILTER (?s = <https://example.org/fake>) }").boolean


def test_a_syntax_error_names_the_file_line_and_leaves_nothing(small_parts, tmp_path):
    good = b"".join(b"ex:s%d ex:p %d .\n\n" % (i, i) for i in range(40))
    data = tmp_path / "bad.ttl"
    data.write_bytes(HEADER + good + b"ex:broken ex:p .\n\n" + good)
    disk = on_disk(tmp_path)
    with pytest.raises(InputError, match=r"bad\.ttl.*\b84\b"):
        disk.load_source(user_source(data))
    assert len(disk.store) == 0


def test_a_memory_map_is_cut_like_the_bytes(tmp_path):
    data = generate(2, seed=3)
    path = tmp_path / "synth.ttl"
    path.write_bytes(data)
    with oxigraph_store._mapped(path) as mapped:
        assert split_statements(mapped, "turtle", 3) == split_statements(data, "turtle", 3)
