"""CPT / HCPCS existence on the date of service (I/OCE code lists), behind a Protocol."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from medcoder.codesets.hcpcs.build import build_anweb, build_ioce
from medcoder.codesets.pcs.build import setup_pcs
from medcoder.codesets.registry import Registry
from medcoder.edits.checker import ClaimChecker, EditTables
from medcoder.edits.claim import Claim
from medcoder.edits.procedure_codes import ProcedureValidity
from medcoder.kinds import CodeSystem
from tests.edits.conftest import claim, edits


def test_unknown_cpt_number(checker: ClaimChecker) -> None:
    report = checker.check(claim("I10", ("cpt", "99999")))
    (finding,) = [f for f in report.findings if f.edit == "procedure-validity.v1"]
    assert finding.codes == ("99999",)
    assert "procedure-validity.v1" not in edits(checker.check(claim("I10", ("cpt", "99213"))))


def test_hcpcs_level2_on_the_date_of_service(checker: ClaimChecker) -> None:
    # A2040 entered the I/OCE on 2026-04-01; C9113 left it after 2024-06-30.
    assert "procedure-validity.v1" not in edits(checker.check(claim("I10", ("hcpcs", "A2040"))))
    early = checker.check(claim("I10", ("hcpcs", "A2040"), day="2025-05-01"))
    assert [f.message for f in early.findings if f.edit == "procedure-validity.v1"] == [
        "A2040 is not yet effective: valid from 2026-04-01"
    ]
    late = checker.check(claim("I10", ("hcpcs", "C9113")))
    assert [f.message for f in late.findings if f.edit == "procedure-validity.v1"] == [
        "C9113 was deleted: valid through 2024-06-30"
    ]


class FakeCodes:
    """Another code-set implementation plugs in through the Protocol."""

    def validity(self, system: CodeSystem, code: str, day: dt.date) -> ProcedureValidity | None:
        if system is CodeSystem.ICD10PCS:
            return ProcedureValidity(code == "0DTJ4ZZ", "not a valid PCS row", "pcs-fake")
        return None


def test_a_procedure_code_set_plugs_in(registry: Registry) -> None:
    checker = ClaimChecker(registry, EditTables(procedure_codes=FakeCodes()))
    bad: Claim = claim("K35.80", ("icd10pcs", "0DTJ4ZX"), setting="inpatient")
    report = checker.check(bad)
    assert [f.release for f in report.findings if f.edit == "procedure-validity.v1"] == ["pcs-fake"]
    good = checker.check(claim("K35.80", ("icd10pcs", "0DTJ4ZZ"), setting="inpatient"))
    assert "procedure-validity.v1" not in edits(good)
    skipped = checker.check(claim("K35.80", ("cpt", "44970")))
    assert any("no cpt code set" in s for s in skipped.skipped)


@pytest.fixture(scope="module")
def procedure_home(tmp_path_factory: pytest.TempPathFactory, built_home: Path) -> Path:
    """HCPCS / CPT and PCS releases built from the tiny fixtures of issue 6."""
    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    home = tmp_path_factory.mktemp("procedure-home")
    build_anweb(fixtures / "hcpcs" / "HCPC2025_OCT_ANWEB_v2.txt", home)
    build_ioce(
        fixtures / "hcpcs" / "ioce_hcpcs_level2_all_versions.csv",
        fixtures / "hcpcs" / "ioce_cpt_cdt_codes_no_descriptors.csv",
        home,
    )
    data = tmp_path_factory.mktemp("pcs-data")
    shutil.copytree(fixtures / "icd10pcs", data / "icd10pcs")
    setup_pcs(data, home, False)
    shutil.copytree(built_home / "releases", home / "releases")
    return home


def test_installed_code_sets_answer_through_the_protocol(procedure_home: Path) -> None:
    registry = Registry(procedure_home, quiet=True)
    checker = ClaimChecker(registry, EditTables.from_data(None, home=procedure_home))
    report = checker.check(
        claim(
            "K35.80",
            ("icd10pcs", "0DTJXZZ"),
            ("cpt", "99213"),
            ("hcpcs", "G0444"),
            setting="inpatient",
        )
    )
    by_code = {f.codes[0]: f for f in report.findings if f.edit == "procedure-validity.v1"}
    assert set(by_code) == {"0DTJXZZ", "G0444"}  # G0444 left the I/OCE after 2025-12-31
    assert "character 5" in by_code["0DTJXZZ"].message
    assert by_code["0DTJXZZ"].release.startswith("icd10pcs-")
    good = checker.check(claim("K35.80", ("icd10pcs", "0DTJ0ZZ"), setting="inpatient"))
    assert "procedure-validity.v1" not in edits(good)
    registry.close()


def test_unknown_modifier_on_an_installed_quarter(procedure_home: Path) -> None:
    registry = Registry(procedure_home, quiet=True)
    checker = ClaimChecker(registry, EditTables.from_data(None, home=procedure_home))
    line = {"system": "hcpcs", "code": "J1100", "modifiers": ["RT", "Q7"]}
    report = checker.check(claim("I10", line))
    (finding,) = [f for f in report.findings if f.edit == "modifier-validity.v1"]
    assert "Q7" in finding.message and "RT" not in finding.message
    ok = {"system": "hcpcs", "code": "J1100", "modifiers": ["RT", "59"]}
    assert "modifier-validity.v1" not in edits(checker.check(claim("I10", ok)))
    registry.close()
