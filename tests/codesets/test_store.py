"""Release: code lookup, hierarchy, notes with inheritance, 7th characters, search, books."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from medcoder.codesets.model import NodeKind, NoteKind
from medcoder.codesets.store import NoteText, Release
from medcoder.errors import ReleaseNotFoundError, UnknownCodeError

pytestmark = pytest.mark.slow

E11_22 = "Type 2 diabetes mellitus with diabetic chronic kidney disease"


# -- codes -------------------------------------------------------------------------------
@pytest.mark.parametrize("spelling", ["E11.22", "e11.22", "E1122", " E11.22 ", "e 11.22"])
def test_get_accepts_any_spelling(release_2026: Release, spelling: str) -> None:
    entry = release_2026.get(spelling)
    assert entry is not None
    assert (entry.code, entry.title, entry.billable) == ("E11.22", E11_22, True)
    assert entry.kind is NodeKind.CODE
    assert entry.parent == "E11.2"
    assert entry.release == "icd10cm-2026-04"


@pytest.mark.parametrize(
    ("code", "kind"),
    [("4", NodeKind.CHAPTER), ("04", NodeKind.CHAPTER), ("E08-E13", NodeKind.SECTION),
     ("E11", NodeKind.CATEGORY), ("E11.2", NodeKind.SUBCATEGORY)],
)  # fmt: skip
def test_get_chapters_sections_and_headers(release_2026: Release, code: str, kind: str) -> None:
    entry = release_2026.get(code)
    assert entry is not None
    assert entry.kind is kind
    assert not entry.billable


@pytest.mark.parametrize("code", ["E11.99", "hello", "", "E1", "Z99.999999"])
def test_get_unknown_or_malformed_is_none(release_2026: Release, code: str) -> None:
    assert release_2026.get(code) is None


def test_get_many_answers_as_get_in_batches(release_2026: Release) -> None:
    asked = ["E11.22", "e1122", "E11", "4", "E08-E13", "Z99.999", "not a code", "E11.22"]
    asked += [row[0] for row in release_2026.title_rows(billable_only=True)[:1200]]  # 3 chunks
    fresh = Release(release_2026.folder)  # nothing cached: every code read in a batch
    try:
        got = fresh.get_many(asked)
        assert set(got) == set(asked)
        assert got == {code: release_2026.get(code) for code in asked}
        assert got["e1122"] is not None and got["e1122"].code == "E11.22"
        assert got["Z99.999"] is None and got["not a code"] is None
        assert fresh.get_many(["E11.22"]) == {"E11.22": got["E11.22"]}  # from the cache
    finally:
        fresh.close()


def test_lookup_unknown_names_the_nearest_codes(release_2026: Release) -> None:
    with pytest.raises(UnknownCodeError) as caught:
        release_2026.lookup("E11.99")
    error = caught.value
    assert error.code == "E205"
    assert error.message == "E11.99 is not a code in icd10cm-2026-04"
    assert error.suggestions[0] == "E11.9"
    assert error.hint is not None and error.hint.startswith("nearest valid codes: E11.9")


def test_nearest_codes_are_billable_codes_of_the_release(release_2026: Release) -> None:
    for code in ["E11.99", "S72.001Z", "I50.99", "C34.9"]:
        nearest = release_2026.nearest(code)
        assert nearest, code
        for suggestion in nearest:
            entry = release_2026.get(suggestion)
            assert entry is not None and entry.billable, (code, suggestion)


def test_nearest_under_a_header_lists_its_billable_descendants(release_2026: Release) -> None:
    # C34.9 is a header (C34.90, C34.91, C34.92); its prefix is the closest that exists.
    assert release_2026.nearest("C34.99") == ["C34.90", "C34.91", "C34.92"]


def test_nearest_of_nothing_like_a_code_is_empty(release_2026: Release) -> None:
    assert release_2026.nearest("Q") == []
    assert release_2026.nearest("hello") == []


def test_ancestors_from_chapter_down_to_parent(release_2026: Release) -> None:
    assert [a.code for a in release_2026.ancestors("E11.22")] == ["4", "E08-E13", "E11", "E11.2"]
    assert release_2026.ancestors("4") == []


def test_children_in_tabular_order(release_2026: Release) -> None:
    assert [c.code for c in release_2026.children("E11.2")] == ["E11.21", "E11.22", "E11.29"]


def test_seventh_character_expansions_are_billable_children(release_2026: Release) -> None:
    children = release_2026.children("S72.001")
    assert len(children) == 16
    assert all(c.expansion and c.billable for c in children)
    assert children[0].code == "S72.001A"
    assert children[0].title == (
        "Fracture of unspecified part of neck of right femur, initial encounter for closed fracture"
    )
    header = release_2026.get("S72.001")
    assert header is not None and not header.billable


def test_placeholder_x_pads_expansions_to_six_characters(release_2026: Release) -> None:
    assert [c.code for c in release_2026.children("S00.00")] == [
        "S00.00XA",
        "S00.00XD",
        "S00.00XS",
    ]


def test_iter_codes_counts_match_manifest_stats(release_2025: Release) -> None:
    entries = list(release_2025.iter_codes())
    billable = sum(e.billable for e in entries)
    codes = sum(e.kind not in (NodeKind.CHAPTER, NodeKind.SECTION) for e in entries)
    assert billable == release_2025.info.stats["billable"]
    assert codes == release_2025.info.stats["codes"]


# -- notes and inheritance ---------------------------------------------------------------
def test_notes_has_every_kind(release_2026: Release) -> None:
    assert set(release_2026.notes("E11.22")) == set(NoteKind)


def test_own_note_has_no_inherited_from(release_2026: Release) -> None:
    notes = release_2026.notes("E11.22")
    assert notes[NoteKind.USE_ADDITIONAL_CODE][0] == NoteText(
        "code to identify stage of chronic kidney disease (N18.1-N18.6)", None
    )


def test_category_and_chapter_notes_are_inherited(release_2026: Release) -> None:
    notes = release_2026.notes("E11.22")
    excludes1 = {(n.text, n.inherited_from) for n in notes[NoteKind.EXCLUDES1]}
    assert ("type 1 diabetes mellitus (E10.-)", "E11") in excludes1
    assert (
        "transitory endocrine and metabolic disorders specific to newborn (P70-P74)",
        "4",
    ) in excludes1
    includes = notes[NoteKind.INCLUDES]
    assert NoteText("diabetes NOS", "E11") in includes
    assert {n.inherited_from for n in notes[NoteKind.NOTES]} == {"4"}


def test_inherited_notes_come_nearest_first(release_2026: Release) -> None:
    excludes2 = release_2026.notes("S72.001A")[NoteKind.EXCLUDES2]
    origins = [n.inherited_from for n in excludes2]
    # subcategory, category, section (block), then chapter
    assert origins == sorted(origins, key=["S72.0", "S72", "S70-S79", "19"].index)
    assert {"S72.0", "S72", "S70-S79", "19"} == set(origins)


def test_section_notes_are_inherited(release_2026: Release) -> None:
    excludes2 = release_2026.notes("S72.001A")[NoteKind.EXCLUDES2]
    assert NoteText("burns and corrosions (T20-T32)", "S70-S79") in excludes2


def test_inclusion_terms_are_not_inherited(release_2026: Release) -> None:
    # A01.0 lists "Infection due to Salmonella typhi"; its child A01.00 has none of its own.
    assert release_2026.own_notes("A01.0")[NoteKind.INCLUSION_TERMS] == [
        "Infection due to Salmonella typhi"
    ]
    assert release_2026.notes("A01.00")[NoteKind.INCLUSION_TERMS] == []
    # I50.9's own inclusion terms show, uninherited.
    inclusion = release_2026.notes("I50.9")[NoteKind.INCLUSION_TERMS]
    assert NoteText("Congestive heart failure NOS", None) in inclusion
    assert all(n.inherited_from is None for n in inclusion)


def test_inherited_note_origins_are_ancestors(release_2026: Release) -> None:
    for code in ["E11.22", "S72.001A", "I50.9", "T39.1X1A", "C34.90"]:
        ancestors = {a.code for a in release_2026.ancestors(code)}
        for kind, notes in release_2026.notes(code).items():
            for note in notes:
                assert note.inherited_from is None or note.inherited_from in ancestors, (
                    code,
                    kind,
                    note,
                )


def test_notes_of_unknown_code_raise(release_2026: Release) -> None:
    with pytest.raises(UnknownCodeError):
        release_2026.notes("E11.99")


def test_order_file_release_has_codes_but_no_notes(release_2021: Release) -> None:
    assert release_2021.lookup("E11.22").billable
    assert all(notes == [] for notes in release_2021.notes("E11.22").values())


# -- 7th characters ------------------------------------------------------------------------
def test_seven_character_of_an_expansion(release_2026: Release) -> None:
    seven = release_2026.seven_character("S72.001A")
    assert seven is not None
    assert seven.defined_at == "S72"
    assert (
        seven.note == "The appropriate 7th character is to be added to all codes from category S72"
    )
    chars = [c for c, _ in seven.values]
    assert chars == list("ABCDEFGHJKMNPQRS")
    assert seven.values[0] == ("A", "initial encounter for closed fracture")
    assert seven.values[-1] == ("S", "sequela")


def test_seven_character_of_a_code_without_one(release_2026: Release) -> None:
    assert release_2026.seven_character("E11.22") is None


# -- search --------------------------------------------------------------------------------
def test_search_heart_failure(release_2026: Release) -> None:
    hits = release_2026.search("heart failure")
    assert hits[0].code == "I50"
    assert len({h.code for h in hits}) == len(hits)  # one hit per code
    for hit in hits:
        assert {"heart", "failure"} <= set(hit.matched.lower().replace(",", " ").split())
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_search_limit(release_2026: Release) -> None:
    assert len(release_2026.search("fracture", limit=3)) == 3


def test_search_finds_index_paths(release_2026: Release) -> None:
    hits = release_2026.search("diabetes kidney", limit=5)
    assert hits[0].code == "E11.22"
    assert hits[0].source == "index"
    assert hits[0].matched == "Diabetes, diabetic, with, chronic kidney disease"


def test_search_inclusion_terms(release_2026: Release) -> None:
    hits = release_2026.search("Congestive heart failure NOS", limit=5)
    assert ("I50.9", "inclusion_term") in {(h.code, h.source) for h in hits}


@pytest.mark.parametrize("text", ["", "!!!", "   ", '"'])
def test_search_nothing_searchable(release_2026: Release, text: str) -> None:
    assert release_2026.search(text) == []


# -- index books and terms -----------------------------------------------------------------
def test_books_of_a_full_release(release_2026: Release) -> None:
    books = release_2026.books()
    assert set(books) == {"index", "eindex", "neoplasm", "drug"}
    assert books["index"] == ()
    assert books["neoplasm"] == (
        "Neoplasm", "Malignant Primary", "Malignant Secondary", "Ca in situ", "Benign",
        "Uncertain Behavior", "Unspecified Behavior",
    )  # fmt: skip
    assert len(books["drug"]) == 7


def test_order_file_release_has_no_books(release_2021: Release) -> None:
    assert release_2021.books() == {}


def test_terms_tree(release_2026: Release) -> None:
    (neoplasm,) = release_2026.main_terms("neoplasm")
    assert neoplasm.title == "Neoplasm, neoplastic"
    assert neoplasm.level == 0 and neoplasm.parent_id is None
    assert release_2026.term(neoplasm.id) == neoplasm
    subterms = release_2026.subterms(neoplasm.id)
    assert subterms and all(t.parent_id == neoplasm.id and t.level == 1 for t in subterms)
    assert release_2026.term(10**9) is None


def test_terms_named_and_cells(release_2026: Release) -> None:
    (acetaminophen,) = release_2026.terms_named("drug", "acetaminophen")
    cells = release_2026.cells(acetaminophen.id)
    assert cells[2] == ("T39.1X1", "T39.1X1", "needs_7th")
    assert sorted(cells) == [2, 3, 4, 5, 6, 7]


def test_index_term_code_verified_against_the_newer_tabular(
    release_2025: Release, release_2026: Release
) -> None:
    def multiple_sclerosis(release: Release) -> tuple[str | None, str | None, str | None]:
        (sclerosis,) = release.main_terms("index", "sclerosis sclerotic")
        term = next(t for t in release.subterms(sclerosis.id) if t.title == "multiple")
        return term.code, term.resolved, term.resolution

    assert multiple_sclerosis(release_2025) == ("G35", "G35", "ok")
    assert multiple_sclerosis(release_2026) == ("G35", "G35.D", "expanded_resolved")


# -- the release folder ------------------------------------------------------------------
def test_release_is_opened_read_only(release_2026: Release) -> None:
    with pytest.raises(sqlite3.OperationalError):
        release_2026._db.execute("DELETE FROM codes")


def test_release_folder_without_a_build(tmp_path: Path) -> None:
    with pytest.raises(ReleaseNotFoundError) as caught:
        Release(tmp_path)
    assert caught.value.code == "E201"


def test_release_as_context_manager(release_2025: Release) -> None:
    with Release(release_2025.folder) as release:
        assert release.name == "icd10cm-2025-04"
        assert release.lookup("G35").billable
    with pytest.raises(sqlite3.ProgrammingError):
        release.get("I10")


# -- search by code number (issue 16: an encoder at typing speed) -------------------------
@pytest.mark.parametrize("typed", ["E11.42", "e1142", "Z79.84", "J96.01", " j96.01 "])
def test_search_a_code_number_lists_it_first(release_2026: Release, typed: str) -> None:
    hits = release_2026.search(typed, limit=5)
    assert hits[0].code == typed.strip().upper().replace("E1142", "E11.42")
    assert hits[0].source == "code"


def test_search_a_category_offers_complete_billable_codes(release_2026: Release) -> None:
    hits = release_2026.search("W00", limit=6)
    assert hits[0].code == "W00" and not hits[0].billable
    rest = hits[1:]
    assert rest and all(h.billable and h.code.startswith("W00.") for h in rest)
    assert "W00.0XXA" in {h.code for h in rest}  # placeholder and 7th character filled
    assert [h.code for h in rest] == sorted(h.code for h in rest)


def test_search_a_code_prefix_needing_a_7th_character(release_2026: Release) -> None:
    hits = release_2026.search("S72.001", limit=4)
    assert hits[0].code == "S72.001" and not hits[0].billable
    assert [h.code for h in hits[1:]] == ["S72.001A", "S72.001B", "S72.001C"]


def test_search_words_in_any_order(release_2026: Release) -> None:
    assert release_2026.search("failure heart", limit=3)[0].code == "I50"


def test_search_a_coders_phrasing_falls_back_to_any_word(release_2026: Release) -> None:
    codes = {h.code for h in release_2026.search("pleuritic chest pain", limit=10)}
    assert {"R07.81", "R07.9"} <= codes


def test_search_words_that_look_like_letters_stay_words(release_2026: Release) -> None:
    assert all(h.source != "code" for h in release_2026.search("ear pain", limit=5))
