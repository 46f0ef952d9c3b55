"""Gold files for ``medcoder evaluate``: the cases and what a coder returns for one.

Gold file: one JSON object a line, ``{"id", "text", "icd10cm": [...]}`` with optional
``"setting"``, ``"date"``, ``"age"``, ``"sex"`` and ``"pcs"`` (ICD-10-PCS codes, scored
apart at 4 and 7 characters: see evaluation/pcs.py); other keys are ignored. Codes are
normalized (``E119`` -> ``E11.9``) and de-duplicated; a code that is not ICD-10-CM
syntax is kept as written and counted as ``gold_unparsed``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medcoder.codesets.codes import normalize
from medcoder.errors import InvalidInputError
from medcoder.kinds import CodeSystem

__all__ = [
    "CodedNote",
    "Coder",
    "GoldCase",
    "Prediction",
    "canonical",
    "load_gold",
    "parses",
    "unique",
]

_REQUIRED_KEYS = ("id", "text", "icd10cm")
_GOLD_HINT = 'each line is a JSON object {"id", "text", "icd10cm": [codes]}'


# -- inputs ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class GoldCase:
    """One note of a gold file with the ICD-10-CM codes a human coder assigned."""

    id: str
    text: str
    codes: tuple[str, ...]
    setting: str | None = None
    date: str | None = None
    age: int | None = None
    sex: str | None = None
    pcs: tuple[str, ...] | None = None  # ICD-10-PCS gold, often truncated; None: not scored


@dataclass(frozen=True, slots=True)
class Prediction:
    """A code the coder assigned and how sure it is (0..1)."""

    code: str
    confidence: float
    system: CodeSystem = CodeSystem.ICD10CM  # ICD-10-PCS is scored apart (procedures)


Coder = Callable[[GoldCase], Sequence[Prediction]]


class CodedNote(list[Prediction]):
    """A coder's predictions for one note, with the encounter confidence and the
    features it was computed from (coding/encounter.py); a coder may return a plain
    list instead, and its cases then have no encounter confidence."""

    encounter_confidence: float | None = None
    encounter_features: tuple[float, ...] | None = None


def canonical(code: str) -> str:
    """Normalized code, or the code as written when it is not ICD-10-CM syntax."""
    try:
        return normalize(code)
    except InvalidInputError:
        return code


def parses(code: str) -> bool:
    try:
        normalize(code)
    except InvalidInputError:
        return False
    return True


def unique(codes: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(codes))


def _optional(data: dict[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInputError(f'{where}: "{key}" must be a string', hint=_GOLD_HINT)
    return value


def _gold_case(data: object, where: str) -> GoldCase:
    if not isinstance(data, dict):
        raise InvalidInputError(f"{where}: a line must be a JSON object", hint=_GOLD_HINT)
    missing = [key for key in _REQUIRED_KEYS if key not in data]
    if missing:
        names = ", ".join(f'"{key}"' for key in missing)
        raise InvalidInputError(f"{where}: missing {names}", hint=_GOLD_HINT)
    case_id, text, codes = data["id"], data["text"], data["icd10cm"]
    if isinstance(case_id, bool) or not isinstance(case_id, str | int):
        raise InvalidInputError(f'{where}: "id" must be a string or a number', hint=_GOLD_HINT)
    if not isinstance(text, str):
        raise InvalidInputError(f'{where}: "text" must be a string', hint=_GOLD_HINT)
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise InvalidInputError(f'{where}: "icd10cm" must be a list of strings', hint=_GOLD_HINT)
    age = data.get("age")
    if age is not None and (isinstance(age, bool) or not isinstance(age, int)):
        raise InvalidInputError(f'{where}: "age" must be a whole number', hint=_GOLD_HINT)
    pcs = data.get("pcs")
    if pcs is not None and (not isinstance(pcs, list) or not all(isinstance(c, str) for c in pcs)):
        raise InvalidInputError(f'{where}: "pcs" must be a list of strings', hint=_GOLD_HINT)
    return GoldCase(
        id=str(case_id),
        text=text,
        codes=unique(canonical(code) for code in codes),
        setting=_optional(data, "setting", where),
        date=_optional(data, "date", where),
        age=age,
        sex=_optional(data, "sex", where),
        pcs=tuple(pcs) if pcs is not None else None,
    )


def load_gold(path: Path) -> list[GoldCase]:
    """Read a gold JSONL file; a malformed line raises InvalidInputError naming file:line.

    Blank lines are skipped; an id used twice, or a file with no cases, is an error.
    """
    cases: list[GoldCase] = []
    seen: dict[str, int] = {}
    try:
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                where = f"{path}:{number}"
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise InvalidInputError(f"{where}: not UTF-8 text ({exc.reason})") from exc
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InvalidInputError(
                        f"{where}: not JSON: {exc.msg} (column {exc.colno})", hint=_GOLD_HINT
                    ) from exc
                case = _gold_case(data, where)
                if case.id in seen:
                    raise InvalidInputError(
                        f"{where}: id {case.id!r} already used on line {seen[case.id]}",
                        hint="give every case its own id",
                    )
                seen[case.id] = number
                cases.append(case)
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror}") from exc
    if not cases:
        raise InvalidInputError(f"{path}: no cases in the gold file", hint=_GOLD_HINT)
    return cases
