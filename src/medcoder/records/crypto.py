"""PHI at rest: AES-256-GCM field encryption and keyed blind indexes.

A token is ``version (1 byte) | key id (8 bytes) | nonce (12 bytes) | ciphertext+tag``;
the field's name is bound in as associated data, so a token moved to another column or
table does not decrypt. The key comes from ``MEDCODER_KEY`` (base64 of 32 bytes) or from
the keyring file ``$MEDCODER_HOME/records.key`` (created 0600 by ``medcoder db init``),
which may hold an old key beside the current one while ``medcoder keys rotate`` runs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from medcoder.errors import EncryptionKeyError
from medcoder.settings import KEY_ENV, NEW_KEY_ENV, encryption_key, new_encryption_key

TOKEN_VERSION = 1
KEY_BYTES = 32
NONCE_BYTES = 12
KEY_ID_BYTES = 8
SEALED_TEXT = "sealed:"  # a text column holding an encrypted token (code reasons)
KEY_FILE = "records.key"


def key_id(key: bytes) -> str:
    """A stable public name for a key (it reveals nothing about the key)."""
    return hashlib.sha256(b"medcoder-key-id\0" + key).digest()[:KEY_ID_BYTES].hex()


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def decode_key(text: str, *, source: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EncryptionKeyError(
            f"{source} is not base64", hint="generate one with `openssl rand -base64 32`"
        ) from exc
    if len(key) != KEY_BYTES:
        raise EncryptionKeyError(
            f"{source} holds {len(key)} bytes; an AES-256 key is {KEY_BYTES}",
            hint="generate one with `openssl rand -base64 32`",
        )
    return key


@dataclass(frozen=True)
class FieldCipher:
    """Encrypts with the current key; decrypts with any key of the ring."""

    keys: Mapping[str, bytes]
    current: str

    @classmethod
    def single(cls, key: bytes) -> FieldCipher:
        return cls({key_id(key): key}, key_id(key))

    def encrypt(self, value: str, *, field: str) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(self.keys[self.current]).encrypt(
            nonce, value.encode("utf-8"), field.encode("ascii")
        )
        return bytes([TOKEN_VERSION]) + bytes.fromhex(self.current) + nonce + sealed

    def decrypt(self, token: bytes, *, field: str) -> str:
        if len(token) < 1 + KEY_ID_BYTES + NONCE_BYTES + 16 or token[0] != TOKEN_VERSION:
            raise EncryptionKeyError(f"{field}: not an encrypted value this version can read")
        kid = token[1 : 1 + KEY_ID_BYTES].hex()
        key = self.keys.get(kid)
        if key is None:
            raise EncryptionKeyError(
                f"{field} is encrypted under key {kid}, which is not loaded",
                hint=f"set {KEY_ENV} or {KEY_FILE} to the key the database was written with",
            )
        nonce = token[1 + KEY_ID_BYTES : 1 + KEY_ID_BYTES + NONCE_BYTES]
        try:
            plain = AESGCM(key).decrypt(
                nonce, token[1 + KEY_ID_BYTES + NONCE_BYTES :], field.encode("ascii")
            )
        except InvalidTag as exc:
            raise EncryptionKeyError(
                f"{field}: the value was altered or is for another field"
            ) from exc
        return plain.decode("utf-8")

    def token_key_id(self, token: bytes) -> str:
        return token[1 : 1 + KEY_ID_BYTES].hex()

    def seal_text(self, value: str, *, field: str) -> str:
        """``encrypt`` for a text column: ``sealed:`` and the token in base64."""
        token = self.encrypt(value, field=field)
        return SEALED_TEXT + base64.b64encode(token).decode("ascii")

    def open_text(self, stored: str, *, field: str) -> str:
        return self.decrypt(base64.b64decode(stored[len(SEALED_TEXT) :]), field=field)

    def blind_index(self, value: str, *, purpose: str) -> str:
        """A keyed hash to look a value up by (MRN, note content) without decrypting."""
        subkey = hmac.new(
            self.keys[self.current], b"medcoder-blind-index\0" + purpose.encode(), "sha256"
        ).digest()
        return hmac.new(subkey, value.encode("utf-8"), "sha256").hexdigest()


# -- where keys live ----------------------------------------------------------------------
def key_file(home: Path) -> Path:
    return home / KEY_FILE


def write_keyring(path: Path, keys: Mapping[str, bytes], current: str) -> None:
    """Write a key ring file atomically, owner read/write only (the audit keys use it too)."""
    data = {
        "current": current,
        "keys": {kid: base64.b64encode(key).decode("ascii") for kid, key in keys.items()},
    }
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def read_keyring(path: Path) -> tuple[dict[str, bytes], str]:
    """The keys of a key ring file by id, and the current key's id."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        keys = {
            kid: decode_key(text, source=f"{path} key {kid}") for kid, text in data["keys"].items()
        }
        current = str(data["current"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EncryptionKeyError(f"cannot read the keyring {path}: {exc}") from exc
    if current not in keys:
        raise EncryptionKeyError(f"{path}: the current key {current} is not in the ring")
    return keys, current


def create_key_file(home: Path) -> Path | None:
    """Create ``records.key`` with a fresh key unless one exists or ``MEDCODER_KEY`` is set."""
    path = key_file(home)
    if encryption_key() or path.exists():
        return None
    home.mkdir(parents=True, exist_ok=True)
    key = new_key()
    write_keyring(path, {key_id(key): key}, key_id(key))
    return path


def load_cipher(home: Path) -> FieldCipher:
    """The cipher from ``MEDCODER_KEY`` if set, else from the keyring file."""
    env = encryption_key()
    if env:
        return FieldCipher.single(decode_key(env, source=KEY_ENV))
    path = key_file(home)
    if not path.exists():
        raise EncryptionKeyError(
            f"no encryption key: {KEY_ENV} is not set and {path} does not exist",
            hint="run `medcoder db init` to create a key file, or set MEDCODER_KEY",
        )
    return FieldCipher(*read_keyring(path))


def begin_rotation(home: Path, old: FieldCipher) -> FieldCipher:
    """A ring with the old keys and a new current key, saved before any data changes."""
    env_new = new_encryption_key()
    if encryption_key():
        if not env_new:
            raise EncryptionKeyError(
                f"the key comes from {KEY_ENV}: put the new key in {NEW_KEY_ENV} to rotate",
                hint=f"then set {KEY_ENV} to it once the rotation has finished",
            )
        key = decode_key(env_new, source=NEW_KEY_ENV)
    else:
        key = decode_key(env_new, source=NEW_KEY_ENV) if env_new else new_key()
    ring = {**old.keys, key_id(key): key}
    rotated = FieldCipher(ring, key_id(key))
    if not encryption_key():
        # Both keys on disk first: a crash mid-rotation leaves every row readable.
        write_keyring(key_file(home), ring, rotated.current)
    return rotated


def finish_rotation(home: Path, rotated: FieldCipher) -> None:
    """Drop the retired keys from the keyring file once every row is re-encrypted."""
    if not encryption_key():
        current = rotated.keys[rotated.current]
        write_keyring(key_file(home), {rotated.current: current}, rotated.current)


def roll_back_rotation(home: Path, rotated: FieldCipher, data_key: str) -> FieldCipher:
    """Make ``data_key`` (the key every row is under) current again after a rotation whose
    re-encryption never committed; the unused new key is dropped from the file."""
    key = rotated.keys[data_key]
    if not encryption_key():
        write_keyring(key_file(home), {data_key: key}, data_key)
    return FieldCipher({data_key: key}, data_key)
