"""Agreement of the E/M stage with hand-assigned levels on synthetic visit notes.

A case folder holds ``*.txt`` notes and ``expected.json``: file name -> ``{"code": "99214"
| null, "basis": "mdm" | "time", "flags": {"patient_status": ...}?, "modifier": "25"?}``.
``null`` means no office E/M is expected (inpatient, operative note, procedure only).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medcoder.errors import InvalidInputError
from medcoder.nlp.sections import find_sections
from medcoder.pipeline import make_document
from medcoder.procedures.em import EMCoder

NONE = "none"


@dataclass(frozen=True, slots=True)
class EMCaseResult:
    case: str
    expected: str
    found: str
    expected_basis: str | None
    found_basis: str | None
    expected_modifier: str | None
    found_modifier: str | None
    detail: str

    @property
    def agrees(self) -> bool:
        return self.expected == self.found

    @property
    def full_match(self) -> bool:
        """Same code, same basis and same modifier."""
        return (
            self.agrees
            and self.expected_basis == self.found_basis
            and self.expected_modifier == self.found_modifier
        )


@dataclass(frozen=True, slots=True)
class EMAgreement:
    cases: tuple[EMCaseResult, ...]

    @property
    def agreement(self) -> float:
        return sum(c.agrees for c in self.cases) / len(self.cases) if self.cases else 0.0

    @property
    def full_agreement(self) -> float:
        return sum(c.full_match for c in self.cases) / len(self.cases) if self.cases else 0.0

    def confusion(self) -> dict[tuple[str, str], int]:
        """(expected, found) -> number of cases."""
        return dict(Counter((c.expected, c.found) for c in self.cases))


def run_em_agreement(folder: Path, coder: EMCoder | None = None) -> EMAgreement:
    """Run the E/M stage on every case of ``folder`` and compare with expected.json."""
    try:
        expected: dict[str, Any] = json.loads((folder / "expected.json").read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInputError(
            f"cannot read {folder / 'expected.json'}: {exc}",
            hint="a case folder holds NOTE.txt files and expected.json",
        ) from exc
    coder = coder or EMCoder()
    results = []
    for name, want in sorted(expected.items()):
        if name.startswith("_"):
            continue
        text = (folder / name).read_text("utf-8")
        flags = want.get("flags", {})
        document = make_document(
            text, setting=flags.get("setting"), patient_status=flags.get("patient_status"), id=name
        )
        found = coder.findings(document, find_sections(text))
        level = found.em_level
        modifier = next((m for c in found.procedures for m in c.modifiers), None)
        detail = (
            f"{level.patient_status}; " + "; ".join(f"{m.element} {m.level}: {m.detail}"
                                                    for m in level.elements)
            if level is not None
            else "; ".join(d.reason for d in found.dropped) or "not an office visit"
        )  # fmt: skip
        results.append(
            EMCaseResult(
                case=name,
                expected=want.get("code") or NONE,
                found=level.code if level is not None else NONE,
                expected_basis=want.get("basis"),
                found_basis=level.basis if level is not None else None,
                expected_modifier=want.get("modifier"),
                found_modifier=modifier,
                detail=detail,
            )
        )
    return EMAgreement(tuple(results))


def agreement_text(report: EMAgreement) -> str:
    """Agreement, the confusion matrix (rows expected, columns found) and the misses."""
    labels = sorted({c.expected for c in report.cases} | {c.found for c in report.cases})
    matrix = report.confusion()
    width = max(len(x) for x in labels) + 2
    lines = [
        f"E/M agreement: {report.agreement:.1%} of {len(report.cases)} cases "
        f"(code, basis and modifier all right: {report.full_agreement:.1%})",
        "",
        "expected \\ found".ljust(18) + "".join(x.rjust(width) for x in labels),
    ]
    for want in labels:
        row = [str(matrix.get((want, got), "") or ".") for got in labels]
        lines.append(want.ljust(18) + "".join(x.rjust(width) for x in row))
    misses = [c for c in report.cases if not c.full_match]
    if misses:
        lines += ["", "disagreements:"]
        for c in misses:
            lines.append(
                f"  {c.case}: expected {c.expected} ({c.expected_basis}, mod {c.expected_modifier})"
                f", found {c.found} ({c.found_basis}, mod {c.found_modifier}) - {c.detail}"
            )
    return "\n".join(lines)
