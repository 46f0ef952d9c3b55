"""The code sets in force for one note: the one place that chooses releases.

A claim is coded with the code sets in effect on the date of service: the ICD-10-CM
release of the fiscal year (October 1) or its April update (ICD-10-CM Official Guidelines,
Section I.A and the addenda; HIPAA 45 CFR 162.1002), the ICD-10-PCS tables of the fiscal
year, and HCPCS Level II / CPT as of the quarter (each HCPCS or CPT number is dated code by
code, so its lookup takes the date). :class:`CodeSetChooser` makes that choice once per note
and every coding stage reads it from :class:`CodeSetsInForce`, so no two stages can code
one note against different releases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from medcoder.codesets.registry import Registry
from medcoder.codesets.store import Release
from medcoder.errors import CodeSetError

if TYPE_CHECKING:  # the PCS and HCPCS stores load only when a stage asks for them
    from medcoder.codesets.hcpcs.lookup import ProcedureCodeSets
    from medcoder.codesets.pcs.store import PcsRegistry, PcsRelease


@dataclass(frozen=True, slots=True)
class PcsChoice:
    """The ICD-10-PCS release for the date, or why there is none (a notice to show)."""

    release: PcsRelease | None
    notice: str = ""


@dataclass(frozen=True)
class CodeSetsInForce:
    """The releases that apply to one note, chosen by its date of service."""

    day: date | None
    chooser: CodeSetChooser = field(repr=False, compare=False)
    icd10cm_name: str | None = None  # a release named by the caller instead of by date

    @cached_property
    def icd10cm(self) -> Release:
        """The ICD-10-CM release in force (or the one named); CodeSetError when none covers it."""
        return self.chooser.registry.choose(name=self.icd10cm_name, day=self.day)

    @cached_property
    def icd10pcs(self) -> PcsChoice:
        """Chosen on first use: outpatient notes never open the PCS tables."""
        return self.chooser.pcs_for(self.day)

    @property
    def procedure_code_sets(self) -> ProcedureCodeSets | None:
        """HCPCS Level II and CPT (each code dated by its lookup), when installed."""
        return self.chooser.procedure_code_sets


class CodeSetChooser:
    """Chooses, for a date of service, every installed code set under one home.

    The stores are opened once and shared; a choice holds no per-note state, so one
    chooser serves concurrent coding calls.
    """

    def __init__(self, registry: Registry | None = None) -> None:
        self.registry = registry or Registry(quiet=True)
        self.home = self.registry.home

    def choose(self, day: date | None, *, icd10cm: str | None = None) -> CodeSetsInForce:
        """The code sets in force on ``day`` (the newest when None); ``icd10cm`` names an
        ICD-10-CM release instead of choosing one by date."""
        return CodeSetsInForce(day, self, icd10cm)

    @cached_property
    def pcs_registry(self) -> PcsRegistry:
        from medcoder.codesets.pcs.store import PcsRegistry

        return PcsRegistry(self.home)

    @property
    def has_pcs(self) -> bool:
        return bool(self.pcs_registry.installed())

    def pcs_for(self, day: date | None) -> PcsChoice:
        try:
            return PcsChoice(self.pcs_registry.choose(day=day))
        except CodeSetError as exc:  # no PCS release for the date: PCS is not coded
            return PcsChoice(None, f"ICD-10-PCS not coded: {exc.message}")

    @cached_property
    def procedure_code_sets(self) -> ProcedureCodeSets | None:
        from medcoder.codesets.hcpcs.lookup import ProcedureCodeSets

        code_sets = ProcedureCodeSets(self.home)
        return code_sets if code_sets.has_hcpcs or code_sets.cpt_files else None
