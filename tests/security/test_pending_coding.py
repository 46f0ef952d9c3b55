"""Issue 17 item 8: one bad encounter must not stop all pending coding.

Impossible dates of service and over-size notes are refused at import, line by line; a
date merely outside the installed releases imports, and ``run-coding --all-pending``
is coded with the nearest installed release and a notice (issue 16, part 5); an
encounter that fails to code is skipped, reported, listed as failed with its reason, and
``run-coding --all-pending`` exits 1 at the end."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from medcoder.cli import main
from medcoder.errors import TimeBudgetError
from medcoder.nlp.document import MAX_TEXT_CHARS
from medcoder.pipeline import CodingEngine
from medcoder.records.models import CodeAssignment, CodingRun, Encounter, EncounterStatus
from medcoder.records.service import Records
from tests.records import conftest as records_fixtures
from tests.records.conftest import doc, write_jsonl

# The records suite's fixtures (SQLite always, PostgreSQL under -m postgres), used here.
backend = records_fixtures.backend
coding_engine = records_fixtures.coding_engine
records_home = records_fixtures.records_home
records = records_fixtures.records


def _import(records: Records, tmp_path: Path, rows: list[dict[str, Any]]) -> Any:
    return records.import_path("mia", write_jsonl(tmp_path / "in.jsonl", rows))


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("date", "1899-12-31", "before 1900"),
        ("admit_date", "1850-01-01", "before 1900"),
        ("discharge_date", "2999-01-01", "in the future"),
        ("date", (dt.date.today() + dt.timedelta(days=3)).isoformat(), "in the future"),
    ],
)
def test_import_refuses_impossible_dates_of_service(
    records: Records, tmp_path: Path, field: str, value: str, says: str
) -> None:
    report = _import(records, tmp_path, [doc("E-1"), doc("E-2", **{field: value})])
    assert report.encounters_created == 1
    (error,) = report.errors
    assert error.line == 2 and field in error.problem and says in error.problem


def test_import_takes_a_date_outside_the_installed_releases(
    records: Records, tmp_path: Path
) -> None:
    report = _import(records, tmp_path, [doc("E-1", date="2001-06-01")])
    assert report.encounters_created == 1 and not report.errors


def test_import_refuses_an_over_size_note(records: Records, tmp_path: Path) -> None:
    report = _import(records, tmp_path, [doc("E-1", "x" * (MAX_TEXT_CHARS + 1)), doc("E-2")])
    assert report.encounters_created == 1
    (error,) = report.errors
    assert error.line == 1 and f"{MAX_TEXT_CHARS:,}" in error.problem


def test_import_refuses_a_document_that_makes_the_encounter_too_long(
    records: Records, tmp_path: Path
) -> None:
    half = "y" * (MAX_TEXT_CHARS // 2 + 10)
    report = _import(records, tmp_path, [doc("E-1", half), doc("E-1", "z" + half)])
    assert report.encounters_created == 0
    assert {e.line for e in report.errors} == {1, 2}
    assert all("limit" in e.problem for e in report.errors)


def _stored(records: Records, encounter: str) -> tuple[str, int, int]:
    with records._sessions() as s:
        row = s.scalars(select(Encounter).where(Encounter.external_id == encounter)).one()
        runs = s.scalar(select(func.count()).select_from(CodingRun).where(
            CodingRun.encounter_id == row.id)) or 0  # fmt: skip
        codes = s.scalar(select(func.count()).select_from(CodeAssignment).where(
            CodeAssignment.encounter_id == row.id)) or 0  # fmt: skip
        return row.status, runs, codes


def _failing(original: Any, bad: str) -> Any:
    """``run_coding`` that fails for encounter ``bad`` as a note over its time budget does."""

    def run(self: Records, actor: str | None, encounter_id: str) -> int:
        if encounter_id == bad:
            raise TimeBudgetError("the note was not coded within its time budget")
        return int(original(self, actor, encounter_id))

    return run


@pytest.mark.slow
def test_run_pending_goes_on_past_a_failing_encounter(
    records: Records, coding_engine: CodingEngine, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    records._coder = coding_engine
    monkeypatch.setattr(Records, "run_coding", _failing(Records.run_coding, "E-2"))
    _import(records, tmp_path, [doc("E-1"), doc("E-2"), doc("E-3")])
    report = records.code_pending("cora")
    assert report.coded == {"E-1": report.coded["E-1"], "E-3": report.coded["E-3"]}
    (failure,) = report.failures
    assert failure.encounter == "E-2" and failure.code == "E302"
    assert _stored(records, "E-2") == (EncounterStatus.PENDING.value, 0, 0)
    assert _stored(records, "E-3")[0] == EncounterStatus.REVIEW.value
    # Issue 16, part 4: the failure is listed with its reason until the encounter is coded.
    (listed,) = records.failed("mia")
    assert (listed.encounter, listed.code, listed.attempts) == ("E-2", "E302", 1)
    assert "time budget" in listed.message and listed.failed_by == "cora"
    records.code_pending("cora")
    assert records.failed("mia")[0].attempts == 2
    monkeypatch.undo()
    records.code_pending("cora")
    assert records.failed("mia") == []


@pytest.mark.slow
def test_a_date_no_release_covers_is_coded_with_the_nearest_and_said_so(
    records: Records, coding_engine: CodingEngine, tmp_path: Path
) -> None:
    """Issue 16, part 5: the nearest installed release, with a notice on the run (and
    from there on the encounter page and the claim panel); never silent, never a stall."""
    records._coder = coding_engine
    _import(records, tmp_path, [doc("E-1", date="2001-06-01"), doc("E-2")])
    report = records.code_pending("cora")
    assert set(report.coded) == {"E-1", "E-2"} and not report.failures
    (run,) = records.coding_runs("cora", "E-1")
    nearest = min(i.effective_from for i in coding_engine.registry.available())
    assert run.release == next(
        i.name for i in coding_engine.registry.available() if i.effective_from == nearest
    )
    notice = run.settings["release_notice"]
    assert "2001-06-01" in notice and run.release in notice and "nearest" in notice
    assert run.result["notices"][0] == notice
    (covered,) = records.coding_runs("cora", "E-2")
    assert "release_notice" not in covered.settings
    assert not any("nearest" in n for n in covered.result.get("notices", []))


@pytest.mark.slow
def test_cli_run_coding_all_pending_reports_failures_and_exits_1(
    records: Records, tmp_path: Path, built_home: Path, records_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    _import(records, tmp_path, [doc("E-1"), doc("E-2")])
    records.close()
    # The release registry is read from the built home; the database from records_home.
    monkeypatch.setenv("MEDCODER_HOME", str(records_home))
    for child in built_home.iterdir():  # linked, not copied: the releases are large
        if not (records_home / child.name).exists():
            (records_home / child.name).symlink_to(child, target_is_directory=child.is_dir())
    monkeypatch.setattr(Records, "run_coding", _failing(Records.run_coding, "E-1"))
    result = CliRunner().invoke(main, ["run-coding", "--all-pending", "--user", "cora"])
    assert result.exit_code == 1, result.stderr
    assert "E-2: " in result.stdout and "code(s) suggested" in result.stdout
    assert "E-1: error[E302]" in result.stderr
    assert "1 of 2 encounter(s) failed" in result.stderr
    failed = CliRunner().invoke(main, ["queue", "--failed", "--user", "mia"])
    assert failed.exit_code == 0, failed.stderr
    assert "E-1" in failed.stdout and "E302" in failed.stdout
