"""The clinical document that enters the coding pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from medcoder.errors import InvalidInputError
from medcoder.kinds import PatientStatus, Setting, Sex

MAX_TEXT_CHARS = 5_000_000  # a note larger than this is refused, not truncated


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
