"""Autonomous coding in the records (issue 14 part 3): off by default, set by a manager,
finalizes confident encounters whose claim edits pass, samples some for audit."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from medcoder.cli import main
from medcoder.errors import InvalidInputError, PermissionDeniedError, WorkflowError
from medcoder.kinds import CodeSystem
from medcoder.nlp.document import ClinicalDocument
from medcoder.pipeline import CodingEngine
from medcoder.records import hcc_store
from medcoder.records.auto_finalize import sampled
from medcoder.records.models import AuditEvent, Encounter, HccPatientYear
from medcoder.records.service import Records
from medcoder.results import CodingResult, ProcedureAssignment

from .conftest import doc, write_jsonl

# Synthetic notes written for these tests.
CLEAN = "ASSESSMENT: Asthma."
# E11.22 with N18.9: the Tabular's "use additional code" for the CKD stage warns.
WARNS = "ASSESSMENT: Type 2 diabetes mellitus with diabetic chronic kidney disease."


@pytest.fixture
def imported(records: Records, coding_engine: CodingEngine, tmp_path: Path) -> Records:
    records._coder = coding_engine
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [doc("A-1", CLEAN), doc("A-2", WARNS), doc("A-3", CLEAN, date="2026-05-03")],
    )
    records.import_path("mia", source)
    return records


def _encounter(records: Records, external_id: str) -> Encounter:
    with records._sessions() as session:
        row = session.scalars(select(Encounter).where(Encounter.external_id == external_id)).one()
        session.expunge(row)
        return row


def _events(records: Records, action: str) -> list[dict[str, object]]:
    with records._sessions() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()
        return [json.loads(r.detail) for r in rows]


def test_off_by_default_every_encounter_goes_to_review(imported: Records) -> None:
    assert imported.autonomy_policy("cora").enabled is False
    imported.run_coding("cora", "A-1")
    row = _encounter(imported, "A-1")
    assert row.status == "review" and not row.auto_finalized
    assert row.encounter_confidence is not None and 0 <= row.encounter_confidence <= 1
    assert [i.encounter for i in imported.queue("cora")] == ["A-1"]
    assert _events(imported, "auto_finalize") == []  # off: no decision to audit


def test_only_a_manager_sets_the_policy(imported: Records) -> None:
    for user in ("cora", "rex", "root", "ann"):
        with pytest.raises(PermissionDeniedError):
            imported.set_autonomy(user, enabled=True, threshold=0.9)
    with pytest.raises(PermissionDeniedError):
        imported.autonomy_policy("ann")
    with pytest.raises(InvalidInputError, match="no threshold"):
        imported.set_autonomy("mia", enabled=True)
    with pytest.raises(InvalidInputError, match="not a share"):
        imported.set_autonomy("mia", enabled=True, threshold=0.9, sample=1.5)
    view = imported.set_autonomy("mia", enabled=True, threshold=0.9, sample=0.05, seed=7)
    assert (view.enabled, view.threshold, view.sample, view.seed, view.set_by) == (
        True, 0.9, 0.05, 7, "mia",
    )  # fmt: skip
    assert imported.autonomy_policy("rex") == view
    off = imported.set_autonomy("mia", enabled=False)
    assert not off.enabled and off.threshold == 0.9  # the values stay for next time
    (first, second) = _events(imported, "set_autonomy")
    assert first["before"]["enabled"] is False and first["after"]["threshold"] == 0.9  # type: ignore[index]
    assert second["after"]["enabled"] is False  # type: ignore[index]


def test_finalizes_above_the_threshold_and_not_below(imported: Records) -> None:
    imported.run_coding("cora", "A-1")
    confidence = _encounter(imported, "A-1").encounter_confidence
    assert confidence is not None
    # Just above this encounter's confidence: it stays in review.
    imported.set_autonomy("mia", enabled=True, threshold=min(1.0, confidence + 0.01), sample=0)
    imported.run_coding("cora", "A-1")
    assert _encounter(imported, "A-1").status == "review"
    # At its confidence: finalized by the run, its suggestions accepted.
    imported.set_autonomy("mia", enabled=True, threshold=confidence)
    imported.run_coding("cora", "A-1")
    row = _encounter(imported, "A-1")
    assert (row.status, row.finalized_by, row.auto_finalized, row.audit_pending) == (
        "finalized", "auto", True, False,
    )  # fmt: skip
    view = imported.encounter_view("cora", "A-1")
    assert [(c.code, c.status) for c in view.codes] == [("J45.909", "accepted")]
    assert imported.queue("cora") == []
    below, done = _events(imported, "auto_finalize")
    assert below["after"]["status"] == "review" and "below" in below["after"]["why"][0]  # type: ignore[index]
    assert done["after"]["status"] == "finalized" and done["after"]["codes"] == ["J45.909"]  # type: ignore[index]
    with pytest.raises(WorkflowError):  # finalized: locked like any other
        imported.run_coding("cora", "A-1")


def test_claim_edit_findings_send_it_to_the_queue(imported: Records) -> None:
    imported.set_autonomy("mia", enabled=True, threshold=0.01, sample=0)
    imported.run_coding("cora", "A-2")
    row = _encounter(imported, "A-2")
    assert row.status == "review" and not row.auto_finalized
    (event,) = _events(imported, "auto_finalize")
    assert any("use-additional-code" in why for why in event["after"]["why"])  # type: ignore[index]
    assert [i.encounter for i in imported.queue("cora")] == ["A-2"]


def test_a_date_no_release_covers_goes_to_the_queue(
    records: Records, coding_engine: CodingEngine, tmp_path: Path
) -> None:
    """Coded with the nearest release (issue 16, part 5: the coder decides): the policy
    never finalizes it, though the claim edits run on that release at finalize."""
    records._coder = coding_engine
    source = write_jsonl(tmp_path / "in.jsonl", [doc("A-9", CLEAN, date="2026-11-02")])
    records.import_path("mia", source)
    records.set_autonomy("mia", enabled=True, threshold=0.01, sample=0)
    records.run_coding("cora", "A-9")
    assert _encounter(records, "A-9").status == "review"
    (event,) = _events(records, "auto_finalize")
    (why,) = event["after"]["why"]  # type: ignore[index]
    assert why.startswith("claim edits could not run:") and "2026-11-02" in why


class _WithProcedure:
    """The engine, with an office visit line of confidence 0 added to every result."""

    external_causes = True

    def __init__(self, engine: CodingEngine) -> None:
        self.engine = engine

    def code(self, document: ClinicalDocument) -> CodingResult:
        result = self.engine.code(document)
        line = ProcedureAssignment("99213", CodeSystem.CPT, "", "cpt-test", 1, 0.0, (), "test")
        return replace(result, procedures=(line,))


def test_a_procedure_line_below_the_threshold_sends_it_to_the_queue(
    imported: Records, coding_engine: CodingEngine
) -> None:
    imported.run_coding("cora", "A-1")
    confidence = _encounter(imported, "A-1").encounter_confidence
    assert confidence is not None
    imported._coder = _WithProcedure(coding_engine)  # type: ignore[assignment]
    imported.set_autonomy("mia", enabled=True, threshold=confidence, sample=0)
    imported.run_coding("cora", "A-1")
    assert _encounter(imported, "A-1").status == "review"
    (event,) = _events(imported, "auto_finalize")
    assert event["after"]["why"] == ["99213: confidence 0.0 below the threshold"]  # type: ignore[index]


def test_a_reviewed_encounter_is_not_finalized_by_a_rerun(imported: Records) -> None:
    imported.run_coding("cora", "A-1")
    imported.accept("cora", "A-1", "J45.909")
    imported.set_autonomy("mia", enabled=True, threshold=0.01, sample=0)
    imported.run_coding("cora", "A-1")
    assert _encounter(imported, "A-1").status == "review"


def test_sampling_is_deterministic_with_a_seed() -> None:
    ids = [f"ENC-{i}" for i in range(2000)]
    picked = [e for e in ids if sampled(7, e, 0.05)]
    assert picked == [e for e in ids if sampled(7, e, 0.05)]  # same seed, same sample
    assert 60 <= len(picked) <= 140  # about 5% of 2000
    assert picked != [e for e in ids if sampled(8, e, 0.05)]  # another seed, another
    assert not any(sampled(7, e, 0.0) for e in ids) and all(sampled(7, e, 1.0) for e in ids)


def test_the_audit_sample_goes_to_the_audit_queue(imported: Records) -> None:
    imported.set_autonomy("mia", enabled=True, threshold=0.01, sample=1.0, seed=3)
    imported.run_coding("cora", "A-1")
    imported.run_coding("cora", "A-3")
    assert imported.queue("rex") == []
    audit = imported.queue("rex", audit=True)
    assert [i.encounter for i in audit] == ["A-1", "A-3"]
    assert all(i.encounter_confidence is not None for i in audit)
    with pytest.raises(PermissionDeniedError):
        imported.audit_auto_finalized("cora", "A-1", agree=True)
    with pytest.raises(InvalidInputError, match="reason"):
        imported.audit_auto_finalized("rex", "A-3", agree=False)
    imported.audit_auto_finalized("rex", "A-1", agree=True)
    imported.audit_auto_finalized("rex", "A-3", agree=False, reason="asthma severity documented")
    assert imported.queue("rex", audit=True) == []
    assert _encounter(imported, "A-1").status == "finalized"
    assert [i.encounter for i in imported.queue("rex")] == ["A-3"]  # re-opened for review
    with pytest.raises(WorkflowError, match="awaits no audit"):
        imported.audit_auto_finalized("rex", "A-1", agree=True)


def test_an_auditors_disagreement_rescores_the_patient_year(imported: Records) -> None:
    """Issue 15: re-opening an auto-finalized encounter on audit takes it out of its
    patient-year's stored HCC score in the same transaction, as ``reopen`` does (the row
    kept counting it, and its codes, until a report noticed the counts differ)."""
    imported.set_autonomy("mia", enabled=True, threshold=0.01, sample=1.0, seed=3)
    imported.run_coding("cora", "A-1")
    imported.run_coding("cora", "A-3")
    with imported._sessions() as session:
        (row,) = session.scalars(select(HccPatientYear)).all()
    assert row.encounters == 2
    imported.audit_auto_finalized("rex", "A-3", agree=False, reason="asthma severity documented")
    with imported._sessions() as session:
        (row,) = session.scalars(select(HccPatientYear)).all()
        assert row.encounters == 1
        assert hcc_store.complete(session)
    imported.audit_auto_finalized("rex", "A-1", agree=False, reason="asthma severity documented")
    with imported._sessions() as session:
        assert session.scalars(select(HccPatientYear)).all() == []


def test_cli_show_set_and_refusal(imported: Records) -> None:
    runner = CliRunner()
    shown = runner.invoke(main, ["autonomy", "show", "--user", "cora"])
    assert shown.exit_code == 0 and "off" in shown.output
    refused = runner.invoke(main, ["autonomy", "set", "--user", "cora", "--threshold", "0.9"])
    assert refused.exit_code != 0 and "may not" in refused.output
    done = runner.invoke(
        main,
        ["autonomy", "set", "--user", "mia", "--threshold", "0.9", "--sample", "0.05",
         "--format", "json"],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["threshold"] == 0.9
    queue = runner.invoke(main, ["queue", "--user", "rex", "--audit"])
    assert queue.exit_code == 0 and "audit queue is empty" in queue.output
