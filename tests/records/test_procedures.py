"""Procedures and present-on-admission in the records (issue 12): the engine's ICD-10-PCS,
CPT and HCPCS lines and its POA proposals stored by run_coding; review actions on every
system, addressed without ambiguity; POA required on inpatient stays at finalize; the
claim edits (NCCI PTP, MUE) reading stored units and modifiers.

The engine is a fake returning results built here; codes are validated in the FY2026
ICD-10-CM and ICD-10-PCS releases and the CMS HCPCS / I/OCE files of ../shared/data."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from medcoder.codesets.in_force import CodeSetChooser
from medcoder.codesets.registry import Registry
from medcoder.errors import (
    EditsBlockedError,
    InvalidInputError,
    UnknownModifierError,
    WorkflowError,
)
from medcoder.kinds import CodeSystem, PoaIndicator, Setting
from medcoder.nlp.document import ClinicalDocument
from medcoder.records.code_lines import systems_for
from medcoder.records.models import AuditEvent
from medcoder.records.service import Records
from medcoder.results import (
    CodeAssignment,
    CodingResult,
    Evidence,
    PoaProposal,
    ProcedureAssignment,
)
from tests.codesets.hcpcs.conftest import hcpcs_home  # noqa: F401  (fixture)
from tests.edits.conftest import FIXTURES as EDIT_FIXTURES

from .conftest import doc, write_jsonl

CM = "icd10cm-2026-04"
# Synthetic notes written for these tests.
APPENDIX = "HPI: right lower quadrant pain since yesterday. OP NOTE: laparoscopic appendectomy."
KNEE = "PROCEDURE: knee arthroscopy with medial meniscectomy. Ketorolac 30 mg IM given."


@pytest.fixture(scope="session")
def procedure_home(
    tmp_path_factory: pytest.TempPathFactory,
    built_home: Path,
    pcs_home: Path,
    hcpcs_home: Path,  # noqa: F811
) -> Path:
    """ICD-10-CM, ICD-10-PCS, HCPCS and CPT side by side (links: nothing built twice)."""
    home = tmp_path_factory.mktemp("procedure-home")
    links = (
        built_home / "releases",
        built_home / "cache",
        pcs_home / "icd10pcs",
        hcpcs_home / "hcpcs",
        hcpcs_home / "cpt",
    )
    for folder in links:
        if folder.exists():
            (home / folder.name).symlink_to(folder, target_is_directory=True)
    return home


class FakeEngine:
    """Answers every note with the result ``make`` builds; the code sets are real."""

    external_causes = False

    def __init__(self, home: Path, make: Callable[[ClinicalDocument], CodingResult]) -> None:
        self.chooser = CodeSetChooser(Registry(home, quiet=True))
        self.registry = self.chooser.registry
        self.make = make

    def code(self, document: ClinicalDocument) -> CodingResult:
        return self.make(document)


def _span(text: str, words: str) -> tuple[Evidence, ...]:
    start = text.index(words)
    return (Evidence(start, start + len(words), words, "HPI"),)


def _dx(code: str, sequence: int, poa: PoaProposal | None = None) -> CodeAssignment:
    return CodeAssignment(code, "", CodeSystem.ICD10CM, CM, sequence, 0.9, (), "", (), poa=poa)


def _px(
    code: str, system: CodeSystem, sequence: int, *, units: int = 1, mods: tuple[str, ...] = ()
) -> ProcedureAssignment:
    release = {CodeSystem.ICD10PCS: "icd10pcs-2026"}.get(system, f"{system.value}-test")
    return ProcedureAssignment(
        code, system, "", release, sequence, 0.8, (), "made up", units=units, modifiers=mods
    )


def _result(
    document: ClinicalDocument,
    codes: tuple[CodeAssignment, ...],
    procedures: tuple[ProcedureAssignment, ...],
) -> CodingResult:
    day = document.date_of_service
    return CodingResult(
        document.id, CM, document.setting, day.isoformat() if day else None, codes,
        procedures=procedures,
    )  # fmt: skip


def _inpatient_result(document: ClinicalDocument) -> CodingResult:
    stated = PoaProposal(
        PoaIndicator.YES, 0.92, "stated on admission", _span(document.text, "right lower quadrant")
    )
    codes = (_dx("K35.80", 1, stated), _dx("E11.9", 2))  # no proposal for E11.9
    return _result(document, codes, (_px("0DTJ4ZZ", CodeSystem.ICD10PCS, 1),))


def _outpatient_result(document: ClinicalDocument) -> CodingResult:
    procedures = (
        _px("29880", CodeSystem.CPT, 1),
        _px("29881", CodeSystem.CPT, 2),
        _px("J1885", CodeSystem.HCPCS, 3, units=2),
    )
    return _result(document, (_dx("M23.205", 1),), procedures)


@pytest.fixture
def stays(records: Records, procedure_home: Path, tmp_path: Path) -> Iterator[Records]:
    """IP-1 (inpatient, discharge status 01) and OP-1 (outpatient), coded by fakes."""
    inpatient = doc(
        "IP-1", APPENDIX, setting="inpatient", admit_date="2026-04-28",
        discharge_date="2026-05-01", discharge_status="01",
    )  # fmt: skip
    source = write_jsonl(tmp_path / "in.jsonl", [inpatient, doc("OP-1", KNEE)])
    report = records.import_path("mia", source)
    assert not report.errors, report.errors
    records._coder = FakeEngine(procedure_home, _inpatient_result)  # type: ignore[assignment]
    records.run_coding("cora", "IP-1")
    records._coder = FakeEngine(procedure_home, _outpatient_result)  # type: ignore[assignment]
    records.run_coding("cora", "OP-1")
    yield records


def _lines(records: Records, encounter: str) -> dict[tuple[str, str], Any]:
    view = records.encounter_view("cora", encounter)
    return {(c.system, c.code): c for c in view.codes}


def _events(records: Records, action: str) -> list[dict[str, Any]]:
    with records._sessions() as session:
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return [json.loads(e.detail) for e in session.scalars(query)]


# -- addressing ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "systems"),
    [
        ("J18.9", ("icd10cm",)),
        ("E119", ("icd10cm",)),
        ("Z7984", ("icd10cm",)),  # no HCPCS code begins with Z
        ("S72001A", ("icd10cm",)),
        ("0DTJ4ZZ", ("icd10pcs",)),
        ("BW03ZZZ", ("icd10pcs",)),
        ("99213", ("cpt",)),
        ("0001U", ("cpt",)),
        ("J1885", ("icd10cm", "hcpcs")),
        ("B3020ZZ", ("icd10cm", "icd10pcs")),
        ("hello", ()),
    ],
)
def test_code_shapes(code: str, systems: tuple[str, ...]) -> None:
    assert tuple(s.value for s in systems_for(code)) == systems


# -- run_coding ------------------------------------------------------------------------
def test_run_coding_stores_procedures_poa_and_discharge_status(stays: Records) -> None:
    view = stays.encounter_view("cora", "IP-1")
    assert view.discharge_status == "01" and view.setting == Setting.INPATIENT.value
    assert [(c.code, c.sequence) for c in view.diagnoses] == [("K35.80", 1), ("E11.9", 2)]
    (pcs,) = view.procedures
    assert (pcs.system, pcs.code, pcs.sequence, pcs.status) == ("icd10pcs", "0DTJ4ZZ", 1,
                                                               "suggested")  # fmt: skip
    k35 = view.diagnoses[0]
    assert (k35.poa, k35.poa_source, k35.poa_confidence) == ("Y", "engine", 0.92)
    assert k35.poa_why is not None and k35.poa_why["reason"] == "stated on admission"
    assert k35.to_json()["poa_evidence"][0]["text"] == "right lower quadrant"
    assert view.diagnoses[1].poa is None

    lines = _lines(stays, "OP-1")
    assert [(c.code, c.sequence) for c in stays.encounter_view("cora", "OP-1").procedures] == [
        ("29880", 1), ("29881", 2), ("J1885", 3)
    ]  # fmt: skip
    assert lines[("hcpcs", "J1885")].units == 2 and lines[("icd10cm", "M23.205")].sequence == 1
    assert lines[("icd10cm", "M23.205")].poa is None  # outpatient: no POA
    (event,) = [e for e in _events(stays, "run_coding") if "0DTJ4ZZ" in str(e)]
    assert event["after"]["procedures"] == ["icd10pcs:0DTJ4ZZ"]


def test_rerun_keeps_the_coders_decisions(stays: Records) -> None:
    stays.accept("cora", "OP-1", "J1885")  # the only active J1885-shaped line: HCPCS
    stays.reject("cora", "OP-1", "29880", "not performed")
    stays.set_line("cora", "OP-1", "J1885", units=3)
    assert stays.run_coding("cora", "OP-1") == 2  # M23.205 and 29881 suggested again
    lines = _lines(stays, "OP-1")
    assert lines[("hcpcs", "J1885")].status == "accepted" and lines[("hcpcs", "J1885")].units == 3
    assert lines[("cpt", "29880")].status == "rejected"
    assert (lines[("hcpcs", "J1885")].sequence, lines[("cpt", "29881")].sequence) == (1, 2)
    assert len(stays.encounter_view("cora", "OP-1").codes) == 4


# -- review actions ----------------------------------------------------------------------
def test_review_actions_on_cpt_and_hcpcs_lines(stays: Records) -> None:
    with pytest.raises(InvalidInputError, match="ambiguous") as caught:
        stays.add("cora", "OP-1", "J1100", None)
    assert caught.value.code == "E300" and "--system" in (caught.value.hint or "")
    stays.add("cora", "OP-1", "J1100", "dexamethasone 4 mg", system="hcpcs", units=4)
    stays.add("cora", "OP-1", "J11.00", "influenza with pneumonia")  # dotted: ICD-10-CM
    with pytest.raises(InvalidInputError, match="ambiguous"):
        stays.accept("cora", "OP-1", "J1100")  # both J1100 (HCPCS) and J11.00 are on it
    stays.accept("cora", "OP-1", "J1100", system="hcpcs")
    with pytest.raises(InvalidInputError, match="units"):
        stays.add("cora", "OP-1", "E11.9", None, units=2)
    with pytest.raises(InvalidInputError, match="not a cpt code"):
        stays.add("cora", "OP-1", "9921", None, system="cpt")
    with pytest.raises(InvalidInputError, match="not a hcpcs code"):
        stays.add("cora", "OP-1", "J9999X", None, system="hcpcs")
    with pytest.raises(InvalidInputError, match="not a hcpcs code"):
        stays.add("cora", "OP-1", "99213", None, system="hcpcs")
    with pytest.raises(WorkflowError, match="inpatient stays only"):
        stays.add("cora", "OP-1", "0DTJ4ZZ", None)
    with pytest.raises(UnknownModifierError, match="9Z"):
        stays.set_line("cora", "OP-1", "29881", modifiers=["9Z"])
    with pytest.raises(InvalidInputError, match="whole number"):
        stays.set_line("cora", "OP-1", "29881", units=0)
    with pytest.raises(InvalidInputError, match="CPT and HCPCS lines only"):
        stays.set_line("cora", "OP-1", "M23.205", units=2)
    stays.set_line("cora", "OP-1", "29881", modifiers=["xs", "RT"])
    with pytest.raises(WorkflowError, match="already on encounter"):
        stays.change("cora", "OP-1", "J1885", "J1100", "wrong drug")
    stays.change("cora", "OP-1", "J1885", "J2270", "morphine, not ketorolac", units=1)
    stays.change("cora", "OP-1", "29881", "29882", "lateral, not medial", modifiers=["RT"])
    with pytest.raises(InvalidInputError, match="a diagnosis is changed to a diagnosis"):
        stays.change("cora", "OP-1", "29880", "M23.206", None, new_system="icd10cm")
    stays.reject("cora", "OP-1", "J11.00", "not documented")

    lines = _lines(stays, "OP-1")
    assert lines[("cpt", "29881")].status == "changed"
    assert lines[("cpt", "29882")].modifiers == ("RT",) and lines[("cpt", "29882")].status == (
        "accepted"
    )
    assert lines[("hcpcs", "J1100")].units == 4 and lines[("hcpcs", "J1885")].status == "changed"
    with pytest.raises(InvalidInputError, match="sequenced apart"):
        stays.resequence("cora", "OP-1", ["29880", "M23.205"])
    with pytest.raises(InvalidInputError, match=r"every active code once \(procedures\)"):
        stays.resequence("cora", "OP-1", ["29880", "29882"])
    stays.resequence("cora", "OP-1", ["cpt:29882", "hcpcs:J2270", "cpt:29880", "J1100"],
                     system="hcpcs")  # fmt: skip
    order = [(c.code, c.sequence) for c in stays.encounter_view("cora", "OP-1").procedures]
    assert order[:4] == [("29882", 1), ("J2270", 2), ("29880", 3), ("J1100", 4)]
    assert _events(stays, "set_line")[0]["after"] == {"units": 1, "modifiers": ["XS", "RT"]}
    added = [e for e in _events(stays, "add") if e["system"] == "hcpcs"]
    assert added[0]["units"] == 4 and added[0]["code"] == "J1100"
    assert _events(stays, "change")[0]["new_system"] == "hcpcs"

    stays.accept("cora", "OP-1", "M23.205")
    stays.reject("cora", "OP-1", "29880", "not performed")
    stays.finalize("rex", "OP-1", "distinct procedures documented")
    rows = stays.export_rows("mia", deidentified=False)
    assert [(r["system"], r["code"], r["sequence"], r["units"], r["modifiers"]) for r in rows] == [
        ("icd10cm", "M23.205", 1, 1, ""),
        ("cpt", "29882", 1, 1, "RT"),
        ("hcpcs", "J2270", 2, 1, ""),
        ("hcpcs", "J1100", 3, 4, ""),
    ]


def test_review_actions_on_pcs_and_poa(stays: Records) -> None:
    with pytest.raises(InvalidInputError, match="0DTJ4Z9"):
        stays.add("cora", "IP-1", "0DTJ4Z9", None)
    stays.change("cora", "IP-1", "0DTJ4ZZ", "0DTJ0ZZ", "converted to open")
    stays.add("cora", "IP-1", "BW03ZZZ", "abdominal film", system="icd10pcs")
    with pytest.raises(InvalidInputError, match="inpatient diagnoses only"):
        stays.add("cora", "IP-1", "BW00ZZZ", None, system="icd10pcs", poa="Y")
    stays.add("cora", "IP-1", "I10", "on the problem list", poa="Y")
    stays.accept("cora", "IP-1", "K35.80")
    stays.accept("cora", "IP-1", "E11.9")
    stays.resequence("cora", "IP-1", ["icd10pcs:BW03ZZZ", "0DTJ0ZZ"])

    with pytest.raises(WorkflowError, match=r"without a present-on-admission .*: E11\.9") as c:
        stays.finalize("rex", "IP-1")
    assert "poa CODE" in (c.value.hint or "")
    with pytest.raises(InvalidInputError, match="POA indicator"):
        stays.set_poa("cora", "IP-1", "E11.9", "Q")
    with pytest.raises(InvalidInputError, match="not an inpatient stay"):
        stays.set_poa("cora", "OP-1", "M23.205", "Y")
    stays.set_poa("cora", "IP-1", "E11.9", "1")  # exempt counts as set
    stays.set_poa("cora", "IP-1", "K35.80", "n")
    stays.finalize("rex", "IP-1", "reviewed")

    view = stays.encounter_view("cora", "IP-1")
    dx = {c.code: c for c in view.diagnoses}
    assert (dx["K35.80"].poa, dx["K35.80"].poa_source, dx["K35.80"].poa_why) == ("N", "coder",
                                                                                 None)  # fmt: skip
    assert (dx["E11.9"].poa, dx["I10"].poa, dx["I10"].poa_source) == ("1", "Y", "coder")
    assert [(c.code, c.sequence) for c in view.procedures if c.status != "changed"] == [
        ("BW03ZZZ", 1), ("0DTJ0ZZ", 2)
    ]  # fmt: skip
    assert _events(stays, "set_poa")[-1]["before"] == {"poa": "Y", "poa_source": "engine"}
    rows = stays.export_rows("ann", deidentified=True)
    assert {(r["code"], r["poa"]) for r in rows if r["system"] == "icd10cm"} == {
        ("K35.80", "N"), ("E11.9", "1"), ("I10", "Y")
    }  # fmt: skip
    assert {r["discharge_status"] for r in rows} == {"01"}


# -- claim edits on stored lines ----------------------------------------------------------
def test_ncci_pair_on_stored_lines_blocks_until_a_modifier(stays: Records) -> None:
    for code in ("M23.205", "29880", "29881", "J1885"):
        stays.accept("cora", "OP-1", code)
    with pytest.raises(EditsBlockedError, match=r"ncci-ptp.v1 29880 29881"):
        stays.finalize("rex", "OP-1", "acknowledged")  # an error is not acknowledged away
    stays.set_line("cora", "OP-1", "29881", modifiers=["XS"])  # separate structure
    with pytest.raises(EditsBlockedError, match="warning"):
        stays.finalize("rex", "OP-1")
    stays.finalize("rex", "OP-1", "separate structure documented")
    (event,) = _events(stays, "finalize")
    assert any("ncci-ptp" in w for w in event["edit_warnings"])


def test_mue_on_stored_units(stays: Records, monkeypatch: pytest.MonkeyPatch) -> None:
    # Made-up MUE file of tests/fixtures: 96372 at most 4 units a line.
    monkeypatch.setenv(
        "MEDCODER_MUE_FILE", str(EDIT_FIXTURES / "mue_practitioner_madeup_2026q2.csv")
    )
    stays.reject("cora", "OP-1", "29880", "not performed")
    stays.reject("cora", "OP-1", "29881", "not performed")
    stays.accept("cora", "OP-1", "M23.205")
    stays.accept("cora", "OP-1", "J1885")
    stays.add("cora", "OP-1", "96372", "injection", units=5)
    with pytest.raises(EditsBlockedError, match=r"mue\.v1 96372"):
        stays.finalize("rex", "OP-1", "ok")
    stays.set_line("cora", "OP-1", "96372", units=4)
    stays.finalize("rex", "OP-1", "reviewed")
    assert stays.encounter_view("cora", "OP-1").status == "finalized"
    assert dt.date(2026, 5, 1) == stays.encounter_view("cora", "OP-1").date_of_service


def test_cli_show_set_poa_and_ambiguity(stays: Records) -> None:
    from click.testing import CliRunner

    from medcoder.cli import main

    runner = CliRunner()

    def review(*args: str) -> Any:
        return runner.invoke(main, ["review", "--user", "cora", *args])

    shown = review("OP-1", "show")
    assert shown.exit_code == 0, shown.output
    assert "procedures:" in shown.output and "hcpcs" in shown.output and "J1885 x2" in shown.output
    assert review("OP-1", "set", "J1885", "--units", "3").exit_code == 0
    assert review("OP-1", "set", "29881", "--units", "0").exit_code == 2  # IntRange(1)
    ambiguous = review("OP-1", "add", "J1100")
    assert ambiguous.exit_code == 2
    assert ambiguous.output.startswith(
        "error[E300]: 'J1100' is ambiguous: it may be icd10cm J11.00"
    )
    assert "--system icd10cm|hcpcs" in ambiguous.output
    poa = review("IP-1", "poa", "E11.9", "w")
    assert poa.exit_code == 0, poa.output
    data = json.loads(review("IP-1", "show", "--format", "json").output)
    assert data["discharge_status"] == "01" and data["admit_date"] == "2026-04-28"
    assert [(c["code"], c["poa"], c["poa_source"]) for c in data["codes"]] == [
        ("K35.80", "Y", "engine"), ("E11.9", "W", "coder")
    ]  # fmt: skip
    assert [(p["system"], p["code"], p["units"], p["modifiers"]) for p in data["procedures"]] == [
        ("icd10pcs", "0DTJ4ZZ", 1, [])
    ]
    op = json.loads(review("OP-1", "show", "--format", "json").output)
    assert {(p["code"], p["units"]) for p in op["procedures"]} >= {("J1885", 3)}


def test_recheck_reads_only_the_diagnoses_releases(stays: Records) -> None:
    """Procedure lines name their own systems' releases: none is taken for an older
    ICD-10-CM release, so an encounter coded in the release in force lists nothing new."""
    from medcoder.edits.checker import configured_tables
    from medcoder.records.claim_gate import recheck_open

    assert recheck_open(stays, "cora", configured_tables(home=stays.home)) == []
