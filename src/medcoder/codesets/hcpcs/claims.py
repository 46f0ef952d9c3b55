"""The installed HCPCS / CPT releases as the claim edits' ``ProcedureCodeSet``.

``EditTables(procedure_codes=InstalledProcedureCodes(home))`` makes the procedure-validity
edit answer from the quarter files and I/OCE spans under ``<MEDCODER_HOME>`` (with
descriptors and dates) instead of reading the I/OCE CSVs again. ICD-10-PCS is not
answered here (None), as the protocol allows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from medcoder.codesets.hcpcs.lookup import ProcedureCodeSets
from medcoder.codesets.hcpcs.model import is_cpt_number
from medcoder.edits.claim import CodeSystem
from medcoder.edits.procedure_codes import ProcedureValidity
from medcoder.errors import ProcedureCodeSetMissingError

_REASONS = {
    "active": "valid on the date of service",
    "terminated": "{code} was deleted: valid through {end}",
    "not_yet_effective": "{code} is not yet effective: valid from {start}",
    "unknown": "{code} is not a {system} code",
}


class InstalledProcedureCodes:
    """Answers ``validity(system, code, day)`` from :class:`ProcedureCodeSets`."""

    def __init__(
        self, home: Path | None = None, code_sets: ProcedureCodeSets | None = None
    ) -> None:
        self.code_sets = code_sets or ProcedureCodeSets(home)

    def validity(self, system: CodeSystem, code: str, day: dt.date) -> ProcedureValidity | None:
        if system not in (CodeSystem.CPT, CodeSystem.HCPCS):
            return None
        try:
            status = self.code_sets.lookup(code, day)
        except ProcedureCodeSetMissingError:
            return None
        wrong_system = (system is CodeSystem.CPT) != is_cpt_number(status.code)
        if status.valid and not wrong_system:
            return ProcedureValidity(True, _REASONS["active"], status.release)
        reason = _REASONS[status.status].format(
            code=status.code, system=system.value, start=status.effective_from,
            end=status.terminated,
        )  # fmt: skip
        if status.valid and wrong_system:  # CPT is HCPCS Level I: only a Level II code is refused
            if system is CodeSystem.HCPCS:
                return ProcedureValidity(True, _REASONS["active"], status.release)
            reason = f"{status.code} is a HCPCS Level II code: give system hcpcs"
        if status.note:
            reason += f" ({status.note})"
        return ProcedureValidity(False, reason, status.release)
