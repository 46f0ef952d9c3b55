"""A SIGKILL mid-import loses no committed encounter and leaves none half-written."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from medcoder.records.chain import ChainStatus
from medcoder.records.service import Records

from .conftest import doc

ENCOUNTERS = 1500
DOCS_PER_ENCOUNTER = 3


def _committed(database: Path) -> int:
    try:
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
        try:
            return int(connection.execute("SELECT count(*) FROM encounters").fetchone()[0])
        finally:
            connection.close()
    except sqlite3.OperationalError:
        return 0


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # reads the SQLite file
def test_sigkill_mid_import(records: Records, records_home: Path, tmp_path: Path) -> None:
    source = tmp_path / "big.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for n in range(ENCOUNTERS):
            for part in range(DOCS_PER_ENCOUNTER):
                row = doc(
                    f"K-{n:05d}",
                    f"Note {part} of visit {n}. " + "Stable. " * 40,
                    mrn=f"QX-{n % 97:06d}",
                )
                handle.write(json.dumps(row) + "\n")
    records.close()
    database = records_home / "records.sqlite"
    env = {**os.environ, "MEDCODER_USER": "mia"}
    process = subprocess.Popen(
        [sys.executable, "-c", "from medcoder.cli import main; main()", "import", str(source)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while _committed(database) < 100:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline, "the import made no progress"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    if process.stderr:
        process.stderr.close()

    connection = sqlite3.connect(database)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    counts = connection.execute(
        "SELECT e.external_id, count(d.id) FROM encounters e "
        "LEFT JOIN documents d ON d.encounter_id = e.id GROUP BY e.id"
    ).fetchall()
    connection.close()
    committed = len(counts)
    assert 100 <= committed < ENCOUNTERS, "killed mid-way"
    assert all(n == DOCS_PER_ENCOUNTER for _, n in counts), "an encounter lost documents"

    service = Records.open(records_home)
    killed = service.verify_audit("mia")
    # The kill may land between a commit and its anchor write: signed events past the
    # anchor, reported as such (never as tampering); the next commit anchors them.
    assert killed.status in (ChainStatus.INTACT, ChainStatus.AHEAD_OF_ANCHOR), killed.message
    report = service.import_path("mia", source)
    assert report.errors == []
    assert report.duplicates == committed * DOCS_PER_ENCOUNTER
    assert report.encounters_created == ENCOUNTERS - committed
    assert service.verify_audit("mia").ok
    service.close()
