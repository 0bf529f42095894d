"""Spreadsheet round trip (`reallabor template` / `reallabor import`), its errors, and a second municipality."""

from __future__ import annotations

import codecs
import csv
import io
import re
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from reallabor.resources import data_dir, queries_dir
from reallabor.spreadsheet import load_layout

HERE = Path(__file__).resolve().parent
SPREADSHEETS = HERE / "data" / "spreadsheet"
MUSTERSTADT = SPREADSHEETS / "musterstadt"
BAD = SPREADSHEETS / "bad"
ID = "https://w3id.org/reallabor/id/"


def bottrop() -> Graph:
    return Graph().parse(data_dir() / "bottrop" / "bottrop.ttl", format="turtle")


def imported(cli, source: Path, out: Path, *extra: str) -> Graph:
    done = cli("import", str(source), "-o", str(out), *extra)
    assert done.returncode == 0, done.stderr.decode()
    return Graph().parse(out, format="turtle")


def copy_musterstadt(target: Path, transform=None) -> Path:
    """Musterstadt's CSV files in ``target``, each optionally rewritten by ``transform(text) -> bytes``."""
    target.mkdir()
    for file in MUSTERSTADT.glob("*.csv"):
        text = file.read_text(encoding="utf-8")
        (target / file.name).write_bytes(transform(text) if transform else text.encode("utf-8"))
    return target


# -- round trip ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_template_then_import_gives_the_bundled_data_back(cli, tmp_path):
    out = tmp_path / "template"
    done = cli("template", str(out))
    assert done.returncode == 0, done.stderr.decode()
    from_csv = imported(cli, out, tmp_path / "from-csv.ttl")
    from_xlsx = imported(cli, out / "bottrop.xlsx", tmp_path / "from-xlsx.ttl")
    truth = bottrop()
    assert isomorphic(from_csv, truth)
    assert isomorphic(from_xlsx, truth)


def test_template_holds_every_table_as_csv_and_sheet(cli, tmp_path):
    import openpyxl

    out = tmp_path / "template"
    assert cli("template", str(out)).returncode == 0
    layout = load_layout()
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{n}.csv" for n in layout.names] + ["bottrop.xlsx"])
    workbook = openpyxl.load_workbook(out / "bottrop.xlsx", read_only=True)
    assert workbook.sheetnames == layout.names
    for table in layout.tables:
        header = next(csv.reader(io.StringIO((out / f"{table.name}.csv").read_text(encoding="utf-8-sig"))))
        assert header == table.headers
        assert [c for c in next(workbook[table.name].iter_rows(values_only=True))] == table.headers
    labs = list(csv.DictReader(io.StringIO((out / "labs.csv").read_text(encoding="utf-8-sig"))))
    assert {row["id"] for row in labs} == {
        "fachkraeftesicherung",
        "hybride-formen-des-handels",
        "digitale-koproduktion-im-handwerk",
    }
    sdgs = list(csv.DictReader(io.StringIO((out / "measure_sdgs.csv").read_text(encoding="utf-8-sig"))))
    assert {(r["measure"], r["sdg"]) for r in sdgs} >= {("fairtrade-town", "11"), ("integration-gefluechteter", "10")}


def test_template_is_byte_for_byte_stable(cli, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert cli("template", str(first)).returncode == 0
    assert cli("template", str(second)).returncode == 0
    for file in first.iterdir():
        assert file.read_bytes() == (second / file.name).read_bytes(), file.name


def test_template_refuses_a_folder_with_other_files(cli, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    done = cli("template", str(out))
    assert done.returncode == 2
    assert "notes.txt" in done.stderr.decode()
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


# -- good input in other shapes ------------------------------------------------------------------------


def test_bom_and_semicolons_are_accepted(cli, tmp_path):
    plain = imported(cli, MUSTERSTADT, tmp_path / "plain.ttl")
    with_bom = copy_musterstadt(tmp_path / "bom", lambda text: codecs.BOM_UTF8 + text.encode("utf-8"))

    def semicolons(text: str) -> bytes:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=";").writerows(csv.reader(io.StringIO(text)))
        return buffer.getvalue().encode("utf-8")

    german_excel = copy_musterstadt(tmp_path / "semicolon", semicolons)
    assert isomorphic(imported(cli, with_bom, tmp_path / "bom.ttl"), plain)
    assert isomorphic(imported(cli, german_excel, tmp_path / "semicolon.ttl"), plain)


def test_sdgs_and_megatrends_by_number_iri_and_label(cli, tmp_path):
    graph = imported(cli, MUSTERSTADT, tmp_path / "m.ttl")
    rl = "https://w3id.org/reallabor/ontology#"
    measure = URIRef(ID + "musterstadt/measure/")
    sdgs = {str(o) for s, o in graph.subject_objects(URIRef(rl + "contributesTo")) if s.startswith(measure)}
    assert sdgs == {f"http://metadata.un.org/sdg/{n}" for n in ("4", "8.5", "11.7", "13", "7")}
    megatrends = set(
        graph.objects(URIRef(ID + "musterstadt/measure/solardach-schule"), URIRef(rl + "addressesMegatrend"))
    )
    assert megatrends == {URIRef(ID + "megatrend/digitalisierung")}  # by its English label "Digitalisation"


def test_municipality_option_mints_under_another_slug(cli, tmp_path):
    graph = imported(cli, MUSTERSTADT, tmp_path / "m.ttl", "--municipality", "Beispielheim")
    subjects = {str(s) for s in graph.subjects()}
    assert ID + "beispielheim/lab/gruene-innenstadt" in subjects
    assert not any(s.startswith(ID + "musterstadt/") for s in subjects)


# -- bad input -----------------------------------------------------------------------------------------

# case folder -> (exit code, [(file, sheet, row, column or None, words of the message)])
BAD_CASES = {
    "unknown-sdg": (2, [("measure_sdgs.csv", "measure_sdgs", 3, "sdg (B)", "unknown SDG '18'")]),
    "unknown-megatrend": (2, [("measure_megatrends.csv", "measure_megatrends", 3, "megatrend (B)", "'Klimawandel'")]),
    "unknown-lab": (2, [("measures.csv", "measures", 5, "lab (B)", "unknown labs id 'gibts-nicht'")]),
    "duplicate-id": (2, [("labs.csv", "labs", 4, "id (A)", "duplicate id 'fachkraeftesicherung': also in row 2")]),
    "empty-required-cell": (2, [("measures.csv", "measures", 5, "label_de (C)", "empty required cell")]),
    "wrong-encoding": (2, [("measures.csv", "measures", 2, None, "not UTF-8")]),
    "utf16": (2, [("measures.csv", "measures", None, None, "UTF-16; save it as CSV in UTF-8")]),
    "stray-delimiter": (2, [("labs.csv", "labs", 3, "#7 (G)", "a stray ','")]),
    "empty-file": (2, [("phases.csv", "phases", None, None, "the file is empty")]),
    "bad-date": (2, [("measures.csv", "measures", 2, "start_date (E)", "expected a date")]),
    "unknown-column": (2, [("measures.csv", "measures", 1, "startdatum (E)", "unknown column 'startdatum'")]),
    "unknown-table": (2, [("notizen.csv", "notizen", None, None, "unknown table file")]),
    "many-errors": (
        2,
        [
            ("measures.csv", "measures", 5, "id (A)", "is not a slug"),
            ("measures.csv", "measures", 4, "source (F)", "unknown sources id 'nirgendwo'"),
            ("measure_sdgs.csv", "measure_sdgs", 2, "sdg (B)", "unknown SDG '18'"),
            ("measure_sdgs.csv", "measure_sdgs", 3, "sdg (B)", "unknown SDG '0.5'"),
            ("measure_sdgs.csv", "measure_sdgs", 5, "sdg (B)", "duplicate row"),
        ],
    ),
    "violates-shapes": (1, [(None, None, None, None, "musterstadt/lab/leeres-labor> rl:hasMeasure")]),
}


def place_text(file, sheet, row, column) -> str:
    parts = [file, f"sheet {sheet}"] + ([f"row {row}"] if row else []) + ([f"column {column}"] if column else [])
    return ", ".join(parts)


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_names_the_cell_and_writes_nothing(cli, tmp_path, case):
    code, expected = BAD_CASES[case]
    source = tmp_path / "sheet"
    shutil.copytree(MUSTERSTADT, source)
    for file in (BAD / case).iterdir():
        shutil.copy(file, source / file.name)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "data.ttl"
    out.write_text("previous content\n", encoding="utf-8")
    done = cli("import", str(source), "-o", str(out))
    message = done.stderr.decode()
    assert done.returncode == code, message
    assert "Traceback" not in message and done.stdout == b""
    lines = message.splitlines()
    assert lines[0].endswith("nothing written")
    for file, sheet, row, column, words in expected:
        where = f"{place_text(file, sheet, row, column)}: " if file else ""
        assert any(line.strip().startswith(where) and words in line for line in lines[1:]), (where, words, message)
    assert len(lines) == 1 + len(expected), message  # every problem, and no follow-on noise
    assert out.read_text(encoding="utf-8") == "previous content\n"
    assert [p.name for p in out_dir.iterdir()] == ["data.ttl"]


def test_bad_cell_in_a_workbook_names_workbook_sheet_row_and_column(cli, tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for file in sorted(MUSTERSTADT.glob("*.csv")):
        sheet = workbook.create_sheet(file.stem)
        for record in csv.reader(io.StringIO(file.read_text(encoding="utf-8"))):
            sheet.append(record)
    workbook["measure_sdgs"]["B4"] = 18
    workbook["labs"]["B2"] = "unbekannt"
    path = tmp_path / "musterstadt.xlsx"
    workbook.save(path)
    done = cli("import", str(path), "-o", str(tmp_path / "out.ttl"))
    message = done.stderr.decode()
    assert done.returncode == 2, message
    assert "musterstadt.xlsx, sheet measure_sdgs, row 4, column sdg (B): unknown SDG '18'" in message
    assert "musterstadt.xlsx, sheet labs, row 2, column programme (B): unknown programmes id 'unbekannt'" in message
    assert not (tmp_path / "out.ttl").exists()


def test_not_a_spreadsheet_is_a_clear_error(cli, tmp_path):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a zip", encoding="utf-8")
    done = cli("import", str(fake), "-o", str(tmp_path / "x.ttl"))
    assert done.returncode == 2
    assert re.search(r"fake\.xlsx: cannot open the workbook", done.stderr.decode())
    missing = cli("import", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr.decode()


# -- a second municipality beside Bottrop ------------------------------------------------------------


@pytest.fixture(scope="module")
def beside(tmp_path_factory):
    """Musterstadt imported through the CLI and loaded beside the bundled Bottrop data (with inference)."""
    from reallabor import KnowledgeGraph

    from .conftest import run_cli

    out = tmp_path_factory.mktemp("musterstadt") / "musterstadt.ttl"
    done = run_cli("import", str(MUSTERSTADT), "-o", str(out))
    assert done.returncode == 0, done.stderr.decode()
    return KnowledgeGraph.load([out])


def labs_of(result) -> set[str]:
    return {str(row["lab"]) for row in result.rows}


def test_second_municipality_gets_its_own_iris(beside, kg):
    rows = beside.query("labs").rows
    labs = {str(r["lab"]) for r in rows}
    bottrop_labs = labs_of(kg.query("labs"))
    musterstadt_labs = {ID + "musterstadt/lab/fachkraeftesicherung", ID + "musterstadt/lab/gruene-innenstadt"}
    assert labs == bottrop_labs | musterstadt_labs
    assert not bottrop_labs & musterstadt_labs  # the same slug, two IRIs


@pytest.mark.parametrize(
    ("sdg", "musterstadt"),
    [
        ("8", {"fachkraeftesicherung"}),
        ("13", {"gruene-innenstadt"}),
        ("11", {"gruene-innenstadt"}),
        ("4", {"fachkraeftesicherung"}),
        ("10", set()),
    ],
)
def test_labs_by_sdg_answers_for_both(beside, kg, sdg, musterstadt):
    both = labs_of(beside.query("labs-by-sdg", sdg=sdg))
    alone = labs_of(kg.query("labs-by-sdg", sdg=sdg))
    assert both == alone | {ID + f"musterstadt/lab/{slug}" for slug in musterstadt}


def test_sdgs_and_measures_by_lab_stay_apart(beside, kg):
    def sdgs(graph, lab):
        return {str(r["sdg"]) for r in graph.query("sdgs-by-lab").rows if str(r["lab"]) == lab}

    def measures(graph, lab):
        return {str(r["measure"]) for r in graph.query("measures-by-lab").rows if str(r["lab"]) == lab}

    bottrop_lab = ID + "bottrop/lab/fachkraeftesicherung"
    muster_lab = ID + "musterstadt/lab/fachkraeftesicherung"
    assert sdgs(beside, muster_lab) == {"http://metadata.un.org/sdg/4", "http://metadata.un.org/sdg/8"}
    assert sdgs(beside, bottrop_lab) == sdgs(kg, bottrop_lab)
    assert measures(beside, muster_lab) == {ID + "musterstadt/measure/ausbildungsboerse"}
    assert measures(beside, bottrop_lab) == measures(kg, bottrop_lab)


def test_named_questions_exist():
    assert {"labs.rq", "labs-by-sdg.rq", "sdgs-by-lab.rq", "measures-by-lab.rq"} <= {
        p.name for p in queries_dir().iterdir()
    }


# -- documentation -------------------------------------------------------------------------------------


def test_docs_describe_every_table_and_column():
    docs = (HERE.parent / "docs" / "spreadsheet.md").read_text(encoding="utf-8")
    for table in load_layout().tables:
        assert f"`{table.name}`" in docs, table.name
        section = docs.split(f"`{table.name}`", 1)[1]
        for column in table.headers:
            assert f"`{column}`" in section, (table.name, column)
