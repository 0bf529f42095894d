"""One query job, from SPARQL text (or a named question) to the bytes of the answer; runs in a query worker.

Everything a query can cost happens here, inside the killable worker: parsing, binding, evaluation, the
row limit and serialisation. The dataset of a query (``default-graph-uri`` / ``named-graph-uri`` of the
protocol, else FROM / FROM NAMED of the query) is assembled from the graphs already loaded; nothing is
ever fetched from the web, and SERVICE is refused unless the settings allow it.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice

from rdflib import Dataset, Graph, URIRef

from ..errors import QuerySyntaxError, ReallaborError
from ..formats import Format
from ..graph import KnowledgeGraph
from ..results import QueryResult
from .negotiation import choose
from .settings import WebSettings

_GRAPH_KINDS = {"ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}
_KINDS = {"SelectQuery": "SELECT", "AskQuery": "ASK", **_GRAPH_KINDS}


@dataclass(frozen=True)
class Job:
    """What to answer and how; hashable, so that equal jobs share one cached answer."""

    query: str | None = None
    named: str | None = None
    params: tuple[tuple[str, str], ...] = ()
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    accept: str | None = None
    format: str | None = None
    strict_format: bool = True
    base: str | None = None


@dataclass(frozen=True)
class Answer:
    status: int
    media_type: str
    body: bytes
    truncated: bool = False

    @classmethod
    def error(cls, status: int, message: str) -> Answer:
        return cls(status, "text/plain", (" ".join(message.split()) + "\n").encode("utf-8"))


def evaluate(kg: KnowledgeGraph, job: Job, settings: WebSettings) -> Answer:
    """Answer one job; every failure becomes an error answer with a one-line message, never an exception."""
    try:
        return _evaluate(kg, job, settings)
    except ReallaborError as exc:
        return Answer.error(exc.http_status, str(exc))
    except RecursionError:
        return Answer.error(400, "the query is nested too deeply")
    except Exception as exc:  # rdflib raises many unrelated types while evaluating
        return Answer.error(500, f"query evaluation failed: {type(exc).__name__}: {exc}")


def _evaluate(kg: KnowledgeGraph, job: Job, settings: WebSettings) -> Answer:
    text = job.query if job.query is not None else kg.bound_text(job.named or "", dict(job.params))
    query = parse(text, job.base)
    _clamp_slices(query.algebra)
    kind = _KINDS[query.algebra.name]
    form = choose(job.accept, "rdf" if kind in _GRAPH_KINDS.values() else "results", job.format, job.strict_format)
    if form is None:
        kinds = "RDF" if kind in _GRAPH_KINDS.values() else "SPARQL results"
        return Answer.error(406, f"none of the {kinds} formats matches the Accept header {job.accept!r}")
    if not settings.allow_service and _uses_service(query):
        return Answer.error(400, "SERVICE (federated query) is disabled on this endpoint")
    if _native(kg, job):
        limited, truncated = _cut(kg.store.query(text), settings.row_limit)
    else:
        limited, truncated = _limit(_dataset(kg, query, job).query(query), kind, settings.row_limit)
    return Answer(200, form.media_type, render(limited, form), truncated)


def _native(kg: KnowledgeGraph, job: Job) -> bool:
    """Whether the store answers the text itself: a store other than rdflib's (Oxigraph evaluates FROM over its
    own graphs), unless the protocol names a dataset, which is assembled in rdflib."""
    from ..store import MemoryStore

    return not isinstance(kg.store, MemoryStore) and job.default_graphs is None and job.named_graphs is None


def _cut(result: QueryResult, row_limit: int) -> tuple[QueryResult, bool]:
    if result.is_graph and result.graph is not None and len(result.graph) > row_limit:
        graph = Graph()
        for triple in sorted(result.graph)[:row_limit]:
            graph.add(triple)
        return QueryResult(result.kind, graph=graph), True
    if len(result.rows) > row_limit:
        return QueryResult(result.kind, variables=result.variables, rows=result.rows[:row_limit]), True
    return result, False


def parse(text: str, base: str | None = None):
    """Parse and translate SPARQL; a syntax error is a QuerySyntaxError carrying the parser's message."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        return translateQuery(parseQuery(text), base=base)
    except Exception as exc:  # pyparsing's ParseException, or rdflib's errors for bad prefixes and the like
        message = " ".join(str(exc).split()) or type(exc).__name__
        if _is_update(text):
            message = "this endpoint is read-only; SPARQL Update is not accepted"
        raise QuerySyntaxError(f"SPARQL syntax error: {message}") from None


def _is_update(text: str) -> bool:
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except Exception:
        return False
    return True


def _clamp_slices(algebra) -> None:
    """Cap LIMIT and OFFSET at ``sys.maxsize``: larger numbers mean "all" / "none" anyway, but break ``islice``."""
    import sys

    from rdflib.plugins.sparql.algebra import traverse

    def clamp(node) -> None:
        if getattr(node, "name", None) == "Slice":  # rdflib takes islice(start, start + length)
            # dict.get: CompValue.get answers a missing key with the key itself
            start = node["start"] = min(dict.get(node, "start") or 0, sys.maxsize)
            if dict.get(node, "length") is not None:
                node["length"] = min(node["length"], sys.maxsize - start)

    traverse(algebra, visitPre=clamp)


def _uses_service(query) -> bool:
    from rdflib.plugins.sparql.algebra import traverse

    found = []
    traverse(query.algebra, visitPre=lambda node: found.append(getattr(node, "name", None) == "ServiceGraphPattern"))
    return any(found)


def _dataset(kg: KnowledgeGraph, query, job: Job) -> Dataset:
    """The RDF dataset the query runs against: the protocol's, else the query's own, else all loaded graphs."""
    clauses = query.algebra.get("datasetClause") or []
    query.algebra["datasetClause"] = None  # rdflib would fetch FROM graphs from the web; we never do
    default, named = job.default_graphs, job.named_graphs
    if default is None and named is None and clauses:
        default = tuple(str(c.default) for c in clauses if c.get("default"))
        named = tuple(str(c.named) for c in clauses if c.get("named"))
    if default is None and named is None:
        return kg.dataset
    return _view(kg.dataset, default or (), named or ())


def _view(source: Dataset, default: tuple[str, ...], named: tuple[str, ...]) -> Dataset:
    """A dataset whose default graph merges ``default`` and whose named graphs are ``named`` (copied)."""
    view = Dataset(default_union=False)
    for name in default:
        for triple in source.graph(URIRef(name)):
            view.add(triple)
    for name in named:
        target = view.graph(URIRef(name))
        for triple in source.graph(URIRef(name)):
            target.add(triple)
    return view


def _limit(result, kind: str, row_limit: int) -> tuple[QueryResult, bool]:
    """The result as a QueryResult with at most ``row_limit`` rows (or triples), and whether it was cut."""
    if kind == "ASK":
        return QueryResult("ASK", boolean=bool(result.askAnswer)), False
    if kind in _GRAPH_KINDS.values():
        triples = sorted(result.graph)
        graph = Graph()
        for triple in triples[:row_limit]:
            graph.add(triple)
        return QueryResult(kind, graph=graph), len(triples) > row_limit
    variables = [str(v) for v in result.vars or []]
    rows = [{v: row[i] for i, v in enumerate(variables) if row[i] is not None} for row in islice(result, row_limit + 1)]
    return QueryResult("SELECT", variables=variables, rows=rows[:row_limit]), len(rows) > row_limit


def render(result: QueryResult, form: Format) -> bytes:
    """The result in ``form``: a SPARQL results syntax for SELECT/ASK, an RDF syntax for graphs."""
    if result.is_graph:
        from ..export import serialize_graph

        return serialize_graph(result.graph or Graph(), form)
    from ..results import write_result

    return write_result(result, form.name).encode("utf-8")
