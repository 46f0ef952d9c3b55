"""Code validity before grouping: ICD-10-CM codes billable in the release in force on the
date of service (ICD-10-CM Guidelines I.B.1: report to the highest number of characters)
and ICD-10-PCS codes valid in their fiscal year's tables, from the releases installed
under MEDCODER_HOME.

The grouper package looks codes up in its own maps and answers "000" for one it does not
know (or, for a principal, quietly retries it one character shorter): validating first
turns that into one error naming the code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from medcoder.codesets.codes import normalize
from medcoder.errors import GroupingInputError, InvalidInputError, MedcoderError


@dataclass(frozen=True, slots=True)
class CodeCheck:
    code: str  # normalized: dotted ICD-10-CM, 7-character PCS
    valid: bool
    reason: str
    release: str


class CodeValidator(Protocol):
    """Validity of diagnosis and procedure codes on a date of service (None: newest)."""

    def diagnosis(self, code: str, day: dt.date | None) -> CodeCheck: ...

    def procedure(self, code: str, day: dt.date | None) -> CodeCheck: ...


class InstalledCodes:
    """ICD-10-CM and ICD-10-PCS validity from the releases installed under ``home``."""

    def __init__(self, home: Path | None = None) -> None:
        from medcoder.codesets.pcs.store import PcsRegistry
        from medcoder.codesets.registry import Registry
        from medcoder.settings import home_dir

        self.registry = Registry(home, quiet=True)
        self.pcs = PcsRegistry(home_dir(home))
        # A batch of stays repeats its codes: each (code, date) is looked up once.
        self._checks: dict[tuple[bool, str, dt.date | None], CodeCheck] = {}

    def _cached(self, procedure: bool, code: str, day: dt.date | None) -> CodeCheck:
        key = (procedure, code, day)
        found = self._checks.get(key)
        if found is None:
            if len(self._checks) > 200_000:
                self._checks.clear()
            found = self._procedure(code, day) if procedure else self._diagnosis(code, day)
            self._checks[key] = found
        return found

    def diagnosis(self, code: str, day: dt.date | None) -> CodeCheck:
        return self._cached(False, code, day)

    def procedure(self, code: str, day: dt.date | None) -> CodeCheck:
        return self._cached(True, code, day)

    def _diagnosis(self, code: str, day: dt.date | None) -> CodeCheck:
        result = self.registry.validate(code, day)
        reason = result.reason
        if result.suggestions:
            reason += f" (e.g. {', '.join(result.suggestions[:3])})"
        return CodeCheck(result.code, result.valid, reason, result.release)

    def _procedure(self, code: str, day: dt.date | None) -> CodeCheck:
        release = self.pcs.choose(day=day)
        result = release.validate(code)
        return CodeCheck(result.code, result.valid, result.message(), result.release)

    def close(self) -> None:
        self.registry.close()
        self.pcs.close()


def diagnosis_key(code: str, role: str) -> str:
    """Dotted form of a diagnosis as typed (``j189``, ``J18.9``); E702 naming it if it
    cannot be an ICD-10-CM code."""
    try:
        return normalize(code)
    except InvalidInputError as exc:
        raise GroupingInputError(f"{role} {code!r}: {exc.message}", hint=exc.hint) from None


def procedure_key(code: str, role: str) -> str:
    flat = code.strip().upper().replace(".", "").replace(" ", "")
    if len(flat) != 7 or not flat.isalnum():
        raise GroupingInputError(
            f"{role} {code!r} is not an ICD-10-PCS code",
            hint="an ICD-10-PCS code has 7 letters or digits, e.g. 0SR9019",
        )
    return flat


def checked(check: CodeCheck, role: str) -> CodeCheck:
    """The check when valid, else E702 naming the code, its role and the release."""
    if not check.valid:
        raise GroupingInputError(f"{role} {check.code}: {check.reason} ({check.release})")
    return check


def check_or_raise(
    validator: CodeValidator, code: str, role: str, day: dt.date | None, *, procedure: bool = False
) -> CodeCheck:
    """Normalize and validate one code; E702 naming it when it is not reportable."""
    key = procedure_key(code, role) if procedure else diagnosis_key(code, role)
    try:
        check = validator.procedure(key, day) if procedure else validator.diagnosis(key, day)
    except GroupingInputError:
        raise
    except MedcoderError as exc:  # no release installed or none covering the date
        raise GroupingInputError(
            f"{role} {key}: {exc.message}",
            hint="install the releases in force on the date with `medcoder setup --data DIR`",
        ) from None
    return checked(check, role)
