"""Issue 17 item 5: free text a user types (a reject or change reason, an acknowledgement,
a re-open reason) may name a patient; it is sealed at rest, in the code's row under the
PHI key and in the undeletable audit event under a key derived from the audit key ring,
and read back as typed by those who may read it."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import select, text

from medcoder.records import audit
from medcoder.records.models import AuditEvent
from medcoder.records.service import Records
from tests.codesets.hcpcs.conftest import hcpcs_home  # noqa: F401  (fixture)
from tests.records.test_procedures import procedure_home, stays  # noqa: F401  (fixtures)

SECRET = "per Dr Quimby, Ottoline's daughter says no diabetes"


def test_reasons_are_sealed_at_rest_and_read_as_typed(stays: Records) -> None:  # noqa: F811
    stays.reject("cora", "IP-1", "E11.9", SECRET)
    view = {c.code: c for c in stays.encounter_view("cora", "IP-1").codes}
    assert view["E11.9"].reason == SECRET
    with stays.engine.connect() as connection:
        reasons = [r for (r,) in connection.execute(text("SELECT reason FROM code_assignments"))]
        details = [d for (d,) in connection.execute(text("SELECT detail FROM audit_events"))]
    assert all("Ottoline" not in (r or "") for r in reasons)
    assert any((r or "").startswith("sealed:") for r in reasons)
    assert all("Ottoline" not in d and "Quimby" not in d for d in details)
    with stays._sessions() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "reject").order_by(AuditEvent.id)
        ).all()[-1]
        assert audit.reveal(session, json.loads(event.detail))["reason"] == SECRET
    assert stays.verify_audit("mia").ok


def test_a_key_rotation_keeps_reasons_readable(
    stays: Records,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stays.reject("cora", "IP-1", "E11.9", SECRET)
    monkeypatch.setenv("MEDCODER_NEW_KEY", base64.b64encode(b"\x17" * 32).decode())
    counts = stays.rotate_keys("root")
    assert counts["code_assignments.reason"] >= 1
    view = {c.code: c for c in stays.encounter_view("cora", "IP-1").codes}
    assert view["E11.9"].reason == SECRET
    with stays._sessions() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "reject").order_by(AuditEvent.id)
        ).all()[-1]
        assert audit.reveal(session, json.loads(event.detail))["reason"] == SECRET
