"""The clinical document that enters the coding pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from medcoder.errors import InvalidInputError, PatientStatusError

MAX_TEXT_CHARS = 5_000_000  # a note larger than this is refused, not truncated


class Setting(StrEnum):
    """Outpatient and inpatient coding follow different guideline sections (II/III vs IV)."""

    OUTPATIENT = "outpatient"
    INPATIENT = "inpatient"

    @classmethod
    def parse(cls, value: str | Setting | None) -> Setting:
        if value is None:
            return cls.OUTPATIENT
        if isinstance(value, Setting):
            return value
        try:
            return cls(value.strip().lower())
        except ValueError as exc:
            raise InvalidInputError(
                f"unknown setting {value!r}", hint="use outpatient or inpatient"
            ) from exc


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"


class PatientStatus(StrEnum):
    """New or established patient, for the office E/M level (AMA CPT E/M Guidelines:
    new = no professional services from the physician or same-specialty group in 3 years)."""

    NEW = "new"
    ESTABLISHED = "established"

    @classmethod
    def parse(cls, value: str | PatientStatus | None) -> PatientStatus | None:
        if value is None or isinstance(value, PatientStatus):
            return value
        try:
            return cls(str(value).strip().lower())
        except ValueError as exc:
            raise PatientStatusError(
                f"unknown patient status {value!r}", hint="use new or established"
            ) from exc


@dataclass(frozen=True, slots=True)
class ClinicalDocument:
    text: str
    setting: Setting = Setting.OUTPATIENT
    date_of_service: date | None = None
    age: int | None = None
    sex: Sex | None = None
    id: str | None = None
    patient_status: PatientStatus | None = None  # None: read from the note (E/M stage)

    def __post_init__(self) -> None:
        if len(self.text) > MAX_TEXT_CHARS:
            raise InvalidInputError(
                f"note is {len(self.text):,} characters; the limit is {MAX_TEXT_CHARS:,}",
                hint="split the document and code the parts",
            )
        if self.age is not None and not 0 <= self.age <= 130:
            raise InvalidInputError(f"age {self.age} is out of range 0-130")
