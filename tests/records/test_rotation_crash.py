"""Issue 17 item 7: a crash during ``keys rotate`` must not split the keys.

The rotation is killed (SIGKILL, in a child process) at each of its steps: after the
key file names the new key, in the middle of the re-encryption transaction, after it
commits, and after the retired keys are dropped. Reopening then settles the rotation
(rolls the key file back, or finishes it); every value reads, the key file holds exactly
the key the data is under, a document imported again for the same MRN is the same
patient, and the audit chain is intact.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from medcoder.records import crypto
from medcoder.records.models import KeyState, Patient
from medcoder.records.service import Records

from .conftest import NOTE, Backend, doc, write_jsonl

CHILD = r"""
import os, signal, sys
from pathlib import Path
from medcoder.records import audit, crypto
from medcoder.records.service import Records

step = sys.argv[2]


def die():
    os.kill(os.getpid(), signal.SIGKILL)


if step == "key-file-written":
    begin = crypto.begin_rotation

    def hook(*args, **kwargs):
        begin(*args, **kwargs)
        die()

    crypto.begin_rotation = hook
elif step == "mid-transaction":
    record = audit.record

    def hook(session, **kwargs):
        if kwargs.get("action") == "rotate_keys":
            session.flush()  # the re-encrypted rows are written, not committed
            die()
        return record(session, **kwargs)

    audit.record = hook
elif step == "committed":
    crypto.finish_rotation = lambda *args, **kwargs: die()
elif step == "finished":
    finish = crypto.finish_rotation

    def hook(*args, **kwargs):
        finish(*args, **kwargs)
        die()

    crypto.finish_rotation = hook
Records.open(Path(sys.argv[1])).rotate_keys("root")
"""

STEPS = ("key-file-written", "mid-transaction", "committed", "finished")


@pytest.mark.parametrize("step", STEPS)
def test_a_kill_at_any_step_of_a_rotation_leaves_one_key_and_one_patient(
    records: Records, backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    records.close()
    monkeypatch.delenv("MEDCODER_KEY")  # a key file, the rotation that writes files
    backend.fresh(monkeypatch)
    home = tmp_path / "filekey"
    service = Records.init(home)
    service.add_user(None, "root", "admin")
    service.add_user("root", "mia", "manager")
    service.import_path("mia", write_jsonl(tmp_path / "a.jsonl", [doc("E-1")]))
    old = service.cipher.current
    service.close()

    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(home), step], capture_output=True, text=True, timeout=120
    )
    assert child.returncode == -signal.SIGKILL, child.stderr

    reopened = Records.open(home)
    try:
        ring = crypto.load_cipher(home)
        with reopened._sessions.begin() as session:
            state = session.get(KeyState, 1)
            assert state is not None
            assert set(ring.keys) == {state.key_id} == {reopened.cipher.current}
        committed = step in ("committed", "finished")
        assert (reopened.cipher.current != old) is committed
        view = reopened.encounter_view("mia", "E-1")
        assert (view.mrn, view.documents[0][1]) == ("QX-774411", NOTE)
        # A new visit for the same MRN finds the stored patient (blind index, one key).
        report = reopened.import_path("mia", write_jsonl(tmp_path / "b.jsonl", [doc("E-2")]))
        assert report.encounters_created == 1 and not report.errors
        with reopened._sessions.begin() as session:
            assert session.scalar(select(func.count()).select_from(Patient)) == 1
        assert reopened.verify_audit("mia").ok
        # And the next rotation runs to its end.
        reopened.rotate_keys("root")
        assert len(crypto.load_cipher(home).keys) == 1
    finally:
        reopened.close()
    assert os.path.exists(crypto.key_file(home))
