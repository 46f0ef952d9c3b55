"""The claim-edit contract: what a rule is, and what it may read while it checks a claim.

Only the contract lives here, as httpx's ``_transports/base.py`` holds only
``BaseTransport``: the rules (``diagnosis``, ``mce``, ``ncci``, ``mue``,
``procedure_validity``) import it, and ``checker.py`` assembles them and loads the tables.
A rule reads the claim and the context and returns findings; it never changes the claim.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    # Types only: the table modules import nothing of the rules or of this contract.
    from medcoder.codesets.registry import Registry
    from medcoder.codesets.store import Release
    from medcoder.edits.claim import Claim
    from medcoder.edits.findings import EditSpec, Finding
    from medcoder.edits.mce_tables import MceTables
    from medcoder.edits.mue_table import MueTable
    from medcoder.edits.ncci_tables import AddonTable, PtpIndex
    from medcoder.edits.procedure_codes import ProcedureCodeSet


class EditRule(Protocol):
    """A named group of edits (one or more EditSpecs) run over a claim."""

    @property
    def name(self) -> str: ...

    @property
    def specs(self) -> tuple[EditSpec, ...]: ...

    def check(self, claim: Claim, context: EditContext) -> Iterable[Finding]: ...


class EditTableSource(Protocol):
    """The tables a rule may ask for; each is None when it is not installed (the rule then
    skips with a notice). ``checker.EditTables`` reads them on first use."""

    def mce(self) -> MceTables | None: ...

    def ptp(self) -> PtpIndex | None: ...

    def addons(self) -> AddonTable | None: ...

    def mue(self) -> MueTable | None: ...

    def procedures(self) -> ProcedureCodeSet | None: ...


@dataclass
class EditContext:
    """What the rules read for one claim; ``skip`` records an edit that could not run."""

    registry: Registry
    tables: EditTableSource
    release: Release  # ICD-10-CM in force on the claim's date of service
    releases: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def skip(self, rule: str, why: str) -> None:
        """Note that ``rule`` could not run, and why (listed once in the report)."""
        line = f"{rule}: {why}"
        if line not in self.skipped:
            self.skipped.append(line)

    def used(self, kind: str, release: str) -> None:
        """Note the release of a code set or table that a finding was checked against."""
        self.releases[kind] = release
