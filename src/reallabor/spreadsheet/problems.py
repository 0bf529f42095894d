"""Collecting every problem of a spreadsheet, so that one run reports them all, each with its place.

A person fixing a spreadsheet wants the whole list at once, not one error per run; each entry names the
file, the sheet, the row (as the spreadsheet numbers it, header = row 1) and the column (name and letter).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import InputError


def column_letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class Place:
    """Where a cell is: file, sheet, row number and column (name and 0-based index)."""

    file: str
    sheet: str
    row: int | None = None
    column: str | None = None
    index: int | None = None

    def cell(self, column: str, index: int | None) -> Place:
        return Place(self.file, self.sheet, self.row, column, index)

    def __str__(self) -> str:
        parts = [self.file, f"sheet {self.sheet}"]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            letter = f" ({column_letter(self.index)})" if self.index is not None else ""
            parts.append(f"column {self.column}{letter}")
        return ", ".join(parts)


@dataclass
class Problems:
    """An ordered list of (place, message); ``raise_if_any`` turns them into one InputError."""

    items: list[tuple[Place, str]] = field(default_factory=list)

    def add(self, place: Place, message: str) -> None:
        self.items.append((place, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def lines(self) -> list[str]:
        return [f"{place}: {message}" for place, message in self.items]

    def raise_if_any(self, what: str) -> None:
        if self.items:
            count = len(self.items)
            header = f"{what}: {count} problem{'s' if count != 1 else ''}, nothing written"
            raise InputError("\n  ".join([header, *self.lines()]))
