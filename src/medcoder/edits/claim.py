"""The claim the edits read: coded lines with sequence, modifiers and units, and the
patient and encounter facts the edits depend on (date of service, setting, age, sex).

A claim comes from JSON (``medcoder check CLAIM.json``), from the coding engine's own
output, or from a stored encounter. Unknown keys are refused, so a misspelt field never
passes silently.

The work is bounded: a claim file is read no further than :data:`MAX_CLAIM_BYTES`, a
claim carries at most :data:`MAX_DIAGNOSES` diagnoses and :data:`MAX_CLAIM_LINES`
procedure lines, and JSON nested too deeply or a number too long to read is E601.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medcoder.codesets.codes import normalize
from medcoder.errors import ClaimFormatError, InputTooLargeError, InvalidInputError
from medcoder.kinds import CodeSystem, Setting, Sex
from medcoder.serialize import loads_input


@dataclass(frozen=True, slots=True)
class ClaimCode:
    """One code on the claim. ``sequence`` orders codes within their kind: diagnosis 1 is
    the first-listed (outpatient) or principal (inpatient) diagnosis."""

    system: CodeSystem
    code: str  # ICD-10-CM dotted where it parses; CPT/HCPCS upper case
    sequence: int
    modifiers: tuple[str, ...] = ()
    units: int = 1
    date_of_service: dt.date | None = None  # a line's own date; else the claim's


@dataclass(frozen=True, slots=True)
class Claim:
    """A claim to check. Codes are kept sorted: diagnoses, then procedures, by sequence."""

    id: str | None
    date_of_service: dt.date
    setting: Setting
    codes: tuple[ClaimCode, ...]
    age: int | None = None
    sex: str | None = None  # F | M

    @property
    def diagnoses(self) -> tuple[ClaimCode, ...]:
        return tuple(c for c in self.codes if c.system is CodeSystem.ICD10CM)

    @property
    def procedures(self) -> tuple[ClaimCode, ...]:
        return tuple(c for c in self.codes if not c.system.is_diagnosis)

    @property
    def lines(self) -> tuple[ClaimCode, ...]:
        """CPT / HCPCS service lines."""
        return tuple(c for c in self.codes if c.system.is_line_item)

    def day_of(self, line: ClaimCode) -> dt.date:
        return line.date_of_service or self.date_of_service

    @property
    def first_listed(self) -> ClaimCode | None:
        dx = self.diagnoses
        return dx[0] if dx else None


#: The most diagnoses a claim carries: the 837I (UB-04) takes 25 (principal + 24), the
#: 837P 12; 100 leaves room for merged claims while bounding the pairwise edits.
MAX_DIAGNOSES = 100
#: The most procedure lines: 999 service lines, the 837I's limit.
MAX_CLAIM_LINES = 999
#: The largest claim file read (a claim at the caps is under 200 KB).
MAX_CLAIM_BYTES = 5_000_000

_CLAIM_KEYS = {"id", "date_of_service", "setting", "age", "sex", "codes"}
_CODE_KEYS = {"system", "code", "sequence", "modifiers", "units", "date_of_service"}
_MODIFIER_RE = re.compile(r"[0-9A-Z]{2}")


def _date(value: object, where: str) -> dt.date:
    if not isinstance(value, str):
        raise ClaimFormatError(f"{where}: date of service must be a string YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ClaimFormatError(
            f"{where}: {_shown(value)} is not a date", hint="write dates as YYYY-MM-DD"
        ) from exc


def _unknown(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(str(key) for key in set(data) - allowed)
    if extra:
        named = ", ".join(k if len(k) <= 40 else k[:37] + "..." for k in extra[:5])
        raise ClaimFormatError(
            f"{where}: unknown key(s) {named}",
            hint=f"allowed keys: {', '.join(sorted(allowed))}",
        )


def _shown(value: object) -> str:
    """A value for a message, never thousands of characters of it."""
    too_long = isinstance(value, float) and value in (float("inf"), float("-inf"))
    if too_long or (
        isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**30
    ):
        return "a number too long"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _system(value: object, where: str) -> CodeSystem:
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return CodeSystem(value.strip().lower())
    except ValueError as exc:
        raise ClaimFormatError(
            f"{where}: unknown code system {_shown(value)}",
            hint="use one of " + ", ".join(s.value for s in CodeSystem),
        ) from exc


def _code_text(system: CodeSystem, value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ClaimFormatError(f"{where}: code must be a non-empty string")
    if len(value) > 20:  # the longest code in any system is 8 characters with its dot
        raise ClaimFormatError(f"{where}: {_shown(value)} is too long to be a code")
    if system is CodeSystem.ICD10CM:
        try:
            return normalize(value)
        except InvalidInputError:
            return value.strip().upper()  # kept: the validity edit reports it
    return value.strip().upper().replace(".", "")


def _positive(value: object, where: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100_000:
        raise ClaimFormatError(f"{where}: {what} must be a whole number 1-100000")
    return value


def _line(item: object, index: int, default_sequence: int) -> ClaimCode:
    where = f"codes[{index}]"
    if not isinstance(item, Mapping):
        raise ClaimFormatError(f"{where}: each code must be an object with system and code")
    _unknown(item, _CODE_KEYS, where)
    if "system" not in item or "code" not in item:
        raise ClaimFormatError(f"{where}: system and code are required")
    system = _system(item["system"], where)
    modifiers = item.get("modifiers", [])
    if isinstance(modifiers, str) or not isinstance(modifiers, Sequence):
        raise ClaimFormatError(f'{where}: modifiers must be a list such as ["59", "RT"]')
    if len(modifiers) > 4:  # the CMS-1500 / 837P line takes four modifiers
        raise ClaimFormatError(f"{where}: at most 4 modifiers on a line, not {len(modifiers)}")
    bad = [m for m in modifiers if not isinstance(m, str)]
    if bad:
        raise ClaimFormatError(f'{where}: modifiers must be strings such as "59"')
    mods = tuple(m.strip().upper() for m in modifiers)
    bad = [m for m in mods if not _MODIFIER_RE.fullmatch(m)]
    if bad:
        raise ClaimFormatError(f"{where}: {_shown(bad[0])} is not a modifier (two letters/digits)")
    return ClaimCode(
        system=system,
        code=_code_text(system, item["code"], where),
        sequence=_positive(item.get("sequence", default_sequence), where, "sequence"),
        modifiers=mods,
        units=_positive(item.get("units", 1), where, "units"),
        date_of_service=(
            _date(item["date_of_service"], where) if item.get("date_of_service") else None
        ),
    )


def parse_claim(data: object) -> Claim:
    """Validate a decoded JSON object into a Claim; anything malformed is E601."""
    if not isinstance(data, Mapping):
        raise ClaimFormatError("a claim must be a JSON object with date_of_service and codes")
    _unknown(data, _CLAIM_KEYS, "claim")
    if "date_of_service" not in data:
        raise ClaimFormatError("claim: date_of_service is required (YYYY-MM-DD)")
    day = _date(data["date_of_service"], "claim")
    setting_value = data.get("setting", "outpatient")
    if not isinstance(setting_value, str):
        raise ClaimFormatError(
            "claim: setting must be a string", hint="use outpatient or inpatient"
        )
    setting_text = setting_value.strip().lower()
    # The emergency department is coded by the outpatient rules (Guidelines IV).
    setting_text = "outpatient" if setting_text == "emergency" else setting_text
    try:
        setting = Setting(setting_text)
    except ValueError as exc:
        raise ClaimFormatError(
            f"claim: unknown setting {_shown(setting_value)}", hint="use outpatient or inpatient"
        ) from exc
    age = data.get("age")
    if age is not None and (
        isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 130
    ):
        raise ClaimFormatError(f"claim: age {_shown(age)} is not a whole number 0-130")
    sex = data.get("sex")
    if sex is not None:
        if not isinstance(sex, str):
            raise ClaimFormatError("claim: sex must be a string, F or M")
        try:
            parsed = Sex.parse(sex)
        except InvalidInputError:
            raise ClaimFormatError(
                f"claim: sex {_shown(data.get('sex'))} is not F, M or U"
            ) from None
        sex = None if parsed is None else parsed.value
    raw_codes = data.get("codes", [])
    if isinstance(raw_codes, str | bytes) or not isinstance(raw_codes, Sequence):
        raise ClaimFormatError("claim: codes must be a list of {system, code, ...} objects")
    if len(raw_codes) > MAX_DIAGNOSES + MAX_CLAIM_LINES:
        raise ClaimFormatError(
            f"claim: {len(raw_codes):,} codes; a claim takes at most {MAX_DIAGNOSES} "
            f"diagnoses and {MAX_CLAIM_LINES} procedure lines",
            hint="split it into claims",
        )
    counters: dict[bool, int] = {True: 0, False: 0}
    lines: list[ClaimCode] = []
    for index, item in enumerate(raw_codes):
        system = (
            _system(item.get("system"), f"codes[{index}]") if isinstance(item, Mapping) else None
        )
        key = system.is_diagnosis if system else True
        counters[key] += 1
        lines.append(_line(item, index, counters[key]))
    if counters[True] > MAX_DIAGNOSES or counters[False] > MAX_CLAIM_LINES:
        raise ClaimFormatError(
            f"claim: {counters[True]} diagnoses and {counters[False]} procedure lines; a "
            f"claim takes at most {MAX_DIAGNOSES} diagnoses and {MAX_CLAIM_LINES} lines",
            hint="split it into claims",
        )
    claim_id = data.get("id")
    if claim_id is not None and (
        isinstance(claim_id, bool)
        or not isinstance(claim_id, str | int)
        or (isinstance(claim_id, int) and abs(claim_id) >= 10**30)
    ):
        raise ClaimFormatError("claim: id must be a string or a whole number (up to 30 digits)")
    return Claim(
        id=None if claim_id is None else str(claim_id),
        date_of_service=day,
        setting=setting,
        codes=sort_codes(lines),
        age=age,
        sex=sex,
    )


def sort_codes(lines: Sequence[ClaimCode]) -> tuple[ClaimCode, ...]:
    """Diagnoses first, then procedures; each by sequence (stable for ties)."""
    return tuple(sorted(lines, key=lambda c: (not c.system.is_diagnosis, c.sequence)))


def load_claim(path: Path) -> Claim:
    """Read a claim JSON file (at most MAX_CLAIM_BYTES); unreadable or malformed files are
    E601 naming the file, an oversized one E301."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CLAIM_BYTES + 1)
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ClaimFormatError(f"cannot read claim {path}: {exc}") from exc
    if len(raw) > MAX_CLAIM_BYTES:
        raise InputTooLargeError(
            f"claim {path} is over {MAX_CLAIM_BYTES:,} bytes", hint="split it into claims"
        )
    return parse_claim_text(text, str(path))


def parse_claim_text(text: str, source: str) -> Claim:
    """Decode and validate claim JSON read from ``source`` (named in errors)."""
    try:
        data = loads_input(text)
    except json.JSONDecodeError as exc:
        raise ClaimFormatError(
            f"{source}:{exc.lineno}: not valid JSON ({exc.msg})",
            hint="a claim is one JSON object: see README, Claim edits",
        ) from None
    except RecursionError:
        raise ClaimFormatError(f"{source}: JSON nested too deeply to be a claim") from None
    return parse_claim(data)


def claim_json(claim: Claim) -> dict[str, Any]:
    """The claim as JSON (what parse_claim reads back)."""
    return {
        "id": claim.id,
        "date_of_service": claim.date_of_service.isoformat(),
        "setting": claim.setting.value,
        "age": claim.age,
        "sex": claim.sex,
        "codes": [
            {
                "system": c.system.value,
                "code": c.code,
                "sequence": c.sequence,
                "modifiers": list(c.modifiers),
                "units": c.units,
                **({"date_of_service": c.date_of_service.isoformat()} if c.date_of_service else {}),
            }
            for c in claim.codes
        ],
    }
