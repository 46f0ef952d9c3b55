"""The installed releases answer the claim edits' procedure-validity protocol."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from medcoder.codesets.hcpcs.claims import InstalledProcedureCodes
from medcoder.edits.claim import CodeSystem
from medcoder.edits.procedure_codes import ProcedureCodeSet


def test_validity_answers(fixture_home: Path) -> None:
    codes: ProcedureCodeSet = InstalledProcedureCodes(fixture_home)
    ok = codes.validity(CodeSystem.HCPCS, "J1100", date(2025, 11, 3))
    assert ok is not None and ok.valid and ok.release == "hcpcs-2025-10"
    deleted = codes.validity(CodeSystem.HCPCS, "G0444", date(2026, 1, 5))
    assert deleted is not None and deleted.reason == "G0444 was deleted: valid through 2025-12-31"
    visit = codes.validity(CodeSystem.CPT, "99213", date(2025, 6, 1))
    assert visit is not None and visit.valid
    assert codes.validity(CodeSystem.HCPCS, "99213", date(2025, 6, 1)).valid  # type: ignore[union-attr]
    wrong = codes.validity(CodeSystem.CPT, "J1100", date(2025, 11, 3))
    assert wrong is not None and not wrong.valid and "give system hcpcs" in wrong.reason
    assert codes.validity(CodeSystem.ICD10PCS, "0DTJ4ZZ", date(2025, 11, 3)) is None


def test_nothing_installed_is_none(tmp_path: Path) -> None:
    assert (
        InstalledProcedureCodes(tmp_path).validity(CodeSystem.CPT, "99213", date(2025, 6, 1))
        is None
    )
