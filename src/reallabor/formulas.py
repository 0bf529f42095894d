"""Spreadsheet formula injection: cells that Excel or LibreOffice would run as formulas.

A cell that starts with = + - @ (or a tab or carriage return) is run as a formula when a CSV file is opened
in a spreadsheet program, so a label such as ``=HYPERLINK(...)`` could act on the reader's machine (OWASP
"CSV injection"). Files made for people get such cells prefixed with an apostrophe, which spreadsheet programs
show as text; the importer takes that apostrophe off again, so a template round-trips unchanged.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """``value`` made inert for a spreadsheet program."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def restore(value: str) -> str:
    """Undo ``neutralise``: an apostrophe before a formula start is taken off, anything else is kept."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value
