"""Procedure-code validity from the code sets installed under MEDCODER_HOME (issue 6):
HCPCS Level II and CPT (``codesets.hcpcs.lookup.ProcedureCodeSets``) and ICD-10-PCS
(``codesets.pcs.store.PcsRegistry``), behind the edits' ``ProcedureCodeSet`` protocol.

A system that is not installed falls back to ``fallback`` (the I/OCE code lists read
from the data folder), so the edit runs wherever either is present.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from medcoder.edits.procedure_codes import ProcedureCodeSet, ProcedureValidity
from medcoder.errors import MedcoderError
from medcoder.kinds import CodeSystem


class InstalledProcedureCodes:
    """CPT / HCPCS / PCS validity on the date of service from the installed releases."""

    def __init__(self, home: Path, fallback: ProcedureCodeSet | None = None) -> None:
        from medcoder.codesets.hcpcs.lookup import ProcedureCodeSets
        from medcoder.codesets.pcs.store import PcsRegistry

        self.sets = ProcedureCodeSets(home)
        self.pcs = PcsRegistry(home)
        self.has_pcs = bool(self.pcs.installed())
        self.fallback = fallback
        self._validity: dict[tuple[CodeSystem, str, dt.date], ProcedureValidity | None] = {}
        self._modifiers: dict[tuple[tuple[str, ...], dt.date], tuple[list[str], str] | None] = {}

    @property
    def installed(self) -> bool:
        return self.sets.has_hcpcs or self.sets.has_cpt or self.has_pcs

    def validity(self, system: CodeSystem, code: str, day: dt.date) -> ProcedureValidity | None:
        """Cached per (system, code, date): a batch of claims asks for the same codes."""
        key = (system, code, day)
        if key not in self._validity:
            if len(self._validity) > 200_000:
                self._validity.clear()
            self._validity[key] = self._validity_of(system, code, day)
        return self._validity[key]

    def _validity_of(self, system: CodeSystem, code: str, day: dt.date) -> ProcedureValidity | None:
        if system is CodeSystem.ICD10PCS:
            if not self.has_pcs:
                return self._fallback(system, code, day)
            return self._pcs(code, day)
        if system is CodeSystem.ICD10CM:
            return None
        held = self.sets.has_cpt if system is CodeSystem.CPT else self.sets.has_hcpcs
        if not held:
            return self._fallback(system, code, day)
        try:
            status = self.sets.lookup(code, day)
        except MedcoderError as exc:
            return ProcedureValidity(False, f"{code}: {exc.message}", f"{system.value}-installed")
        if status.valid:
            return ProcedureValidity(True, "valid on the date of service", status.release)
        if status.status == "terminated":
            reason = f"{code} was deleted: terminated {status.terminated}"
        elif status.status == "not_yet_effective":
            reason = f"{code} is not yet effective: valid from {status.effective_from}"
        else:
            reason = f"{code} is not a {status.system} code"
        if status.note:
            reason += f" ({status.note})"
        return ProcedureValidity(False, reason, status.release)

    def unknown_modifiers(
        self, modifiers: Sequence[str], day: dt.date
    ) -> tuple[list[str], str] | None:
        """Modifiers not valid on ``day`` (HCPCS Alpha-Numeric file, CPT numbers), with the
        quarter that says so; None when no quarter file is installed."""
        key = (tuple(modifiers), day)
        if key not in self._modifiers:
            quarter = self.sets.anweb_for(day)
            self._modifiers[key] = (
                None
                if quarter is None
                else (self.sets.unknown_modifiers(modifiers, day), quarter.name)
            )
        return self._modifiers[key]

    def _pcs(self, code: str, day: dt.date) -> ProcedureValidity | None:
        try:
            release = self.pcs.choose(day=day)
        except MedcoderError:
            return None  # no PCS release covers the date: the edit is skipped
        result = release.validate(code)
        reason = "valid" if result.valid else result.message()
        return ProcedureValidity(result.valid, reason, result.release)

    def _fallback(self, system: CodeSystem, code: str, day: dt.date) -> ProcedureValidity | None:
        return self.fallback.validity(system, code, day) if self.fallback else None

    def close(self) -> None:
        self.sets.close()
        self.pcs.close()
