"""Audited reads of an encounter (``RecordsGate._reading``, 45 CFR 164.312(b)): one event
once the read has succeeded, in its transaction; none for a read that fails. Runs on
SQLite and (marker ``postgres``) on PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from medcoder.errors import RecordNotFoundError, WorkflowError
from medcoder.records.models import AuditEvent
from medcoder.records.service import Records


def _events(records: Records, action: str) -> list[tuple[str, str, str | None, dict[str, object]]]:
    with records._sessions() as session:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
        return [(e.actor, e.entity, e.entity_id, json.loads(e.detail)) for e in rows]


def test_each_read_is_one_event_with_its_fields(coded: Records) -> None:
    before = len(_events(coded, "read"))
    coded.coding_runs("cora", "E-100")
    coded.history("rex", "E-100")
    coded.queries("cora", "E-100")
    read = _events(coded, "read")[before:]
    assert [(actor, entity, entity_id) for actor, entity, entity_id, _ in read] == [
        ("cora", "coding_runs", "E-100"),
        ("rex", "history", "E-100"),
        ("cora", "queries", "E-100"),
    ]
    assert read[0][3]["fields"] == ["text", "evidence"]
    assert "fields" not in read[1][3] and "fields" not in read[2][3]


def test_a_read_that_fails_leaves_no_event(coded: Records) -> None:
    before = _events(coded, "read")
    with pytest.raises(ValueError), coded._reading("cora", "E-100", "history") as (_, found):
        assert found.external_id == "E-100"
        raise ValueError("the block failed")
    with pytest.raises(RecordNotFoundError), coded._reading("cora", "E-999", "history"):
        pytest.fail("the block ran for an encounter that is not stored")
    assert _events(coded, "read") == before
    # An export refused inside the block (not finalized) is not recorded as an export.
    with pytest.raises(WorkflowError):
        coded.claim_document("mia", "E-100", fmt="837p")
    assert _events(coded, "export") == []
