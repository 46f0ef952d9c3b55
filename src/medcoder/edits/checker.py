"""Run every claim edit over a claim: the rules assembled, and the tables they read.

The contract a rule keeps (``EditRule``, ``EditContext``) is in ``edits/contract.py``.
A rule reads the claim and the context (the ICD-10-CM release in force on the date of
service, the MCE / NCCI / MUE tables, the procedure code sets) and returns findings; it
never changes the claim. A table that is not installed skips its edits with a notice,
so the ICD-10-CM edits always run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from medcoder.codesets.model import ReleaseInfo
from medcoder.codesets.registry import Registry
from medcoder.codesets.store import Release
from medcoder.edits.claim import Claim
from medcoder.edits.contract import EditContext, EditRule
from medcoder.edits.findings import EditReport, EditSpec, Finding, Severity
from medcoder.kinds import CodeSystem
from medcoder.settings import find_data_dir, home_dir, mue_file

if TYPE_CHECKING:
    from medcoder.edits.mce_tables import MceTables
    from medcoder.edits.mue_table import MueTable
    from medcoder.edits.ncci_tables import AddonTable, PtpIndex
    from medcoder.edits.procedure_codes import ProcedureCodeSet


@dataclass
class EditTables:
    """Where the edit tables are (each a path given by a setting or a CLI option) and,
    once read, the tables themselves. Nothing is read until an edit asks for it."""

    mce_dir: Path | None = None
    ncci_dir: Path | None = None
    mue_file: Path | None = None
    hcpcs_dir: Path | None = None
    cache_dir: Path | None = None  # compiled PTP index (default $MEDCODER_HOME/edits)
    home: Path | None = None  # installed procedure code sets (HCPCS, CPT, PCS)
    procedure_codes: ProcedureCodeSet | None = None
    _loaded: dict[str, object] = field(default_factory=dict, repr=False)

    @classmethod
    def from_data(cls, data: Path | None, *, home: Path | None = None) -> EditTables:
        """The tables found in the CMS data folder's usual places (mce/, ncci/*/, hcpcs/)."""
        where = home_dir(home)
        if data is None:
            return cls(cache_dir=where / "edits", home=where)
        ncci = sorted(p for p in (data / "ncci").glob("ioce-*") if p.is_dir())
        return cls(
            mce_dir=data / "mce" if (data / "mce").is_dir() else None,
            ncci_dir=ncci[-1] if ncci else None,
            hcpcs_dir=data / "hcpcs" if (data / "hcpcs").is_dir() else None,
            cache_dir=where / "edits",
            home=where,
        )

    def mce(self) -> MceTables | None:
        if self.mce_dir is None:
            return None
        if "mce" not in self._loaded:
            from medcoder.edits.mce_tables import load_mce

            self._loaded["mce"] = load_mce(self.mce_dir)
        return self._loaded["mce"]  # type: ignore[return-value]

    def ptp(self) -> PtpIndex | None:
        if self.ncci_dir is None:
            return None
        if "ptp" not in self._loaded:
            from medcoder.edits.ncci_tables import load_ptp

            self._loaded["ptp"] = load_ptp(self.ncci_dir, cache_dir=self.cache_dir)
        return self._loaded["ptp"]  # type: ignore[return-value]

    def addons(self) -> AddonTable | None:
        if self.ncci_dir is None:
            return None
        if "addons" not in self._loaded:
            from medcoder.edits.ncci_tables import load_addons

            self._loaded["addons"] = load_addons(self.ncci_dir)
        return self._loaded["addons"]  # type: ignore[return-value]

    def mue(self) -> MueTable | None:
        if self.mue_file is None:
            return None
        if "mue" not in self._loaded:
            from medcoder.edits.mue_table import load_mue

            self._loaded["mue"] = load_mue(self.mue_file)
        return self._loaded["mue"]  # type: ignore[return-value]

    def procedures(self) -> ProcedureCodeSet | None:
        """CPT / HCPCS / PCS validity: the one given, else the code sets installed under
        ``home`` (issue 6), else the I/OCE code lists in ``hcpcs_dir``."""
        if self.procedure_codes is not None:
            return self.procedure_codes
        if "procedures" not in self._loaded:
            from medcoder.edits.installed_codes import InstalledProcedureCodes
            from medcoder.edits.procedure_codes import IoceProcedureCodes

            fallback: ProcedureCodeSet | None = None
            if self.hcpcs_dir is not None:
                versions = self.ncci_dir / "ioce_version_range.csv" if self.ncci_dir else None
                fallback = IoceProcedureCodes.load(self.hcpcs_dir, versions)
            chosen = fallback
            if self.home is not None:
                installed = InstalledProcedureCodes(self.home, fallback)
                chosen = installed if installed.installed else fallback
            self._loaded["procedures"] = chosen
        return self._loaded["procedures"]  # type: ignore[return-value]


def configured_tables(
    *,
    data: Path | None = None,
    mce: Path | None = None,
    ncci: Path | None = None,
    mue: Path | None = None,
    home: Path | None = None,
) -> EditTables:
    """The tables named by options, else found in the CMS data folder (``--data``, else
    ``$MEDCODER_DATA``, else ``../shared/data``); the MUE file from ``--mue`` or
    ``$MEDCODER_MUE_FILE``. A folder that is not there leaves its edits skipped."""
    tables = EditTables.from_data(find_data_dir(data), home=home)
    if mce is not None:
        tables.mce_dir = mce
    if ncci is not None:
        tables.ncci_dir = ncci
    tables.mue_file = mue or mue_file()
    return tables


def default_rules() -> tuple[EditRule, ...]:
    """Every edit, in the order findings are listed."""
    from medcoder.edits.diagnosis import DIAGNOSIS_RULES
    from medcoder.edits.mce import MceRule
    from medcoder.edits.mue import MueRule
    from medcoder.edits.ncci import AddonRule, PtpRule
    from medcoder.edits.procedure_validity import ProcedureValidityRule

    return (*DIAGNOSIS_RULES, MceRule(), ProcedureValidityRule(), PtpRule(), AddonRule(), MueRule())


class ClaimChecker:
    """Runs every rule over a claim and returns its findings, errors first."""

    def __init__(
        self,
        registry: Registry,
        tables: EditTables | None = None,
        rules: Sequence[EditRule] | None = None,
    ) -> None:
        self.registry = registry
        self.tables = tables or EditTables()
        self.rules = tuple(rules) if rules is not None else default_rules()
        self._infos: list[ReleaseInfo] | None = None

    def check(self, claim: Claim, *, release: Release | None = None) -> EditReport:
        """Every finding for ``claim``; ICD-10-CM from the release in force on its date of
        service unless ``release`` names another (to compare releases)."""
        release = release or self._release_for(claim.date_of_service)
        context = EditContext(self.registry, self.tables, release)
        context.used(CodeSystem.ICD10CM, release.name)
        # A dict keeps the first of equal findings in order, in linear time (a list's
        # ``in`` made a claim with many findings quadratic).
        unique: dict[Finding, None] = {}
        for rule in self.rules:
            for finding in rule.check(claim, context):
                unique.setdefault(finding, None)
        findings = sorted(unique, key=lambda f: f.severity is not Severity.ERROR)
        return EditReport(claim.id, tuple(findings), dict(context.releases), tuple(context.skipped))

    def _release_for(self, day: dt.date) -> Release:
        """The ICD-10-CM release in force (the installed list read once per checker)."""
        if self._infos is None:
            self._infos = self.registry.available()
        for info in self._infos:
            if info.covers(day):
                return self.registry.open(info.name)
        return self.registry.release_for(day)  # raises E202 naming the installed releases

    def specs(self) -> list[EditSpec]:
        return [spec for rule in self.rules for spec in rule.specs]
