"""Password hashing for API users: argon2id (RFC 9106) with argon2-cffi's defaults."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from medcoder.errors import InvalidInputError

MIN_LENGTH = 12  # NIST SP 800-63B 5.1.1.2 asks for at least 8; we ask for more
MAX_LENGTH = 1024  # argon2 hashes anything, but an unbounded input is a denial of service


@functools.lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInputError(
            f"a password needs at least {MIN_LENGTH} characters",
            hint="a few unrelated words make a long password that is easy to type",
        )
    if len(password) > MAX_LENGTH:
        raise InvalidInputError(f"a password may have at most {MAX_LENGTH} characters")


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher().hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing or malformed hash never matches."""
    if not stored or len(password) > MAX_LENGTH:
        # Hash anyway so that a missing user takes as long as a wrong password.
        _hasher().hash("timing-equalizer")
        return False
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
