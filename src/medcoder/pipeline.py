"""The one-call Python API: ``medcoder.code(text, setting=..., date=...)``."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from medcoder.codesets.registry import Registry
from medcoder.coding.engine import CodingEngine
from medcoder.errors import InvalidInputError
from medcoder.kinds import PatientStatus, Setting, Sex
from medcoder.nlp.document import ClinicalDocument
from medcoder.procedures.coders import default_procedure_coders
from medcoder.results import CodingResult


@functools.lru_cache(maxsize=4)
def engine_for(home: Path | None = None) -> CodingEngine:
    """One engine per MEDCODER_HOME, built on first use (its lexicon is cached on disk)."""
    registry = Registry(home, quiet=True)
    return CodingEngine(registry, procedure_coders=default_procedure_coders(registry))


def parse_date(value: str | None) -> dt.date | None:
    """A date of service written YYYY-MM-DD (None stays None); anything else is E300."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInputError(
            f"date {value!r} is not a date", hint="write dates as YYYY-MM-DD"
        ) from exc


def make_document(
    text: str,
    *,
    setting: str | Setting | None = None,
    date_of_service: dt.date | str | None = None,
    age: int | None = None,
    sex: str | Sex | None = None,
    id: str | None = None,
    patient_status: str | PatientStatus | None = None,
) -> ClinicalDocument:
    """Validate loose inputs (strings from a CLI, JSON or HTTP) into a ClinicalDocument."""
    if not isinstance(text, str):
        raise InvalidInputError(f"text must be a string, not {type(text).__name__}")
    day = parse_date(date_of_service) if isinstance(date_of_service, str) else date_of_service
    parsed_sex: Sex | None = None
    if sex is not None and sex != "":
        try:
            parsed_sex = Sex(str(sex).strip().upper()[:1])
        except ValueError as exc:
            raise InvalidInputError(f"sex {sex!r} is not F or M") from exc
    if age is not None and (isinstance(age, bool) or not isinstance(age, int)):
        raise InvalidInputError(f"age {age!r} is not a whole number")
    return ClinicalDocument(
        text=text,
        setting=Setting.parse(setting),
        date_of_service=day,
        age=age,
        sex=parsed_sex,
        id=id,
        patient_status=PatientStatus.parse(patient_status or None),
    )


def code(
    text: str,
    *,
    setting: str | Setting | None = None,
    date: dt.date | str | None = None,
    age: int | None = None,
    sex: str | Sex | None = None,
    home: Path | None = None,
    patient_status: str | PatientStatus | None = None,
) -> CodingResult:
    """Code one clinical note: ICD-10-CM codes with evidence, index path, rules, confidence;
    procedures and the office E/M level (``patient_status``: new | established, else read
    from the note)."""
    document = make_document(
        text, setting=setting, date_of_service=date, age=age, sex=sex,
        patient_status=patient_status,
    )  # fmt: skip
    return engine_for(home).code(document)
