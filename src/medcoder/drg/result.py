"""What MS-DRG grouping returns: the DRG with its Table 5 figures, the CC/MCC codes that
counted, those that did not and why, and what a CC or MCC would change in the family."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ExcludedCode:
    """A secondary diagnosis on Table 6I/6J that did not count for this stay."""

    code: str
    level: str  # MCC | CC: what it would have been
    reason: str  # e.g. "excluded by principal I50.9 (Table 6K PDX collection 0723)"


@dataclass(frozen=True, slots=True)
class WhatIf:
    """The effect documenting a CC or MCC would have: impact only, never a code to add."""

    level: str  # MCC | CC
    from_drg: str
    to_drg: str
    to_title: str
    from_weight: float | None
    to_weight: float | None

    @property
    def message(self) -> str:
        article = "an" if self.level == "MCC" else "a"
        text = f"{article} {self.level} would move {self.from_drg} -> {self.to_drg}"
        if self.from_weight is not None and self.to_weight is not None:
            text += f" (weight {self.from_weight:.4f} -> {self.to_weight:.4f})"
        return text


@dataclass(frozen=True, slots=True)
class DrgResult:
    """One inpatient stay grouped to an MS-DRG (CMS v43, FY2026 tables)."""

    drg: str
    mdc: str
    title: str
    kind: str  # SURG | MED
    weight: float | None
    gmlos: float | None
    amlos: float | None
    version: str  # MS-DRG version of the tables: "v43"
    grouper_logic: str  # the grouper package's logic release: "v43" or "v43.1" (April)
    principal: str
    secondary: tuple[str, ...]
    procedures: tuple[str, ...]
    mcc: tuple[str, ...]  # secondary diagnoses that count as MCC
    cc: tuple[str, ...]  # ... as CC
    excluded: tuple[ExcludedCode, ...]
    what_if: tuple[WhatIf, ...]
    releases: tuple[str, ...]  # the ICD-10-CM / ICD-10-PCS releases the codes were checked in
    notes: tuple[str, ...]  # what the grouper did not consider (age, POA/HAC)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["what_if"] = [{**asdict(w), "message": w.message} for w in self.what_if]
        for key in ("secondary", "procedures", "mcc", "cc", "releases", "notes"):
            data[key] = list(data[key])
        data["excluded"] = [asdict(e) for e in self.excluded]
        return data
