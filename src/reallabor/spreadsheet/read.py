"""Reading a spreadsheet (a folder of CSV files or one .xlsx workbook) into raw tables of text cells.

Reading only checks what is about the file itself (encoding, delimiters, headers); what a cell means is
checked by the graph builder. Both report into the same ``Problems`` list so that a run shows every
problem at once.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..formulas import restore
from .layout import Layout, Table
from .problems import Place, Problems

DELIMITERS = (",", ";", "\t")


@dataclass
class Row:
    """One data row: its place (row number as the spreadsheet shows it) and its cells by column name."""

    place: Place
    cells: dict[str, str]
    indexes: dict[str, int]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")

    def at(self, column: str) -> Place:
        return self.place.cell(column, self.indexes.get(column))


@dataclass
class RawTable:
    table: Table
    file: str
    rows: list[Row] = field(default_factory=list)
    # False when the file or one of its rows could not be read: references to its ids are then not
    # reported as unknown, since the real problem is already in the list.
    complete: bool = True


def read_spreadsheet(path: Path, layout: Layout, problems: Problems) -> dict[str, RawTable]:
    """Read ``path`` (a folder of ``<table>.csv`` files or an .xlsx workbook) into raw tables."""
    if path.is_dir():
        return _read_folder(path, layout, problems)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _read_workbook(path, layout, problems)
    if path.suffix.lower() == ".csv":
        raise InputError(f"{path}: give the folder that holds the CSV files, not one CSV file")
    raise InputError(f"{path}: expected a folder of CSV files or an .xlsx workbook")


# -- CSV --------------------------------------------------------------------------------------------


def _read_folder(folder: Path, layout: Layout, problems: Problems) -> dict[str, RawTable]:
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv")
    if not files:
        raise InputError(f"{folder}: no CSV files; expected {', '.join(n + '.csv' for n in layout.names)}")
    tables: dict[str, RawTable] = {}
    for file in files:
        name = file.stem.lower()
        if name not in layout.names:
            expected = ", ".join(n + ".csv" for n in layout.names)
            problems.add(Place(file.name, file.stem), f"unknown table file; expected one of: {expected}")
            continue
        table = layout.table(name)
        before = len(problems.items)
        text = _decode(file.read_bytes(), Place(file.name, name), problems)
        raw = RawTable(table, file.name) if text is None else _parse_csv(text, table, file.name, problems)
        raw.complete = len(problems.items) == before
        tables[name] = raw
    return tables


def _decode(data: bytes, place: Place, problems: Problems) -> str | None:
    """UTF-8 with or without BOM; anything else is reported with the line of the first bad byte."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        problems.add(place, "the file is UTF-16; save it as CSV in UTF-8 (with or without BOM)")
        return None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.add(
            Place(place.file, place.sheet, line),
            f"the file is not UTF-8 (byte 0x{data[exc.start]:02X} cannot be read; Windows-1252 or Latin-1?): "
            "save it as CSV in UTF-8 (with or without BOM)",
        )
        return None


def _delimiter(header_line: str) -> str:
    """The delimiter of the header line: comma, or semicolon/tab as German spreadsheet programs write."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _parse_csv(text: str, table: Table, file: str, problems: Problems) -> RawTable:
    raw = RawTable(table, file)
    if not text.strip():
        problems.add(Place(file, table.name), f"the file is empty; expected a header row: {','.join(table.headers)}")
        return raw
    delimiter = _delimiter(text.splitlines()[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for record in reader:
            records.append((line, [restore(cell) for cell in record]))  # undo the template's formula guard
            line = reader.line_num + 1
    except csv.Error as exc:
        problems.add(Place(file, table.name, line), f"cannot read the CSV: {exc}")
        return raw
    return _rows(raw, records, table, problems, delimiter)


# -- XLSX -------------------------------------------------------------------------------------------


def _read_workbook(path: Path, layout: Layout, problems: Problems) -> dict[str, RawTable]:
    from zipfile import BadZipFile

    import openpyxl

    try:
        # data_only=False: a formula cell is read as its text ("=HYPERLINK(...)"), never as a computed value.
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InputError(f"{path}: cannot open the workbook ({exc}); expected an .xlsx file") from None
    tables: dict[str, RawTable] = {}
    try:
        for sheet in workbook.worksheets:
            name = sheet.title.strip().lower()
            if name not in layout.names:
                problems.add(
                    Place(path.name, sheet.title), f"unknown sheet; expected one of: {', '.join(layout.names)}"
                )
                continue
            table = layout.table(name)
            records = [
                (number, [_cell_text(v) for v in values])
                for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
            ]
            before = len(problems.items)
            raw = _rows(RawTable(table, path.name), records, table, problems, None)
            raw.complete = len(problems.items) == before
            tables[name] = raw
    finally:
        workbook.close()
    return tables


def _cell_text(value: object) -> str:
    """A cell's value as the text a person sees; numbers typed as numbers lose no digits they showed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


# -- shared -----------------------------------------------------------------------------------------


def _rows(
    raw: RawTable, records: list[tuple[int, list[str]]], table: Table, problems: Problems, delimiter: str | None
) -> RawTable:
    """Check the header row, then turn each non-empty record into a Row keyed by column name."""
    records = [(n, [c.strip() for c in cells]) for n, cells in records]
    while records and not any(records[0][1]):
        records.pop(0)
    if not records:
        problems.add(
            Place(raw.file, table.name), f"the file is empty; expected a header row: {','.join(table.headers)}"
        )
        return raw
    header_row, header = records[0]
    columns = _header(header, header_row, raw, table, problems)
    if columns is None:
        return raw
    for number, cells in records[1:]:
        if not any(cells):
            continue
        place = Place(raw.file, table.name, number)
        extra = [i for i in range(len(columns), len(cells)) if cells[i]]
        if extra:
            what = f"a stray {delimiter!r} (quote cells that contain it)" if delimiter else "a value without a header"
            problems.add(
                place.cell(f"#{extra[0] + 1}", extra[0]),
                f"{len(cells)} cells but the header has {len(columns)} columns: {what}",
            )
            continue
        cells_by_name = {name: cells[i] if i < len(cells) else "" for i, name in enumerate(columns) if name}
        indexes = {name: i for i, name in enumerate(columns) if name}
        raw.rows.append(Row(place, cells_by_name, indexes))
    return raw


def _header(header: list[str], number: int, raw: RawTable, table: Table, problems: Problems) -> list[str | None] | None:
    """Column names by position (None for trailing blanks); problems for unknown, doubled or missing ones."""
    while header and not header[-1]:
        header = header[:-1]
    columns: list[str | None] = []
    ok = True
    for index, name in enumerate(header):
        key = name.lower()
        place = Place(raw.file, table.name, number, name or "(blank)", index)
        if table.column(key) is None:
            problems.add(place, f"unknown column {name!r}; expected columns: {', '.join(table.headers)}")
            ok = False
        elif key in columns:
            problems.add(place, f"column {name!r} appears twice")
            ok = False
        columns.append(key)
    for column in table.columns:
        if column.required and column.name not in columns:
            problems.add(
                Place(raw.file, table.name, number),
                f"missing required column {column.name!r}",
            )
            ok = False
    return columns if ok else None
