"""The Tabular List XML loader: chapters, sections, the diag tree and its notes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from medcoder.codesets.loaders.tabular_xml import load_tabular
from medcoder.codesets.model import INHERITED_NOTE_KINDS, NodeKind, NoteKind, TabularList
from medcoder.errors import CodeSetError, SourceFormatError

MINI_CODES = [
    "1",
    "A00-A09",
    "A00",
    "A00.0",
    "A00.1",
    "A00.9",
    "A01",
    "A01.0",
    "A01.00",
    "A01.01",
    "A01.09",
    "B10-B10",
    "B10",
    "B10.0",
    "B10.01",
    "B10.09",
    "19",
    "S00-S09",
    "S00",
    "S00.0",
    "S00.00",
    "S00.03",
    "S06",
    "S06.1",
    "S06.1X",
    "S06.1X0",
    "S06.1X7",
    "S70-S79",
    "S72",
    "S72.0",
    "S72.00",
    "S72.001",
    "S72.002",
    "T36-T50",
    "T36",
    "T36.0",
    "T36.0X",
    "T36.0X1",
    "T36.0X5",
]


def _wrap(body: str) -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<ICD10CM.tabular>\n{body}\n</ICD10CM.tabular>\n'
    )


def _chapter(diags: str) -> str:
    return _wrap(
        "<version>2026</version>\n<chapter>\n<name>1</name>\n<desc>Chapter</desc>\n"
        f'<section id="A00-A09">\n<desc>Section</desc>\n{diags}\n</section>\n</chapter>'
    )


# --- the mini fixture -----------------------------------------------------------------


def test_mini_nodes_in_document_order(mini_tabular: TabularList) -> None:
    assert mini_tabular.version == "2026"
    assert [n.code for n in mini_tabular.nodes] == MINI_CODES


def test_mini_kinds_and_parents(mini_tabular: TabularList) -> None:
    by_code = {n.code: n for n in mini_tabular.nodes}
    assert by_code["1"].kind is NodeKind.CHAPTER and by_code["1"].parent is None
    assert by_code["A00-A09"].kind is NodeKind.SECTION and by_code["A00-A09"].parent == "1"
    assert by_code["A01"].kind is NodeKind.CATEGORY and by_code["A01"].parent == "A00-A09"
    assert by_code["A01.0"].kind is NodeKind.SUBCATEGORY and by_code["A01.0"].parent == "A01"
    assert by_code["A01.00"].kind is NodeKind.CODE and by_code["A01.00"].parent == "A01.0"
    # the placeholder diag (placeholder="true") is a node of its own
    assert by_code["T36.0X"].kind is NodeKind.SUBCATEGORY
    assert by_code["T36.0X1"].parent == "T36.0X"
    assert by_code["19"].title == (
        "Injury, poisoning and certain other consequences of external causes (S00-T88)"
    )


def test_mini_one_category_section_is_named_as_a_range(mini_tabular: TabularList) -> None:
    by_code = {n.code: n for n in mini_tabular.nodes}
    section = by_code["B10-B10"]
    assert section.kind is NodeKind.SECTION
    assert section.title == "Other human herpesviruses (B10)"
    assert by_code["B10"].parent == "B10-B10"


def test_mini_every_note_kind_is_read(mini_tabular: TabularList) -> None:
    found = {note.kind for node in mini_tabular.nodes for note in node.notes}
    assert found == set(NoteKind)


@pytest.mark.parametrize(
    ("code", "kind", "texts"),
    [
        (
            "1",
            NoteKind.INCLUDES,
            ["diseases generally recognized as communicable or transmissible"],
        ),
        (
            "1",
            NoteKind.USE_ADDITIONAL_CODE,
            ["code to identify resistance to antimicrobial drugs (Z16.-)"],
        ),
        (
            "1",
            NoteKind.EXCLUDES1,
            ["certain localized infections - see body system-related chapters"],
        ),
        ("A00-A09", NoteKind.EXCLUDES1, ["helminthiases (B65-B83)"]),
        ("A00.0", NoteKind.INCLUSION_TERMS, ["Classical cholera"]),
        ("B10", NoteKind.EXCLUDES2, ["cytomegalovirus (B25.9)", "herpes simplex (B00.-)"]),
        ("B10.0", NoteKind.CODE_FIRST, ["underlying immunodeficiency, if known (D84.9)"]),
        ("S00-S09", NoteKind.CODE_ALSO, ["for any associated infection"]),
        ("S00.03", NoteKind.INCLUSION_TERMS, ["Bruise of scalp"]),
        (
            "19",
            NoteKind.NOTES,
            [
                "Use secondary code(s) from Chapter 20, External causes of morbidity, "
                "to indicate cause of injury."
            ],
        ),
    ],
)
def test_mini_notes_sit_where_they_are_written(
    mini_tabular: TabularList, code: str, kind: NoteKind, texts: list[str]
) -> None:
    node = next(n for n in mini_tabular.nodes if n.code == code)
    assert [note.text for note in node.notes if note.kind is kind] == texts


def test_mini_seven_character_definition(mini_tabular: TabularList) -> None:
    by_code = {n.code: n for n in mini_tabular.nodes}
    assert by_code["S72"].seven_chr == (
        ("A", "initial encounter for closed fracture"),
        ("B", "initial encounter for open fracture type I or II"),
        ("D", "subsequent encounter for closed fracture with routine healing"),
        ("S", "sequela"),
    )
    assert by_code["S72"].seven_chr_note == (
        "The appropriate 7th character is to be added to all codes from category S72"
    )
    assert by_code["S72.001"].seven_chr == ()
    assert by_code["S72.001"].seven_chr_note is None
    assert by_code["A00"].seven_chr == ()


def test_titles_have_whitespace_collapsed(tmp_path: Path) -> None:
    path = tmp_path / "tabular.xml"
    path.write_text(
        _chapter(
            "<diag>\n<name> a00 </name>\n<desc>\n  Cholera,\n   unspecified  </desc>\n</diag>"
        ),
        encoding="utf-8",
    )
    node = load_tabular(path).nodes[-1]
    assert (node.code, node.title) == ("A00", "Cholera, unspecified")


# --- malformed files ------------------------------------------------------------------


def test_truncated_xml_names_file_and_line(icd10cm_fixtures: Path, tmp_path: Path) -> None:
    text = (icd10cm_fixtures / "tabular_mini.xml").read_text(encoding="utf-8")
    path = tmp_path / "tabular_truncated.xml"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(SourceFormatError) as caught:
        load_tabular(path)
    error = caught.value
    assert isinstance(error, CodeSetError) and error.code == "E204"
    assert error.path == path
    assert isinstance(error.line, int) and error.line > 1
    assert re.search(rf"tabular_truncated\.xml:{error.line}: malformed XML", str(error))


def test_wrong_root_element(icd10cm_fixtures: Path) -> None:
    with pytest.raises(
        SourceFormatError, match=r"expected root element ICD10CM\.tabular"
    ) as caught:
        load_tabular(icd10cm_fixtures / "index_mini.xml")
    assert caught.value.line == 3  # after the XML declaration and the comment
    assert "index_mini.xml:3:" in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match="cannot read file"):
        load_tabular(tmp_path / "absent.xml")


def test_no_chapters(tmp_path: Path) -> None:
    path = tmp_path / "empty.xml"
    path.write_text(_wrap("<version>2026</version>"), encoding="utf-8")
    with pytest.raises(SourceFormatError, match="no chapters found"):
        load_tabular(path)


@pytest.mark.parametrize(
    ("diags", "problem"),
    [
        (
            "<diag><name>A00</name></diag>\n<diag><name>A00</name></diag>",
            "code A00 appears twice",
        ),
        ("<diag><desc>no name</desc></diag>", "diag without a name"),
        ("<diag><name>A0/0</name></diag>", "bad code 'A0/0'"),
    ],
)
def test_malformed_diag(tmp_path: Path, diags: str, problem: str) -> None:
    text = _chapter(diags)
    # the offending diag is the last one written
    line = max(i for i, row in enumerate(text.splitlines(), start=1) if "<diag>" in row)
    path = tmp_path / "tabular.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceFormatError) as caught:
        load_tabular(path)
    assert caught.value.line == line
    assert str(caught.value) == f"{path}:{line}: {problem}"


def test_section_without_id(tmp_path: Path) -> None:
    path = tmp_path / "tabular.xml"
    path.write_text(_wrap("<chapter><name>1</name><section><desc>x</desc></section></chapter>"))
    with pytest.raises(SourceFormatError, match="section without an id"):
        load_tabular(path)


def test_chapter_without_name(tmp_path: Path) -> None:
    path = tmp_path / "tabular.xml"
    path.write_text(_wrap("<chapter><desc>x</desc></chapter>"))
    with pytest.raises(SourceFormatError, match="chapter without a name"):
        load_tabular(path)


# --- the full FY2026 April release ----------------------------------------------------


def test_full_tabular_has_22_chapters(tabular_2026: TabularList) -> None:
    assert tabular_2026.version == "2026"
    chapters = [n.code for n in tabular_2026.nodes if n.kind is NodeKind.CHAPTER]
    assert chapters == [str(n) for n in range(1, 23)]


def test_full_tabular_parents_come_first(tabular_2026: TabularList) -> None:
    seen: set[str] = set()
    for node in tabular_2026.nodes:
        assert node.parent is None or node.parent in seen, node.code
        seen.add(node.code)


def test_full_tabular_one_category_sections(tabular_2026: TabularList) -> None:
    by_code = {n.code: n for n in tabular_2026.nodes}
    for section in ("B10-B10", "C7A-C7A", "QA0-QA0", "Z68-Z68"):
        assert by_code[section].kind is NodeKind.SECTION
        assert by_code[section[:3]].parent == section


def test_full_tabular_s72(tabular_2026: TabularList) -> None:
    by_code = {n.code: n for n in tabular_2026.nodes}
    assert by_code["S72.001"].parent == "S72.00"
    assert by_code["S72.001"].title == "Fracture of unspecified part of neck of right femur"
    chars = [char for char, _ in by_code["S72"].seven_chr]
    assert chars == list("ABCDEFGHJKMNPQRS")


def test_full_tabular_e11_22_notes_from_ancestors(tabular_2026: TabularList) -> None:
    by_code = {n.code: n for n in tabular_2026.nodes}
    chain = []
    code: str | None = "E11.22"
    while code is not None:
        chain.append(by_code[code])
        code = by_code[code].parent
    assert [n.code for n in chain] == ["E11.22", "E11.2", "E11", "E08-E13", "4"]
    own = {(note.kind, note.text) for note in chain[0].notes}
    assert (
        NoteKind.USE_ADDITIONAL_CODE,
        "code to identify stage of chronic kidney disease (N18.1-N18.6)",
    ) in own
    inherited = {
        (note.kind, note.text)
        for node in chain[1:]
        for note in node.notes
        if note.kind in INHERITED_NOTE_KINDS
    }
    assert (NoteKind.EXCLUDES1, "type 1 diabetes mellitus (E10.-)") in inherited
    assert (NoteKind.EXCLUDES1, "gestational diabetes (O24.4-)") in inherited
    assert (NoteKind.USE_ADDITIONAL_CODE, "insulin (Z79.4)") in inherited
    assert any(kind is NoteKind.NOTES for kind, _ in inherited)  # chapter 4's note
