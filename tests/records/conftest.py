"""Records fixtures: a fresh database per test under a fixed synthetic key, with users of
every role, and a coding engine over the releases built from ../shared/data."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from medcoder.codesets.registry import Registry
from medcoder.coding.engine import CodingEngine
from medcoder.records.service import Records

TEST_KEY = base64.b64encode(bytes(range(32))).decode()
USERS = {
    "root": "admin",
    "cora": "coder",
    "rex": "reviewer",
    "mia": "manager",
    "ann": "analyst",
}
# Synthetic patients only: names and numbers invented for these tests.
PATIENT = {"mrn": "QX-774411", "name": "Ottoline Vantablack", "dob": "1931-03-09", "sex": "F"}
NOTE = "ASSESSMENT: Type 2 diabetes mellitus. Essential hypertension. Zyxwort rash noted."


def doc(encounter: str, text: str = NOTE, **overrides: Any) -> dict[str, Any]:
    return {
        **PATIENT,
        "encounter_id": encounter,
        "setting": "outpatient",
        "date": "2026-05-01",
        "kind": "progress",
        "text": text,
        "payer": "Acme Health",
        **overrides,
    }


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def coding_engine(built_home: Path) -> CodingEngine:
    return CodingEngine(Registry(built_home, quiet=True))


@pytest.fixture
def records_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("MEDCODER_HOME", str(home))
    monkeypatch.setenv("MEDCODER_KEY", TEST_KEY)
    monkeypatch.delenv("MEDCODER_DATABASE_URL", raising=False)
    monkeypatch.delenv("MEDCODER_NEW_KEY", raising=False)
    monkeypatch.delenv("MEDCODER_USER", raising=False)
    return home


@pytest.fixture
def records(records_home: Path) -> Iterator[Records]:
    """An empty database with one user of each role (no coding engine)."""
    Records.init(records_home).close()
    service = Records.open(records_home)
    for name, role in USERS.items():
        service.add_user("root", name, role)
    yield service
    service.close()


@pytest.fixture
def coded(records: Records, coding_engine: CodingEngine, tmp_path: Path) -> Records:
    """Two encounters imported; E-100 coded by the engine and awaiting review."""
    records._coder = coding_engine
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [doc("E-100"), doc("E-200", "ASSESSMENT: Asthma.", date="2026-05-02", payer="Beta")],
    )
    records.import_path("mia", source)
    records.run_coding("cora", "E-100")
    return records
