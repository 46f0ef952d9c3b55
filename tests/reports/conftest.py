"""Reports fixtures: a small synthetic database whose every report was worked out by hand
(the expected figures are in the tests), on SQLite and on PostgreSQL when
``MEDCODER_TEST_POSTGRES_URL`` is set (the records fixtures' ``backend``)."""

from __future__ import annotations

import datetime as dt
import importlib.util
from typing import Any

import pytest
from sqlalchemy import insert

from medcoder.records import audit
from medcoder.records.models import CodeAssignment, Encounter, Patient
from medcoder.records.service import Records
from tests.records.conftest import (  # noqa: F401 - fixtures
    Backend,
    backend,
    records,
    records_home,
)

UTC = dt.UTC
#: The tests of what reads AHRQ's Elixhauser workbook (the ``reports`` extra's
#: elixhauser-ahrq): skipped, not failed, where the extra is not installed.
needs_ahrq = pytest.mark.skipif(
    importlib.util.find_spec("elixhauser_ahrq") is None,
    reason="elixhauser-ahrq (pip install 'medcoder[reports]') not installed",
)
# Synthetic patients: (id, dob, sex); names and MRNs invented, stored encrypted.
PATIENTS = [(1, "1950-06-15", "F"), (2, "1980-01-01", "M"), (3, "2000-03-01", "F")]


def _t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


ENCOUNTERS: list[dict[str, Any]] = [
    dict(id=1, external_id="S-1", patient_id=1, setting="inpatient", payer="Medicare",
         admit_date=dt.date(2026, 1, 3), discharge_date=dt.date(2026, 1, 8),
         status="finalized", created_at=_t("2026-01-08T00:00:00"),
         finalized_at=_t("2026-01-10T00:00:00"), finalized_by="cora",
         drg="291", drg_version="v43", drg_weight=1.2, discharge_status="01"),
    dict(id=2, external_id="S-2", patient_id=2, setting="inpatient", payer="Acme",
         admit_date=dt.date(2026, 2, 1), discharge_date=dt.date(2026, 2, 3),
         status="finalized", created_at=_t("2026-02-03T00:00:00"),
         finalized_at=_t("2026-02-04T00:00:00"), finalized_by="rex",
         drg="470", drg_version="v43", drg_weight=2.0, discharge_status="01"),
    dict(id=3, external_id="S-3", patient_id=3, setting="outpatient", payer="Acme",
         service_date=dt.date(2026, 2, 10), status="finalized",
         created_at=_t("2026-02-10T00:00:00"), finalized_at=_t("2026-02-10T12:00:00"),
         finalized_by="cora"),
    dict(id=4, external_id="S-4", patient_id=1, setting="inpatient", payer="Medicare",
         admit_date=dt.date(2026, 3, 1), discharge_date=dt.date(2026, 3, 5), status="review",
         created_at=_t("2026-03-05T00:00:00")),
    dict(id=5, external_id="S-5", patient_id=2, setting="outpatient", payer="Acme",
         service_date=dt.date(2026, 3, 20), status="pending",
         created_at=_t("2026-03-20T00:00:00")),
]  # fmt: skip

R25, R26 = "icd10cm-2025-04", "icd10cm-2026-04"
# (id, encounter, code, source, status, confidence, replaced_by, updated_by, release)
CODES = [
    (1, 1, "I50.23", "engine", "accepted", 0.95, None, "cora", R26),
    (2, 1, "E11.22", "engine", "accepted", 0.85, None, "cora", R26),
    (3, 1, "N18.4", "coder", "added", None, None, "cora", R26),
    (4, 2, "M17.11", "engine", "accepted", 0.80, None, "rex", R26),
    (5, 2, "I10", "engine", "accepted", 0.92, None, "rex", R26),
    (6, 2, "E66.9", "engine", "rejected", 0.40, None, "rex", R26),
    (7, 3, "J45.909", "engine", "accepted", 0.60, None, "cora", R25),
    (9, 3, "E11.65", "coder", "accepted", None, None, "cora", R25),
    (8, 3, "E11.9", "engine", "changed", 0.55, 9, "cora", R25),
    (10, 4, "I50.9", "engine", "suggested", 0.70, None, None, R26),
]
# Each code's sequence as review leaves it: an encounter's active codes numbered 1, 2, ...
# (the rejected E66.9 keeps its old number; E11.65 took the number of the E11.9 it changed).
SEQUENCE = {1: 1, 2: 2, 3: 3, 4: 1, 5: 2, 6: 3, 7: 1, 9: 2, 8: 2, 10: 1}


def add_patients(service: Records) -> None:
    """The synthetic patients, PHI encrypted as the service would."""
    cipher = service.cipher
    with service.engine.begin() as connection:
        connection.execute(
            insert(Patient),
            [
                dict(id=pid, mrn_index=cipher.blind_index(f"MRN-{pid}", purpose="mrn"),
                     mrn_enc=cipher.encrypt(f"MRN-{pid}", field="patients.mrn"),
                     name_enc=cipher.encrypt(f"Synthetic Person {pid}", field="patients.name"),
                     dob_enc=cipher.encrypt(dob, field="patients.dob"), sex=sex)
                for pid, dob, sex in PATIENTS
            ],
        )  # fmt: skip


def build(service: Records) -> Records:
    """Insert the synthetic rows and the audit events of their finalizes, one re-open and
    two acknowledged edit warnings."""
    add_patients(service)
    with service.engine.begin() as connection:
        for row in ENCOUNTERS:
            connection.execute(insert(Encounter).values(**row))
        for cid, eid, code, source, status, conf, replaced, who, release in CODES:
            connection.execute(
                insert(CodeAssignment).values(
                    id=cid, encounter_id=eid, system="icd10cm", code=code, title=f"title {code}",
                    sequence=SEQUENCE[cid], source=source, status=status, confidence=conf,
                    replaced_by=replaced, updated_by=who, release=release,
                )
            )  # fmt: skip
    events = [
        ("cora", "finalize", "S-1", {}),
        ("rex", "reopen", "S-1", {"reason": "query"}),
        ("cora", "finalize", "S-1", {}),
        ("rex", "finalize", "S-2", {"edit_warnings": ["W1:M17.11", "W2:I10+M17.11"]}),
        ("cora", "finalize", "S-3", {"edit_warnings": ["W1:J45.909"]}),
    ]
    with service._sessions.begin() as session:
        for actor, action, entity_id, detail in events:
            audit.record(
                session, actor=actor, action=action, entity="encounter", entity_id=entity_id,
                **detail,
            )  # fmt: skip
    return service


@pytest.fixture
def synthetic(records: Records) -> Records:  # noqa: F811 - the fixture
    return build(records)
