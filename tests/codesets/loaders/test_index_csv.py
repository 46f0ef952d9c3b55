"""The flattened Alphabetic Index CSV loader: the tree rebuilt from the Level column."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcoder.codesets.loaders.index_csv import REQUIRED_COLUMNS, load_index_csv
from medcoder.codesets.loaders.index_xml import load_index_xml
from medcoder.codesets.model import BookKind, IndexBook
from medcoder.errors import SourceFormatError

HEADER = "RowID,Letter,Level,Term,See,SeeAlso,NonEssModif,Code\n"


def _write(tmp_path: Path, text: str, name: str = "ICD10CM_2025_Index.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def mini_csv(icd10cm_fixtures: Path) -> IndexBook:
    return load_index_csv(icd10cm_fixtures / "index_mini.csv", version="2025")


def test_mini_csv_book(mini_csv: IndexBook) -> None:
    assert mini_csv.kind is BookKind.INDEX
    assert mini_csv.version == "2025"
    assert mini_csv.headings == ()
    assert [e.id for e in mini_csv.entries] == list(range(1, 19))
    assert [e.level for e in mini_csv.entries] == [
        0,
        0,
        1,
        1,
        0,
        0,
        1,
        0,
        1,
        0,
        1,
        2,
        3,
        3,
        0,
        1,
        2,
        2,
    ]


def test_mini_csv_parents_from_levels(mini_csv: IndexBook) -> None:
    parents = {e.title: e.parent_id for e in mini_csv.entries}
    assert parents["Diabetes, diabetic"] is None
    assert parents["type 2"] == 10
    assert parents["with"] == 11
    assert parents["chronic kidney disease"] == 12
    assert parents["foot ulcer"] == 12  # a sibling after a deeper row
    assert parents["persistent"] == 15


def test_mini_csv_columns(mini_csv: IndexBook) -> None:
    abasia, abdomen = mini_csv.entries[0], mini_csv.entries[1]
    assert (abasia.title, abasia.nonessential, abasia.code) == (
        "Abasia",
        ("-astasia", "hysterical"),
        "F44.4",
    )
    assert (abdomen.see, abdomen.see_also, abdomen.code) == (None, "condition", None)
    assert mini_csv.entries[4].see == "Pain, abdominal"
    assert mini_csv.entries[6].code == "H93.29-"


def test_mini_csv_empty_term_takes_the_nonessential_words(mini_csv: IndexBook) -> None:
    somatoform = mini_csv.entries[16]
    assert somatoform.title == "somatoform"
    assert somatoform.nonessential == ("somatoform",)
    assert somatoform.code == "F45.41"
    assert somatoform.parent_id == 16


def test_csv_and_xml_excerpts_agree(mini_csv: IndexBook, icd10cm_fixtures: Path) -> None:
    """The same terms in both layouts load alike, except the bracketed manifestation
    code, which the CSV does not carry."""
    xml = load_index_xml(icd10cm_fixtures / "index_mini.xml")

    def shape(book: IndexBook) -> list[tuple[object, ...]]:
        return [
            (e.id, e.parent_id, e.level, e.title, e.nonessential, e.code, e.see, e.see_also)
            for e in book.entries
        ]

    assert shape(mini_csv) == shape(xml)
    assert [e.manifestation for e in xml.entries if e.manifestation] == ["I43"]
    assert all(e.manifestation is None for e in mini_csv.entries)


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "index.csv"
    path.write_bytes(("\ufeff" + HEADER + "1,A,0,Abasia,,,,F44.4\n").encode("utf-8"))
    assert load_index_csv(path).entries[0].code == "F44.4"


# --- malformed files ------------------------------------------------------------------


def test_missing_columns(tmp_path: Path) -> None:
    path = _write(tmp_path, "RowID,Letter,Level,Term,Code\n1,A,0,Abasia,F44.4\n")
    with pytest.raises(SourceFormatError) as caught:
        load_index_csv(path)
    error = caught.value
    assert str(error) == f"{path}:1: missing columns: See, SeeAlso, NonEssModif"
    assert error.hint is not None and all(c in error.hint for c in REQUIRED_COLUMNS)


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match="missing columns"):
        load_index_csv(_write(tmp_path, ""))


def test_header_only(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match="no index rows found"):
        load_index_csv(_write(tmp_path, HEADER))


def test_level_jump(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + "1,A,0,Abasia,,,,\n2,A,2,hysterical,,,,F44.4\n")
    with pytest.raises(SourceFormatError) as caught:
        load_index_csv(path)
    assert str(caught.value) == f"{path}:3: level 2 follows a level-0 term"


def test_subterm_before_any_main_term(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + "1,A,1,acute,,,,R10.0\n")
    with pytest.raises(SourceFormatError, match="level 1 follows"):
        load_index_csv(path)


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("1,A,one,Abasia,,,,F44.4", "Level 'one' is not a number"),
        ("1,A,-1,Abasia,,,,F44.4", "level -1 follows"),
        ("1,A,0,,,,,F44.4", "empty Term"),
        ("1,A", "Level None is not a number"),
    ],
)
def test_malformed_row(tmp_path: Path, row: str, problem: str) -> None:
    path = _write(tmp_path, HEADER + row + "\n")
    with pytest.raises(SourceFormatError, match=problem) as caught:
        load_index_csv(path)
    assert caught.value.line == 2


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match="cannot read file"):
        load_index_csv(tmp_path / "absent.csv")


def test_undecodable_bytes(tmp_path: Path) -> None:
    path = tmp_path / "index.csv"
    path.write_bytes((HEADER + "1,S,0,Sj\xf6gren syndrome,,,,M35.00\n").encode("latin-1"))
    with pytest.raises(SourceFormatError):
        load_index_csv(path)


# --- the full FY2025 index ------------------------------------------------------------


def test_full_index_csv_rows(index_csv_2025: IndexBook) -> None:
    entries = index_csv_2025.entries
    assert len(entries) == 81_024
    assert entries[0].title == "Aarskog's syndrome" and entries[0].code == "Q87.19"
    by_id = {e.id: e for e in entries}
    for entry in entries:
        if entry.level == 0:
            assert entry.parent_id is None
        else:
            assert entry.parent_id is not None
            assert by_id[entry.parent_id].level == entry.level - 1


def test_full_index_csv_main_terms(index_csv_2025: IndexBook) -> None:
    main_terms = [e for e in index_csv_2025.entries if e.level == 0]
    assert len(main_terms) == 8_100
    diabetes = next(e for e in main_terms if e.title == "Diabetes, diabetic")
    assert diabetes.nonessential == ("mellitus", "sugar")
    assert diabetes.code == "E11.9"


def test_full_index_csv_empty_terms(index_csv_2025: IndexBook) -> None:
    by_id = {e.id: e for e in index_csv_2025.entries}
    somatoform = next(e for e in index_csv_2025.entries if e.title == "somatoform")
    assert somatoform.code == "F45.41"
    assert somatoform.parent_id is not None
    assert by_id[somatoform.parent_id].title == "persistent"
