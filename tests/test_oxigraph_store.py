"""The Oxigraph store answers every named question like the memory store, and is built once, reopened fast."""

from __future__ import annotations

import json

import pytest
from rdflib import BNode

from reallabor import KnowledgeGraph
from reallabor.errors import InputError, QuerySyntaxError
from reallabor.oxigraph_store import MANIFEST, OxigraphStore, open_store, parse_store_spec, to_rdflib

from .helpers import concatenated_columns, row_multiset


def assert_same_answers(memory: KnowledgeGraph, oxigraph: KnowledgeGraph, require_rows: bool = True) -> None:
    for named in memory.named_queries():
        params = {p.name: p.example for p in named.parameters if p.example is not None and p.name != "lang"}
        for lang in ("de", "en"):
            mine = memory.query(named.name, {**params, "lang": lang})
            theirs = oxigraph.query(named.name, {**params, "lang": lang})
            concatenated = concatenated_columns(named.text)
            assert theirs.variables == mine.variables, named.name
            assert row_multiset(theirs, concatenated) == row_multiset(mine, concatenated), named.name
            if require_rows:
                assert mine.rows, f"{named.name}: no rows, so the comparison proves nothing"


@pytest.fixture(scope="module")
def kg_oxigraph(tmp_path_factory):
    return KnowledgeGraph.load(store=f"oxigraph:{tmp_path_factory.mktemp('ox') / 'store'}")


def test_every_named_question_same_rows_as_memory(kg, kg_oxigraph):
    assert kg_oxigraph.store.__class__ is OxigraphStore
    assert_same_answers(kg, kg_oxigraph)


def test_same_graph_sizes_info_and_export_bytes(kg, kg_oxigraph):
    assert kg_oxigraph.store.graph_sizes() == kg.store.graph_sizes()
    assert kg_oxigraph.info().classes == kg.info().classes
    for fmt in ("turtle", "nquads"):
        assert kg_oxigraph.export(fmt, inferred=True) == kg.export(fmt, inferred=True)


def test_ask_construct_and_syntax_errors(kg, kg_oxigraph):
    ask = "ASK { ?lab a <https://w3id.org/reallabor/ontology#RealWorldLab> }"
    assert kg_oxigraph.sparql(ask).boolean is True
    construct = "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c . FILTER(?c = <https://w3id.org/reallabor/ontology#Measure>) }"
    assert set(kg_oxigraph.sparql(construct).graph) == set(kg.sparql(construct).graph)
    with pytest.raises(QuerySyntaxError, match="SPARQL error"):
        kg_oxigraph.sparql("SELEC ?x WHERE {}")


def test_synthetic_data_same_rows(tmp_path):
    from reallabor.synth import generate

    data = tmp_path / "synth.ttl"
    data.write_bytes(generate(3, seed=7))
    memory = KnowledgeGraph.load([data], inference=False)
    oxigraph = KnowledgeGraph.load([data], inference=False, store=f"oxigraph:{tmp_path / 'ox'}")
    assert_same_answers(memory, oxigraph, require_rows=False)
    labs = oxigraph.query("measures-by-lab").rows
    assert any("synthetic.reallabor.example" in str(row["lab"]) for row in labs)


def test_large_input_closed_by_the_rules_in_memory_answers_like_owlrl(kg, tmp_path, monkeypatch):
    import reallabor.inference
    from reallabor.cache import cache_dir

    monkeypatch.setattr(reallabor.inference, "AUTO_OWLRL_LIMIT", 1000)  # Bottrop's ~2,700 quads count as large
    monkeypatch.setenv("REALLABOR_CACHE_DIR", str(tmp_path / "cache"))
    ruled = KnowledgeGraph.load(store=f"oxigraph:{tmp_path / 'ox'}")
    assert_same_answers(kg, ruled)
    assert len(list(cache_dir().glob("closure-*.nt"))) == 1
    again = KnowledgeGraph.load(store=f"oxigraph:{tmp_path / 'ox2'}")  # from the cached closure
    assert again.store.graph_sizes() == ruled.store.graph_sizes()


def test_holds_more_than_counts_quads_exactly():
    import pyoxigraph as ox

    store = OxigraphStore.memory()
    graph = ox.NamedNode("https://example.org/g")
    store.store.extend(ox.Quad(ox.NamedNode(f"https://example.org/{i}"), graph, graph, graph) for i in range(5))
    assert store.holds_more_than(4) and not store.holds_more_than(5)


def test_reopens_read_only_and_rebuilds_when_an_input_changes(tmp_path):
    from reallabor.load import bundled_sources, user_source

    data = tmp_path / "extra.ttl"
    data.write_text('<https://example.org/a> <https://example.org/p> "one" .\n', encoding="utf-8")
    folder = tmp_path / "store"
    sources = [*bundled_sources(), user_source(data)]
    open_store(folder, sources, inference=False).close()
    first = json.loads((folder / MANIFEST).read_text())
    stamp = (folder / MANIFEST).stat().st_mtime_ns

    reopened = open_store(folder, sources, inference=False)
    assert (folder / MANIFEST).stat().st_mtime_ns == stamp  # not rebuilt
    assert reopened.query('ASK { ?s ?p "one" }').boolean
    reopened.close()

    data.write_text('<https://example.org/a> <https://example.org/p> "two" .\n', encoding="utf-8")
    rebuilt = open_store(folder, sources, inference=False)
    assert json.loads((folder / MANIFEST).read_text())["fingerprint"] != first["fingerprint"]
    assert rebuilt.query('ASK { ?s ?p "two" }').boolean and not rebuilt.query('ASK { ?s ?p "one" }').boolean


def test_cli_load_then_query_gives_memory_output(cli, tmp_path):
    folder = tmp_path / "store"
    loaded = cli("load", "--store", f"oxigraph:{folder}")
    assert loaded.returncode == 0, loaded.stderr.decode()
    assert b"loaded" in loaded.stdout and (folder / MANIFEST).exists()
    args = ("query", "sdg-coverage", "-f", "csv")
    assert cli(*args, "--store", f"oxigraph:{folder}").stdout == cli(*args).stdout


def test_query_without_files_keeps_the_files_the_store_was_loaded_from(cli, tmp_path):
    extra, folder = tmp_path / "extra.ttl", tmp_path / "store"
    extra.write_text('<https://example.org/a> <https://example.org/p> "one" .\n', encoding="utf-8")
    assert cli("load", "--store", f"oxigraph:{folder}", str(extra)).returncode == 0
    stamp = (folder / MANIFEST).stat().st_mtime_ns

    def answer(*more: str) -> bytes:
        done = cli("sparql", "SELECT ?o WHERE { <https://example.org/a> ?p ?o }", "-f", "csv", *more)
        assert done.returncode == 0, done.stderr.decode()
        return done.stdout.replace(b"\r", b"")

    store = ("--store", f"oxigraph:{folder}")
    assert answer(*store) == b"o\none\n"
    assert (folder / MANIFEST).stat().st_mtime_ns == stamp  # reopened, not rebuilt
    extra.write_text('<https://example.org/a> <https://example.org/p> "two" .\n', encoding="utf-8")
    assert answer(*store) == b"o\ntwo\n"  # a changed file is loaded again
    extra.unlink()
    assert answer(*store) == b"o\ntwo\n"  # a file that has gone: the store as it is
    other = tmp_path / "other.ttl"
    other.write_text('<https://example.org/a> <https://example.org/p> "three" .\n', encoding="utf-8")
    assert answer(*store, "--data", str(other)) == b"o\nthree\n"  # files named: exactly those


def test_bad_file_leaves_no_store_behind(cli, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<https://example.org/a> <https://example.org/p> .\n", encoding="utf-8")
    folder = tmp_path / "store"
    done = cli("load", "--store", f"oxigraph:{folder}", "--no-bundled", str(bad))
    message = done.stderr.decode()
    assert done.returncode == 2 and "bad.ttl" in message and "Traceback" not in message
    assert len(message.strip().splitlines()) == 1
    assert not folder.exists()


def test_foreign_folder_is_never_overwritten(cli, tmp_path):
    folder = tmp_path / "precious"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    done = cli("load", "--store", f"oxigraph:{folder}")
    assert done.returncode == 2 and b"not made by reallabor" in done.stderr
    assert (folder / "notes.txt").read_text() == "keep me"


@pytest.mark.parametrize("spec", ["oxigraph", "oxigraph:", "sqlite:/tmp/x", "Memory"])
def test_bad_store_spec(spec):
    with pytest.raises(InputError, match="--store"):
        parse_store_spec(spec)


def test_store_spec_and_cli_error(cli, tmp_path):
    assert parse_store_spec("memory") is None
    assert parse_store_spec(f"oxigraph:{tmp_path}") == tmp_path
    done = cli("query", "labs", "--store", "nosuch:x")
    assert done.returncode == 2 and b"--store" in done.stderr


def test_terms_convert_to_equal_rdflib_terms():
    import pyoxigraph
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    assert to_rdflib(pyoxigraph.NamedNode("https://example.org/a")) == URIRef("https://example.org/a")
    assert to_rdflib(pyoxigraph.Literal("x")) == Literal("x")
    assert to_rdflib(pyoxigraph.Literal("x", language="de")) == Literal("x", lang="de")
    typed = pyoxigraph.Literal("5", datatype=pyoxigraph.NamedNode(str(XSD.integer)))
    assert to_rdflib(typed) == Literal(5)
    assert isinstance(to_rdflib(pyoxigraph.BlankNode("b1")), BNode)
