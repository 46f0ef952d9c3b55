"""The audit key ring: the HMAC keys that sign audit events, kept outside the database.

Like the PHI key (``crypto.py``) and apart from it: ``MEDCODER_AUDIT_KEY`` (base64 of 32
bytes; after a rotation ``NEW,OLD,...``, current first, the retired keys kept so that the
events they signed still verify), else the key ring file ``$MEDCODER_HOME/audit.key``
(created 0600 on the first open). A rotation adds a key and never drops one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from medcoder import settings
from medcoder.errors import EncryptionKeyError
from medcoder.records import crypto
from medcoder.settings import AUDIT_KEY_ENV, NEW_AUDIT_KEY_ENV

AUDIT_KEY_FILE = "audit.key"
SEALED = "sealed:"  # the prefix of free text encrypted in an audit event (issue 17 item 5)


def audit_key_id(key: bytes) -> str:
    """A public name for an audit key; a domain of its own, so it never names a PHI key."""
    return hashlib.sha256(b"medcoder-audit-key-id\0" + key).digest()[:8].hex()


@dataclass(frozen=True)
class AuditKeyRing:
    """Signs with the current key; verifies with any key of the ring."""

    keys: Mapping[str, bytes]
    current: str

    def sign(self, purpose: str, message: str, *, key_id: str | None = None) -> str:
        """HMAC-SHA256 (hex) of ``message`` under ``key_id`` (default: the current key)."""
        key = self.keys[key_id or self.current]
        return hmac.new(key, f"medcoder-{purpose}\0{message}".encode(), "sha256").hexdigest()

    def _sealing_key(self, key_id: str) -> bytes:
        # A key of its own, derived from the audit key: the ring keeps every key it ever
        # had, so free text sealed in an undeletable event stays readable after rotations.
        return hmac.new(self.keys[key_id], b"medcoder-audit-free-text", "sha256").digest()

    def seal(self, text: str) -> str:
        """Free text typed by a user (a reason, an acknowledgement), which may hold PHI,
        encrypted for an audit event: ``sealed:KEY_ID:BASE64`` (AES-GCM)."""
        nonce = os.urandom(12)
        sealed = AESGCM(self._sealing_key(self.current)).encrypt(
            nonce, text.encode("utf-8"), self.current.encode("ascii")
        )
        return f"{SEALED}{self.current}:{base64.b64encode(nonce + sealed).decode('ascii')}"

    def unseal(self, value: str) -> str:
        """The text of a sealed value (a value not sealed, from before, as it is)."""
        if not value.startswith(SEALED):
            return value
        key_id, _, body = value[len(SEALED) :].partition(":")
        if key_id not in self.keys:
            raise EncryptionKeyError(f"audit free text sealed under key {key_id}, not in the ring")
        raw = base64.b64decode(body)
        opened = AESGCM(self._sealing_key(key_id)).decrypt(
            raw[:12], raw[12:], key_id.encode("ascii")
        )
        return opened.decode("utf-8")


def audit_key_file(home: Path) -> Path:
    return home / AUDIT_KEY_FILE


def _from_env(text: str, *, source: str) -> AuditKeyRing:
    keys = [crypto.decode_key(part, source=source) for part in text.split(",") if part.strip()]
    if not keys:
        raise EncryptionKeyError(f"{source} holds no key")
    return AuditKeyRing({audit_key_id(k): k for k in keys}, audit_key_id(keys[0]))


def load_ring(home: Path) -> AuditKeyRing | None:
    """The ring from ``MEDCODER_AUDIT_KEY`` if set, else from ``audit.key``; None if neither."""
    env = settings.audit_key()
    if env:
        return _from_env(env, source=AUDIT_KEY_ENV)
    path = audit_key_file(home)
    if not path.exists():
        return None
    return AuditKeyRing(*crypto.read_keyring(path))


def open_ring(home: Path, *, signed_last: str | None) -> AuditKeyRing:
    """The ring, created on the first open; refused if it lacks the key of the newest signed
    event (``signed_last``), since a new key there would break the chain for good."""
    ring = load_ring(home)
    where = AUDIT_KEY_ENV if settings.audit_key() else str(audit_key_file(home))
    if ring is None:
        if signed_last is not None:
            raise EncryptionKeyError(
                f"no audit key: {where} is missing, and audit events are signed by key "
                f"{signed_last}",
                hint=f"restore {AUDIT_KEY_FILE} from its backup, or set {AUDIT_KEY_ENV}",
            )
        key = crypto.new_key()
        home.mkdir(parents=True, exist_ok=True)
        crypto.write_keyring(audit_key_file(home), {audit_key_id(key): key}, audit_key_id(key))
        return AuditKeyRing({audit_key_id(key): key}, audit_key_id(key))
    if signed_last is not None and signed_last not in ring.keys:
        raise EncryptionKeyError(
            f"the audit key ring ({where}) lacks key {signed_last}, which signed the newest "
            "audit events",
            hint=f"restore {AUDIT_KEY_FILE} from its backup, or add the key to {AUDIT_KEY_ENV}",
        )
    return ring


def rotate_ring(home: Path, ring: AuditKeyRing) -> AuditKeyRing:
    """A ring with a new current key and every old one, saved before anything is signed."""
    env_new = settings.new_audit_key()
    from_env = settings.audit_key() is not None
    if from_env and not env_new:
        raise EncryptionKeyError(
            f"the audit key comes from {AUDIT_KEY_ENV}: put the new key in {NEW_AUDIT_KEY_ENV}",
            hint=f"then set {AUDIT_KEY_ENV} to NEW,OLD (the old keys verify the old events)",
        )
    key = crypto.decode_key(env_new, source=NEW_AUDIT_KEY_ENV) if env_new else crypto.new_key()
    rotated = AuditKeyRing({**ring.keys, audit_key_id(key): key}, audit_key_id(key))
    if not from_env:
        crypto.write_keyring(audit_key_file(home), rotated.keys, rotated.current)
    return rotated
