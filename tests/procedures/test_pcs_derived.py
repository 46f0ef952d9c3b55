"""PCS procedure words derived from the Tables, Definitions and Index: on a tiny excerpt in
the official layouts (tests/fixtures/icd10pcs_derive, written for these tests)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from medcoder.codesets.pcs.loader import load_index_references
from medcoder.codesets.pcs.store import PcsRelease
from medcoder.errors import SourceFormatError
from medcoder.kinds import Setting
from medcoder.nlp.document import ClinicalDocument
from medcoder.procedures.pcs import PcsCoder
from medcoder.procedures.pcs_derived import (
    derived_entries,
    example_phrases,
    index_entries,
    verb_forms,
)
from tests.procedures.runner import StageRunner

PCS_FIXTURE = "icd10pcs_derive"  # tests/fixtures/icd10pcs_derive, written for these tests


def test_verb_forms_of_root_operation_names() -> None:
    assert {"excision", "excise", "excised"} <= set(verb_forms("Excision"))
    assert {"resection", "resect", "resected"} <= set(verb_forms("Resection"))
    assert {"drainage", "drain", "drained"} <= set(verb_forms("Drainage"))
    assert {"reattachment", "reattach", "reattached"} <= set(verb_forms("Reattachment"))
    assert {"extirpation", "extirpate"} <= set(verb_forms("Extirpation"))
    # "transferred to the ICU" is not a procedure: no participle for Transfer.
    assert "transferred" not in verb_forms("Transfer")


def test_example_phrases_keep_the_procedure_words() -> None:
    assert example_phrases(["Fulguration of rectal polyp, cautery of skin lesion"]) == [
        "fulguration",
        "cautery",
    ]
    assert example_phrases(["Below knee amputation"]) == ["below knee amputation", "amputation"]
    # Without heads only whole phrases: "control" alone is an everyday word.
    assert example_phrases(["Control of bleeding duodenal ulcer"], heads=False) == []


def test_definitions_words_by_root_operation(small_pcs: PcsRelease) -> None:
    words = {e.operation: set(e.words) for e in derived_entries(small_pcs)}
    assert {"fulguration", "cautery"} <= words["Destruction"]
    assert "destruction" not in words["Destruction"]  # "bone destruction" is a finding
    assert {"partial nephrectomy", "excise"} <= words["Excision"]
    assert {"total nephrectomy", "resect"} <= words["Resection"]
    assert {"thrombectomy", "extirpation"} <= words["Extirpation"]
    # Every entry names a root operation that has tables in the release.
    assert set(words) <= {t.operation.label for t in small_pcs.tables.values()}


def test_index_references_are_stored_with_the_release(small_pcs: PcsRelease) -> None:
    refs = set(small_pcs.index_references)
    assert ("Ablation", "Destruction", "") in refs
    assert ("Nephrectomy", "Resection", "0TT") in refs
    assert ("Cystolithotomy", "Extirpation", "0TCB") in refs
    assert ("Evacuation, Hematoma", "Extirpation", "") in refs  # narrowed: kept apart
    assert not any(term.startswith("Renal calyx") for term, _, _ in refs)  # "use", not "see"


def test_index_entries(small_pcs: PcsRelease) -> None:
    entries = {e.words[0]: e for e in index_entries(small_pcs)}
    assert entries["ablation"].operation == "Destruction"  # "Control bleeding in" dropped
    assert entries["fulguration"].operation == "Destruction"
    # Excision or Resection: Resection, Excision when a portion is said (B3.8).
    assert entries["nephrectomy"].table == "0TT"
    assert entries["cystolithotomy"].table == "0TC"
    assert entries["cystolithotomy"].body_part == "bladder"
    assert "evacuation" not in entries


def test_index_file_without_its_header_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "icd10pcs_index_bad.csv"
    bad.write_text("Ablation,see Destruction\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="term,content"):
        load_index_references(bad)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cystoscopic fulguration of the bladder.", "0T5B8ZZ"),
        ("Percutaneous ablation of a bladder lesion.", "0T5B3ZZ"),
        ("Open cystolithotomy.", "0TCB0ZZ"),
        ("Cystoscopic removal of a stone from the left ureter.", "0TC78ZZ"),
        ("Open total nephrectomy of the left kidney.", "0TT10ZZ"),
        ("Open partial nephrectomy of the left kidney.", "0TB10ZZ"),
    ],
)
def test_the_stage_codes_from_the_derived_words(
    small_pcs_home: Path, text: str, expected: str
) -> None:
    runner = StageRunner(PcsCoder(), small_pcs_home)
    document = ClinicalDocument(text, setting=Setting.INPATIENT, date_of_service=date(2026, 2, 1))
    assert [p.code for p in runner(document).procedures] == [expected]
