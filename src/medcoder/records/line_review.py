"""Editing the claim fields of a stored line: the units and modifiers of a CPT / HCPCS
service line, and the present-on-admission indicator of an inpatient diagnosis. Each edit
is audited with the values before and after."""

from __future__ import annotations

from collections.abc import Sequence

from medcoder.errors import InvalidInputError
from medcoder.kinds import CodeSystem, PoaIndicator, Setting
from medcoder.records.code_lines import (
    System,
    check_modifiers,
    check_units,
    validate_modifiers,
)
from medcoder.records.gate import RecordsGate
from medcoder.records.models import CodeSource, utcnow
from medcoder.records.permissions import Action


class LineReviewMixin(RecordsGate):
    """Units, modifiers and POA on an encounter's active lines."""

    def set_line(
        self,
        actor: str | None,
        encounter_id: str,
        code: str,
        *,
        units: int | None = None,
        modifiers: Sequence[str] | None = None,
        system: System = None,
    ) -> None:
        """Set the units and/or the modifiers (None: unchanged; []: none) of a CPT or
        HCPCS line; modifiers are checked against the HCPCS modifier list on the date."""
        if units is None and modifiers is None:
            raise InvalidInputError(
                "give units, modifiers or both", hint="--units N --modifiers 59,RT"
            )
        with self._acting(actor, Action.REVIEW) as (session, user):
            encounter = self._encounter(session, encounter_id)
            self._workable(session, encounter, user)
            row = self._active_line(encounter, code, system)
            line_system = CodeSystem(row.system)
            if not line_system.is_line_item:
                raise InvalidInputError(
                    f"{row.code} is a {row.system} code: units and modifiers go on CPT and "
                    "HCPCS lines only"
                )
            before = {"units": row.units, "modifiers": list(row.modifiers or [])}
            if units is not None:
                row.units = check_units(units, line_system)
            if modifiers is not None:
                mods = check_modifiers(modifiers, line_system)
                validate_modifiers(self.coding_engine().chooser, mods, encounter.date_of_service)
                row.modifiers = list(mods) or None
            row.updated_by = user.name
            row.updated_at = utcnow()
            after = {"units": row.units, "modifiers": list(row.modifiers or [])}
            self._audit_line(session, user, encounter, "set_line", row, before, after)

    def set_poa(
        self,
        actor: str | None,
        encounter_id: str,
        code: str,
        indicator: str | PoaIndicator,
        *,
        system: System = None,
    ) -> None:
        """Set the present-on-admission indicator (Y, N, U, W, or 1 for a code on the exempt
        list) of an inpatient stay's diagnosis, as the coder's (ICD-10-CM Official
        Guidelines, Appendix I). The engine's confidence and evidence no longer apply."""
        poa = PoaIndicator.parse(indicator)
        with self._acting(actor, Action.REVIEW) as (session, user):
            encounter = self._encounter(session, encounter_id)
            self._workable(session, encounter, user)
            if not Setting.parse(encounter.setting).is_inpatient:
                raise InvalidInputError(
                    f"encounter {encounter.external_id} is not an inpatient stay: POA "
                    "indicators are reported on inpatient claims only"
                )
            row = self._active_line(encounter, code, system or CodeSystem.ICD10CM)
            if row.system != CodeSystem.ICD10CM.value:
                raise InvalidInputError(f"{row.code} is a {row.system} code: POA goes on diagnoses")
            before = {"poa": row.poa, "poa_source": row.poa_source}
            row.poa = poa.value
            row.poa_source = CodeSource.CODER.value
            row.poa_confidence = None
            row.poa_evidence_enc = None
            row.updated_by = user.name
            row.updated_at = utcnow()
            after = {"poa": row.poa, "poa_source": row.poa_source}
            self._audit_line(session, user, encounter, "set_poa", row, before, after)
