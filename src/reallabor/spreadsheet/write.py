"""Writing tables as CSV and as one .xlsx workbook, byte for byte the same on every run.

CSV files are UTF-8 with BOM, so that Excel shows umlauts correctly when it opens them; the import
accepts them with or without BOM. openpyxl stamps the save time into the workbook and zip entries, so the
workbook is re-packed with a fixed time.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

from ..formulas import neutralise

FIXED_TIME = (2000, 1, 1, 0, 0, 0)
_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def csv_bytes(headers: list[str], rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([neutralise(row.get(h, "") or "") for h in headers])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(sheets: list[tuple[str, list[str], list[dict[str, str]]]]) -> bytes:
    """One sheet per table, every cell text (so "8.10" stays "8.10"), header bold and frozen."""
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for name, headers, rows in sheets:
        sheet = workbook.create_sheet(name)
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = bold
        for row in rows:
            sheet.append([row.get(h, "") or None for h in headers])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, never a formula, even when it starts with "="
        for index, header in enumerate(headers, start=1):
            cell = sheet.cell(row=1, column=index)
            sheet.column_dimensions[cell.column_letter].width = max(12, min(60, len(header) + 4))
            for body in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                body[0].number_format = "@"
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _fixed_times(buffer.getvalue())


def _fixed_times(data: bytes) -> bytes:
    """Re-pack the zip with fixed entry times and fixed document-property dates."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_TIMES.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return out.getvalue()
