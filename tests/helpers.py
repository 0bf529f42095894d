"""Small helpers shared by tests: turning query results into comparable Python values."""

from __future__ import annotations

from reallabor import QueryResult


def column(result: QueryResult, variable: str) -> list[str]:
    return [str(row[variable]) for row in result.rows if variable in row]


def pairs(result: QueryResult, left: str, right: str) -> set[tuple[str, str]]:
    return {(str(row[left]), str(row[right])) for row in result.rows if left in row and right in row}


def goal_number(iri: str) -> int:
    return int(iri.rsplit("/", 1)[1])
