"""Small helpers shared by tests: turning query results into comparable Python values."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from rdflib import BNode

from reallabor import QueryResult


def column(result: QueryResult, variable: str) -> list[str]:
    return [str(row[variable]) for row in result.rows if variable in row]


def pairs(result: QueryResult, left: str, right: str) -> set[tuple[str, str]]:
    return {(str(row[left]), str(row[right])) for row in result.rows if left in row and right in row}


def goal_number(iri: str) -> int:
    return int(iri.rsplit("/", 1)[1])


def row_multiset(result: QueryResult, concatenated: frozenset[str] = frozenset()) -> Counter:
    """Rows as a multiset of (variable, term) tuples; blank nodes are compared only as being blank.

    SPARQL leaves the order inside GROUP_CONCAT to the engine, so ``concatenated`` columns compare as sets.
    """

    def term(name, value):
        if isinstance(value, BNode):
            return "_:b"
        if name in concatenated:
            return (tuple(sorted(str(value).split("; "))), getattr(value, "language", None))
        return value

    return Counter(tuple(sorted((k, term(k, v)) for k, v in row.items())) for row in result.rows)


def concatenated_columns(text: str) -> frozenset[str]:
    """The variables a query computes with GROUP_CONCAT."""
    return frozenset(re.findall(r"GROUP_CONCAT\([^)]*\)\s+AS\s+\?(\w+)", text, re.IGNORECASE))


def bounded(max_examples: int):
    """Hypothesis settings for CI: a fixed number of derandomised examples, no deadline, no example database."""
    from hypothesis import HealthCheck, settings

    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


DATA = Path(__file__).parent / "data"  # the test fixtures
# A lab with one measure that addresses no megatrend and contributes to no goal.
BARE_MEASURE = DATA / "bare-measure.ttl"
