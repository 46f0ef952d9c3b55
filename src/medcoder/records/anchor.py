"""The audit chain's head, anchored outside the database in ``$MEDCODER_HOME/audit.head``.

Written after every commit that appended audit events: the last event's id and hash, the
id of the key that signed it and an HMAC over the three. Someone who rewrites the database
alone (edits, deletes or truncates events and rewinds ``audit_head``) cannot move this
file, so ``audit verify`` still finds the event it names, or finds it gone.

The file only moves forward: it is replaced (temp file, fsync, ``os.replace``) under an
exclusive ``flock`` and only by a head with a greater id, so two processes whose commits
finish in one order and whose anchor writes run in the other cannot take it back.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path

ANCHOR_FILE = "audit.head"
ANCHOR_VERSION = 1


class AnchorUnreadableError(ValueError):
    """The anchor file exists but is not an anchor this version wrote."""


@dataclass(frozen=True, slots=True)
class Anchor:
    """The chain's last link as it stood after a commit."""

    last_id: int
    last_hash: str
    key_id: str
    mac: str

    def signed_text(self) -> str:
        """What the MAC covers."""
        return f"{self.last_id}|{self.last_hash}|{self.key_id}"


def anchor_file(home: Path) -> Path:
    return home / ANCHOR_FILE


def read_anchor(path: Path) -> Anchor | None:
    """The anchor, or None when there is no file; AnchorUnreadableError when it is garbled."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AnchorUnreadableError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        data = json.loads(text)
        if data.get("version") != ANCHOR_VERSION:
            raise AnchorUnreadableError(f"{path} is not a version {ANCHOR_VERSION} anchor")
        anchor = Anchor(
            int(data["last_id"]), str(data["last_hash"]), str(data["key_id"]), str(data["mac"])
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        if isinstance(exc, AnchorUnreadableError):
            raise
        raise AnchorUnreadableError(f"{path} is not an anchor file: {exc}") from exc
    return anchor


def advance_anchor(path: Path, anchor: Anchor, *, create: bool = True) -> bool:
    """Replace the anchor with ``anchor`` if it is further along; True if it was written.

    ``create=False`` leaves a missing file missing: once signed events exist, a vanished
    anchor is news for ``audit verify``, and re-anchoring is an explicit, audited act."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = os.open(path.with_name(path.name + ".lock"), os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = read_anchor(path)
        if current is None and not create:
            return False
        if current is not None and current.last_id >= anchor.last_id:
            return False
        data = {
            "version": ANCHOR_VERSION,
            "last_id": anchor.last_id,
            "last_hash": anchor.last_hash,
            "key_id": anchor.key_id,
            "mac": anchor.mac,
        }
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a power loss
        finally:
            os.close(directory)
        return True
    finally:
        os.close(lock)  # closing the descriptor releases the lock
