"""PHI at rest: encrypted in the file, unreadable without the key, rotation keeps it."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from medcoder.errors import EncryptionKeyError
from medcoder.records import crypto
from medcoder.records.service import Records

from .conftest import NOTE, TEST_KEY, Backend, doc, write_jsonl

PHI = (b"Ottoline", b"Vantablack", b"QX-774411", b"1931-03-09", b"Zyxwort")


def _raw_bytes(backend: Backend, home: Path) -> bytes:
    """What a copy of the database holds: on SQLite the file and its write-ahead log; on
    PostgreSQL every row of every table as text, and every binary column's bytes."""
    if backend.is_sqlite:
        return b"".join(p.read_bytes() for p in sorted(home.glob("records.sqlite*")))
    chunks: list[bytes] = []
    with backend.raw(home) as connection:
        columns = connection.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
        ).fetchall()
        for table in sorted({table for table, _, _ in columns}):
            for (row,) in connection.execute(f"SELECT t::text FROM {table} t"):
                chunks.append(row.encode())
        for table, column, data_type in columns:
            if data_type == "bytea":
                for (value,) in connection.execute(f"SELECT {column} FROM {table}"):
                    chunks.append(bytes(value or b""))
    assert columns and chunks
    return b"\n".join(chunks)


def test_a_copied_database_reveals_no_phi(
    coded: Records, backend: Backend, records_home: Path
) -> None:
    raw = _raw_bytes(backend, records_home)
    assert b"E11.9" in raw  # the codes are there, in the clear
    for phrase in PHI:
        assert phrase not in raw, phrase
        assert phrase.decode().encode("utf-16-le") not in raw


def test_field_tokens_are_bound_to_their_field() -> None:
    cipher = crypto.FieldCipher.single(crypto.new_key())
    token = cipher.encrypt("Ottoline", field="patients.name")
    assert cipher.decrypt(token, field="patients.name") == "Ottoline"
    with pytest.raises(EncryptionKeyError):
        cipher.decrypt(token, field="documents.text")
    assert cipher.encrypt("Ottoline", field="patients.name") != token  # fresh nonce


def test_a_wrong_key_is_refused(records: Records, records_home: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MEDCODER_KEY", base64.b64encode(b"\x07" * 32).decode())
    with pytest.raises(EncryptionKeyError, match="cannot read this database"):
        Records.open(records_home)
    monkeypatch.setenv("MEDCODER_KEY", "not base64!")
    with pytest.raises(EncryptionKeyError, match="not base64"):
        Records.open(records_home)


def test_key_file_is_created_owner_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MEDCODER_KEY", raising=False)
    home = tmp_path / "h"
    Records.init(home).close()
    mode = stat.S_IMODE(os.stat(home / "records.key").st_mode)
    assert mode == 0o600
    Records.open(home).close()  # the key file reads back


def test_rotation_with_a_key_file_keeps_data_readable(
    records: Records, backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records.close()
    monkeypatch.delenv("MEDCODER_KEY")
    backend.fresh(monkeypatch)  # a new home gets a new database
    home = tmp_path / "filekey"
    service = Records.init(home)
    service.add_user(None, "root", "admin")
    service.add_user("root", "mia", "manager")
    service.import_path("mia", write_jsonl(tmp_path / "a.jsonl", [doc("E-1")]))
    old = crypto.load_cipher(home).current
    counts = service.rotate_keys("root")
    assert counts["patients.name"] == 1 and counts["documents.text"] == 1
    service.close()
    reopened = Records.open(home)
    assert reopened.cipher.current != old
    assert set(crypto.load_cipher(home).keys) == {reopened.cipher.current}  # old key retired
    view = reopened.encounter_view("mia", "E-1")
    assert (view.name, view.mrn, view.documents[0][1]) == ("Ottoline Vantablack", "QX-774411", NOTE)
    again = reopened.import_path("mia", write_jsonl(tmp_path / "a.jsonl", [doc("E-1")]))
    assert again.duplicates == 1  # the content hash was recomputed under the new key
    assert reopened.verify_audit("mia").ok
    reopened.close()


def test_rotation_with_env_keys(
    records: Records, records_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records.import_path("mia", write_jsonl(tmp_path / "a.jsonl", [doc("E-1")]))
    with pytest.raises(EncryptionKeyError, match="MEDCODER_NEW_KEY"):
        records.rotate_keys("root")
    new = base64.b64encode(b"\x42" * 32).decode()
    monkeypatch.setenv("MEDCODER_NEW_KEY", new)
    records.rotate_keys("root")
    records.close()
    with pytest.raises(EncryptionKeyError):
        Records.open(records_home)  # MEDCODER_KEY still holds the retired key
    monkeypatch.setenv("MEDCODER_KEY", new)
    reopened = Records.open(records_home)
    assert reopened.encounter_view("mia", "E-1").name == "Ottoline Vantablack"
    reopened.close()
    assert new != TEST_KEY
