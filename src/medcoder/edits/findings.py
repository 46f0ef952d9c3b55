"""What an edit reports: a finding with a stable edit id, severity, the codes involved,
the rule and its source (with the release or quarter it came from) and the fix a coder
would make."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"  # a payer would reject the claim (or the line)
    WARNING = "warning"  # likely wrong: a coder confirms it against the documentation


@dataclass(frozen=True, slots=True)
class EditSpec:
    """A named, versioned edit: its stable id, what it checks and where the rule is from."""

    id: str  # e.g. "excludes1.v1"
    rule: str  # the rule in a coder's words
    source: str  # e.g. "ICD-10-CM Guidelines I.A.12.a (Excludes1)"

    def finding(
        self,
        severity: Severity,
        codes: tuple[str, ...],
        message: str,
        fix: str,
        release: str,
    ) -> Finding:
        return Finding(self.id, severity, codes, message, self.rule, self.source, release, fix)


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a payer would reject (error) or question (warning)."""

    edit: str
    severity: Severity
    codes: tuple[str, ...]
    message: str
    rule: str
    source: str
    release: str  # the code-set release or edit-table quarter the rule was read from
    fix: str

    @property
    def key(self) -> str:
        """Identifies the finding across runs (for acknowledgements and release diffs)."""
        return f"{self.edit}:{'+'.join(self.codes)}"


@dataclass(frozen=True, slots=True)
class EditReport:
    """Every finding for one claim, with the releases and tables the edits read."""

    claim_id: str | None
    findings: tuple[Finding, ...]
    releases: dict[str, str] = field(default_factory=dict)  # kind -> release / quarter
    skipped: tuple[str, ...] = ()  # edits not run and why (a table not installed)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)


def finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "edit": finding.edit,
        "severity": finding.severity.value,
        "codes": list(finding.codes),
        "message": finding.message,
        "rule": finding.rule,
        "source": finding.source,
        "release": finding.release,
        "fix": finding.fix,
        "key": finding.key,
    }


def report_json(report: EditReport) -> dict[str, Any]:
    return {
        "claim": report.claim_id,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "releases": dict(report.releases),
        "skipped": list(report.skipped),
        "findings": [finding_json(f) for f in report.findings],
    }
