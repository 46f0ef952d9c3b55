"""The index-family XML loader: Alphabetic Index, External Cause Index, Neoplasm and Drug tables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from medcoder.codesets.loaders.index_xml import load_index_xml, split_nonessential
from medcoder.codesets.model import BookKind, IndexBook, IndexEntry
from medcoder.errors import SourceFormatError

NEOPLASM_HEADINGS = (
    "Neoplasm",
    "Malignant Primary",
    "Malignant Secondary",
    "Ca in situ",
    "Benign",
    "Uncertain Behavior",
    "Unspecified Behavior",
)


def _entry(book: IndexBook, title: str) -> IndexEntry:
    return next(e for e in book.entries if e.title == title)


def _path_of(book: IndexBook, entry: IndexEntry) -> list[str]:
    by_id = {e.id: e for e in book.entries}
    titles = [entry.title]
    while entry.parent_id is not None:
        entry = by_id[entry.parent_id]
        titles.append(entry.title)
    return titles[::-1]


def _index(letters: str, head: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<ICD10CM.index>\n<version>2025</version>\n'
        f"{head}{letters}\n</ICD10CM.index>\n"
    )


def assert_tree_is_consistent(book: IndexBook) -> None:
    """ids count from 1 in document order; a parent is the nearest shallower entry."""
    by_id = {e.id: e for e in book.entries}
    assert [e.id for e in book.entries] == list(range(1, len(book.entries) + 1))
    for entry in book.entries:
        if entry.level == 0:
            assert entry.parent_id is None
        else:
            assert entry.parent_id is not None and entry.parent_id < entry.id
            assert by_id[entry.parent_id].level == entry.level - 1
        assert entry.title


# --- nonessential modifiers -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(mellitus) (sugar)", ("mellitus", "sugar")),
        ("(-astasia) (hysterical)", ("-astasia", "hysterical")),
        ("( ) (of)", ("of",)),
        ("somatoform", ("somatoform",)),
        ("  ", ()),
        ("", ()),
    ],
)
def test_split_nonessential(text: str, expected: tuple[str, ...]) -> None:
    assert split_nonessential(text) == expected


# --- mini books -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def mini_index(icd10cm_fixtures: Path) -> IndexBook:
    return load_index_xml(icd10cm_fixtures / "index_mini.xml")


def test_mini_index_book(mini_index: IndexBook) -> None:
    assert mini_index.kind is BookKind.INDEX
    assert mini_index.version == "2025"
    assert mini_index.headings == ()
    assert len(mini_index.entries) == 18
    assert_tree_is_consistent(mini_index)


def test_mini_index_nonessential_modifiers_leave_the_title(mini_index: IndexBook) -> None:
    abasia = mini_index.entries[0]
    assert (abasia.title, abasia.nonessential, abasia.code) == (
        "Abasia",
        ("-astasia", "hysterical"),
        "F44.4",
    )
    diabetes = _entry(mini_index, "Diabetes, diabetic")
    assert diabetes.nonessential == ("mellitus", "sugar")


def test_mini_index_see_and_see_also(mini_index: IndexBook) -> None:
    assert _entry(mini_index, "Abdominalgia").see == "Pain, abdominal"
    abdomen = _entry(mini_index, "Abdomen, abdominal")
    assert (abdomen.see, abdomen.see_also, abdomen.code) == (None, "condition", None)


def test_mini_index_code_with_dash_is_kept_as_printed(mini_index: IndexBook) -> None:
    assert _entry(mini_index, "auditory perception").code == "H93.29-"


def test_mini_index_manifestation(mini_index: IndexBook) -> None:
    amyloid = _entry(mini_index, "amyloid")
    assert (amyloid.code, amyloid.manifestation) == ("E85.4", "I43")
    assert _path_of(mini_index, amyloid) == ["Cardiomyopathy", "amyloid"]


def test_mini_index_subterm_levels(mini_index: IndexBook) -> None:
    ckd = _entry(mini_index, "chronic kidney disease")
    assert ckd.level == 3
    assert ckd.code == "E11.22"
    assert _path_of(mini_index, ckd) == [
        "Diabetes, diabetic",
        "type 2",
        "with",
        "chronic kidney disease",
    ]


def test_mini_index_term_that_is_only_a_nonessential_modifier(mini_index: IndexBook) -> None:
    somatoform = _entry(mini_index, "somatoform")
    assert somatoform.nonessential == ("somatoform",)
    assert somatoform.code == "F45.41"
    assert _path_of(mini_index, somatoform) == ["Disorder", "persistent", "somatoform"]


def test_mini_eindex(icd10cm_fixtures: Path) -> None:
    book = load_index_xml(icd10cm_fixtures / "eindex_mini.xml")
    assert book.kind is BookKind.EXTERNAL_CAUSE
    assert_tree_is_consistent(book)
    abandonment = book.entries[0]
    # text after the nemod belongs to the title
    assert abandonment.title == "Abandonment NEC"
    assert abandonment.nonessential == (
        "causing exposure to weather conditions",
        "with intent to injure or kill",
    )
    cataclysm = _entry(book, "due to, caused by cataclysm")
    assert cataclysm.see == "Forces of nature, by type"
    assert _entry(book, "unpowered").code == "V94.12"


def test_kind_can_be_given(icd10cm_fixtures: Path) -> None:
    book = load_index_xml(icd10cm_fixtures / "eindex_mini.xml", kind=BookKind.INDEX)
    assert book.kind is BookKind.INDEX


def test_eindex_kind_from_file_name(tmp_path: Path) -> None:
    path = tmp_path / "icd-10-cm-eindex-2025.xml"
    path.write_text(
        _index("<letter><title>A</title><mainTerm><title>Abuse</title></mainTerm></letter>")
    )
    assert load_index_xml(path).kind is BookKind.EXTERNAL_CAUSE


def test_mini_neoplasm_table(icd10cm_fixtures: Path) -> None:
    book = load_index_xml(icd10cm_fixtures / "neoplasm_mini.xml")
    assert book.kind is BookKind.NEOPLASM
    assert book.headings == NEOPLASM_HEADINGS
    assert_tree_is_consistent(book)
    top = book.entries[0]
    assert top.title == "Neoplasm, neoplastic"
    assert top.cells == (
        (2, "C80.1"),
        (3, "C79.9"),
        (4, "D09.9"),
        (5, "D36.9"),
        (6, "D48.9"),
        (7, "D49.9"),
    )
    connective = _entry(book, "connective tissue")
    assert dict(connective.cells)[3] == "C79.8-"
    assert dict(connective.cells)[4] == "-"  # an empty cell, as printed
    assert _entry(book, "accessory sinus").see == "Neoplasm, sinus"
    assert _entry(book, "bone").nonessential == ("periosteum",)


def test_mini_drug_table(icd10cm_fixtures: Path) -> None:
    book = load_index_xml(icd10cm_fixtures / "drug_mini.xml")
    assert book.kind is BookKind.DRUG
    assert book.headings[0] == "Substance"
    assert book.headings[5] == "Adverse effect"
    assert len(book.headings) == 7
    acetaminophen = _entry(book, "Acetaminophen")
    assert dict(acetaminophen.cells)[2] == "T39.1X1"
    assert dict(acetaminophen.cells)[7] == "T39.1X6"
    assert dict(_entry(book, "1-propanol").cells)[6] == "--"
    assert _entry(book, "enteric coated").level == 1
    assert _entry(book, "Adrenalin").see == "Adrenaline"


def test_headings_are_ordered_by_column(tmp_path: Path) -> None:
    head = (
        '<indexHeading><head col="3">Malignant Secondary</head>'
        '<head col="1">Neoplasm</head><head col="2">Malignant Primary</head></indexHeading>\n'
    )
    path = tmp_path / "table.xml"
    path.write_text(
        _index("<letter><title>N</title><mainTerm><title>x</title></mainTerm></letter>", head)
    )
    assert load_index_xml(path).headings == ("Neoplasm", "Malignant Primary", "Malignant Secondary")


# --- malformed files ------------------------------------------------------------------


def test_truncated_xml_names_file_and_line(icd10cm_fixtures: Path, tmp_path: Path) -> None:
    lines = (icd10cm_fixtures / "index_mini.xml").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "index_truncated.xml"
    path.write_text("\n".join(lines[:40]) + "\n", encoding="utf-8")
    with pytest.raises(SourceFormatError) as caught:
        load_index_xml(path)
    assert caught.value.path == path
    assert isinstance(caught.value.line, int)
    assert re.search(r"index_truncated\.xml:\d+: malformed XML", str(caught.value))


def test_wrong_root_element(icd10cm_fixtures: Path) -> None:
    with pytest.raises(SourceFormatError, match=r"expected root element ICD10CM\.index") as caught:
        load_index_xml(icd10cm_fixtures / "tabular_mini.xml")
    assert "tabular_mini.xml:3:" in str(caught.value)


def test_level_jump(tmp_path: Path) -> None:
    letters = (
        "<letter><title>A</title>\n<mainTerm><title>Abasia</title>\n"
        '<term level="2"><title>hysterical</title></term>\n</mainTerm></letter>'
    )
    path = tmp_path / "index.xml"
    path.write_text(_index(letters))
    with pytest.raises(SourceFormatError) as caught:
        load_index_xml(path)
    assert str(caught.value) == f"{path}:6: term level 2 under a level-0 term"


@pytest.mark.parametrize(
    ("letters", "problem"),
    [
        (
            "<letter><title>A</title><mainTerm><code>X58</code></mainTerm></letter>",
            "index term without a title",
        ),
        (
            '<letter><title>A</title><mainTerm><title>x</title><cell col="two">T51.3X1</cell>'
            "</mainTerm></letter>",
            "table cell without a numeric col",
        ),
        ("", "no main terms found"),
    ],
)
def test_malformed_terms(tmp_path: Path, letters: str, problem: str) -> None:
    path = tmp_path / "index.xml"
    path.write_text(_index(letters))
    with pytest.raises(SourceFormatError, match=problem):
        load_index_xml(path)


def test_heading_without_numeric_col(tmp_path: Path) -> None:
    head = '<indexHeading><head col="x">Neoplasm</head></indexHeading>\n'
    path = tmp_path / "table.xml"
    path.write_text(
        _index("<letter><title>N</title><mainTerm><title>x</title></mainTerm></letter>", head)
    )
    with pytest.raises(SourceFormatError):
        load_index_xml(path)


# --- the full FY2025 books ------------------------------------------------------------


def test_full_neoplasm_table(neoplasm_2025: IndexBook) -> None:
    assert neoplasm_2025.kind is BookKind.NEOPLASM
    assert neoplasm_2025.headings == NEOPLASM_HEADINGS
    assert_tree_is_consistent(neoplasm_2025)
    top = neoplasm_2025.entries[0]
    assert top.title == "Neoplasm, neoplastic"
    assert dict(top.cells)[2] == "C80.1"
    assert all(1 <= col <= 7 for e in neoplasm_2025.entries for col, _ in e.cells)


def test_full_drug_table(drug_2025: IndexBook) -> None:
    assert drug_2025.kind is BookKind.DRUG
    assert len(drug_2025.headings) == 7
    assert drug_2025.headings[0] == "Substance"
    assert_tree_is_consistent(drug_2025)
    acetaminophen = _entry(drug_2025, "Acetaminophen")
    assert acetaminophen.level == 0
    assert dict(acetaminophen.cells)[2] == "T39.1X1"
    assert dict(acetaminophen.cells)[6] == "T39.1X5"


def test_full_external_cause_index(eindex_2025: IndexBook) -> None:
    assert eindex_2025.kind is BookKind.EXTERNAL_CAUSE
    assert eindex_2025.headings == ()
    assert_tree_is_consistent(eindex_2025)
    assert eindex_2025.entries[0].title == "Abandonment NEC"
    assert eindex_2025.entries[0].code == "X58"
