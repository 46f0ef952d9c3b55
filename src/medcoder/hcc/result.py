"""What CMS-HCC risk adjustment returns: per code, the HCCs it maps to and whether each
survived the hierarchies; per model, the HCCs, interactions and raw risk score; and the
payment year's blend of the models."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class CodeHccs:
    """One diagnosis under one model: its HCCs, those kept, those a higher HCC dropped."""

    code: str
    model: str
    hccs: tuple[str, ...]  # after the age/sex edits
    kept: tuple[str, ...]
    dropped: tuple[tuple[str, str], ...]  # (hcc, the higher hcc that dropped it)


@dataclass(frozen=True, slots=True)
class HccFactor:
    hcc: str
    label: str | None
    coefficient: float
    codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ModelScore:
    """One CMS-HCC model run (hccinfhir ``calculate_raf``): raw, not normalized."""

    model: str  # "CMS-HCC Model V28"
    blend: float  # its share of the payment year's score
    category: str  # the age-sex cell, e.g. F70_74
    segment: str  # e.g. "community, non-dual, aged"
    hccs: tuple[HccFactor, ...]
    interactions: tuple[tuple[str, float], ...]  # interaction -> coefficient
    demographic_score: float
    risk_score: float


@dataclass(frozen=True, slots=True)
class ExcludedEncounter:
    encounter: str
    reason: str


@dataclass(frozen=True, slots=True)
class RiskResult:
    """A patient-year's risk score: the models of the payment year and their blend."""

    payment_year: int
    age: int
    sex: str
    risk_score: float  # the blend, raw (no normalization, no coding-intensity adjustment)
    hccs: tuple[str, ...]  # HCCs after hierarchies, in the payment year's main model
    models: tuple[ModelScore, ...]
    codes: tuple[CodeHccs, ...]
    diagnoses: tuple[str, ...]  # the codes that counted
    excluded_encounters: tuple[ExcludedEncounter, ...]
    source: str  # e.g. "hccinfhir 0.4.0, CMS PY2026 tables"
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["risk_score"] = round(self.risk_score, 3)
        for model in data["models"]:
            model["interactions"] = dict(model["interactions"])
            model["risk_score"] = round(model["risk_score"], 3)
            model["demographic_score"] = round(model["demographic_score"], 3)
        for code in data["codes"]:
            code["dropped"] = [{"hcc": h, "by": by} for h, by in code["dropped"]]
        return data
