"""Issue 17, item 1: the audit chain cannot be forged with the database alone.

Each test first plays the attack of the adversarial review: a forger who can write the
database (drops the append-only triggers, edits or deletes events, recomputes every
unkeyed SHA-256 link and the stored head) but holds neither the audit key nor the home's
anchor file. Runs on SQLite and, under ``-m postgres``, on PostgreSQL.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from medcoder.cli import main
from medcoder.errors import EncryptionKeyError
from medcoder.records import anchor, chain
from medcoder.records.audit import ChainStatus
from medcoder.records.service import Records

from .conftest import Backend

GENESIS = "0" * 64
COLUMNS = "id, at, actor, action, entity, entity_id, detail"


def _unkeyed(prev_hash: str, row: tuple[Any, ...]) -> str:
    """The link as the forger computes it: SHA-256, no key (the pre-issue-17 scheme)."""
    body = json.dumps(
        dict(zip(COLUMNS.split(", "), row, strict=True)),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(f"{prev_hash}|{body}".encode()).hexdigest()


def _rechain(raw: Any, backend: Backend, *, start: int = 1, drop_keys: bool = False) -> None:
    """Recompute every link from event ``start`` on, and the head, the way a forger can."""
    p = "?" if backend.is_sqlite else "%s"
    prev = GENESIS
    if start > 1:
        prev = raw.execute(f"SELECT hash FROM audit_events WHERE id = {start - 1}").fetchone()[0]
    if drop_keys:
        raw.execute("UPDATE audit_events SET key_id = NULL")
    rows = raw.execute(
        f"SELECT {COLUMNS} FROM audit_events WHERE id >= {start} ORDER BY id"
    ).fetchall()
    # The hash column is unique: park the old values out of the way first.
    raw.execute(f"UPDATE audit_events SET hash = 'x' || id WHERE id >= {start}")
    for row in rows:
        digest = _unkeyed(prev, row)
        raw.execute(
            f"UPDATE audit_events SET prev_hash = {p}, hash = {p} WHERE id = {p}",
            (prev, digest, row[0]),
        )
        prev = digest
    last = raw.execute("SELECT max(id) FROM audit_events").fetchone()[0]
    raw.execute(f"UPDATE audit_head SET last_id = {p}, last_hash = {p}", (last, prev))


def _last_id(raw: Any) -> int:
    return int(raw.execute("SELECT max(id) FROM audit_events").fetchone()[0])


# -- (a) edit an event, recompute every hash and the head ---------------------------------
def test_edit_and_rechain_from_the_edit_is_found(busy: Records, raw: Any, backend: Backend) -> None:
    raw.execute("UPDATE audit_events SET actor = 'eve' WHERE id = 7")
    _rechain(raw, backend, start=7)
    report = busy.verify_audit("rex")
    assert (report.status, report.broken_at) == (ChainStatus.BROKEN, 7)
    assert "changed" in (report.problem or "")


def test_edit_and_rechain_as_unkeyed_is_found_by_the_anchor(
    busy: Records, raw: Any, backend: Backend
) -> None:
    """The whole chain rewritten as pre-keyed events: every link checks out, the anchor
    does not (the forger cannot move it)."""
    raw.execute("UPDATE audit_events SET actor = 'eve' WHERE id = 7")
    _rechain(raw, backend, drop_keys=True)
    report = busy.verify_audit("rex")
    assert report.status is ChainStatus.BROKEN
    assert report.broken_at == _last_id(raw)
    assert "does not match the anchor" in (report.problem or "")


# -- (b) delete the newest events and rewind audit_head -----------------------------------
def test_truncation_with_a_rewound_head_is_found(busy: Records, raw: Any, backend: Backend) -> None:
    last = _last_id(raw)
    raw.execute(f"DELETE FROM audit_events WHERE id > {last - 3}")
    p = "?" if backend.is_sqlite else "%s"
    kept = raw.execute(f"SELECT hash FROM audit_events WHERE id = {last - 3}").fetchone()[0]
    raw.execute(f"UPDATE audit_head SET last_id = {p}, last_hash = {p}", (last - 3, kept))
    report = busy.verify_audit("rex")
    assert (report.status, report.broken_at) == (ChainStatus.BROKEN, last - 2)
    assert f"events {last - 2} to {last} are missing" in (report.problem or "")
    # New events do not paper over it: the anchor never moves back.
    busy.encounter_view("rex", "E-1")
    assert busy.verify_audit("rex").status is ChainStatus.BROKEN


# -- (c) the anchor file ------------------------------------------------------------------
def test_a_deleted_anchor_is_reported_missing(busy: Records, records_home: Path) -> None:
    (records_home / anchor.ANCHOR_FILE).unlink()
    report = busy.verify_audit("rex")
    assert report.status is ChainStatus.UNANCHORED and not report.ok
    assert "missing" in report.message and "intact" not in report.message
    result = CliRunner().invoke(main, ["audit", "verify", "--user", "rex"])
    assert result.exit_code == 3 and "unanchored" in result.output


def test_a_deleted_anchor_stays_reported_until_an_admin_reanchors(
    busy: Records, records_home: Path
) -> None:
    """New events do not quietly re-create the anchor over a chain that may be truncated."""
    (records_home / anchor.ANCHOR_FILE).unlink()
    busy.encounter_view("rex", "E-1")
    assert busy.verify_audit("rex").status is ChainStatus.UNANCHORED
    from medcoder.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        busy.reanchor_audit("rex")
    result = CliRunner().invoke(main, ["audit", "anchor", "--user", "root"])
    assert result.exit_code == 0 and "anchored at event" in result.output
    assert busy.verify_audit("rex").ok


def test_a_broken_chain_is_not_reanchored(busy: Records, raw: Any, records_home: Path) -> None:
    from medcoder.errors import WorkflowError

    raw.execute("UPDATE audit_events SET actor = 'eve' WHERE id = 3")
    (records_home / anchor.ANCHOR_FILE).unlink()
    with pytest.raises(WorkflowError, match="broken at event 3"):
        busy.reanchor_audit("root")
    assert not (records_home / anchor.ANCHOR_FILE).exists()


def test_an_edited_anchor_is_found(busy: Records, records_home: Path) -> None:
    path = records_home / anchor.ANCHOR_FILE
    data = json.loads(path.read_text())
    data["last_id"] -= 1
    path.write_text(json.dumps(data))
    report = busy.verify_audit("rex")
    assert report.status is ChainStatus.BROKEN and "altered" in (report.problem or "")


def test_a_garbled_anchor_is_a_coded_report(busy: Records, records_home: Path) -> None:
    (records_home / anchor.ANCHOR_FILE).write_text("{not json")
    report = busy.verify_audit("rex")
    assert report.status is ChainStatus.BROKEN and "garbled" in (report.problem or "")


def _disk_full(*_args: object, **_kwargs: object) -> bool:
    raise OSError(28, "No space left on device")


def test_events_after_the_anchor_are_reported_apart_from_tampering(
    busy: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash between commit and anchor write leaves signed events past the anchor: not
    tampering (only a key holder signs), not ok either; the next commit re-anchors."""
    monkeypatch.setattr(chain, "ANCHOR_WAIT_S", 0.1)
    with monkeypatch.context() as patched:
        patched.setattr(anchor, "advance_anchor", _disk_full)  # the "crash"
        busy.encounter_view("rex", "E-1")
        busy.encounter_view("rex", "E-2")
    report = busy.verify_audit("rex")
    assert report.status is ChainStatus.AHEAD_OF_ANCHOR
    assert "2 signed event(s) after the last anchor" in (report.problem or "")
    result = CliRunner().invoke(main, ["audit", "verify", "--user", "rex"])
    assert result.exit_code == 3 and "ahead of anchor" in result.output
    busy.encounter_view("rex", "E-1")
    assert busy.verify_audit("rex").ok


def test_a_forged_event_past_the_anchor_is_tampering(
    busy: Records, raw: Any, backend: Backend
) -> None:
    p = "?" if backend.is_sqlite else "%s"
    last = _last_id(raw)
    prev, key = raw.execute(f"SELECT hash, key_id FROM audit_events WHERE id = {last}").fetchone()
    row = (last + 1, "2026-01-01T00:00:00+00:00", "eve", "export", "export", None, "{}")
    raw.execute(
        f"INSERT INTO audit_events ({COLUMNS}, prev_hash, hash, key_id) "
        f"VALUES ({', '.join([p] * 10)})",
        (*row, prev, _unkeyed(prev, row), key),
    )
    raw.execute(f"UPDATE audit_head SET last_id = {last + 1}")
    report = busy.verify_audit("rex")
    assert (report.status, report.broken_at) == (ChainStatus.BROKEN, last + 1)


def test_the_anchor_never_moves_back(tmp_path: Path) -> None:
    path = tmp_path / anchor.ANCHOR_FILE
    assert anchor.advance_anchor(path, anchor.Anchor(5, "a" * 64, "k", "m"))
    assert not anchor.advance_anchor(path, anchor.Anchor(3, "b" * 64, "k", "m"))
    assert anchor.read_anchor(path) == anchor.Anchor(5, "a" * 64, "k", "m")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# -- (d) key rotation ---------------------------------------------------------------------
def test_rotation_keeps_old_events_verifiable(busy: Records, records_home: Path, raw: Any) -> None:
    old = raw.execute("SELECT key_id FROM audit_events WHERE id = 1").fetchone()[0]
    new = busy.rotate_audit_key("root")
    busy.encounter_view("rex", "E-1")
    assert new != old
    keys = [k for (k,) in raw.execute("SELECT key_id FROM audit_events ORDER BY id").fetchall()]
    rotation = raw.execute(
        "SELECT key_id, detail FROM audit_events WHERE action = 'audit_key_rotate'"
    ).fetchone()
    assert rotation[0] == new and old in rotation[1]  # signed by the new key
    assert keys[0] == old and keys[-1] == new
    ring = json.loads((records_home / "audit.key").read_text())
    assert set(ring["keys"]) == {old, new} and ring["current"] == new
    assert stat.S_IMODE((records_home / "audit.key").stat().st_mode) == 0o600
    reopened = Records.open(records_home)
    assert reopened.verify_audit("rex").ok
    reopened.close()


def test_rotation_is_for_admins(busy: Records) -> None:
    from medcoder.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        busy.rotate_audit_key("cora")


def test_open_refuses_a_ring_without_the_signing_key(
    busy: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = base64.b64encode(b"\x01" * 32).decode()
    busy.close()
    # An env key takes over only on a database whose events it signed; here, a fresh key
    # on a database signed by audit.key is refused.
    monkeypatch.setenv("MEDCODER_AUDIT_KEY", first)
    with pytest.raises(EncryptionKeyError, match="lacks key"):
        Records.open(busy.home)
    monkeypatch.delenv("MEDCODER_AUDIT_KEY")
    (busy.home / "audit.key").unlink()
    with pytest.raises(EncryptionKeyError, match="missing"):
        Records.open(busy.home)


def test_env_key_rotation_needs_the_new_key_named(
    records_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = base64.b64encode(b"\x01" * 32).decode()
    second = base64.b64encode(b"\x02" * 32).decode()
    monkeypatch.setenv("MEDCODER_AUDIT_KEY", first)
    Records.init(records_home).close()
    records = Records.open(records_home)
    records.add_user(None, "root", "admin")
    with pytest.raises(EncryptionKeyError, match="MEDCODER_NEW_AUDIT_KEY"):
        records.rotate_audit_key("root")
    monkeypatch.setenv("MEDCODER_NEW_AUDIT_KEY", second)
    records.rotate_audit_key("root")
    records.close()
    assert not (records_home / "audit.key").exists()
    monkeypatch.delenv("MEDCODER_NEW_AUDIT_KEY")
    monkeypatch.setenv("MEDCODER_AUDIT_KEY", f"{second},{first}")  # new first, old kept
    records = Records.open(records_home)
    assert records.verify_audit("root").ok
    records.close()
    monkeypatch.setenv("MEDCODER_AUDIT_KEY", second)  # the old key dropped: old events fail
    records = Records.open(records_home)
    report = records.verify_audit("root")
    assert (report.status, report.broken_at) == (ChainStatus.BROKEN, 1)
    assert "not in the ring" in (report.problem or "")
    records.close()


# -- (e) events from before keyed auditing ------------------------------------------------
def _as_legacy(raw: Any, backend: Backend, home: Path) -> None:
    """Turn the chain into one written before this change: unkeyed links, no anchor."""
    _rechain(raw, backend, drop_keys=True)
    (home / anchor.ANCHOR_FILE).unlink()


def test_legacy_events_then_keyed_events_verify(
    busy: Records, raw: Any, backend: Backend, records_home: Path
) -> None:
    _as_legacy(raw, backend, records_home)
    legacy = _last_id(raw)
    before = busy.verify_audit("rex")
    assert before.status is ChainStatus.UNANCHORED and before.legacy == legacy
    busy.encounter_view("rex", "E-1")  # the first keyed event anchors the whole chain
    report = busy.verify_audit("rex")
    assert report.ok and (report.events, report.legacy) == (legacy + 1, legacy)
    assert f"{legacy} unkeyed" in report.message


def test_an_unkeyed_event_after_keyed_ones_is_forged(
    busy: Records, raw: Any, backend: Backend
) -> None:
    p = "?" if backend.is_sqlite else "%s"
    last = _last_id(raw)
    prev = raw.execute(f"SELECT hash FROM audit_events WHERE id = {last}").fetchone()[0]
    row = (last + 1, "2026-01-01T00:00:00+00:00", "eve", "export", "export", None, "{}")
    digest = _unkeyed(prev, row)
    raw.execute(
        f"INSERT INTO audit_events ({COLUMNS}, prev_hash, hash) VALUES ({', '.join([p] * 9)})",
        (*row, prev, digest),
    )
    raw.execute(f"UPDATE audit_head SET last_id = {p}, last_hash = {p}", (last + 1, digest))
    report = busy.verify_audit("rex")
    assert (report.status, report.broken_at) == (ChainStatus.BROKEN, last + 1)
    assert "unkeyed event after signed ones" in (report.problem or "")


# -- never a traceback --------------------------------------------------------------------
@pytest.mark.parametrize("table", ["audit_head", "audit_events"])
def test_verify_after_a_table_is_dropped_is_one_coded_line(
    busy: Records, raw: Any, table: str
) -> None:
    busy.close()
    raw.execute(f"DROP TABLE {table}")
    result = CliRunner().invoke(main, ["audit", "verify", "--user", "rex"])
    assert result.exit_code == 2, result.output
    assert "error[E401]: cannot read the audit trail" in result.output
    assert "Traceback" not in result.output


def test_the_audit_key_file_is_created_owner_only(records: Records, records_home: Path) -> None:
    path = records_home / "audit.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "MEDCODER_AUDIT_KEY" not in os.environ


def test_two_processes_keep_the_anchor_at_the_head(busy: Records, records_home: Path) -> None:
    """Commits serialize on the database; anchor writes race afterwards and must not let
    an earlier head overwrite a later one."""
    import subprocess
    import sys

    script = (
        "from medcoder.records.service import Records\n"
        "r = Records.open()\n"
        "for _ in range(25): r.encounter_view('rex', 'E-1')\n"
        "r.close()\n"
    )
    workers = [subprocess.Popen([sys.executable, "-c", script]) for _ in range(2)]
    assert [w.wait(timeout=120) for w in workers] == [0, 0]
    report = busy.verify_audit("rex")
    assert report.ok, report.message
    pinned = anchor.read_anchor(records_home / anchor.ANCHOR_FILE)
    assert pinned is not None and pinned.last_id == report.events
