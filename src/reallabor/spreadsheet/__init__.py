"""Spreadsheet round trip: municipal staff keep labs and measures in CSV/.xlsx, the graph stays valid.

``write_template`` writes the layout (layout.yaml) filled with one municipality's data; ``import_spreadsheet``
turns such a spreadsheet back into a graph, reporting every problem with file, sheet, row and column, and
validating the result with the SHACL shapes before anyone writes it.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from ..atomic import atomic_directory
from ..errors import InputError, ValidationFailed
from .build import build_graph
from .layout import Layout, load_layout
from .problems import Place, Problems
from .read import RawTable, Row, read_spreadsheet
from .reference import Vocabularies
from .template import Scope, find_municipality, template_rows
from .write import csv_bytes, xlsx_bytes

__all__ = ["import_spreadsheet", "load_layout", "template_files", "write_template"]


def vocabularies() -> Vocabularies:
    from ..validate import reference_graph

    return Vocabularies.from_graph(reference_graph())


def import_spreadsheet(path: Path, municipality: str | None = None, lang: str = "en") -> Graph:
    """The graph a spreadsheet describes; InputError lists every problem, ValidationFailed every violation."""
    from ..validate import validate_graph, with_reference

    layout = load_layout()
    problems = Problems()
    tables = read_spreadsheet(path, layout, problems)
    graph = build_graph(tables, layout, vocabularies(), problems, path.name, municipality)
    problems.raise_if_any(str(path))
    report = validate_graph(with_reference(graph), lang)
    if not report.conforms:
        lines = [f"{p.label or p.focus} <{p.focus}> {p.path}: {p.message}" for p in report.problems]
        violations = [line for line, p in zip(lines, report.problems, strict=True) if p.severity == "Violation"]
        count = len(violations)
        header = f"{path}: the imported data does not conform to the shapes ({count} violations), nothing written"
        raise ValidationFailed("\n  ".join([header, *violations]))
    return graph


def template_files(graph: Graph, municipality: str | None = None) -> dict[str, bytes]:
    """File name -> bytes: one CSV per table and one workbook ``<slug>.xlsx`` with a sheet per table."""
    layout = load_layout()
    vocab = vocabularies()
    scope = find_municipality(graph, municipality)
    tables = template_rows(graph, layout, vocab, scope)
    _check_expressible(graph, tables, layout, vocab, scope)
    files = {f"{t.name}.csv": csv_bytes(t.headers, tables[t.name]) for t in layout.tables}
    files[f"{scope.slug}.xlsx"] = xlsx_bytes([(t.name, t.headers, tables[t.name]) for t in layout.tables])
    return files


def write_template(graph: Graph, out_dir: Path, municipality: str | None = None) -> list[Path]:
    """Write the template files into ``out_dir`` as a whole (temp folder + rename)."""
    files = template_files(graph, municipality)
    if out_dir.exists():
        if not out_dir.is_dir():
            raise InputError(f"{out_dir}: exists and is not a folder")
        strangers = sorted(p.name for p in out_dir.iterdir() if p.name not in files)
        if strangers:
            raise InputError(f"{out_dir}: holds other files ({', '.join(strangers[:3])}); choose a new or empty folder")
    with atomic_directory(out_dir) as tmp:
        for name, data in files.items():
            (tmp / name).write_bytes(data)
    return [out_dir / name for name in files]


def _check_expressible(
    graph: Graph, tables: dict[str, list[dict[str, str]]], layout: Layout, vocab: Vocabularies, scope: Scope
) -> None:
    """Import the rows again in memory; any statement that does not come back cannot be expressed."""
    raw: dict[str, RawTable] = {}
    for table in layout.tables:
        target = RawTable(table, f"{table.name}.csv")
        indexes = {h: i for i, h in enumerate(table.headers)}
        rows = enumerate(tables[table.name], start=2)
        target.rows = [Row(Place(target.file, table.name, n), row, indexes) for n, row in rows]
        raw[table.name] = target
    problems = Problems()
    rebuilt = build_graph(raw, layout, vocab, problems, "template", None)
    if problems:
        raise InputError("cannot write the template:\n  " + "\n  ".join(problems.lines()[:10]))
    original = {t for t in graph if str(t[0]).startswith(scope.prefix)}
    missing = sorted(original - set(rebuilt))
    extra = sorted(set(rebuilt) - original)
    if missing or extra:
        sample = [f"missing: {' '.join(t.n3() for t in triple)}" for triple in missing[:5]]
        sample += [f"added: {' '.join(t.n3() for t in triple)}" for triple in extra[:5]]
        raise InputError(
            f"the spreadsheet layout cannot express the data of {scope.slug} exactly "
            f"({len(missing)} statements missing, {len(extra)} added):\n  " + "\n  ".join(sample)
        )
