"""Claim edits before finalize: errors block, warnings need an acknowledgement (audited);
`edits recheck` lists what a newly installed release breaks on open encounters."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from medcoder.edits.checker import configured_tables
from medcoder.errors import EditsBlockedError
from medcoder.records import audit
from medcoder.records.claim_gate import recheck_open
from medcoder.records.models import AuditEvent, CodeAssignment
from medcoder.records.service import Records


def _only(records: Records, *codes: str) -> None:
    """Reject every suggestion of E-100 and add ``codes``."""
    view = records.encounter_view("cora", "E-100")
    for c in view.codes:
        if c.status == "suggested":
            records.reject("cora", "E-100", c.code, "not documented")
    for code in codes:
        records.add("cora", "E-100", code, "documented")


def test_edit_error_blocks_finalize_even_when_acknowledged(coded: Records) -> None:
    _only(coded, "E11.9", "E10.9")
    for acknowledge in (None, "payer accepts"):
        with pytest.raises(EditsBlockedError, match=r"excludes1.v1 E11.9 E10.9") as caught:
            coded.finalize("cora", "E-100", acknowledge)
        assert caught.value.code == "E603"
    assert coded.encounter_view("cora", "E-100").status == "review"


def test_warning_needs_an_acknowledgement_which_is_audited(coded: Records) -> None:
    _only(coded, "E11.22")  # use additional code for the CKD stage (N18.1-N18.6)
    with pytest.raises(EditsBlockedError, match="warning"):
        coded.finalize("cora", "E-100")
    coded.finalize("cora", "E-100", "stage not documented; query sent")
    assert coded.encounter_view("cora", "E-100").status == "finalized"
    with coded._sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "finalize")).one()
        detail = json.loads(event.detail)
        assert detail["reason"].startswith("sealed:")  # free text sealed at rest
        assert audit.reveal(session, detail)["reason"] == "stage not documented; query sent"
    assert detail["edit_warnings"] == ["use-additional-code.v1:E11.22"]


def test_clean_claim_finalizes_without_acknowledgement(coded: Records) -> None:
    _only(coded, "E11.22", "N18.30")
    coded.finalize("cora", "E-100")
    assert coded.encounter_view("cora", "E-100").status == "finalized"


def test_recheck_lists_what_the_release_in_force_breaks(coded: Records) -> None:
    # A code coded under FY2025 (April) that the FY2026 Tabular subdivided.
    with coded._sessions.begin() as session:
        row = session.scalars(select(CodeAssignment)).first()
        assert row is not None
        row.code, row.release = "S30.1XXA", "icd10cm-2025-04"
    results = recheck_open(coded, "cora", configured_tables(home=coded.home))
    (result,) = results
    assert result.encounter == "E-100" and result.release == "icd10cm-2026-04"
    assert "icd10cm-2025-04" in result.coded_in
    assert [f.edit for f in result.new if "S30.1XXA" in f.codes] == ["icd10cm-validity.v1"]


def test_cli_finalize_acknowledge_and_recheck(coded: Records) -> None:
    from click.testing import CliRunner

    from medcoder.cli import main

    _only(coded, "E11.22")
    runner = CliRunner()
    blocked = runner.invoke(main, ["review", "--user", "cora", "E-100", "finalize"])
    assert blocked.exit_code == 2
    assert blocked.output.startswith("error[E603]: 1 claim edit warning(s) to acknowledge")
    recheck = runner.invoke(main, ["edits", "recheck", "--user", "cora", "--format", "json"])
    assert recheck.exit_code == 0, recheck.output
    assert json.loads(recheck.output) == []  # coded in the release in force: nothing new
    done = runner.invoke(
        main, ["review", "--user", "cora", "E-100", "finalize", "--acknowledge", "query sent"]
    )
    assert done.exit_code == 0, done.output
