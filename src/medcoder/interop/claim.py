"""The neutral claim document that every format out (X12 837P/837I, FHIR R4) is built from.

Frozen and format-free: the records package (or any caller) adapts a finalized encounter
into a ``ClaimDocument``; ``x12_837`` and ``fhir_out`` only read it. Codes are kept as
coded (ICD-10-CM with its dot); each writer puts them in its own form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from medcoder.kinds import CodeSystem, PoaIndicator, Setting, Sex
from medcoder.settings import ClaimParties


@dataclass(frozen=True, slots=True)
class ClaimPatient:
    """The patient, who is also the subscriber on these claims.

    ``deidentified``: the caller has already replaced the identifiers (``patient_id`` a
    pseudonym, ``name`` empty, ``dob`` shifted or None); the FHIR writer then writes no
    name and no MRN identifier. X12 claims are always identified.
    """

    patient_id: str  # the MRN, or a pseudonym when de-identified
    name: str
    dob: dt.date | None
    sex: Sex | None
    deidentified: bool = False

    @property
    def last_name(self) -> str:
        """The family name: the last word of ``name`` ("Ada Q Lovelace" -> "Lovelace");
        a "Last, First" name keeps what stands before the comma."""
        if "," in self.name:
            return self.name.split(",", 1)[0].strip()
        words = self.name.split()
        return words[-1] if words else ""

    @property
    def first_name(self) -> str:
        if "," in self.name:
            return self.name.split(",", 1)[1].strip()
        return " ".join(self.name.split()[:-1])


@dataclass(frozen=True, slots=True)
class ClaimEncounter:
    """The encounter billed: its setting picks 837P (professional) or 837I (institutional)."""

    encounter_id: str
    setting: Setting
    service_date: dt.date | None = None
    admit_date: dt.date | None = None
    discharge_date: dt.date | None = None
    discharge_status: str | None = None  # UB-04 patient discharge status, "01" home
    payer: str | None = None
    attending: str | None = None

    @property
    def first_day(self) -> dt.date | None:
        return self.admit_date or self.service_date or self.discharge_date

    @property
    def last_day(self) -> dt.date | None:
        return self.discharge_date or self.service_date or self.admit_date


@dataclass(frozen=True, slots=True)
class ClaimDiagnosis:
    """One reported ICD-10-CM code; the first of a claim's diagnoses is the principal
    (inpatient, UHDDS) or first-listed (outpatient, Guidelines IV.G) diagnosis."""

    code: str
    poa: PoaIndicator | None = None
    release: str = ""


@dataclass(frozen=True, slots=True)
class ProcedureLine:
    """One procedure: an ICD-10-PCS code (inpatient, reported in HI) or a CPT / HCPCS
    service line (2400 loop). ``charge`` is 0 when the records hold no charges: the
    billing system prices the lines."""

    system: CodeSystem
    code: str
    units: int = 1
    modifiers: tuple[str, ...] = ()
    date: dt.date | None = None
    charge: Decimal = Decimal(0)
    release: str = ""


@dataclass(frozen=True, slots=True)
class ClaimDocument:
    """A whole claim: who, where, when, which diagnoses, which procedures, which DRG."""

    claim_id: str
    patient: ClaimPatient
    encounter: ClaimEncounter
    diagnoses: tuple[ClaimDiagnosis, ...]
    procedures: tuple[ProcedureLine, ...] = ()
    drg: str | None = None  # MS-DRG billed (inpatient), three digits
    drg_version: str | None = None
    parties: ClaimParties = field(default_factory=ClaimParties)

    @property
    def pcs_procedures(self) -> tuple[ProcedureLine, ...]:
        return tuple(p for p in self.procedures if p.system is CodeSystem.ICD10PCS)

    @property
    def service_lines(self) -> tuple[ProcedureLine, ...]:
        return tuple(p for p in self.procedures if p.system.is_line_item)

    @property
    def total_charge(self) -> Decimal:
        return sum((p.charge for p in self.service_lines), Decimal(0))
