"""Review workflow: accept, reject with a reason, change and add validated in the
release in force, re-sequence, finalize locks, re-open needs a reason and is audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from sqlalchemy import select

from medcoder.errors import InvalidInputError, PermissionDeniedError, WorkflowError
from medcoder.records import audit
from medcoder.records.models import AuditEvent
from medcoder.records.service import Records


def _statuses(records: Records, encounter: str = "E-100") -> dict[str, str]:
    return {c.code: c.status for c in records.encounter_view("cora", encounter).codes}


def _active(records: Records, encounter: str = "E-100") -> list[str]:
    view = records.encounter_view("cora", encounter)
    return [c.code for c in view.codes if c.status in ("suggested", "accepted", "added")]


def test_coding_stores_suggestions_with_evidence(coded: Records) -> None:
    view = coded.encounter_view("cora", "E-100")
    assert view.status == "review"
    codes = {c.code: c for c in view.codes}
    assert {"E11.9", "I10"} <= set(codes)
    assert all(c.status == "suggested" and c.source == "engine" for c in view.codes)
    assert codes["E11.9"].release == "icd10cm-2026-04"
    assert codes["E11.9"].evidence and "diabetes" in codes["E11.9"].evidence[0]["text"].lower()
    assert [c.sequence for c in view.codes] == list(range(1, len(view.codes) + 1))


def test_queue_oldest_first_and_filters(coded: Records) -> None:
    coded.run_coding("cora", "E-200")
    items = coded.queue("rex")
    assert [i.encounter for i in items] == ["E-100", "E-200"]
    assert [i.encounter for i in coded.queue("rex", payer="Beta")] == ["E-200"]
    assert coded.queue("rex", setting="inpatient") == []
    lowest = min(i.lowest_confidence or 1 for i in items)
    assert coded.queue("rex", max_confidence=lowest - 0.001) == []
    assert coded.queue("rex", max_confidence=1.0)


def test_review_actions_end_to_end(coded: Records) -> None:
    suggested = _active(coded)
    others = [c for c in suggested if c not in ("E11.9", "I10")]
    coded.accept("cora", "E-100", "E11.9")
    with pytest.raises(WorkflowError, match="needs a reason"):
        coded.reject("cora", "E-100", "I10", "  ")
    for code in others:
        coded.reject("cora", "E-100", code, "not documented as a diagnosis")
    with pytest.raises(InvalidInputError, match="E11"):
        coded.change("cora", "E-100", "I10", "E11", None)  # a header is not reportable
    with pytest.raises(InvalidInputError):
        coded.add("cora", "E-100", "Q99.99X", None)
    coded.change("cora", "E-100", "I10", "I11.9", "hypertensive heart disease documented")
    coded.add("cora", "E-100", "Z79.84", "oral hypoglycemic on the medication list")
    with pytest.raises(WorkflowError, match="already on encounter"):
        coded.add("cora", "E-100", "z7984", None)
    statuses = _statuses(coded)
    assert statuses["E11.9"] == "accepted"
    assert statuses["I10"] == "changed"
    assert statuses["I11.9"] == "accepted"
    assert statuses["Z79.84"] == "added"
    assert _active(coded) == ["E11.9", "I11.9", "Z79.84"]
    with pytest.raises(InvalidInputError, match="every active code once"):
        coded.resequence("cora", "E-100", ["I11.9", "E11.9"])
    coded.resequence("cora", "E-100", ["I11.9", "E11.9", "Z79.84"])
    assert _active(coded) == ["I11.9", "E11.9", "Z79.84"]

    coded.finalize("rex", "E-100")
    assert coded.encounter_view("cora", "E-100").status == "finalized"
    for attempt in (
        lambda: coded.accept("cora", "E-100", "E11.9"),
        lambda: coded.add("cora", "E-100", "R51.9", None),
        lambda: coded.resequence("cora", "E-100", ["E11.9", "I11.9", "Z79.84"]),
        lambda: coded.run_coding("cora", "E-100"),
    ):
        with pytest.raises(WorkflowError, match="finalized"):
            attempt()
    with pytest.raises(PermissionDeniedError):
        coded.reopen("cora", "E-100", "coder cannot reopen")
    with pytest.raises(WorkflowError, match="needs a reason"):
        coded.reopen("rex", "E-100", "")
    coded.reopen("rex", "E-100", "payer query on the first-listed code")
    coded.accept("cora", "E-100", "Z79.84")
    with coded._sessions() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "reopen")).one()
        detail = json.loads(event.detail)
        assert detail["reason"].startswith("sealed:")  # free text is sealed at rest
        assert audit.reveal(s, detail)["reason"] == "payer query on the first-listed code"
    assert event.actor == "rex"


def test_reported_diagnoses_numbered_from_one_after_review(coded: Records) -> None:
    """A finalized encounter's reported diagnoses are numbered 1, 2, ... without gaps
    whatever review did (the principal is the one numbered 1: the comorbidity report reads
    it so, reports/comorbidity.py)."""
    first, *rest = _active(coded)
    coded.reject("cora", "E-100", first, "not documented as a diagnosis")  # the principal
    changed, *others = rest
    coded.change("cora", "E-100", changed, "I11.9", "hypertensive heart disease documented")
    coded.add("cora", "E-100", "Z79.84", "oral hypoglycemic on the medication list")
    for code in others:
        coded.accept("cora", "E-100", code)
    active = _active(coded)
    coded.resequence("cora", "E-100", [*active[1:], active[0]])
    coded.finalize("rex", "E-100")
    reported = [
        (c.sequence, c.code)
        for c in coded.encounter_view("cora", "E-100").codes
        if c.status in ("accepted", "added") and c.system == "icd10cm"
    ]
    assert sorted(s for s, _code in reported) == list(range(1, len(reported) + 1))
    assert min(reported)[1] == active[1]


def test_finalize_needs_every_suggestion_decided(coded: Records) -> None:
    with pytest.raises(WorkflowError, match="undecided"):
        coded.finalize("cora", "E-100")


def test_exports_identified_and_safe_harbor(coded: Records) -> None:
    for code in _active(coded):
        coded.accept("cora", "E-100", code)
    coded.finalize("cora", "E-100")
    identified = coded.export_rows("mia", deidentified=False)
    assert identified[0]["name"] == "Ottoline Vantablack"
    assert identified[0]["mrn"] == "QX-774411"
    rows = coded.export_rows("ann", deidentified=True)
    assert rows and {r["code"] for r in rows} == {r["code"] for r in identified}
    text = json.dumps(rows)
    for identifier in ("Ottoline", "Vantablack", "QX-774411", "E-100", "1931", "2026-05-01"):
        assert identifier not in text
    assert rows[0]["age"] == "90+"  # born 1931: 95 on the date of service
    shifted = dt.date.fromisoformat(rows[0]["date_shifted"])
    assert shifted != dt.date(2026, 5, 1) and abs((shifted - dt.date(2026, 5, 1)).days) <= 182
    # The same patient gets the same offset in every export made under the key.
    again = coded.export_rows("ann", deidentified=True)
    assert again[0]["date_shifted"] == rows[0]["date_shifted"]
    assert rows[0]["patient"] == "P000001"
    assert set(rows[0]) == {
        "patient",
        "encounter",
        "age",
        "sex",
        "setting",
        "date_shifted",
        "payer",
        "sequence",
        "system",
        "code",
        "title",
        "source",
        "release",
        "discharge_status",
        "units",
        "modifiers",
        "poa",
    }


def test_cli_review_flow(coded: Records) -> None:
    from click.testing import CliRunner

    from medcoder.cli import main

    runner = CliRunner()
    shown = runner.invoke(main, ["review", "--user", "cora", "E-100", "show"])
    assert shown.exit_code == 0, shown.output
    assert "Ottoline Vantablack" in shown.output and "E11.9" in shown.output
    codes = _active(coded)
    done = runner.invoke(main, ["review", "--user", "cora", "E-100", "accept", *codes])
    assert done.exit_code == 0, done.output
    final = runner.invoke(main, ["review", "--user", "cora", "E-100", "finalize"])
    assert final.exit_code == 0, final.output
    again = runner.invoke(main, ["review", "--user", "cora", "E-100", "accept", "E11.9"])
    assert again.exit_code == 2
    assert again.output.startswith("error[E405]: encounter E-100 is finalized (locked)")
    out = runner.invoke(main, ["export", "--deidentified", "--format", "csv", "--user", "ann"])
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert {r["code"] for r in rows} == set(codes)
    denied = runner.invoke(main, ["export", "--format", "csv", "--user", "ann"])
    assert denied.exit_code == 2 and "error[E403]" in denied.output
    queue = runner.invoke(main, ["queue", "--user", "rex"])
    assert queue.exit_code == 0 and "empty" in queue.output
