"""The kinds every layer shares: care setting, code system, sex and patient status.

One enum per kind (STYLE.md): the engine, the records database, the claim edits, the API
and the CLI all speak these, so a setting or a code system is never a bare string that two
modules spell differently. This module imports nothing of medcoder but ``errors``.
"""

from __future__ import annotations

from enum import StrEnum

from medcoder.errors import InvalidInputError, PatientStatusError


class Setting(StrEnum):
    """Where the care happened, which decides the guideline section that applies.

    Inpatient stays follow Section II/III of the ICD-10-CM Official Guidelines (uncertain
    diagnoses at discharge are coded as if established, II.H); outpatient and emergency
    encounters follow Section IV (uncertain diagnoses are not coded, IV.H). Emergency is
    kept apart because a claim and a registry need to tell it from the office visit.
    """

    OUTPATIENT = "outpatient"
    INPATIENT = "inpatient"
    EMERGENCY = "emergency"

    @property
    def is_inpatient(self) -> bool:
        return self is Setting.INPATIENT

    @property
    def guidelines(self) -> Setting:
        """The setting whose coding rules apply: emergency is coded as outpatient (IV)."""
        return Setting.INPATIENT if self is Setting.INPATIENT else Setting.OUTPATIENT

    @classmethod
    def parse(cls, value: str | Setting | None) -> Setting:
        if value is None:
            return cls.OUTPATIENT
        if isinstance(value, Setting):
            return value
        try:
            return cls(str(value).strip().lower())
        except ValueError as exc:
            raise InvalidInputError(
                f"unknown setting {value!r}", hint="use outpatient, inpatient or emergency"
            ) from exc


class CodeSystem(StrEnum):
    """The code systems medcoder codes and a claim line may carry."""

    ICD10CM = "icd10cm"
    ICD10PCS = "icd10pcs"
    CPT = "cpt"
    HCPCS = "hcpcs"

    @property
    def is_diagnosis(self) -> bool:
        return self is CodeSystem.ICD10CM

    @property
    def is_line_item(self) -> bool:
        """CPT and HCPCS lines are the service lines the NCCI and MUE edits read."""
        return self in (CodeSystem.CPT, CodeSystem.HCPCS)


PROCEDURE_SYSTEMS = (CodeSystem.ICD10PCS, CodeSystem.HCPCS, CodeSystem.CPT)


class PoaIndicator(StrEnum):
    """Present-on-admission indicator of an inpatient diagnosis (ICD-10-CM Official
    Guidelines, Appendix I; UB-04 / 837I K3 reporting).

    Y: present at the time of the order for inpatient admission (conditions that develop
    in the emergency department or observation before the order count as present);
    N: not present then; U: documentation insufficient to tell; W: the provider cannot
    clinically determine it; EXEMPT ("1" on the claim; blank on the UB-04): the code is
    on the POA exempt list.
    """

    YES = "Y"
    NO = "N"
    UNKNOWN = "U"
    CLINICALLY_UNDETERMINED = "W"
    EXEMPT = "1"

    @classmethod
    def parse(cls, value: str | PoaIndicator) -> PoaIndicator:
        if isinstance(value, PoaIndicator):
            return value
        text = str(value).strip().upper()
        if text in ("E", "EXEMPT"):
            text = "1"
        try:
            return cls(text)
        except ValueError as exc:
            raise InvalidInputError(
                f"unknown POA indicator {value!r}", hint="use Y, N, U, W or 1 (exempt)"
            ) from exc


#: The words every input (CLI, batch lines, claims, imports, the API) takes for a sex:
#: exact values only, in any case. "Mujer" or "Masc" is refused, never cut to a letter.
SEX_WORDS = {"f": "F", "female": "F", "m": "M", "male": "M", "u": "U", "unknown": "U"}


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"

    @classmethod
    def parse(cls, value: str | Sex | None) -> Sex | None:
        """F or M from F, M, female, male (any case); None for none, U or unknown; any
        other value is an error (E300) rather than its first letter."""
        if value is None or isinstance(value, Sex):
            return value
        letter = SEX_WORDS.get(str(value).strip().lower()) if str(value).strip() else "U"
        if letter is None:
            shown = str(value) if len(str(value)) <= 40 else str(value)[:40] + "..."
            raise InvalidInputError(
                f"sex {shown!r} is not F, M or U", hint="use F, M, U, female, male or unknown"
            )
        return None if letter == "U" else cls(letter)


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


class ImportFormat(StrEnum):
    """What ``medcoder import`` and ``POST /v1/imports`` read: JSONL lines, FHIR R4
    Bundles (JSON or NDJSON) or HL7 v2 messages (MDM^T02, ORU^R01)."""

    JSONL = "jsonl"
    FHIR = "fhir"
    HL7 = "hl7"


class QueueSort(StrEnum):
    """Orders of the review queue (issue 16, part 4)."""

    AGE = "age"  # longest waiting first (coded earliest): the default
    NEWEST = "newest"  # coded most recently first
    DATE = "date"  # date of service, oldest first
    PAYER = "payer"  # payer name, A to Z (case-insensitive), no payer last
    CONFIDENCE = "confidence"  # least certain suggestion first (none undecided last)
